package lambdalog

import (
	"hash/maphash"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// sample is one message from testdata.
type sample struct {
	file, name, msg string
}

// loadSamples reads testdata/*.txt: a line "=== name" starts a message that
// runs to the next such line; the newline ending each section is not part
// of the message. Lines before the first header are comments.
func loadSamples(t testing.TB) []sample {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	var out []sample
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split("\n"+string(b), "\n=== ")
		for _, p := range parts[1:] {
			name, msg, ok := strings.Cut(p, "\n")
			if !ok {
				t.Fatalf("%s: section %q has no message", f, name)
			}
			out = append(out, sample{file: filepath.Base(f), name: name, msg: strings.TrimSuffix(msg, "\n")})
		}
	}
	return out
}

// ts parses an RFC 3339 time for expectations.
func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// fixedClock is a clock that never moves.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// byKind returns the events of one kind.
func byKind(evs []model.Event, k model.Kind) []model.Event {
	var out []model.Event
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// feeder feeds messages through one parser and keeps every event.
type feeder struct {
	t      testing.TB
	p      *Parser
	events []model.Event
	base   time.Time
	n      int
}

func newFeeder(t testing.TB, opts ...Option) *feeder {
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	opts = append([]Option{WithClock(fixedClock(base))}, opts...)
	return &feeder{t: t, p: NewParser(opts...), base: base}
}

// feed feeds one message on a stream at the next second and returns the
// events it produced.
func (f *feeder) feed(stream, msg string) []model.Event {
	f.n++
	return f.feedAt(stream, msg, f.base.Add(time.Duration(f.n)*time.Second))
}

func (f *feeder) feedAt(stream, msg string, at time.Time) []model.Event {
	start := len(f.events)
	f.events = f.p.Feed(Input{Source: "test", Function: "fn", Stream: stream, Time: at, Message: msg + "\n"}, f.events)
	return f.events[start:]
}

// outcome folds invocations and amendments into the final error kind per
// request, the way a store would, and fails on double counting (unless
// retries, separate invocations under one request ID, are allowed).
func outcome(t testing.TB, evs []model.Event, allowRetries ...bool) map[string]model.ErrorKind {
	t.Helper()
	out := map[string]model.ErrorKind{}
	amended := map[string]bool{}
	for _, e := range evs {
		switch e.Kind {
		case model.KindInvocation:
			if _, dup := out[e.Invocation.RequestID]; dup && len(allowRetries) == 0 {
				t.Errorf("request %s counted twice", e.Invocation.RequestID)
			}
			out[e.Invocation.RequestID] = e.Invocation.Error
			delete(amended, e.Invocation.RequestID)
		case model.KindAmend:
			id := e.Amend.RequestID
			prev, ok := out[id]
			if !ok {
				t.Errorf("amendment of unknown request %s", id)
			}
			if amended[id] {
				t.Errorf("request %s amended twice", id)
			}
			if prev != e.Amend.Prev {
				t.Errorf("amendment of %s: Prev %v, was %v", id, e.Amend.Prev, prev)
			}
			if e.Amend.Prev == e.Amend.Error {
				t.Errorf("amendment of %s changes nothing", id)
			}
			amended[id] = true
			out[id] = e.Amend.Error
		}
	}
	return out
}

func maphashSeed() maphash.Seed { return maphash.MakeSeed() }

// clearMarks clears every entry's in-use mark, as one sweep of the hand would.
func (m *clockMap[K, V]) clearMarks() {
	for i := range m.nslot {
		m.slot(int32(i)).ref = false
	}
}
