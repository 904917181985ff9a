package lambdalog

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// FuzzParseMessage checks the stateless layer on any input: no panic, the
// trailing newline does not matter, and a report has what an invocation
// needs.
func FuzzParseMessage(f *testing.F) {
	for _, s := range loadSamples(f) {
		f.Add(s.msg)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		r := ParseMessage(msg)
		if again := ParseMessage(msg + "\n"); !reflect.DeepEqual(again, r) {
			t.Fatalf("trailing newline changes the record of %q", msg)
		}
		if r.Type == RecordReport {
			m := r.Metrics
			if r.RequestID == "" || m.DurationMs < 0 || m.BilledMs < 0 || m.MemorySizeMB < 0 || m.MaxMemoryUsedMB < 0 {
				t.Fatalf("bad report from %q: %+v", msg, r)
			}
		}
		if r.Type == RecordMalformedReport && r.Problem == "" {
			t.Fatalf("malformed report without a problem from %q", msg)
		}
		_ = r.ErrorKind()
	})
}

// FuzzFeed feeds a sequence of messages (separated by NUL bytes, each on one
// of three streams) through one parser and checks the event invariants and
// the bookkeeping.
func FuzzFeed(f *testing.F) {
	samples := loadSamples(f)
	for _, s := range samples {
		f.Add(s.msg)
	}
	// A few sequences built from the samples.
	var all []string
	for _, s := range samples {
		all = append(all, s.msg)
	}
	f.Add(strings.Join(all, "\x00"))
	f.Add(strings.Join([]string{startLine("r"), timeoutLine("r"), reportLine("r", 80, ""), exitLine("r", "exit status 1")}, "\x00"))
	f.Add(strings.Join([]string{startLine("r"), reportLine("r", 512, ""), exitLine("r", "signal: killed"), timeoutLine("r")}, "\x00"))
	f.Fuzz(func(t *testing.T, seq string) {
		p := NewParser(WithMaxStreams(2), WithMaxPending(2), WithMaxRecent(2), WithMaxFunctions(1), WithMaxLineBytes(4096),
			WithClock(fixedClock(time.Unix(1, 0))))
		var out []model.Event
		var skipped int64
		reports := 0
		for i, msg := range strings.Split(seq, "\x00") {
			start := len(out)
			out = p.Feed(Input{Function: []string{"a", "b"}[i%2], Stream: []string{"x", "y", ""}[i%3], Message: msg}, out)
			batch := out[start:]
			checkEvents(t, msg, batch)
			skipped += int64(len(byKind(batch, model.KindSkipped)))
			if len(msg) <= 4096 {
				if r := ParseMessage(msg); r.Type == RecordReport {
					reports++
				}
			}
		}
		if skipped != p.Skipped() {
			t.Fatalf("Skipped() = %d, %d skipped events", p.Skipped(), skipped)
		}
		if n := len(byKind(out, model.KindInvocation)); n > reports {
			t.Fatalf("%d invocations from %d reports", n, reports)
		}
		outcome(t, out, true)
	})
}
