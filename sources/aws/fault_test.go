package aws

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
	"github.com/fntop/fntop/sources/internal/faultproxy"
)

// faultTimeout bounds one API call in the fault tests (Options.Timeout).
const faultTimeout = 300 * time.Millisecond

// staticConfig makes a source use fixed credentials and no shared files,
// without touching the environment (so that tests may run in parallel).
func staticConfig() []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDFAULT", "fault-secret", "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithEC2IMDSClientEnableState(0),
	}
}

// faultSink records every event and feeds a store, as fntop does.
type faultSink struct {
	rec   recSink
	store *model.Store
}

func (s *faultSink) Ingest(evs ...model.Event) {
	s.rec.Ingest(evs...)
	s.store.Ingest(evs...)
}

// statuses returns the status events of source name, oldest first.
func (s *faultSink) statuses(name string) []model.SourceStatus {
	var out []model.SourceStatus
	for _, e := range s.rec.events(model.KindStatus) {
		if e.Status.Name == name {
			out = append(out, e.Status)
		}
	}
	return out
}

func (s *faultSink) invocations(prefix string) map[string]int {
	out := map[string]int{}
	for _, e := range s.rec.events(model.KindInvocation) {
		if strings.HasPrefix(e.Invocation.RequestID, prefix) {
			out[e.Invocation.RequestID]++
		}
	}
	return out
}

// faultWriter puts one REPORT a tick into the groups of a server, with
// request ids prefix-N, until stopped; skew shifts the event times.
type faultWriter struct {
	srv    *cwltest.Server
	groups []string
	prefix string

	mu   sync.Mutex
	ids  map[string]bool
	skew time.Duration
	n    int
}

func (w *faultWriter) put(rng *rand.Rand) {
	w.mu.Lock()
	w.n++
	id := fmt.Sprintf("%s-%05d", w.prefix, w.n)
	w.ids[id] = true
	skew := w.skew
	w.mu.Unlock()
	g := w.groups[rng.IntN(len(w.groups))]
	w.srv.Put(g, "2026/11/26/[$LATEST]00000000000000000000000000000001",
		cwltest.Event{Time: time.Now().Add(skew), Message: reportLine(id, 12.5, "")})
}

func (w *faultWriter) setSkew(d time.Duration) {
	w.mu.Lock()
	w.skew = d
	w.mu.Unlock()
}

func (w *faultWriter) written() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]bool, len(w.ids))
	for id := range w.ids {
		out[id] = true
	}
	return out
}

// run puts events every tick until ctx ends.
func (w *faultWriter) run(ctx context.Context, tick time.Duration, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 9))
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		w.put(rng)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// faultSource starts the whole AWS source (as `fntop --aws --endpoint`
// does) on endpoint, in region, into sink.
func faultSource(ctx context.Context, t *testing.T, endpoint, region string, sink model.Sink) <-chan error {
	t.Helper()
	src := New(Options{
		Regions: []string{region}, Endpoint: endpoint, FilterTPS: 50,
		MinInterval: 20 * time.Millisecond, Overlap: 2 * time.Second, Timeout: faultTimeout,
		ConfigOptions: staticConfig(),
	})
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()
	return done
}

