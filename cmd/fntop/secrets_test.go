package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources/aws"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// awsCreds is one set of fake credentials, each part unmistakable.
type awsCreds struct{ key, secret, token string }

func (c awsCreds) all() []string { return []string{c.key, c.secret, c.token} }

// awsCredSource puts credentials where the SDK's default chain finds them
// and returns the extra flags that select them.
type awsCredSource struct {
	name  string
	creds awsCreds
	setup func(t *testing.T, dir string, c awsCreds) []string
}

var awsCredSources = []awsCredSource{
	{"environment", awsCreds{"AKIAFNTOPENVKEY00001", "fntopEnvSecretAccessKey/0123456789+abcdefghij", "FwoGZXIvYXdzFNTOPenvSESSIONtoken0123456789abcdefABCDEF=="},
		func(t *testing.T, dir string, c awsCreds) []string {
			t.Setenv("AWS_ACCESS_KEY_ID", c.key)
			t.Setenv("AWS_SECRET_ACCESS_KEY", c.secret)
			t.Setenv("AWS_SESSION_TOKEN", c.token)
			return nil
		}},
	{"shared credentials file, --profile", awsCreds{"ASIAFNTOPFILEKEY0002", "fntopFileSecretAccessKey/9876543210+zyxwvutsrq", "IQoJb3JpZ2luFNTOPfileSESSIONtoken9876543210zyxwvuZYXWVU=="},
		func(t *testing.T, dir string, c awsCreds) []string {
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			writeFile(t, filepath.Join(dir, "credentials"), "[fntop-test]\naws_access_key_id = "+c.key+"\naws_secret_access_key = "+c.secret+"\naws_session_token = "+c.token+"\n")
			writeFile(t, filepath.Join(dir, "config"), "[profile fntop-test]\nregion = us-east-1\n")
			return []string{"--profile", "fntop-test"}
		}},
	{"config file profile, AWS_PROFILE", awsCreds{"AKIAFNTOPCONFKEY0003", "fntopConfSecretAccessKey/1122334455+mnopqrstuv", "FQoGZXIvYXdzFNTOPconfSESSIONtoken1122334455mnopqrMNOPQR=="},
		func(t *testing.T, dir string, c awsCreds) []string {
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			t.Setenv("AWS_PROFILE", "fntop-conf")
			writeFile(t, filepath.Join(dir, "config"), "[profile fntop-conf]\nregion = us-east-1\naws_access_key_id = "+c.key+"\naws_secret_access_key = "+c.secret+"\naws_session_token = "+c.token+"\n")
			return nil
		}},
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// echoed is an error message that quotes the request's headers (its
// Authorization with the access key ID, its X-Amz-Security-Token) and,
// as a SignatureDoesNotMatch answer does, the canonical request.
func echoed(what string) string {
	return what + ". Request headers:\n" + cwltest.EchoHeaders + "The Canonical String for this request should have been 'POST\n/\n\n" + cwltest.EchoHeaders + "'"
}

// awsFaults are ways the local CloudWatch Logs server fails, each echoing
// the request's credentials in its message.
var awsFaults = []struct {
	name  string
	setup func(srv *cwltest.Server)
	fails bool // the snapshot fails (else it succeeds with a failing status)
	// quoted: fntop quotes AWS's message (else it explains the refused
	// credentials in its own words).
	quoted bool
}{
	{"403 access denied", func(srv *cwltest.Server) {
		srv.FailNext("DescribeLogGroups", 1000, cwltest.APIError{Status: 403, Code: "AccessDeniedException", Message: echoed("User is not authorized")})
	}, true, true},
	{"expired token", func(srv *cwltest.Server) {
		srv.FailNext("DescribeLogGroups", 1000, cwltest.APIError{Status: 400, Code: "ExpiredTokenException", Message: echoed("The security token included in the request is expired")})
	}, true, false},
	{"signature mismatch", func(srv *cwltest.Server) {
		srv.FailNext("DescribeLogGroups", 1000, cwltest.APIError{Status: 403, Code: "SignatureDoesNotMatch", Message: echoed("The request signature we calculated does not match the signature you provided")})
	}, true, false},
	{"unknown error code", func(srv *cwltest.Server) {
		srv.FailNext("DescribeLogGroups", 1000, cwltest.APIError{Status: 400, Code: "SomethingNewException", Message: echoed("rejected")})
	}, true, true},
	{"reads refused, listing allowed", func(srv *cwltest.Server) {
		for _, op := range []string{"FilterLogEvents", "StartQuery", "GetQueryResults", "ListFunctions"} {
			srv.FailNext(op, 1000, cwltest.APIError{Status: 403, Code: "AccessDeniedException", Message: echoed("not authorized to perform logs:" + op)})
		}
	}, false, true},
	{"bad parameter on reads", func(srv *cwltest.Server) {
		for _, op := range []string{"FilterLogEvents", "StartQuery", "ListFunctions"} {
			srv.FailNext(op, 1000, cwltest.APIError{Status: 400, Code: "InvalidParameterException", Message: echoed("bad " + op)})
		}
	}, false, true},
}

// TestAWSSecretsNeverShown runs the AWS source with known fake
// credentials (from the environment, a shared credentials file with
// --profile, a config file profile) against the local server failing in
// ways that echo the credentials, and checks that no part of them (key
// ID, secret key, session token) appears on stdout or stderr of
// `snapshot --json`, the snapshot table, `snapshot --markdown` and
// `logs`, nor in the store's source status (what the UI's status bar
// shows), while the failure itself is told.
func TestAWSSecretsNeverShown(t *testing.T) {
	for _, cs := range awsCredSources {
		t.Run(cs.name, func(t *testing.T) {
			cwltest.IsolateEnv(t, false)
			dir := t.TempDir()
			t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
			extra := cs.setup(t, dir, cs.creds)
			srv := cwltest.Start(t)
			now := time.Now()
			srv.FillFromDemo(3, now.Add(-4*time.Minute), now.Add(-time.Minute))
			for _, f := range awsFaults {
				t.Run(f.name, func(t *testing.T) {
					srv.ResetFaults()
					f.setup(srv)
					defer srv.ResetFaults()
					base := append([]string{"--aws", "--endpoint", srv.URL(), "--region", "us-east-1"}, extra...)
					var texts []string
					cmds := [][]string{{"snapshot", "--json", "--window", "5m"}}
					if cs.name == "environment" { // every command once
						cmds = append(cmds, []string{"snapshot", "--window", "5m"}, []string{"snapshot", "--markdown", "--window", "5m"}, []string{"logs", "--since", "5m"})
					}
					for _, cmd := range cmds {
						stdout, stderr, code := runEnv(t, nil, env{errTTY: true}, append(cmd, base...)...)
						if f.fails && code == 0 {
							t.Errorf("%v: exit 0", cmd)
						}
						texts = append(texts, stdout, stderr)
					}
					texts = append(texts, runAWSIntoStore(t, srv, extra)...)
					all := strings.Join(texts, "\n")
					for _, sec := range cs.creds.all() {
						if strings.Contains(all, sec) {
							t.Errorf("secret %q shown:\n%s", sec, shownAround(all, sec))
						}
					}
					// The echo happened and was redacted: the failure is
					// still told.
					if f.quoted && !strings.Contains(all, textsafe.Redacted) {
						t.Errorf("no redacted echo in the output:\n%s", all)
					}
				})
			}
		})
	}
}

// runAWSIntoStore runs the AWS source as the UI does (runSource into a
// store) for a moment and returns the texts of its source statuses.
func runAWSIntoStore(t *testing.T, srv *cwltest.Server, extra []string) []string {
	t.Helper()
	o := aws.Options{Endpoint: srv.URL(), Regions: []string{"us-east-1"}, MinInterval: 50 * time.Millisecond, Backfill: 5 * time.Minute}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--profile" {
			o.Profiles = []string{extra[i+1]}
		}
	}
	store := model.NewStore(model.Options{Clock: time.Now})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	<-runSource(ctx, aws.New(o), store, t.TempDir())
	var out []string
	for _, s := range store.Snapshot(model.SnapshotOptions{Window: model.Window5m}).Sources {
		out = append(out, s.Name, s.LastError, s.Detail)
	}
	return out
}

