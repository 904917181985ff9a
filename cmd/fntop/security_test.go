package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model/textsafe/textsafetest"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// hostileFn is the function of class i, as a log group names it.
func hostileFn(i int) string {
	return strings.ToValidUTF8(fmt.Sprintf("h%02d-%s", i, textsafetest.Classes[i].Text), "\ufffd")
}

// hostileInput is CloudWatch Logs subscription documents, one per class,
// whose log group, stream, versions, error types and messages (text, the
// Node.js Invoke Error JSON, a JSON log line, a Node.js multi-line
// message) carry the class; JSON carries the characters escaped, as
// CloudWatch sends them. raw is the same lines as raw Lambda output with
// the class's bytes raw, invalid UTF-8 included.
func hostileInput(t *testing.T) (sub, raw []byte) {
	t.Helper()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var sb, rb bytes.Buffer
	for i, c := range textsafetest.Classes {
		var lines []string
		for k := range 6 {
			ts := at.Format("2006-01-02T15:04:05.000Z")
			id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, k)
			lines = append(lines,
				"START RequestId: "+id+" Version: v-"+c.Text,
				ts+"\t"+id+"\tERROR\tfailed "+c.Text+"\r  at line two "+c.Text,
				ts+"\t"+id+"\tERROR\tInvoke Error \t"+fmt.Sprintf(`{"errorType":%q,"errorMessage":%q,"stack":["Error: x"]}`, "Err"+c.Text, "boom "+c.Text),
				fmt.Sprintf(`{"time":%q,"level":"ERROR","requestId":%q,"message":%q}`, ts, id, "json "+c.Text),
				"END RequestId: "+id,
				fmt.Sprintf("REPORT RequestId: %s\tDuration: 12.00 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tStatus: error\tError Type: Runtime.%s", id, c.Text),
			)
			at = at.Add(7 * time.Second)
		}
		var evs []map[string]any
		for n, l := range lines {
			evs = append(evs, map[string]any{"id": fmt.Sprint(i, "-", n), "timestamp": at.UnixMilli(), "message": l})
		}
		doc, err := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "1", "logGroup": "/aws/lambda/" + hostileFn(i),
			"logStream": "2026/11/25/[$LATEST]" + c.Text, "subscriptionFilters": []string{"f"}, "logEvents": evs})
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(doc)
		sb.WriteByte('\n')
		for _, l := range lines {
			rb.WriteString(l)
			rb.WriteByte('\n')
		}
	}
	return sb.Bytes(), rb.Bytes()
}

// runEnv runs fntop with the terminal flags given.
func runEnv(t *testing.T, stdin []byte, e env, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e.stdin, e.stdout, e.stderr = bytes.NewReader(stdin), &out, &errb
	code := run(ctx, args, e)
	return out.String(), errb.String(), code
}

// withoutOwnSGR removes the colour codes fntop logs writes itself on a
// terminal: every other ESC came from the data.
func withoutOwnSGR(s string) string {
	for _, sgr := range append(fnColors, sgrReset, sgrDim, sgrRed, sgrYell, sgrBold) {
		s = strings.ReplaceAll(s, sgr, "")
	}
	return s
}

// withoutProgress removes the control sequences of the progress line
// (carriage return, erase line): every other control came from the data.
func withoutProgress(s string) string { return strings.ReplaceAll(s, "\r\x1b[K", "") }

// TestCommandsNeverWriteHostileText: fntop logs (pipe, terminal, terminal
// with NO_COLOR), the snapshot table, --json and --markdown, on input
// whose every field carries each hostile class, write no ESC, C0/C1
// control, bidi, zero-width or tag character, line separator or invalid
// UTF-8 (beyond the colour codes of fntop logs on a terminal), and still
// show every function, escaped.
func TestCommandsNeverWriteHostileText(t *testing.T) {
	sub, raw := hostileInput(t)
	dir := t.TempDir()
	subPath := filepath.Join(dir, "sub.jsonl")
	if err := os.WriteFile(subPath, sub, 0o600); err != nil {
		t.Fatal(err)
	}
	rawFn := "raw-" + textsafetest.Classes[4].Text + textsafetest.Classes[13].Text
	for _, tc := range []struct {
		name  string
		e     env
		stdin []byte
		args  []string
		json  bool
	}{
		{name: "logs pipe", args: []string{"logs", "--input", subPath}},
		{name: "logs terminal", e: env{tty: true, errTTY: true}, args: []string{"logs", "--input", subPath}},
		{name: "logs terminal NO_COLOR", e: env{tty: true, noColor: true}, args: []string{"logs", "--input", subPath}},
		{name: "logs grep", args: []string{"logs", "--input", subPath, "--grep", "failed|boom"}},
		{name: "logs raw bytes", stdin: raw, e: env{tty: true}, args: []string{"logs", "--input", "-", "--function", rawFn}},
		{name: "snapshot table", args: []string{"snapshot", "--input", subPath}},
		{name: "snapshot table raw bytes", stdin: raw, args: []string{"snapshot", "--input", "-", "--function", rawFn}},
		{name: "top off a terminal", args: []string{"--input", subPath}},
		{name: "snapshot json", args: []string{"snapshot", "--json", "--input", subPath}, json: true},
		{name: "snapshot json raw bytes", stdin: raw, args: []string{"snapshot", "--json", "--input", "-", "--function", rawFn}, json: true},
		{name: "snapshot markdown", args: []string{"snapshot", "--markdown", "--window", "15m", "--input", subPath}},
		{name: "snapshot markdown raw bytes", stdin: raw, args: []string{"snapshot", "--markdown", "--input", "-", "--function", rawFn}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runEnv(t, tc.stdin, tc.e, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %q", code, stderr)
			}
			out := stdout
			if tc.e.tty && !tc.e.noColor && tc.args[0] == "logs" {
				out = withoutOwnSGR(out)
			}
			if p := textsafetest.Problem(out, true); p != "" {
				t.Errorf("stdout: %s", p)
			}
			if p := textsafetest.Problem(stderr, true); p != "" {
				t.Errorf("stderr: %s", p)
			}
			if !strings.Contains(out, `\x1b`) && !strings.Contains(out, `\u001b`) {
				t.Errorf("the hostile text is not shown:\n%q", out)
			}
			if tc.stdin == nil && !tc.json && !slices.Contains(tc.args, "--markdown") {
				for i := range textsafetest.Classes {
					if !strings.Contains(out, fmt.Sprintf("h%02d-", i)) {
						t.Errorf("function h%02d missing", i)
					}
				}
			}
			if !tc.json {
				return
			}
			// The escaping is JSON's own: the names decode to what the
			// log groups said.
			snap := decodeSnapshot(t, stdout)
			names := map[string]bool{}
			for _, f := range snap.Functions {
				names[f.Name] = true
			}
			if tc.stdin != nil {
				if !names[rawFn] {
					t.Errorf("function %q missing from %v", rawFn, names)
				}
				return
			}
			for i := range textsafetest.Classes {
				if !names[hostileFn(i)] {
					t.Errorf("function %q missing after decoding", hostileFn(i))
				}
			}
		})
	}
}

