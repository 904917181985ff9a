package prometheus

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

func scrNewSource(t *testing.T, url string, edit ...func(*Options)) *Source {
	t.Helper()
	opts := Options{URL: url, Mode: ModeScrape, Interval: 20 * time.Millisecond, Timeout: time.Second}
	for _, e := range edit {
		e(&opts)
	}
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func scrSum(evs []model.Event, fn string) (inv, errs int64, n int) {
	for _, e := range evs {
		if e.Kind == model.KindAggregate && e.Function == fn {
			inv += e.Aggregate.Invocations
			errs += e.Aggregate.Errors
			n++
		}
	}
	return inv, errs, n
}

func scrStates(evs []model.Event) []model.SourceState {
	var out []model.SourceState
	for _, e := range evs {
		if e.Kind == model.KindStatus {
			out = append(out, e.Status.State)
		}
	}
	return out
}

// Live: Run (mode auto: the exporter is no Prometheus API) scrapes until
// ctx ends and counts exactly what was invoked after its first scrape.
func TestScrapeRunLive(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := promtest.NewExporter(t)
	defer e.Close()
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 100)
	src := scrNewSource(t, e.URL(), func(o *Options) { o.Mode = ModeAuto })
	sink := &scrSink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()

	scrWaitFor(t, func() bool { return scrHasState(sink.all(), model.StateOK) })
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 40)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 30*time.Millisecond, 2)
	scrWaitFor(t, func() bool { inv, _, _ := scrSum(sink.all(), scrFig); return inv >= 42 })
	time.Sleep(50 * time.Millisecond) // a few more scrapes: nothing more counted
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v, want nil at ctx end", err)
	}
	evs := sink.all()
	inv, errs, n := scrSum(evs, scrFig)
	if inv != 42 || errs != 2 || n < 2 {
		t.Errorf("%d invocations, %d errors in %d aggregates; want 42, 2", inv, errs, n)
	}
	if st := scrStates(evs); st[0] != model.StateStarting {
		t.Errorf("states %v", st)
	}
}

func scrHasState(evs []model.Event, s model.SourceState) bool {
	for _, e := range evs {
		if e.Kind == model.KindStatus && e.Status.State == s {
			return true
		}
	}
	return false
}

func scrWaitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Observing (headless Backfill): at least two scrapes, for observe, then
// return nil with the rates emitted.
func TestScrapeObserve(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := promtest.NewExporter(t)
	defer e.Close()
	e.SetReplicas(promtest.KnativeOTel, "hello", 1)
	_, stop := e.Workload(context.Background(), 5*time.Millisecond,
		promtest.Load{Preset: promtest.KnativeOTel, Function: "hello", Code: 200, Duration: 40 * time.Millisecond, PerSecond: 1000})
	defer stop()
	src := scrNewSource(t, e.URL(), func(o *Options) { o.Observe = 100 * time.Millisecond })
	sink := &scrSink{}
	start := time.Now()
	if err := src.Backfill(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took < 100*time.Millisecond || took > 2*time.Second {
		t.Errorf("observed for %v, want about 100ms", took)
	}
	inv, _, n := scrSum(sink.all(), "hello")
	if n < 2 || inv <= 0 {
		t.Errorf("%d invocations in %d aggregates", inv, n)
	}
	if got := e.Scrapes(); got < 3 {
		t.Errorf("%d scrapes", got)
	}

	// Observe shorter than the interval: still two scrapes, then return.
	src = scrNewSource(t, e.URL(), func(o *Options) { o.Interval = time.Hour })
	sink = &scrSink{}
	start = time.Now()
	if err := src.runScrape(context.Background(), sink, 30*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
	if _, _, n := scrSum(sink.all(), "hello"); n != 1 {
		t.Errorf("%d aggregates, want 1", n)
	}
}

// Observing an endpoint that keeps failing gives up after observe plus
// two intervals with the last error.
func TestScrapeObserveFailing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := promtest.NewExporter(t)
	defer e.Close()
	e.SetFault(promtest.Fault500)
	src := scrNewSource(t, e.URL(), func(o *Options) { o.Interval = 10 * time.Millisecond })
	sink := &scrSink{}
	start := time.Now()
	err := src.runScrape(context.Background(), sink, 30*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err %v", err)
	}
	if took := time.Since(start); took < 50*time.Millisecond || took > 2*time.Second {
		t.Errorf("gave up after %v", took)
	}
	if !scrHasState(sink.all(), model.StateFailing) {
		t.Error("no failing status")
	}
}

// ctx ending while a scrape hangs returns at once: nil live, ctx.Err()
// when observing without rates; no goroutine is left behind.
func TestScrapeCancelHanging(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := promtest.NewExporter(t)
	defer e.Close()
	e.SetFault(promtest.FaultHang)
	for _, observe := range []time.Duration{0, time.Minute} {
		src := scrNewSource(t, e.URL(), func(o *Options) { o.Timeout = time.Minute })
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := src.runScrape(ctx, &scrSink{}, observe)
		cancel()
		if took := time.Since(start); took > time.Second {
			t.Errorf("observe %v: returned after %v", observe, took)
		}
		if observe == 0 && err != nil || observe > 0 && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("observe %v: err %v", observe, err)
		}
	}
}

// A bad preset is an error at once.
func TestScrapeBadPreset(t *testing.T) {
	p := *Presets["openfaas"]
	p.ErrorMatch = "5(("
	src := scrNewSource(t, "http://127.0.0.1:1/metrics", func(o *Options) { o.Preset = &p })
	sink := &scrSink{}
	err := src.runScrape(context.Background(), sink, 0)
	if err == nil || !strings.Contains(err.Error(), "error match") {
		t.Fatalf("err %v", err)
	}
	if st := scrLastStatus(t, sink.all()); st.State != model.StateFailing {
		t.Errorf("status %+v", st)
	}
}
