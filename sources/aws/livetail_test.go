package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

const tailStream = "2026/11/26/[$LATEST]8e6debb3ccb74abaa38c0e626efbcdd3"

// tailReport is a Lambda REPORT line for request number n.
func tailReport(n int) string {
	return fmt.Sprintf("REPORT RequestId: %08x-1111-4000-8000-%012x\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n", n, n)
}

func tailRequestID(n int) string { return fmt.Sprintf("%08x-1111-4000-8000-%012x", n, n) }

// tailWriter puts a REPORT line every few milliseconds, round robin over
// groups, until stopped.
type tailWriter struct {
	srv    *cwltest.Server
	groups []string
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	ids    map[string]string // request id -> group
}

func startTailWriter(srv *cwltest.Server, every time.Duration, groups ...string) *tailWriter {
	w := &tailWriter{srv: srv, groups: groups, stop: make(chan struct{}), done: make(chan struct{}), ids: map[string]string{}}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for n := 1; ; n++ {
			g := groups[n%len(groups)]
			w.mu.Lock()
			w.ids[tailRequestID(n)] = g
			w.mu.Unlock()
			srv.Put(g, tailStream, cwltest.Event{Time: time.Now(), Message: tailReport(n)})
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// halt stops the writer and returns the request ids written.
func (w *tailWriter) halt() map[string]string {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids
}

// tailInvocations counts the invocations ingested by request id.
func tailInvocations(s *recSink) map[string]int {
	out := map[string]int{}
	for _, e := range s.events(model.KindInvocation) {
		out[e.Invocation.RequestID]++
	}
	return out
}

// tailWait polls cond until it holds or d has passed.
func tailWait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// runTail runs liveTail in the background; stop cancels it and returns
// its error, failing the test when it does not return promptly.
func runTail(t *testing.T, p *place, groups []*group) (stop func() error, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- p.liveTail(ctx, groups) }()
	stop = func() error {
		t.Helper()
		cancel()
		select {
		case err := <-ch:
			return err
		case <-time.After(2 * time.Second):
			t.Fatal("liveTail did not return within 2s of cancel")
			return nil
		}
	}
	t.Cleanup(cancel)
	return stop, ch
}

func (p *place) tailState() (tailing int, sampled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tailing, p.sampled
}

func (p *place) cursorOf(g *group) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return g.cursor
}

// tailNoLeaks checks, when the test ends, that liveTail left no goroutine
// behind: no pump, starter, fill, nor SDK event stream reader. Only the
// HTTP connections, which belong to the client and the server, may stay.
func tailNoLeaks(t *testing.T) {
	opts := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
	}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// checkOnce fails unless every written id was ingested exactly once.
func checkOnce(t *testing.T, written map[string]string, got map[string]int) {
	t.Helper()
	missing, twice := 0, 0
	for id := range written {
		switch got[id] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 || len(got) != len(written) {
		t.Errorf("%d written, %d ingested: %d missing, %d more than once", len(written), len(got), missing, twice)
	}
}

// TestLiveTailDeliversEveryEventOnce follows two groups while REPORT lines
// are written to them and to a group not followed: each followed line
// becomes one invocation of its function, and the cursors move.
func TestLiveTailDeliversEveryEventOnce(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond))
	srv.AddGroup("/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/other")
	p, sink := testPlace(t, srv, Options{}, nil)
	ga, gb := testGroup(srv, "/aws/lambda/a"), testGroup(srv, "/aws/lambda/b")
	stop, _ := runTail(t, p, []*group{ga, gb})
	if !tailWait(2*time.Second, func() bool { n, _ := p.tailState(); return n == 2 }) {
		t.Fatal("no session up")
	}

	w := startTailWriter(srv, 2*time.Millisecond, "/aws/lambda/a", "/aws/lambda/b")
	srv.Put("/aws/lambda/other", tailStream, cwltest.Event{Time: time.Now(), Message: tailReport(1 << 20)})
	time.Sleep(300 * time.Millisecond)
	written := w.halt()
	if !tailWait(3*time.Second, func() bool { return len(tailInvocations(sink)) >= len(written) }) {
		t.Errorf("only %d of %d invocations arrived", len(tailInvocations(sink)), len(written))
	}
	time.Sleep(60 * time.Millisecond) // room for a duplicate to show
	if err := stop(); err != nil {
		t.Fatalf("liveTail: %v", err)
	}
	checkOnce(t, written, tailInvocations(sink))
	for _, e := range sink.events(model.KindInvocation) {
		if want := strings.TrimPrefix(written[e.Invocation.RequestID], DefaultPrefix); e.Function != want {
			t.Fatalf("invocation %s of %q, want %q", e.Invocation.RequestID, e.Function, want)
		}
	}
	var newest int64
	for _, e := range srv.Events("/aws/lambda/a") {
		newest = max(newest, e.Timestamp)
	}
	if c := p.cursorOf(ga); c != newest {
		t.Errorf("cursor of a %d, want its newest event %d", c, newest)
	}
	if n, _ := p.tailState(); n != 0 {
		t.Errorf("tailing %d after return", n)
	}
	if n := srv.Calls("FilterLogEvents"); n != 0 {
		t.Errorf("%d FilterLogEvents calls for groups never polled", n)
	}
}

