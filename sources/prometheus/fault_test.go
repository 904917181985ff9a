package prometheus

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/internal/faultproxy"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

// fltSink records events and feeds a store, as fntop does.
type fltSink struct {
	rec   scrSink
	store *model.Store
}

func (s *fltSink) Ingest(evs ...model.Event) {
	s.rec.Ingest(evs...)
	s.store.Ingest(evs...)
}

func (s *fltSink) statuses(name string) []model.SourceStatus {
	var out []model.SourceStatus
	for _, e := range s.rec.all() {
		if e.Kind == model.KindStatus && e.Status.Name == name {
			out = append(out, e.Status)
		}
	}
	return out
}

func (s *fltSink) last(name string) model.SourceStatus {
	sts := s.statuses(name)
	if len(sts) == 0 {
		return model.SourceStatus{}
	}
	return sts[len(sts)-1]
}

// fltSnapshotAnswers fails the test when a snapshot takes more than a
// second: something holds the store.
func fltSnapshotAnswers(t *testing.T, store *model.Store) {
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

func fltWait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// fltRun starts src and returns a stop that cancels it and checks that
// it returns nil within five seconds.
func fltRun(t *testing.T, src *Source, sink model.Sink) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
}

// TestScrapeFaults scrapes an exporter through a faulty proxy, one fault
// class a subtest, while invocations keep being added. For each: a
// failing status whose last error says what happened, recovery by itself
// (ok again), exactly the invocations the exporter counted (the scrape
// after the gap covers it), no spinning, and a healthy neighbour source
// and the store keep answering meanwhile.
func TestScrapeFaults(t *testing.T) {
	const interval, timeout = 20 * time.Millisecond, 200 * time.Millisecond
	type env struct {
		e *promtest.Exporter
		p *faultproxy.Proxy
	}
	cases := []struct {
		name        string
		fault, heal func(env)
		errHas      []string
		hold        time.Duration
		// skew is how far the source's clock is from the exporter's
		// (the exporter has none: only the model's times move).
		skew time.Duration
	}{
		{name: "connection refused", fault: func(v env) { v.p.Set(faultproxy.Refuse) }, errHas: []string{"connection refused"}},
		{name: "down for a while, then back", fault: func(v env) { v.p.Set(faultproxy.Refuse) },
			errHas: []string{"connection refused"}, hold: 2 * time.Second},
		{name: "connection reset", fault: func(v env) { v.e.SetFault(promtest.FaultReset) },
			heal: func(v env) { v.e.SetFault(promtest.FaultNone) }, errHas: []string{"reset", "EOF"}},
		{name: "reset mid-answer", fault: func(v env) { v.p.Set(faultproxy.ResetMid) }, errHas: []string{"reset", "EOF"}},
		{name: "truncated body", fault: func(v env) { v.p.Set(faultproxy.Truncate) }, errHas: []string{"unexpected EOF"}},
		{name: "timeout (server hangs)", fault: func(v env) { v.p.Set(faultproxy.Hang) }, errHas: []string{"timeout"}},
		{name: "5xx", fault: func(v env) { v.e.SetFault(promtest.Fault500) },
			heal: func(v env) { v.e.SetFault(promtest.FaultNone) }, errHas: []string{"HTTP 500"}},
		{name: "503 from a proxy", fault: func(v env) {
			v.p.SetCanned(http.StatusServiceUnavailable, http.Header{"Content-Type": {"text/plain"}}, "no healthy upstream")
		}, errHas: []string{"503"}},
		{name: "429 storm", fault: func(v env) { v.e.SetFault(promtest.Fault429) },
			heal: func(v env) { v.e.SetFault(promtest.FaultNone) }, errHas: []string{"429"}},
		{name: "malformed body", fault: func(v env) { v.e.SetFault(promtest.FaultGarbage) },
			heal: func(v env) { v.e.SetFault(promtest.FaultNone) }, errHas: []string{"parsing error", "invalid"}},
		{name: "clock hours ahead", skew: 3 * time.Hour},
		{name: "clock hours behind", skew: -3 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := promtest.NewExporter(t)
			p := faultproxy.New(t, strings.TrimPrefix(strings.TrimSuffix(e.URL(), "/metrics"), "http://"))
			other := promtest.NewExporter(t)
			store := model.NewStore(model.Options{Clock: time.Now})
			sink := &fltSink{store: store}
			clock := time.Now
			if tc.skew != 0 {
				clock = func() time.Time { return time.Now().Add(tc.skew) }
			}
			src := scrNewSource(t, p.URL()+"/metrics", func(o *Options) {
				o.Interval, o.Timeout, o.Preset, o.Clock = interval, timeout, Presets["openfaas"], clock
			})
			osrc := scrNewSource(t, other.URL(), func(o *Options) { o.Interval, o.Preset = interval, Presets["openfaas"] })
			name, oname := src.Name(), osrc.Name()
			const fn, ofn = "figlet.openfaas-fn", "healthy.openfaas-fn"
			// Both functions exist before the first scrape: what is added
			// after it is what must be counted.
			e.Invoke(promtest.OpenFaaS, fn, 200, 30*time.Millisecond, 1)
			other.Invoke(promtest.OpenFaaS, ofn, 200, 30*time.Millisecond, 1)
			stop := fltRun(t, src, sink)
			defer stop()
			ostop := fltRun(t, osrc, sink)
			defer ostop()
			if !fltWait(5*time.Second, func() bool {
				return sink.last(name).State == model.StateOK && sink.last(oname).State == model.StateOK
			}) {
				t.Fatalf("not started: %+v %+v", sink.last(name), sink.last(oname))
			}

			var want, owant int64
			invoke := func(n int) {
				e.Invoke(promtest.OpenFaaS, fn, 200, 30*time.Millisecond, n)
				other.Invoke(promtest.OpenFaaS, ofn, 500, 30*time.Millisecond, n)
				want += int64(n)
				owant += int64(n)
			}
			invoke(7)
			time.Sleep(5 * interval)

			v := env{e: e, p: p}
			marks := len(sink.statuses(name))
			hold := tc.hold
			if hold == 0 {
				hold = 800 * time.Millisecond
			}
			if tc.fault != nil {
				tc.fault(v)
			}
			scrapesBefore := e.Scrapes()
			_, oBefore, _ := scrSum(sink.rec.all(), ofn)
			end := time.Now().Add(hold)
			var errs []string
			failing := false
			for time.Now().Before(end) {
				invoke(3)
				fltSnapshotAnswers(t, store)
				time.Sleep(50 * time.Millisecond)
			}
			for _, st := range sink.statuses(name)[marks:] {
				if st.State == model.StateFailing && st.LastError != "" {
					failing = true
					errs = append(errs, st.LastError)
				}
			}
			t.Logf("during the fault: %d errors, first %q", len(errs), first(errs))
			if tc.fault != nil {
				if !failing {
					t.Errorf("no failing status with a last error during the fault: %+v", sink.statuses(name)[marks:])
				} else if !anyContains(errs, tc.errHas) {
					t.Errorf("last errors (first %q) say nothing of %q", errs[0], tc.errHas)
				}
			} else if len(errs) > 0 {
				t.Errorf("errors without a fault: %q", first(errs))
			}
			if _, oNow, _ := scrSum(sink.rec.all(), ofn); oNow <= oBefore {
				t.Errorf("the healthy source counted nothing during the fault")
			}
			// No spinning: at most one scrape an interval (with slack for
			// timers), fewer when each waits for the timeout.
			if n := e.Scrapes() - scrapesBefore; n > int(2*hold/interval)+5 {
				t.Errorf("%d scrapes in %s at one per %s: the source spins", n, hold, interval)
			}

			switch {
			case tc.heal != nil:
				tc.heal(v)
			case tc.fault != nil:
				p.Set(faultproxy.Pass)
			}
			invoke(5)
			recovered := fltWait(10*time.Second, func() bool {
				got, _, _ := scrSum(sink.rec.all(), fn)
				ogot, _, _ := scrSum(sink.rec.all(), ofn)
				return got == want && ogot == owant && sink.last(name).State == model.StateOK
			})
			time.Sleep(5 * interval) // further scrapes add nothing
			got, _, _ := scrSum(sink.rec.all(), fn)
			ogot, oerrs, _ := scrSum(sink.rec.all(), ofn)
			if !recovered || got != want || ogot != owant || oerrs != owant {
				t.Errorf("after recovery: %d of %d invocations (neighbour %d/%d, %d errors), last status %+v",
					got, want, ogot, owant, oerrs, sink.last(name))
			}
			// The aggregates are stamped on the source's clock: within
			// the skew of now, not lost or left at zero time.
			for _, ev := range sink.rec.all() {
				if ev.Kind == model.KindAggregate && ev.Function == fn {
					if d := ev.Time.Sub(time.Now().Add(tc.skew)); d > time.Second || d < -30*time.Second {
						t.Fatalf("aggregate at %v, %v from the source's clock", ev.Time, d)
					}
				}
			}
			fltSnapshotAnswers(t, store)
		})
	}
}

