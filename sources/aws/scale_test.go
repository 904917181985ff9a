package aws

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// fakeClock is a settable clock shared by the server and the source.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time       { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(t time.Time)      { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) add(d time.Duration)  { c.ns.Add(int64(d)) }
func newFakeClock(t time.Time) *fakeClock { c := &fakeClock{}; c.set(t); return c }

var _ = (*fakeClock).add

// TestScaleModeAggregatesAndPollsFocusOnly: a fleet larger than the
// budget polls takes every function's figures from Logs Insights, each
// invocation once; only the function in focus is polled, for its log
// lines, whose invocations are not counted a second time.
func TestScaleModeAggregatesAndPollsFocusOnly(t *testing.T) {
	fastInsights(t)
	t0 := time.Date(2026, 11, 26, 10, 0, 10, 0, time.UTC)
	clk := newFakeClock(t0)
	srv := cwltest.Start(t, cwltest.WithClock(clk.now))
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("/aws/lambda/fn-%02d", i))
	}
	srv.AddGroup(names...)
	var (
		focusMu sync.Mutex
		focus   []string
	)
	p, sink := testPlace(t, srv, Options{
		ScaleAt: 5, Aggregate: 20 * time.Millisecond, MinInterval: 10 * time.Millisecond, Clock: clk.now,
		Focus: func() []string {
			focusMu.Lock()
			defer focusMu.Unlock()
			return focus
		},
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	defer func() { cancel(); <-done }()
	if !waitFor(t, 5*time.Second, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.scale }) {
		t.Fatal("12 groups over ScaleAt 5: no aggregation mode")
	}
	focusMu.Lock()
	focus = []string{"fn-03"}
	focusMu.Unlock()

	want := 0
	for i, g := range names {
		for k := range 3 + i%4 {
			at := t0.Add(time.Duration(5+k*7) * time.Second)
			srv.Put(g, "2026/11/26/[$LATEST]abc", cwltest.Event{Time: at, Ingested: at, Message: reportLine(fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", i, k), 10, "")})
			want++
		}
	}
	clk.set(t0.Add(3 * time.Minute)) // the minutes are whole and settled
	total := func() int64 {
		var n int64
		for _, e := range sink.events(model.KindAggregate) {
			n += e.Aggregate.Invocations
		}
		return n + int64(len(sink.events(model.KindInvocation)))
	}
	if !waitFor(t, 10*time.Second, func() bool { return total() == int64(want) }) {
		t.Fatalf("%d invocations counted, %d written", total(), want)
	}
	// The focused function's lines arrive as logs, its invocations only
	// through the aggregates.
	if !waitFor(t, 5*time.Second, func() bool {
		for _, e := range sink.events(model.KindLog) {
			if e.Function == "fn-03" && strings.HasPrefix(e.Log.Message, "REPORT") {
				return true
			}
		}
		return false
	}) {
		t.Error("no log lines of the function in focus")
	}
	time.Sleep(100 * time.Millisecond)
	if n := total(); n != int64(want) {
		t.Errorf("%d invocations counted after polling the focus, %d written", n, want)
	}
	if n := len(sink.events(model.KindInvocation)); n != 0 {
		t.Errorf("%d raw invocations in aggregation mode", n)
	}
	for _, r := range srv.Requests() {
		if r.Op != "FilterLogEvents" {
			continue
		}
		if !strings.Contains(string(r.Body), `"/aws/lambda/fn-03"`) {
			t.Errorf("polled a group not in focus: %s", r.Body)
		}
	}
}