// TestLiveTailFillsGapBeforeFirstSession: the events of a polled group
// written after its last poll and before the session are fetched once,
// from the cursor less the overlap; older ones are not fetched again.
func TestLiveTailFillsGapBeforeFirstSession(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond))
	const name = "/aws/lambda/a"
	now := time.Now()
	srv.Put(name, tailStream, cwltest.Event{Time: now.Add(-5 * time.Minute), Message: tailReport(1)}) // polled long ago
	srv.Put(name, tailStream, cwltest.Event{Time: now.Add(-2 * time.Second), Message: tailReport(2)}) // polled
	srv.Put(name, tailStream, cwltest.Event{Time: now.Add(-time.Second), Message: tailReport(3)})     // in the gap
	p, sink := testPlace(t, srv, Options{Overlap: 10 * time.Second}, nil)
	g := testGroup(srv, name)
	g.cursor, g.polled, g.lastOK = now.Add(-2*time.Second).UnixMilli(), true, now.Add(-1500*time.Millisecond)
	p.ingest(g, []rawEvent{{tailStream, g.cursor, tailReport(2)}}) // what the poller saw
	stop, _ := runTail(t, p, []*group{g})

	if !tailWait(2*time.Second, func() bool { return tailInvocations(sink)[tailRequestID(3)] == 1 }) {
		t.Fatal("the event of the gap did not arrive")
	}
	srv.Put(name, tailStream, cwltest.Event{Time: time.Now(), Message: tailReport(4)})
	if !tailWait(2*time.Second, func() bool { return tailInvocations(sink)[tailRequestID(4)] == 1 }) {
		t.Fatal("the live event did not arrive")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := tailInvocations(sink)
	if got[tailRequestID(1)] != 0 || got[tailRequestID(2)] != 1 || len(got) != 3 {
		t.Errorf("invocations %v", got)
	}
}

// TestLiveTailSampled: an update sampled by CloudWatch sets p.sampled, the
// next complete one clears it.
func TestLiveTailSampled(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond), cwltest.WithLiveTailMaxEvents(5))
	const name = "/aws/lambda/busy"
	srv.AddGroup(name)
	p, sink := testPlace(t, srv, Options{}, nil)
	stop, _ := runTail(t, p, []*group{testGroup(srv, name)})
	if !tailWait(2*time.Second, func() bool { n, _ := p.tailState(); return n == 1 }) {
		t.Fatal("no session up")
	}
	var burst []cwltest.Event
	for i := range 50 {
		burst = append(burst, cwltest.Event{Time: time.Now(), Message: tailReport(i)})
	}
	srv.Put(name, tailStream, burst...)
	if !tailWait(2*time.Second, func() bool { _, s := p.tailState(); return s }) {
		t.Fatal("sampling not reported")
	}
	if n := len(tailInvocations(sink)); n != 5 {
		t.Errorf("%d invocations from a sampled update of 5", n)
	}
	srv.Put(name, tailStream, cwltest.Event{Time: time.Now(), Message: tailReport(100)})
	if !tailWait(2*time.Second, func() bool { _, s := p.tailState(); return !s }) {
		t.Error("sampling still reported after a complete update")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestLiveTailReconnectsAfterSessionTimeout: sessions end every 150 ms
// with SessionTimeoutException while lines are written; the source starts
// again within its StartLiveTail budget and fetches what fell between two
// sessions, so every line arrives exactly once.
func TestLiveTailReconnectsAfterSessionTimeout(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond), cwltest.WithLiveTailTimeout(150*time.Millisecond))
	const name = "/aws/lambda/a"
	srv.AddGroup(name)
	p, sink := testPlace(t, srv, Options{}, nil)
	p.filter = NewBudget(100, 10)
	stop, _ := runTail(t, p, []*group{testGroup(srv, name)})
	if !tailWait(2*time.Second, func() bool { n, _ := p.tailState(); return n == 1 }) {
		t.Fatal("no session up")
	}

	w := startTailWriter(srv, 3*time.Millisecond, name)
	time.Sleep(1200 * time.Millisecond)
	written := w.halt()
	if !tailWait(3*time.Second, func() bool { return len(tailInvocations(sink)) >= len(written) }) {
		t.Errorf("only %d of %d invocations arrived", len(tailInvocations(sink)), len(written))
	}
	time.Sleep(60 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, written, tailInvocations(sink))
	if n := srv.Calls("StartLiveTail"); n < 3 {
		t.Errorf("%d sessions, want a new one after each timeout", n)
	}
	// The budget is half of 5 TPS with a burst of 1.
	if n := srv.MaxCallsPerSecond("StartLiveTail"); n > 3 {
		t.Errorf("%d StartLiveTail calls in one second, budget 2.5/s", n)
	}
	p.mu.Lock()
	lastErr := p.lastErr
	p.mu.Unlock()
	if lastErr != nil {
		t.Errorf("a session timeout is not an error: %v", lastErr)
	}
}