// TestErrorsNeverWriteHostileText: what fntop prints on stderr when a
// name, a path, a pattern, a flag or an endpoint's answer carries escape
// sequences: the usage errors of the flag package, a missing input, a
// bad regex, an unknown command, a function with no data, an unparsable
// URL, and an AWS API error whose message holds every class.
func TestErrorsNeverWriteHostileText(t *testing.T) {
	cwltest.IsolateEnv(t, true)
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a")
	var all strings.Builder
	for _, c := range textsafetest.Classes {
		all.WriteString(" " + c.Text)
	}
	hostile := all.String()
	srv.FailNext("DescribeLogGroups", 100, cwltest.APIError{Status: 400, Code: "InvalidParameterException", Message: "bad request" + strings.ToValidUTF8(hostile, "?")})
	evil := "\x1b]0;pwned\x07\x1b[2J\u202e\u200b\U000e0041\x9b\xff"
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"missing input", []string{"snapshot", "--input", filepath.Join(t.TempDir(), "missing"+evil+".log")}, 1},
		{"bad grep", []string{"logs", "--demo", "--grep", "(" + evil}, 2},
		{"unknown flag", []string{"snapshot", "--" + evil}, 2},
		{"bad flag value", []string{"snapshot", "--window", evil}, 2},
		{"bad duration", []string{"logs", "--since", evil}, 2},
		{"unknown command", []string{"cmd" + evil}, 2},
		{"extra argument", []string{"snapshot", "--demo", "x" + evil}, 2},
		{"no such function", []string{"snapshot", "--demo", "--window", "1m", "--function", "nofn" + evil}, 0},
		{"bad include", []string{"snapshot", "--aws", "--include", "(" + evil}, 2},
		{"bad prometheus URL", []string{"snapshot", "--prometheus", "http://h" + evil + "/"}, 1},
		{"bad at", []string{"snapshot", "--markdown", "--at", evil}, 2},
		{"bad theme", []string{"--theme", evil}, 0},
		{"AWS error message", []string{"snapshot", "--aws", "--endpoint", srv.URL(), "--region", "us-east-1"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runEnv(t, nil, env{errTTY: true}, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %q", code, tc.code, stderr)
			}
			stderr = withoutProgress(stderr)
			if tc.code != 0 && stderr == "" {
				t.Fatal("nothing on stderr")
			}
			if p := textsafetest.Problem(stderr, true); p != "" {
				t.Errorf("stderr: %s", p)
			}
			if tc.code != 0 && !strings.Contains(stderr, `\x`) && !strings.Contains(stderr, `\u`) {
				t.Errorf("the bad text is not shown escaped: %q", stderr)
			}
		})
	}
}

// readOnlyAction is an IAM action that only reads: Describe*, List*,
// Get*, Filter*, or one of the Logs actions that start or stop a read
// (StartQuery runs a Logs Insights query over existing events, StopQuery
// ends it, StartLiveTail streams new events; none changes a resource).
var readOnlyAction = regexp.MustCompile(`^(logs|lambda):((Describe|List|Get|Filter)[A-Z][A-Za-z]*|StartQuery|StopQuery|StartLiveTail)$`)

// TestIAMPolicyIsReadOnly: every action `fntop iam-policy` prints is a
// read, named exactly (no wildcard), allowed (no Deny to widen), and the
// README's Security section names each one.
func TestIAMPolicyIsReadOnly(t *testing.T) {
	stdout, stderr, code := runCmd(t, nil, "iam-policy")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, security, _ := strings.Cut(string(readme), "\n## Security")
	n := 0
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("effect %q", s.Effect)
		}
		for _, a := range s.Action {
			n++
			if !readOnlyAction.MatchString(a) {
				t.Errorf("action %q is not a read", a)
			}
			if !strings.Contains(security, "`"+a+"`") {
				t.Errorf("the README's Security section does not list %s", a)
			}
		}
	}
	if n == 0 {
		t.Fatal("no actions")
	}
	for _, bad := range []string{"logs:PutLogEvents", "logs:*", "lambda:InvokeFunction", "logs:StartExportTask", "logs:CreateLogGroup", "lambda:UpdateFunctionConfiguration"} {
		if readOnlyAction.MatchString(bad) {
			t.Errorf("the read-only rule accepts %s", bad)
		}
	}
}
