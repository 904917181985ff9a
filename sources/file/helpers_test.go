package file

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// fixedNow is the fake clock of the tests.
var fixedNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func fakeClock() time.Time { return fixedNow }

// recSink records every event it is given.
type recSink struct {
	mu     sync.Mutex
	events []model.Event
	calls  int
}

func (r *recSink) Ingest(events ...model.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	r.calls++
}

func (r *recSink) all() []model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recSink) of(k model.Kind) []model.Event {
	var out []model.Event
	for _, e := range r.all() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// states returns the sequence of status states, without repeats.
func (r *recSink) states() []model.SourceState {
	var out []model.SourceState
	for _, e := range r.of(model.KindStatus) {
		if len(out) == 0 || out[len(out)-1] != e.Status.State {
			out = append(out, e.Status.State)
		}
	}
	return out
}

// skipped sums the skipped counts by reason.
func (r *recSink) skipped() map[string]int64 {
	out := map[string]int64{}
	for _, e := range r.of(model.KindSkipped) {
		out[e.Skipped.Reason] += e.Skipped.Count
	}
	return out
}

// summary is what tests compare: per function, the figures a dashboard
// shows.
type summary struct {
	Invocations int
	Billed      float64
	Cold        int
	Errors      map[model.ErrorKind]int
	Logs        int
	Streams     []string
}

func (r *recSink) summary() map[string]*summary {
	out := map[string]*summary{}
	get := func(fn string) *summary {
		s := out[fn]
		if s == nil {
			s = &summary{Errors: map[model.ErrorKind]int{}}
			out[fn] = s
		}
		return s
	}
	streams := map[string]map[string]bool{}
	for _, e := range r.all() {
		switch e.Kind {
		case model.KindInvocation:
			s := get(e.Function)
			s.Invocations++
			s.Billed += e.Invocation.BilledMs
			if e.Invocation.Cold() {
				s.Cold++
			}
			if e.Invocation.Error != model.ErrNone {
				s.Errors[e.Invocation.Error]++
			}
		case model.KindAmend:
			s := get(e.Function)
			if e.Amend.Prev != model.ErrNone {
				s.Errors[e.Amend.Prev]--
			}
			s.Errors[e.Amend.Error]++
		case model.KindLog:
			s := get(e.Function)
			s.Logs++
			if streams[e.Function] == nil {
				streams[e.Function] = map[string]bool{}
			}
			streams[e.Function][e.Log.Stream] = true
		}
	}
	for fn, set := range streams {
		for st := range set {
			out[fn].Streams = append(out[fn].Streams, st)
		}
		sort.Strings(out[fn].Streams)
	}
	for _, s := range out {
		for k, n := range s.Errors {
			if n == 0 {
				delete(s.Errors, k)
			}
		}
	}
	return out
}

func (s *summary) String() string {
	return fmt.Sprintf("inv=%d billed=%.0f cold=%d errors=%v logs=%d streams=%q",
		s.Invocations, s.Billed, s.Cold, s.Errors, s.Logs, s.Streams)
}

// checkSummary compares per-function summaries.
func checkSummary(t *testing.T, got map[string]*summary, want map[string]summary) {
	t.Helper()
	for fn, w := range want {
		g := got[fn]
		if g == nil {
			t.Errorf("function %q: no events; functions seen: %v", fn, keys(got))
			continue
		}
		if w.Errors == nil {
			w.Errors = map[model.ErrorKind]int{}
		}
		if g.String() != w.String() {
			t.Errorf("function %q:\n got %v\nwant %v", fn, g, &w)
		}
	}
	for fn := range got {
		if _, ok := want[fn]; !ok {
			t.Errorf("unexpected function %q: %v", fn, got[fn])
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fed is one message as the source handed it to the parser.
type fed struct {
	Function, Stream string
	Time             time.Time
	Message          string
}

func (i fed) String() string {
	ts := "-"
	if !i.Time.IsZero() {
		ts = i.Time.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s|%s|%s|%q", i.Function, i.Stream, ts, i.Message)
}

// recParsers records what every worker's parser is fed.
type recParsers struct {
	mu     sync.Mutex
	inputs []fed
}

type recParser struct{ r *recParsers }

func (p recParser) Feed(in lambdalog.Input, out []model.Event) []model.Event {
	p.r.mu.Lock()
	// The message lies in the worker's buffer: keep a copy.
	p.r.inputs = append(p.r.inputs, fed{in.Function, in.Stream, in.Time, strings.Clone(in.Message)})
	p.r.mu.Unlock()
	return out
}

// Skip records nothing: only what is fed is recorded.
func (recParser) Skip(lambdalog.Input) {}

// Line says that no line is to be accounted for: the recorder emits none.
func (recParser) Line() (time.Time, bool) { return time.Time{}, false }

// withRecorder makes the source feed r instead of lambdalog parsers.
func withRecorder(r *recParsers) Option {
	return func(c *config) { c.newParser = func() parser { return recParser{r} } }
}

// feedText runs a source over text with a recording parser and returns the
// inputs in order (one worker, so the order is the input's).
func feedText(t *testing.T, text string, opts ...Option) ([]string, *recSink) {
	t.Helper()
	sink := &recSink{}
	return feedSink(t, strings.NewReader(text), sink, opts...), sink
}

// feedReader is feedText over any reader.
func feedReader(t *testing.T, r io.Reader, opts ...Option) []string {
	t.Helper()
	return feedSink(t, r, &recSink{}, opts...)
}

func feedSink(t *testing.T, r io.Reader, sink *recSink, opts ...Option) []string {
	t.Helper()
	rec := &recParsers{}
	opts = append([]Option{WithReader(r), WithClock(fakeClock), WithWorkers(1), withRecorder(rec)}, opts...)
	if err := New("-", opts...).Run(context.Background(), sink); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var out []string
	for _, in := range rec.inputs {
		out = append(out, in.String())
	}
	return out
}

// runSource runs a source over r with the real parser.
func runSource(t *testing.T, path string, r io.Reader, opts ...Option) *recSink {
	t.Helper()
	sink := &recSink{}
	opts = append([]Option{WithClock(fakeClock)}, opts...)
	if r != nil {
		opts = append(opts, WithReader(r))
	}
	if err := New(path, opts...).Run(context.Background(), sink); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sink
}
