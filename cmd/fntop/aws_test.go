package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws"
	"github.com/fntop/fntop/sources/aws/cwltest"
	"github.com/fntop/fntop/sources/lambdalog"
)

// serverTruth parses every event the server holds with the shared parser
// into a store: the exact figures a snapshot must show.
func serverTruth(t *testing.T, srv *cwltest.Server) map[string]model.FunctionStats {
	t.Helper()
	store := model.NewStore(model.Options{})
	p := lambdalog.NewParser()
	var out []model.Event
	for _, g := range srv.Groups() {
		fn := strings.TrimPrefix(g.Name, cwltest.LambdaGroupPrefix)
		for _, e := range srv.Events(g.Name) {
			out = p.Feed(lambdalog.Input{Function: fn, Stream: e.Stream, Time: time.UnixMilli(e.Timestamp), Message: e.Message}, out[:0])
			store.Ingest(out...)
		}
	}
	res := map[string]model.FunctionStats{}
	for _, f := range store.Snapshot(model.SnapshotOptions{Window: model.WindowAll}).Functions {
		res[f.Name] = f
	}
	return res
}

// TestSnapshotAWS runs `fntop snapshot --aws --json --window 15m` against
// the local CloudWatch Logs server filled with the demo fleet, and checks
// every count and the billed duration against the server's own events.
func TestSnapshotAWS(t *testing.T) {
	cwltest.IsolateEnv(t, true)
	srv := cwltest.Start(t)
	now := time.Now()
	// The 15m window starts at a whole minute 14 minutes before the
	// snapshot's now, which may be a minute later than this now on a busy
	// machine: the history starts 12 minutes back, inside it either way.
	srv.FillFromDemo(7, now.Add(-12*time.Minute), now.Add(-time.Minute))
	want := serverTruth(t, srv)
	if len(want) < 20 {
		t.Fatalf("the demo fill made %d functions", len(want))
	}
	stdout, stderr, code := runCmd(t, nil, "snapshot", "--aws", "--json", "--window", "15m", "--endpoint", srv.URL(), "--region", "us-east-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap := decodeSnapshot(t, stdout)
	if len(snap.Functions) != len(want) {
		t.Errorf("%d functions, want %d", len(snap.Functions), len(want))
	}
	var total int64
	for _, f := range snap.Functions {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("unexpected function %q", f.Name)
			continue
		}
		total += f.Invocations
		if f.Source != "aws:us-east-1" {
			t.Errorf("%s: source %q", f.Name, f.Source)
		}
		if f.Invocations != w.Invocations || f.Errors != w.Errors || f.Timeouts != w.Timeouts {
			t.Errorf("%s: invocations/errors/timeouts %d/%d/%d, want %d/%d/%d", f.Name,
				f.Invocations, f.Errors, f.Timeouts, w.Invocations, w.Errors, w.Timeouts)
		}
		if w.ColdStarts != nil && (f.ColdStarts == nil || *f.ColdStarts != *w.ColdStarts) {
			t.Errorf("%s: cold starts %v, want %d", f.Name, f.ColdStarts, *w.ColdStarts)
		}
		if math.Abs(f.BilledMsTotal-w.BilledMsTotal) > 1e-6*math.Max(1, w.BilledMsTotal) {
			t.Errorf("%s: billed %.0f ms, want %.0f", f.Name, f.BilledMsTotal, w.BilledMsTotal)
		}
		if w.Duration != nil && f.Duration != nil {
			if rel := math.Abs(f.Duration.Max-w.Duration.Max) / w.Duration.Max; rel > 0.02 {
				t.Errorf("%s: max duration %.2f, want %.2f", f.Name, f.Duration.Max, w.Duration.Max)
			}
			// History comes per minute (Insights' p50/p90/p99 of each):
			// merged over the window the quantiles are estimates. On this
			// fleet p50 comes within 10% and p99 within 50% (median 4%);
			// a tail of a few timeouts among hundreds is the worst case.
			for _, q := range []struct {
				name      string
				got, want float64
				tol       float64
			}{{"p50", f.Duration.P50, w.Duration.P50, 0.2}, {"p99", f.Duration.P99, w.Duration.P99, 1}} {
				rel := math.Abs(q.got-q.want) / q.want
				t.Logf("%s %s: %.1f vs %.1f (%.0f%%)", f.Name, q.name, q.got, q.want, 100*rel)
				if w.Invocations >= 100 && rel > q.tol {
					t.Errorf("%s: %s %.1f ms, exact %.1f ms: off by %.0f%%", f.Name, q.name, q.got, q.want, 100*rel)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no invocations")
	}
	if srv.Calls("DescribeLogStreams") != 0 {
		t.Error("the source listed log streams")
	}
	for _, s := range snap.Sources {
		if s.Name == "aws:us-east-1" && s.State != string(model.StateOK) {
			t.Errorf("source state %q (%s)", s.State, s.LastError)
		}
	}
}

// TestAWSCredentialErrors: what a user sees when credentials are missing,
// unknown or refused — one line naming the profile and what to run.
func TestAWSCredentialErrors(t *testing.T) {
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a")
	cases := []struct {
		name   string
		keys   bool
		args   []string
		setup  func()
		expect []string
	}{
		{name: "none", keys: false, expect: []string{"default profile", "none were found", "aws configure"}},
		{name: "unknown profile", keys: true, args: []string{"--profile", "nosuch"},
			expect: []string{"profile nosuch", "not in ~/.aws/config", "aws configure --profile nosuch"}},
		{name: "refused", keys: true, setup: func() {
			srv.FailNext("DescribeLogGroups", 100, cwltest.APIError{Status: 400, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"})
		}, expect: []string{"default profile", "ExpiredTokenException", "aws sso login"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cwltest.IsolateEnv(t, c.keys)
			if c.setup != nil {
				c.setup()
				defer srv.ResetFaults()
			}
			args := append([]string{"snapshot", "--aws", "--json", "--endpoint", srv.URL(), "--region", "us-east-1"}, c.args...)
			stdout, stderr, code := runCmd(t, nil, args...)
			if code != 1 || stdout != "" {
				t.Fatalf("exit %d, stdout %q", code, stdout)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("more than one line:\n%s", stderr)
			}
			for _, e := range c.expect {
				if !strings.Contains(stderr, e) {
					t.Errorf("stderr %q lacks %q", stderr, e)
				}
			}
		})
	}
}

// TestIAMPolicyCommand prints the policy the README documents.
func TestIAMPolicyCommand(t *testing.T) {
	stdout, _, code := runCmd(t, nil, "iam-policy")
	if code != 0 || !strings.Contains(stdout, `"logs:FilterLogEvents"`) || strings.Contains(stdout, "Put") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	_ = fmt.Sprint()
}

// TestREADMEPolicy keeps the README's IAM policy the one the code uses.
func TestREADMEPolicy(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```json\n"+aws.Policy()+"```") {
		t.Errorf("README.md does not show the policy `fntop iam-policy` prints:\n%s", aws.Policy())
	}
}

// TestLogsAWS prints one function's log lines of the last minutes from
// the local server: every line once, in time order, nothing of the
// other functions, and only its log group read.
func TestLogsAWS(t *testing.T) {
	cwltest.IsolateEnv(t, true)
	srv := cwltest.Start(t)
	now := time.Now()
	srv.FillFromDemo(9, now.Add(-8*time.Minute), now.Add(-time.Minute))
	const fn = "order-processor"
	want := 0
	for _, e := range srv.Events(cwltest.LambdaGroupPrefix + fn) {
		if strings.TrimRight(e.Message, "\n") != "" {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no events to print")
	}
	stdout, stderr, code := runCmd(t, nil, "logs", "--aws", "--endpoint", srv.URL(), "--region", "us-east-1",
		"--function", fn, "--since", "15m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != want {
		t.Errorf("%d lines, want %d", len(lines), want)
	}
	prev := ""
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 || f[1] != fn {
			t.Fatalf("line of another function: %q", l)
		}
		if f[0] < prev {
			t.Fatalf("lines out of time order at %q", l)
		}
		prev = f[0]
	}
	for _, r := range srv.Requests() {
		if r.Op == "FilterLogEvents" && !strings.Contains(string(r.Body), fn) {
			t.Errorf("read another log group: %s", r.Body)
		}
	}
}
