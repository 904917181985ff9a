package lambdalog

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fntop/fntop/model"
)

// checkEvents asserts the invariants every batch of Feed output keeps.
func checkEvents(t testing.TB, msg string, evs []model.Event) {
	t.Helper()
	logs := 0
	for _, e := range evs {
		switch e.Kind {
		case model.KindLog:
			logs++
		case model.KindInvocation:
			inv := e.Invocation
			if inv.RequestID == "" || inv.DurationMs < 0 || inv.BilledMs < 0 || inv.MemorySizeMB < 0 ||
				inv.MaxMemoryUsedMB < 0 || inv.InitDurationMs < 0 || inv.RestoreDurationMs < 0 {
				t.Fatalf("bad invocation from %q: %+v", msg, inv)
			}
		case model.KindAmend:
			if e.Amend.Prev == e.Amend.Error {
				t.Fatalf("amendment that changes nothing from %q", msg)
			}
		case model.KindSkipped:
			if e.Skipped.Count != 1 || e.Skipped.Reason == "" {
				t.Fatalf("bad skipped event from %q: %+v", msg, e.Skipped)
			}
		case model.KindMeta, model.KindInit:
		default:
			t.Fatalf("unexpected kind %v from %q", e.Kind, msg)
		}
		if e.Time.IsZero() {
			t.Fatalf("zero time from %q", msg)
		}
	}
	if trimEOL(msg) != "" && logs != 1 {
		t.Fatalf("%d log events from %q", logs, msg)
	}
}

func TestRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := NewParser(WithClock(fixedClock(time.Unix(0, 0).UTC())))
	var out []model.Event
	alphabet := "REPORT RequestId: Duration: ms\t\n\r{}[]\":,0123456789.-eE\\u00XRAY TraceId:\x00\xff\x1b["
	for i := range 20000 {
		n := rng.IntN(300)
		b := make([]byte, n)
		for j := range b {
			if i%2 == 0 {
				b[j] = byte(rng.UintN(256))
			} else {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		msg := string(b)
		if i%3 == 0 {
			msg = "REPORT RequestId: r" + msg
		}
		_ = ParseMessage(msg)
		out = p.Feed(Input{Function: "fn", Stream: fmt.Sprint(i % 5), Message: msg}, out[:0])
		checkEvents(t, msg, out)
	}
}

// TestTruncations cuts every sample at every length: nothing panics, and a
// cut report is either still a full report (the cut fell in the trailer) or
// skipped, never a wrong invocation.
func TestTruncations(t *testing.T) {
	for _, s := range loadSamples(t) {
		full := ParseMessage(s.msg)
		for n := 0; n <= len(s.msg); n++ {
			cut := s.msg[:n]
			p := NewParser()
			evs := p.Feed(Input{Function: "fn", Stream: "s", Message: cut}, nil)
			checkEvents(t, cut, evs)
			for _, e := range byKind(evs, model.KindInvocation) {
				if full.Type != RecordReport {
					t.Fatalf("%s cut at %d: invocation from a non-report", s.name, n)
				}
				if e.Invocation.RequestID != full.RequestID && !strings.HasPrefix(full.RequestID, e.Invocation.RequestID) {
					t.Fatalf("%s cut at %d: request %q", s.name, n, e.Invocation.RequestID)
				}
			}
		}
	}
}

func TestHugeLine(t *testing.T) {
	huge := "REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t" +
		strings.Repeat("x", 1<<20)
	p := NewParser()
	evs := p.Feed(Input{Function: "fn", Message: huge}, nil)
	checkEvents(t, huge, evs)
	if len(byKind(evs, model.KindSkipped)) != 1 || p.Skipped() != 1 || len(byKind(evs, model.KindInvocation)) != 0 {
		t.Fatalf("1 MB line: %d events, skipped %d", len(evs), p.Skipped())
	}
	if l := byKind(evs, model.KindLog)[0].Log.Message; len(l) != DefaultMaxLineBytes {
		t.Errorf("log message kept %d bytes", len(l))
	}
	// Within the limit, a long line parses (linearly) whatever it holds.
	p = NewParser(WithMaxLineBytes(2 << 20))
	for _, msg := range []string{
		huge,
		"{" + strings.Repeat(`"a":[`, 1000) + strings.Repeat("]", 1000) + "}",
		strings.Repeat("[", 1<<20),
		strings.Repeat("{\"a\":", 1<<18),
		`{"type":"platform.report","record":` + strings.Repeat(`{"x":`, 200) + "1" + strings.Repeat("}", 200) + "}",
		"2023-11-15T10:12:31.123Z\tr\tERROR\tInvoke Error \t{" + strings.Repeat(`"errorMessage":"`+strings.Repeat("y", 100)+`",`, 10000),
		strings.Repeat("\t", 1<<20),
		strings.Repeat("Duration: ", 1<<16),
	} {
		checkEvents(t, msg[:min(len(msg), 80)], p.Feed(Input{Function: "fn", Message: msg}, nil))
	}
	if p.Skipped() != 1 { // the report with the long tail parses; the deep JSON report is malformed
		t.Errorf("skipped %d", p.Skipped())
	}
}

func TestInvalidUTF8AndEscapes(t *testing.T) {
	msgs := []string{
		"\xff\xfe\xfdREPORT RequestId: r",
		"REPORT RequestId: r\xff\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
		"2023-12-05T22:10:47.468Z\t\xc3\x28\tINFO\t\x1b[31mred\x1b[0m \x07 \x00",
		"\x1b]0;title\x07START RequestId: x Version: $LATEST",
		`{"timestamp":"2024-05-20T16:29:45Z","level":"INFO","requestId":"\ud800","message":"\u001b[2J"}`,
		`{"time":"2024-05-20T16:29:45Z","type":"platform.report","record":{"requestId":"a\"b\\","metrics":{"durationMs":1,"billedDurationMs":1,"memorySizeMB":128,"maxMemoryUsedMB":1}}}`,
		"[ERROR]\t\xff\t\xff",
		"RequestId: \xff Error: \xff\nRuntime.\xff",
	}
	p := NewParser()
	for _, m := range msgs {
		evs := p.Feed(Input{Function: "fn", Stream: "s", Message: m}, nil)
		checkEvents(t, m, evs)
		// The log message is kept raw, not sanitised.
		if got := byKind(evs, model.KindLog)[0].Log.Message; got != trimEOL(m) {
			t.Errorf("message changed: %q -> %q", m, got)
		}
	}
	r := ParseMessage(msgs[5])
	if r.Type != RecordReport || r.RequestID != `a"b\` {
		t.Errorf("escaped request ID: %+v", r)
	}
	if !utf8.ValidString(clip("ééé", 4)) {
		t.Error("clip splits a rune")
	}
}

// TestMemoryBound feeds a million lines across 50,000 streams and requests
// and checks that no internal table outgrows its limit.
func TestMemoryBound(t *testing.T) {
	const (
		lines      = 1_000_000
		streams    = 50_000
		maxStreams = 1000
		maxPending = 500
		maxRecent  = 2000
		maxFuncs   = 100
	)
	n := lines
	if testing.Short() {
		n = lines / 10
	}
	p := NewParser(WithMaxStreams(maxStreams), WithMaxPending(maxPending), WithMaxRecent(maxRecent), WithMaxFunctions(maxFuncs))
	var out []model.Event
	check := func(i int) {
		if p.streams.len() > maxStreams || p.streams.nslot > maxStreams ||
			p.pending.len() > maxPending || p.pending.nslot > maxPending ||
			p.recent.len() > maxRecent || p.recent.nslot > maxRecent ||
			p.funcs.len() > maxFuncs || p.funcs.nslot > maxFuncs {
			t.Fatalf("line %d: streams %d pending %d recent %d funcs %d", i,
				p.streams.len(), p.pending.len(), p.recent.len(), p.funcs.len())
		}
		for _, m := range []int{len(p.streams.index), len(p.pending.index), len(p.recent.index), len(p.funcs.index)} {
			if m > 4*max(maxStreams, maxPending, maxRecent, maxFuncs) {
				t.Fatalf("line %d: index of %d buckets", i, m)
			}
		}
	}
	ids := make([]string, streams)
	names := make([]string, streams)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		names[i] = fmt.Sprintf("2026/11/20/[$LATEST]%032x", i)
	}
	invocations := 0
	for i := range n {
		k := (i * 7919) % streams // spread over all streams and requests
		in := Input{Function: fmt.Sprint("fn", k%300), Stream: names[k], Time: time.Unix(int64(i), 0)}
		switch i % 5 {
		case 0:
			in.Message = startLine(ids[k])
		case 1:
			in.Message = "working"
		case 2:
			in.Message = timeoutLine(ids[(k+1)%streams]) // failures that wait for a report
		case 3:
			in.Message = reportLine(ids[k], 100, "")
		case 4:
			in.Message = exitLine(ids[(k+2)%streams], "exit status 1")
		}
		out = p.Feed(in, out[:0])
		invocations += len(byKind(out, model.KindInvocation))
		if i%1000 == 0 {
			check(i)
		}
	}
	check(n)
	if invocations != n/5 {
		t.Errorf("%d invocations, want %d", invocations, n/5)
	}
}

func TestClockMapEviction(t *testing.T) {
	m := newClockMap[string, int](3, hashString(maphashSeed()))
	for _, k := range []string{"a", "b", "c"} {
		v, existed := m.put(k)
		*v = len(k)
		if existed {
			t.Fatal(k)
		}
	}
	m.get("a")     // a is in use
	m.clearMarks() // the hand passes once: every entry loses its mark
	m.get("a")     // a is used again
	m.put("d")     // evicts the oldest idle entry, b
	if m.get("b") != nil || m.get("a") == nil || m.get("c") == nil || m.get("d") == nil || m.len() != 3 {
		t.Fatalf("after eviction: a=%v b=%v c=%v d=%v", m.get("a"), m.get("b"), m.get("c"), m.get("d"))
	}
	m.del("c")
	m.del("zz")
	if m.get("c") != nil || m.len() != 2 {
		t.Fatal("del")
	}
	// Many inserts and deletes keep every remaining key reachable.
	big := newClockMap[string, int](64, hashString(maphashSeed()))
	live := map[string]bool{}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 100000 {
		k := fmt.Sprint(rng.IntN(200))
		if rng.IntN(3) == 0 {
			big.del(k)
			delete(live, k)
		} else {
			big.put(k)
			live[k] = true
		}
		if big.len() > 64 {
			t.Fatalf("step %d: len %d", i, big.len())
		}
	}
	found := 0
	for k := range live {
		if big.get(k) != nil {
			found++
		}
	}
	if found != big.len() {
		t.Fatalf("%d of %d entries reachable", found, big.len())
	}
}