// TestLiveTailRenewsWithoutGap: with LiveTailRenew short, sessions are
// replaced while lines are written; the handoff needs no gap fill and
// every line arrives exactly once.
func TestLiveTailRenewsWithoutGap(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond))
	srv.AddGroup("/aws/lambda/a", "/aws/lambda/b")
	p, sink := testPlace(t, srv, Options{LiveTailRenew: 100 * time.Millisecond}, nil)
	p.tail = NewBudget(20, 1)
	stop, _ := runTail(t, p, []*group{testGroup(srv, "/aws/lambda/a"), testGroup(srv, "/aws/lambda/b")})
	if !tailWait(2*time.Second, func() bool { n, _ := p.tailState(); return n == 2 }) {
		t.Fatal("no session up")
	}

	w := startTailWriter(srv, 2*time.Millisecond, "/aws/lambda/a", "/aws/lambda/b")
	time.Sleep(time.Second)
	written := w.halt()
	if !tailWait(3*time.Second, func() bool { return len(tailInvocations(sink)) >= len(written) }) {
		t.Errorf("only %d of %d invocations arrived", len(tailInvocations(sink)), len(written))
	}
	time.Sleep(60 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, written, tailInvocations(sink))
	if n := srv.Calls("StartLiveTail"); n < 5 {
		t.Errorf("%d sessions in a second, renewing every 100ms", n)
	}
	if n := srv.Calls("FilterLogEvents"); n != 0 {
		t.Errorf("%d FilterLogEvents calls: a renewal left a gap", n)
	}
}

