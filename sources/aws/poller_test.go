package aws

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// reportLine is a Lambda REPORT message for request id.
func reportLine(id string, dur float64, status string) string {
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t", id, dur, int(dur)+1)
	if status != "" {
		s += "Status: " + status
	}
	return s + "\n"
}

// writer puts REPORT events into groups until stopped and remembers every
// request id it wrote.
type writer struct {
	srv    *cwltest.Server
	groups []string
	mu     sync.Mutex
	ids    map[string]string // request id -> group
	n      int
}

func (w *writer) put(rng *rand.Rand, late bool) {
	w.mu.Lock()
	w.n++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", w.n)
	g := w.groups[rng.IntN(len(w.groups))]
	w.ids[id] = g
	w.mu.Unlock()
	now := time.Now()
	ev := cwltest.Event{Time: now, Message: reportLine(id, 10+rng.Float64()*100, "")}
	if late {
		// Written now with a timestamp one second old, visible only after
		// half a second: the poll overlap must catch it.
		ev.Time = now.Add(-time.Second)
		ev.Ingested = now.Add(500 * time.Millisecond)
	}
	w.srv.Put(g, fmt.Sprintf("2026/11/26/[$LATEST]%032d", rng.IntN(3)), ev)
}

// invocations returns the invocation events by request id.
func invocations(s *recSink) map[string]int {
	out := map[string]int{}
	for _, e := range s.events(model.KindInvocation) {
		out[e.Invocation.RequestID]++
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// TestPollEveryInvocationOnceUnderFaults polls five groups while events
// are written and every fault is on: small pages, duplicates across
// pages, empty pages with next tokens, late events, throttling bursts, 5xx
// answers and slow answers. Every invocation must arrive exactly once.
func TestPollEveryInvocationOnceUnderFaults(t *testing.T) {
	srv := cwltest.Start(t, cwltest.WithPageSize(7))
	var names []string
	for i := range 5 {
		names = append(names, fmt.Sprintf("/aws/lambda/fn-%d", i))
	}
	srv.AddGroup(names...)
	p, sink := testPlace(t, srv, Options{FilterTPS: 200, MinInterval: 20 * time.Millisecond, Overlap: 2 * time.Second}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	// Late events are a second old: start writing when that is after the
	// poller's start (what came before it is the backfill's).
	time.Sleep(1200 * time.Millisecond)

	w := &writer{srv: srv, groups: names, ids: map[string]string{}}
	rng := rand.New(rand.NewPCG(1, 2))
	srv.SetDuplicates(true)
	srv.SetEmptyPages(1)
	for i := range 300 {
		w.put(rng, i%10 == 3)
		switch i {
		case 50:
			srv.Throttle("FilterLogEvents", 8)
		case 100:
			srv.FailNext("FilterLogEvents", 3, cwltest.ErrServiceUnavailable)
		case 150:
			srv.FailNext("FilterLogEvents", 2, cwltest.ErrInternal)
		case 200:
			srv.SetDelay("FilterLogEvents", 30*time.Millisecond)
		case 250:
			srv.SetDelay("FilterLogEvents", 0)
		}
		time.Sleep(3 * time.Millisecond)
	}
	ok := waitFor(t, 20*time.Second, func() bool { return len(invocations(sink)) == len(w.ids) })
	time.Sleep(300 * time.Millisecond) // further polls must not add anything
	cancel()
	<-done
	got := invocations(sink)
	if !ok || len(got) != len(w.ids) {
		for id := range w.ids {
			if got[id] == 0 {
				t.Logf("missing %s", id)
			}
		}
		t.Fatalf("got %d distinct invocations, wrote %d", len(got), len(w.ids))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("request %s counted %d times", id, n)
		}
		if _, ok := w.ids[id]; !ok {
			t.Errorf("request %s was never written", id)
		}
	}
	if st := p.filter.State(); st.Throttles == 0 {
		t.Errorf("throttling was not seen by the budget: %+v", st)
	}
}

// TestPollRespectsBudget counts the calls the server received per second:
// never above the budget's rate plus its burst.
func TestPollRespectsBudget(t *testing.T) {
	srv := cwltest.Start(t)
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("/aws/lambda/fn-%02d", i))
	}
	srv.AddGroup(names...)
	const tps = 10
	p, _ := testPlace(t, srv, Options{FilterTPS: tps, MinInterval: time.Millisecond}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	_ = p.run(ctx)
	if got := srv.MaxCallsPerSecond("FilterLogEvents"); got > 2*tps {
		t.Errorf("max FilterLogEvents calls in one second = %d, budget %d/s (burst %d)", got, tps, tps)
	}
	calls := srv.Calls("FilterLogEvents")
	if calls < tps || calls > 4*tps {
		t.Errorf("FilterLogEvents calls in 2.5 s = %d, want about %d", calls, 3*tps)
	}
	if srv.Calls("DescribeLogStreams") != 0 {
		t.Errorf("the poller listed streams")
	}
}

// TestPollHotGroupsMoreOften checks the schedule: a group with events is
// polled more often than idle ones.
func TestPollHotGroupsMoreOften(t *testing.T) {
	srv := cwltest.Start(t)
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("/aws/lambda/fn-%02d", i))
	}
	srv.AddGroup(names...)
	p, _ := testPlace(t, srv, Options{FilterTPS: 20, MinInterval: time.Millisecond}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	stop := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			n++
			srv.Put(names[0], "s", cwltest.Event{Time: time.Now(), Message: reportLine(fmt.Sprintf("hot-%d", n), 5, "error")})
		}
	}()
	_ = p.run(ctx)
	close(stop)
	per := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Op == "FilterLogEvents" {
			var body struct{ LogGroupName string }
			_ = jsonUnmarshal(r.Body, &body)
			per[body.LogGroupName]++
		}
	}
	idle := 0
	for _, n := range names[1:] {
		idle = max(idle, per[n])
	}
	if per[names[0]] < 2*idle {
		t.Errorf("hot group polled %d times, busiest idle group %d", per[names[0]], idle)
	}
}

