package demo

import (
	"sync"
	"time"

	"github.com/fntop/fntop/model"
)

// recorder is a model.Sink that keeps what it is given: log lines in a
// compact form (a backfill holds about a million of them), every other
// event as is.
type recorder struct {
	mu       sync.Mutex
	events   []model.Event
	logs     []logRec
	batches  int
	skipLogs bool // count batches and keep other events, drop log lines
}

// logRec is the part of a model.KindLog event the tests look at.
type logRec struct {
	fn, stream, req, msg string
	t                    time.Time
	kind                 model.LineKind
	level                model.Level
}

func (r *recorder) Ingest(events ...model.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range events {
		e := &events[i]
		if e.Kind == model.KindLog {
			if r.skipLogs {
				continue
			}
			r.logs = append(r.logs, logRec{fn: e.Function, stream: e.Log.Stream, req: e.Log.RequestID,
				msg: e.Log.Message, t: e.Time, kind: e.Log.Kind, level: e.Log.Level})
			continue
		}
		r.events = append(r.events, *e)
	}
	r.batches++
}

// all returns the non-log events recorded so far.
func (r *recorder) all() []model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Event(nil), r.events...)
}

// kind returns the recorded events of one kind (not KindLog), optionally
// of one function.
func (r *recorder) kind(k model.Kind, fn string) []model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.Event
	for i := range r.events {
		if e := &r.events[i]; e.Kind == k && (fn == "" || e.Function == fn) {
			out = append(out, *e)
		}
	}
	return out
}

// lines returns the recorded log lines of fn.
func (r *recorder) lines(fn string) []logRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []logRec
	for _, l := range r.logs {
		if l.fn == fn {
			out = append(out, l)
		}
	}
	return out
}

// fakeClock steps a fixed amount on every call, up to end. Its reached
// channel closes on the second call that returns end: by then Run has
// finished the tick that first saw end.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	step    time.Duration
	end     time.Time
	atEnd   int
	reached chan struct{}
}

func newFakeClock(start time.Time, step time.Duration, end time.Time) *fakeClock {
	return &fakeClock{now: start, step: step, end: end, reached: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	if !t.Before(c.end) {
		t = c.end
		c.atEnd++
		if c.atEnd == 2 {
			close(c.reached)
		}
	}
	c.now = c.now.Add(c.step)
	return t
}

// fixed returns a clock stopped at t.
func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// countingSink counts invocations and the functions they came from, and
// drops everything.
type countingSink struct {
	events, invocations int
	functions           map[string]bool
}

func (c *countingSink) Ingest(events ...model.Event) {
	if c.functions == nil {
		c.functions = map[string]bool{}
	}
	c.events += len(events)
	for i := range events {
		if events[i].Kind == model.KindInvocation {
			c.invocations++
			c.functions[events[i].Function] = true
		}
	}
}