// TestLiveTailDenied: without logs:StartLiveTail, liveTail returns
// errDenied at once and leaves a note.
func TestLiveTailDenied(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a")
	srv.Deny("StartLiveTail", true)
	p, _ := testPlace(t, srv, Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := p.liveTail(ctx, []*group{testGroup(srv, "/aws/lambda/a")})
	if !errors.Is(err, errDenied) {
		t.Fatalf("err %v, want errDenied", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("denied after %v", d)
	}
	p.mu.Lock()
	notes := slices.Clone(p.notes)
	p.mu.Unlock()
	if !slices.Contains(notes, "Live Tail not permitted (logs:StartLiveTail): polling instead") {
		t.Errorf("notes %q", notes)
	}
}

// TestLiveTailRefused: failures that another attempt cannot mend end
// liveTail quickly with an error other than errDenied, so the caller
// polls; passing failures are retried.
func TestLiveTailRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(srv *cwltest.Server)
		group string
		note  string
	}{
		{"session limit", func(srv *cwltest.Server) { srv.FailNext("StartLiveTail", 1, cwltest.ErrLimitExceeded) },
			"/aws/lambda/a", "Live Tail session limit reached: polling instead"},
		{"group gone", func(*cwltest.Server) {}, "/aws/lambda/gone", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tailNoLeaks(t)
			srv := cwltest.Start(t)
			srv.AddGroup("/aws/lambda/a")
			tc.fault(srv)
			p, _ := testPlace(t, srv, Options{}, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			err := p.liveTail(ctx, []*group{testGroup(srv, tc.group)})
			if err == nil || errors.Is(err, errDenied) || ctx.Err() != nil {
				t.Fatalf("err %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("gave up after %v", d)
			}
			p.mu.Lock()
			notes := slices.Clone(p.notes)
			p.mu.Unlock()
			if tc.note != "" && !slices.Contains(notes, tc.note) {
				t.Errorf("notes %q", notes)
			}
		})
	}
}

// TestLiveTailRetriesFailedStart: a StartLiveTail failing with 503s is
// tried again and the session comes up.
func TestLiveTailRetriesFailedStart(t *testing.T) {
	tailNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond))
	const name = "/aws/lambda/a"
	srv.AddGroup(name)
	srv.FailNext("StartLiveTail", 3, cwltest.ErrServiceUnavailable)
	p, sink := testPlace(t, srv, Options{}, nil)
	p.tail = NewBudget(50, 5)
	stop, _ := runTail(t, p, []*group{testGroup(srv, name)})
	if !tailWait(3*time.Second, func() bool { n, _ := p.tailState(); return n == 1 }) {
		t.Fatal("no session up")
	}
	srv.Put(name, tailStream, cwltest.Event{Time: time.Now(), Message: tailReport(1)})
	if !tailWait(2*time.Second, func() bool { return len(tailInvocations(sink)) == 1 }) {
		t.Error("the event did not arrive")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestLiveTailCancel: liveTail returns nil promptly when ctx ends, during
// a session or while StartLiveTail is still under way, and leaves no
// goroutine behind.
func TestLiveTailCancel(t *testing.T) {
	t.Run("session", func(t *testing.T) {
		tailNoLeaks(t)
		srv := cwltest.Start(t, cwltest.WithLiveTailInterval(20*time.Millisecond))
		srv.AddGroup("/aws/lambda/a")
		p, _ := testPlace(t, srv, Options{}, nil)
		stop, _ := runTail(t, p, []*group{testGroup(srv, "/aws/lambda/a")})
		if !tailWait(2*time.Second, func() bool { n, _ := p.tailState(); return n == 1 }) {
			t.Fatal("no session up")
		}
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("returned %v after cancel", d)
		}
		if n, s := p.tailState(); n != 0 || s {
			t.Errorf("tailing %d sampled %v after return", n, s)
		}
	})
	t.Run("starting", func(t *testing.T) {
		tailNoLeaks(t)
		srv := cwltest.Start(t)
		srv.AddGroup("/aws/lambda/a")
		srv.SetDelay("StartLiveTail", 10*time.Second)
		p, _ := testPlace(t, srv, Options{}, nil)
		stop, _ := runTail(t, p, []*group{testGroup(srv, "/aws/lambda/a")})
		tailWait(time.Second, func() bool { return srv.Calls("StartLiveTail") > 0 })
		start := time.Now()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("returned %v after cancel", d)
		}
	})
}

// TestLiveTailLookup maps the identifiers CloudWatch may send back (the
// ARN asked for, with ":*", or a name) to their groups.
func TestLiveTailLookup(t *testing.T) {
	srv := cwltest.Start(t)
	p, _ := testPlace(t, srv, Options{}, nil)
	ga, gb := testGroup(srv, "/aws/lambda/a"), testGroup(srv, "/aws/lambda/b")
	tl, err := p.newTailer([]*group{ga, gb})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]*group{
		srv.ARN("/aws/lambda/a"):        ga,
		srv.ARN("/aws/lambda/b") + ":*": gb,
		"/aws/lambda/b":                 gb,
		"arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/a": ga,
		"/aws/lambda/c": nil,
	} {
		if got := tl.lookup(id); got != want {
			t.Errorf("lookup(%q) = %v, want %v", id, got, want)
		}
	}
	if !slices.Equal(tl.arns, []string{srv.ARN("/aws/lambda/a"), srv.ARN("/aws/lambda/b")}) {
		t.Errorf("arns %q", tl.arns)
	}
	if _, err := p.newTailer([]*group{{name: "/aws/lambda/x"}}); err == nil {
		t.Error("a group without ARN was accepted")
	}
}
