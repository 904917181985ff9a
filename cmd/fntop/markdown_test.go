package main

import (
	"strings"
	"testing"
	"time"
)

// TestSnapshotMarkdownDemo writes the incident report of the demo fleet at
// a time inside each of its built-in incidents and checks that the
// incident's function leads the report with the expected flag.
func TestSnapshotMarkdownDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("backfills two hours of the demo fleet per case")
	}
	for _, tc := range []struct {
		at, first, flag string
		// also names another function of the incident and a flag it
		// must carry.
		also, alsoFlag string
	}{
		{at: "2026-11-25T10:28:00Z", first: "order-processor", flag: "error-rate spike"},
		// The burst: the throttled end of the chain leads, the webhook
		// that the burst hits surges.
		{at: "2026-11-25T10:12:00Z", first: "ig-dm-sender", flag: "throttling", also: "ig-comment-webhook", alsoFlag: "traffic surge"},
		{at: "2026-11-25T10:42:00Z", first: "order-processor", flag: "cold-start storm", also: "order-processor", alsoFlag: "deploy/config change"},
	} {
		t.Run(tc.at, func(t *testing.T) {
			out, errOut, code := runCmd(t, nil, "snapshot", "--markdown", "--demo", "--at", tc.at)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			at, _ := time.Parse(time.RFC3339, tc.at)
			if !strings.HasPrefix(out, "# fntop incident report: "+at.Format("2006-01-02 15:04")+" UTC\n") {
				t.Errorf("title: %q", strings.SplitN(out, "\n", 2)[0])
			}
			_, rest, ok := strings.Cut(out, "### 1. `"+tc.first+"`")
			if !ok {
				t.Fatalf("%s is not first:\n%s", tc.first, out)
			}
			first, _, _ := strings.Cut(rest, "\n### ")
			if !strings.Contains(first, "**"+tc.flag+"**") {
				t.Errorf("%s: no %q flag:\n%s", tc.first, tc.flag, first)
			}
			if tc.also != "" {
				_, rest, ok := strings.Cut(out, ". `"+tc.also+"`")
				other, _, _ := strings.Cut(rest, "\n### ")
				if !ok || !strings.Contains(other, "**"+tc.alsoFlag+"**") {
					t.Errorf("%s: no %q flag:\n%s", tc.also, tc.alsoFlag, out)
				}
			}
			if strings.ContainsAny(out, "\x1b\u009b") { // ESC or a C1 CSI
				t.Error("raw escape in the report")
			}
		})
	}
}

// TestSnapshotMarkdownInput reports on a finite input, at its end by
// default, and rejects flags that do not fit.
func TestSnapshotMarkdownInput(t *testing.T) {
	out, errOut, code := runCmd(t, nil, "snapshot", "--markdown", "--input", "../../sources/file/testdata/subscription.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# fntop incident report", "## Fleet", "## Sources"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, args := range [][]string{
		{"snapshot", "--markdown", "--json", "--demo"},
		{"snapshot", "--at", "10:00", "--demo"},
		{"snapshot", "--markdown", "--window", "all", "--demo"},
		{"snapshot", "--markdown", "--at", "yesterday", "--demo"},
	} {
		if _, _, code := runCmd(t, nil, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