// TestQueryFaultsThroughProxy runs query mode against the fake API through
// a faulty proxy: transport faults (refused, reset, cut bodies, hangs)
// and canned answers (429, 503, malformed JSON). Each gives a failing
// status that says what happened; once the fault ends the source is ok
// again and every step was emitted once (qryAggregates fails on a step
// emitted twice; the span and the count cover the whole time). A step
// may be asked for twice here: a request in flight when the proxy
// changes mode reached the API but its answer was lost.
func TestQueryFaultsThroughProxy(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name   string
		fault  func(p *faultproxy.Proxy)
		errHas []string
	}{
		{"connection refused", func(p *faultproxy.Proxy) { p.Set(faultproxy.Refuse) }, []string{"connection refused", "cannot connect"}},
		{"connection reset", func(p *faultproxy.Proxy) { p.Set(faultproxy.Reset) }, []string{"reset", "EOF"}},
		{"reset mid-answer", func(p *faultproxy.Proxy) { p.Set(faultproxy.ResetMid) }, []string{"reset", "EOF", "unexpected end"}},
		{"truncated body", func(p *faultproxy.Proxy) { p.Set(faultproxy.Truncate) }, []string{"EOF", "unexpected end"}},
		{"timeout (server hangs)", func(p *faultproxy.Proxy) { p.Set(faultproxy.Hang) }, []string{"no answer within"}},
		{"503", func(p *faultproxy.Proxy) {
			p.SetCanned(http.StatusServiceUnavailable, http.Header{"Content-Type": {"text/plain"}}, "no healthy upstream")
		}, []string{"503"}},
		{"429 storm", func(p *faultproxy.Proxy) {
			p.SetCanned(http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, "slow down")
		}, []string{"429"}},
		{"malformed body", func(p *faultproxy.Proxy) {
			p.SetCanned(http.StatusOK, json, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":`)
		}, []string{"not a Prometheus API answer", "unexpected end", "EOF"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := qryNewFake(t, false)
			p := faultproxy.New(t, strings.TrimPrefix(f.srv.URL, "http://"))
			clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
			src, err := New(Options{URL: p.URL(), Mode: ModeQuery, Preset: Presets["openfaas"], Interval: 20 * time.Millisecond,
				Backfill: time.Minute, Timeout: 300 * time.Millisecond, Clock: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			store := model.NewStore(model.Options{Clock: clock.now})
			sink := &fltSink{store: store}
			stop := fltRun(t, src, sink)
			defer stop()
			name := src.Name()
			if !fltWait(5*time.Second, func() bool { return sink.last(name).State == model.StateOK }) {
				t.Fatalf("not started: %+v", sink.last(name))
			}
			marks := len(sink.statuses(name))
			tc.fault(p)
			clock.set(clock.now().Add(30 * time.Second))
			var st model.SourceStatus
			if !fltWait(5*time.Second, func() bool {
				for _, s := range sink.statuses(name)[marks:] {
					if s.State == model.StateFailing && s.LastError != "" {
						st = s
						return true
					}
				}
				return false
			}) {
				t.Fatalf("no failing status: %+v", sink.statuses(name)[marks:])
			}
			if !anyContains([]string{st.LastError}, tc.errHas) {
				t.Errorf("LastError %q says nothing of %q", st.LastError, tc.errHas)
			}
			fltSnapshotAnswers(t, store)
			p.Set(faultproxy.Pass)
			n := len(sink.statuses(name))
			if !fltWait(10*time.Second, func() bool {
				sts := sink.statuses(name)
				return len(sts) > n && sts[len(sts)-1].State == model.StateOK
			}) {
				t.Fatalf("no recovery: %+v", sink.last(name))
			}
			stop()
			if a := qryAggregates(t, sink.rec.all())["a.openfaas-fn"]; a.Span != time.Minute+30*time.Second || a.Invocations != 900 {
				t.Errorf("a: %s, %d invocations; want 1m30s, 900: steps lost or counted twice", a.Span, a.Invocations)
			}
		})
	}
}

func anyContains(got, want []string) bool {
	for _, g := range got {
		for _, w := range want {
			if strings.Contains(g, w) {
				return true
			}
		}
	}
	return false
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}