// TestGroupsAppearAndDisappear: a new group is found by the next
// discovery and its events counted; a deleted group is dropped.
func TestGroupsAppearAndDisappear(t *testing.T) {
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a", "/aws/lambda/b")
	p, sink := testPlace(t, srv, Options{FilterTPS: 100, MinInterval: 10 * time.Millisecond, Discover: 100 * time.Millisecond}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(200 * time.Millisecond)
	srv.AddGroup("/aws/lambda/c")
	srv.Put("/aws/lambda/c", "s", cwltest.Event{Time: time.Now(), Message: reportLine("c-1", 5, "")})
	srv.DeleteGroup("/aws/lambda/b")
	if !waitFor(t, 5*time.Second, func() bool { return invocations(sink)["c-1"] == 1 }) {
		t.Fatal("the new group's invocation never arrived")
	}
	if !waitFor(t, 5*time.Second, func() bool {
		return len(p.groupList(func(*group) bool { return true })) == 2
	}) {
		t.Errorf("groups = %v, want a and c", p.groupList(func(*group) bool { return true }))
	}
	for _, e := range sink.events(model.KindInvocation) {
		if e.Function != "c" {
			t.Errorf("invocation of %q", e.Function)
		}
	}
}

// TestDedupBounded keeps the dedup set within its bound.
func TestDedupBounded(t *testing.T) {
	var d dedup
	for i := range 10000 {
		d.add(uint64(i), int64(i), 1000)
	}
	if len(d.keys) > 1000 {
		t.Fatalf("dedup holds %d keys, bound 1000", len(d.keys))
	}
	if d.add(9999, 9999, 1000) {
		t.Error("the newest key was forgotten")
	}
	d.prune(9995)
	if len(d.keys) != 5 {
		t.Errorf("after prune: %d keys, want 5", len(d.keys))
	}
}