// TestSourceFaults runs the AWS source through a faulty proxy in front of
// the CloudWatch Logs server, one fault class a subtest, while events are
// written all along. For each: the source reports the fault (its state
// and a last error that says what happened), recovers by itself once the
// fault ends (state ok again), and has then every invocation the server
// holds exactly once; meanwhile another AWS source on a healthy server
// keeps delivering into the same store, and the store's snapshots answer.
func TestSourceFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection takes seconds per class")
	}
	type env struct {
		proxy *faultproxy.Proxy
		srv   *cwltest.Server
		w     *faultWriter
	}
	awsJSON := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	cases := []struct {
		name string
		// fault starts the fault, heal ends it.
		fault, heal func(e env)
		// state is what the source must report during the fault, and
		// lastErr what its last error must contain (any of them).
		state   model.SourceState
		lastErr []string
		// hold is how long the fault lasts (default 4 s: longer than the
		// source's own retries of one call).
		hold time.Duration
	}{
		{name: "connection refused", fault: func(e env) { e.proxy.Set(faultproxy.Refuse) },
			state: model.StateFailing, lastErr: []string{"cannot connect", "connection refused"}},
		{name: "down for a while, then back", fault: func(e env) { e.proxy.Set(faultproxy.Refuse) },
			state: model.StateFailing, lastErr: []string{"cannot connect", "connection refused"}, hold: 9 * time.Second},
		{name: "connection reset", fault: func(e env) { e.proxy.Set(faultproxy.Reset) },
			state: model.StateFailing, lastErr: []string{"reset", "EOF"}},
		{name: "reset mid-answer", fault: func(e env) { e.proxy.Set(faultproxy.ResetMid) },
			state: model.StateFailing, lastErr: []string{"reset", "EOF", "deserializ"}},
		{name: "truncated body", fault: func(e env) { e.proxy.Set(faultproxy.Truncate) },
			state: model.StateFailing, lastErr: []string{"EOF", "deserializ"}},
		{name: "timeout (server hangs)", fault: func(e env) { e.proxy.Set(faultproxy.Hang) },
			state: model.StateFailing, lastErr: []string{"timeout", "deadline", "awaiting response headers"}},
		{name: "5xx", fault: func(e env) { e.srv.FailFraction("", 1, cwltest.ErrServiceUnavailable) },
			heal:  func(e env) { e.srv.FailFraction("", 0, cwltest.ErrServiceUnavailable) },
			state: model.StateFailing, lastErr: []string{"ServiceUnavailableException"}},
		{name: "502 from a proxy", fault: func(e env) {
			e.proxy.SetCanned(http.StatusBadGateway, http.Header{"Content-Type": {"text/html"}}, "<html>bad gateway</html>")
		}, state: model.StateFailing, lastErr: []string{"502"}},
		{name: "throttling storm", fault: func(e env) { e.srv.FailFraction("", 1, cwltest.ErrThrottling) },
			heal:  func(e env) { e.srv.FailFraction("", 0, cwltest.ErrThrottling) },
			state: model.StateThrottled, lastErr: []string{"ThrottlingException"}},
		{name: "429 storm", fault: func(e env) {
			e.proxy.SetCanned(http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, "Too Many Requests")
		}, state: model.StateThrottled, lastErr: []string{"429"}},
		{name: "malformed body", fault: func(e env) {
			e.proxy.SetCanned(http.StatusOK, awsJSON, `{"events":[{"timestamp":"soon","message":4}],"nextToken":`)
		}, state: model.StateFailing, lastErr: []string{"deserializ", "decode", "unexpected"}},
		{name: "event times hours ahead", fault: func(e env) { e.w.setSkew(90 * time.Minute) },
			heal: func(e env) { e.w.setSkew(0) }, state: model.StateOK, hold: 2 * time.Second},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			srv := cwltest.Start(t)
			groups := []string{"/aws/lambda/fa", "/aws/lambda/fb", "/aws/lambda/fc"}
			srv.AddGroup(groups...)
			proxy := faultproxy.New(t, strings.TrimPrefix(srv.URL(), "http://"))
			// The healthy neighbour: another source, another server, the
			// same store.
			other := cwltest.Start(t, cwltest.WithRegion("eu-west-1"))
			other.AddGroup("/aws/lambda/healthy")

			store := model.NewStore(model.Options{Clock: time.Now})
			sink := &faultSink{store: store}
			srcCtx, stopSrc := context.WithCancel(ctx)
			done := faultSource(srcCtx, t, proxy.URL(), "us-east-1", sink)
			otherDone := faultSource(srcCtx, t, other.URL(), "eu-west-1", sink)
			defer func() {
				stopSrc()
				for _, d := range []<-chan error{done, otherDone} {
					select {
					case err := <-d:
						if err != nil {
							t.Errorf("Run: %v", err)
						}
					case <-time.After(5 * time.Second):
						t.Error("the source did not return after cancel")
					}
				}
			}()
			const name, otherName = "aws:us-east-1", "aws:eu-west-1"
			// Both polling: what is written before a source starts is its
			// backfill's, not its poller's.
			if !waitFor(t, 10*time.Second, func() bool {
				return lastState(sink, name) == model.StateOK && lastState(sink, otherName) == model.StateOK
			}) {
				t.Fatalf("the sources never started: %+v %+v", sink.statuses(name), sink.statuses(otherName))
			}

			w := &faultWriter{srv: srv, groups: groups, prefix: "f", ids: map[string]bool{}}
			ow := &faultWriter{srv: other, groups: []string{"/aws/lambda/healthy"}, prefix: "h", ids: map[string]bool{}}
			wctx, stopW := context.WithCancel(ctx)
			var wg sync.WaitGroup
			wg.Go(func() { w.run(wctx, 15*time.Millisecond, uint64(i)) })
			wg.Go(func() { ow.run(wctx, 15*time.Millisecond, uint64(i)+100) })
			defer func() { stopW(); wg.Wait() }()
			time.Sleep(300 * time.Millisecond)

			e := env{proxy: proxy, srv: srv, w: w}
			hold := tc.hold
			if hold == 0 {
				hold = 4 * time.Second
			}
			marks := len(sink.statuses(name))
			otherBefore := len(sink.invocations("h-"))
			tc.fault(e)
			faultEnd := time.Now().Add(hold)

			// During the fault: the state and the error are reported, the
			// neighbour keeps delivering, a snapshot answers at once.
			sawState := tc.state == model.StateOK
			var errs []string
			for time.Now().Before(faultEnd) {
				for _, st := range sink.statuses(name)[marks:] {
					if st.State == tc.state && (tc.state == model.StateOK || st.LastError != "") {
						sawState = true
					}
					if st.LastError != "" {
						errs = append(errs, st.LastError)
					}
				}
				marks = len(sink.statuses(name))
				snapshotAnswers(t, store)
				time.Sleep(100 * time.Millisecond)
			}
			t.Logf("during the fault: last errors %q", unique(errs))
			if !sawState {
				t.Errorf("no %s status with a last error during the fault; statuses: %+v", tc.state, sink.statuses(name))
			}
			if len(tc.lastErr) > 0 && !containsAny(errs, tc.lastErr) {
				t.Errorf("last errors %q say nothing of %q", unique(errs), tc.lastErr)
			}
			if tc.state == model.StateOK && len(errs) > 0 {
				t.Errorf("errors reported without a fault: %q", unique(errs))
			}
			if n := len(sink.invocations("h-")); n <= otherBefore {
				t.Errorf("the healthy source delivered nothing during the fault (%d before, %d after)", otherBefore, n)
			}

			if tc.heal != nil {
				tc.heal(e)
			} else {
				proxy.Set(faultproxy.Pass)
			}
			time.Sleep(300 * time.Millisecond)
			stopW()
			wg.Wait()

			// Recovery: ok again, and every invocation the server holds,
			// once.
			want := w.written()
			ok := waitFor(t, 20*time.Second, func() bool {
				return len(sink.invocations("f-")) == len(want) && lastState(sink, name) == model.StateOK &&
					len(sink.invocations("h-")) == len(ow.written())
			})
			time.Sleep(200 * time.Millisecond) // further polls add nothing
			got := sink.invocations("f-")
			if !ok {
				missing := 0
				for id := range want {
					if got[id] == 0 {
						missing++
					}
				}
				t.Errorf("after recovery: %d of %d invocations (%d missing), state %s; last status %+v",
					len(got), len(want), missing, lastState(sink, name), last(sink.statuses(name)))
			}
			for id, n := range got {
				if n != 1 {
					t.Errorf("invocation %s counted %d times", id, n)
				}
			}
			if oh := sink.invocations("h-"); len(oh) != len(ow.written()) {
				t.Errorf("the healthy source has %d of %d invocations", len(oh), len(ow.written()))
			}
			// No spinning: the calls stayed within the budget (50/s, burst 50).
			if peak := srv.MaxCallsPerSecond(""); peak > 100 {
				t.Errorf("%d calls in one second: the source spins", peak)
			}
		})
	}
}