func shownAround(all, sec string) string {
	i := strings.Index(all, sec)
	return all[max(i-200, 0):min(i+len(sec)+50, len(all))]
}

// panicSource panics with a message that quotes credentials.
type panicSource struct{ msg string }

func (p panicSource) Name() string                          { return "boom" }
func (p panicSource) Run(context.Context, model.Sink) error { panic(p.msg) }

// TestSourcePanicHoldsNoSecret: a source that panics with a message
// quoting a request's credentials: the crash file and the failing status
// the UI shows hold none of them.
func TestSourcePanicHoldsNoSecret(t *testing.T) {
	c := awsCredSources[0].creds
	msg := "signing failed: Authorization: AWS4-HMAC-SHA256 Credential=" + c.key + "/20261125/us-east-1/logs/aws4_request\nX-Amz-Security-Token: " + c.token + "\naws_secret_access_key = " + c.secret
	dir := t.TempDir()
	store := model.NewStore(model.Options{Clock: time.Now})
	<-runSource(context.Background(), panicSource{msg}, store, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if len(files) != 1 {
		t.Fatalf("crash files: %v", files)
	}
	crash, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	srcs := store.Snapshot(model.SnapshotOptions{Window: model.Window5m}).Sources
	if len(srcs) != 1 || srcs[0].State != model.StateFailing || !strings.Contains(srcs[0].LastError, "panic: signing failed") {
		t.Fatalf("status %+v", srcs)
	}
	for _, sec := range c.all() {
		if strings.Contains(string(crash), sec) || strings.Contains(srcs[0].LastError, sec) {
			t.Errorf("secret %q shown:\ncrash file %s\nstatus %s", sec, crash, srcs[0].LastError)
		}
	}
}