// lastState is the latest state source name reported.
func lastState(s *faultSink, name string) model.SourceState {
	sts := s.statuses(name)
	if len(sts) == 0 {
		return ""
	}
	return sts[len(sts)-1].State
}

func last(sts []model.SourceStatus) model.SourceStatus {
	if len(sts) == 0 {
		return model.SourceStatus{}
	}
	return sts[len(sts)-1]
}

// snapshotAnswers fails the test when a snapshot of the store takes more
// than a second: something holds the store.
func snapshotAnswers(t *testing.T, store *model.Store) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		store.Snapshot(model.SnapshotOptions{Window: time.Minute})
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("a snapshot did not answer within a second")
	}
}

func containsAny(got, want []string) bool {
	for _, g := range got {
		for _, w := range want {
			if strings.Contains(g, w) {
				return true
			}
		}
	}
	return false
}

func unique(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// TestSDKLogsNothing: the SDK's default logger writes to stderr, the
// terminal the UI draws on; the source turns it off (a truncated answer
// made it print "failed to discard remaining HTTP response body").
func TestSDKLogsNothing(t *testing.T) {
	s := New(Options{Regions: []string{"us-east-1"}, Endpoint: "http://127.0.0.1:1", ConfigOptions: staticConfig()})
	_, cfgs, err := s.loadConfigs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfgs[0].Logger.(logging.Nop); !ok {
		t.Errorf("the SDK logs with %T", cfgs[0].Logger)
	}
}
