package prometheus

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

const scrFig = "figlet.openfaas-fn"

func TestScrapeOpenFaaSExact(t *testing.T) {
	e := promtest.NewExporter(t)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 10)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 2*time.Second, 2)
	e.SetReplicas(promtest.OpenFaaS, scrFig, 3)
	e.SetReplicas(promtest.OpenFaaS, "idle.openfaas-fn", 0)
	h := scrNewHarness(t, e.URL(), func(o *Options) { o.Preset = Presets["openfaas"] })

	// First scrape: the baseline, functions and replicas, no rates.
	evs := h.mustScrape()
	if a := scrAggs(t, evs); len(a) != 0 {
		t.Fatalf("first scrape emitted aggregates: %v", a)
	}
	metas := scrMetas(evs)
	if m := metas[scrFig]; m.Platform != "openfaas" || !m.ReplicasKnown || m.Replicas != 3 {
		t.Errorf("meta %+v", m)
	}
	if m := metas["idle.openfaas-fn"]; !m.ReplicasKnown || m.Replicas != 0 {
		t.Errorf("idle meta %+v", m)
	}
	st := scrLastStatus(t, evs)
	if st.State != model.StateOK || st.Name != h.src.Name() || !strings.HasPrefix(st.Detail, "openfaas · 2 functions · scrape every 5s") {
		t.Errorf("status %+v", st)
	}
	t1 := h.clock.now()

	// Known increments between the scrapes.
	var obs []float64
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 7)
	obs = scrObs(obs, 30*time.Millisecond, 7)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 180*time.Millisecond, 5)
	obs = scrObs(obs, 180*time.Millisecond, 5)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 700*time.Millisecond, 1)
	obs = scrObs(obs, 700*time.Millisecond, 1)
	e.Invoke(promtest.OpenFaaS, scrFig, 404, 3*time.Millisecond, 2) // a new series: counted from zero
	obs = scrObs(obs, 3*time.Millisecond, 2)
	e.Invoke(promtest.OpenFaaS, scrFig, 502, 12*time.Second, 1) // +Inf bucket
	obs = scrObs(obs, 12*time.Second, 1)

	evs = h.mustScrape()
	aggs := scrAggs(t, evs)
	ev, ok := aggs[scrFig]
	if !ok {
		t.Fatalf("no aggregate for %s: %v", scrFig, evs)
	}
	a := ev.Aggregate
	if !ev.Time.Equal(t1) || a.Span != 5*time.Second {
		t.Errorf("time %v span %v, want %v 5s", ev.Time, a.Span, t1)
	}
	if a.Invocations != 16 || a.Errors != 2 || !a.HasInvocations || !a.HasErrors || a.HasColdStarts || a.HasThrottles {
		t.Errorf("aggregate %+v, want 16 invocations, 2 errors", a)
	}
	d := a.Duration
	wantSum := (7*0.030 + 5*0.180 + 0.7 + 2*0.003 + 12) * 1000
	if d.Count != 16 || !scrNear(d.Sum, wantSum) {
		t.Errorf("duration count %d sum %v, want 16 %v", d.Count, d.Sum, wantSum)
	}
	for _, c := range []struct {
		q   float64
		got float64
	}{{0.5, d.P50}, {0.9, d.P90}, {0.99, d.P99}} {
		want := scrRefQuantile(c.q, obs, promtest.OpenFaaSBuckets) * 1000
		if !scrNear(c.got, want) {
			t.Errorf("p%v = %v ms, want %v ms", c.q*100, c.got, want)
		}
	}
	// The 12 s invocation is in +Inf: Max is the highest finite bound
	// (10 s) or the mean if higher.
	if want := math.Max(10000, wantSum/16); !scrNear(d.Max, want) {
		t.Errorf("max %v, want %v", d.Max, want)
	}
	if ia := aggs["idle.openfaas-fn"].Aggregate; ia.Invocations != 0 || !ia.HasInvocations || ia.Duration.Count != 0 {
		t.Errorf("idle aggregate %+v", ia)
	}
	if m := scrMetas(evs); len(m) != 0 {
		t.Errorf("replicas unchanged but meta emitted: %v", m)
	}

	// Replicas change: one meta; no traffic: zero, no durations.
	e.SetReplicas(promtest.OpenFaaS, scrFig, 1)
	evs = h.mustScrape()
	if m := scrMetas(evs); len(m) != 1 || m[scrFig].Replicas != 1 {
		t.Errorf("metas %v", m)
	}
	if a := scrAggs(t, evs)[scrFig].Aggregate; a.Invocations != 0 || a.Errors != 0 || a.Duration.Count != 0 {
		t.Errorf("quiet aggregate %+v", a)
	}

	// Max without +Inf: the upper bound of the highest bucket that grew.
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 3)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 400*time.Millisecond, 1)
	d = scrAggs(t, h.mustScrape())[scrFig].Aggregate.Duration
	if d.Count != 4 || d.Max != 500 || d.P99 > d.Max || d.P50 > 50 {
		t.Errorf("duration %+v, want max 500 (le 0.5)", d)
	}
}

func TestScrapeCounterReset(t *testing.T) {
	e := promtest.NewExporter(t)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 1000)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 30*time.Millisecond, 40)
	e.SetReplicas(promtest.OpenFaaS, scrFig, 1)
	h := scrNewHarness(t, e.URL())
	h.mustScrape()

	// Restart between two scrapes: the series start again below their
	// previous values.
	e.Reset(scrFig)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 3)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 30*time.Millisecond, 1)
	a := scrAggs(t, h.mustScrape())[scrFig].Aggregate
	if a.Invocations != 4 || a.Errors != 1 || a.Duration.Count != 4 || !scrNear(a.Duration.Sum, 120) {
		t.Errorf("after reset %+v, want 4 invocations, 1 error, 4 durations summing 120 ms", a)
	}

	// Restart seen by a scrape: the series are absent, then back from zero.
	e.Reset(scrFig)
	if a := scrAggs(t, h.mustScrape())[scrFig].Aggregate; a.Invocations != 0 {
		t.Errorf("absent series %+v", a)
	}
	if n := len(h.sc.series); n != 0 {
		t.Errorf("%d series remembered after they disappeared", n)
	}
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 2)
	if a := scrAggs(t, h.mustScrape())[scrFig].Aggregate; a.Invocations != 2 || a.Duration.Count != 2 {
		t.Errorf("series back %+v, want 2", a)
	}
}

func TestScrapeKnativeOpenCensus(t *testing.T) {
	e := promtest.NewExporter(t)
	e.Invoke(promtest.KnativeOpenCensus, "hello", 200, 120*time.Millisecond, 1)
	e.SetReplicas(promtest.KnativeOpenCensus, "hello", 2)
	h := scrNewHarness(t, e.URL()) // preset detected
	evs := h.mustScrape()
	if h.sc.preset == nil || h.sc.preset.Name != "knative" {
		t.Fatalf("preset %v", h.sc.preset)
	}
	if m := scrMetas(evs)["hello"]; m.Platform != "knative" || m.Replicas != 2 {
		t.Errorf("meta %+v", m)
	}
	var obs []float64
	e.Invoke(promtest.KnativeOpenCensus, "hello", 200, 120*time.Millisecond, 4)
	e.Invoke(promtest.KnativeOpenCensus, "hello", 503, 35*time.Millisecond, 2)
	e.Invoke(promtest.KnativeOpenCensus, "hello", 404, 7*time.Millisecond, 1)
	for _, o := range []struct {
		ms float64
		n  int
	}{{120, 4}, {35, 2}, {7, 1}} {
		for range o.n {
			obs = append(obs, o.ms)
		}
	}
	a := scrAggs(t, h.mustScrape())["hello"].Aggregate
	if a.Invocations != 7 || a.Errors != 2 {
		t.Errorf("%+v, want 7 invocations, 2 errors", a)
	}
	d := a.Duration
	if d.Count != 7 || !scrNear(d.Sum, 4*120+2*35+7) {
		t.Errorf("duration %+v", d)
	}
	// The histogram is in milliseconds already.
	for _, c := range []struct{ q, got float64 }{{0.5, d.P50}, {0.9, d.P90}, {0.99, d.P99}} {
		if want := scrRefQuantile(c.q, obs, promtest.KnativeOpenCensusBuckets); !scrNear(c.got, want) {
			t.Errorf("p%v = %v, want %v", c.q*100, c.got, want)
		}
	}
	if d.Max != 150 {
		t.Errorf("max %v, want 150", d.Max)
	}
}

func TestScrapeKnativeOTel(t *testing.T) {
	e := promtest.NewExporter(t)
	e.SetReplicas(promtest.KnativeOTel, "world", 1)
	e.Invoke(promtest.KnativeOTel, "world", 200, 20*time.Millisecond, 3)
	h := scrNewHarness(t, e.URL(), func(o *Options) { o.Preset = Presets["knative"] })
	h.mustScrape()
	e.Invoke(promtest.KnativeOTel, "world", 200, 20*time.Millisecond, 9)
	e.Invoke(promtest.KnativeOTel, "world", 503, 300*time.Millisecond, 1)
	e.Invoke(promtest.KnativeOTel, "other", 500, 300*time.Millisecond, 2) // new function
	e.SetReplicas(promtest.KnativeOTel, "world", 4)
	evs := h.mustScrape()
	aggs := scrAggs(t, evs)
	// No request counter at ≥ 1.19: the histogram's count counts.
	if a := aggs["world"].Aggregate; a.Invocations != 10 || a.Errors != 1 || a.Duration.Count != 10 || !scrNear(a.Duration.Sum, 9*20+300) {
		t.Errorf("world %+v", a)
	}
	if a := aggs["other"].Aggregate; a.Invocations != 2 || a.Errors != 2 {
		t.Errorf("other %+v", a)
	}
	m := scrMetas(evs)
	if m["world"].Replicas != 4 || m["other"].Platform != "knative" || m["other"].ReplicasKnown {
		t.Errorf("metas %+v", m)
	}
}

func TestScrapeDetect(t *testing.T) {
	e := promtest.NewExporter(t)
	e.SetRaw("# TYPE go_goroutines gauge\ngo_goroutines 12\nup 1\nprocess_cpu_seconds_total 3.5\n")
	h := scrNewHarness(t, "http://user:hunter2@"+strings.TrimPrefix(e.URL(), "http://")+"?token=s3cret")
	evs, err := h.scrape()
	if err == nil {
		t.Fatal("no error without platform metrics")
	}
	st := scrLastStatus(t, evs)
	if st.State != model.StateFailing || !strings.Contains(st.LastError, "go_goroutines, process_cpu_seconds_total, up") ||
		!strings.Contains(st.LastError, "knative or openfaas") {
		t.Errorf("status %+v", st)
	}
	for _, secret := range []string{"hunter2", "user", "s3cret"} {
		if strings.Contains(st.LastError+st.Detail, secret) {
			t.Errorf("status shows %q: %+v", secret, st)
		}
	}
	// The platform appears (a gateway before its first invocation has
	// only the replica gauge): detected on the next scrape.
	e.SetRaw("")
	e.SetReplicas(promtest.OpenFaaS, scrFig, 1)
	evs = h.mustScrape()
	if h.sc.preset.Name != "openfaas" || scrMetas(evs)[scrFig].Platform != "openfaas" {
		t.Errorf("preset %s, metas %v", h.sc.preset.Name, scrMetas(evs))
	}
	e.Invoke(promtest.OpenFaaS, scrFig, 200, time.Millisecond, 5)
	if a := scrAggs(t, h.mustScrape())[scrFig].Aggregate; a.Invocations != 5 {
		t.Errorf("%+v", a)
	}
}

// The source reads protobuf and OpenMetrics as well as text.
func TestScrapeFormats(t *testing.T) {
	for _, f := range []struct {
		name   string
		format expfmt.Format
	}{{"text", promtest.FormatText}, {"openmetrics", promtest.FormatOpenMetrics}, {"protobuf", promtest.FormatProtobuf}} {
		t.Run(f.name, func(t *testing.T) {
			e := promtest.NewExporter(t)
			e.SetFormat(f.format)
			e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 2)
			e.Invoke(promtest.KnativeOpenCensus, "hello", 200, 30*time.Millisecond, 2)
			e.SetReplicas(promtest.OpenFaaS, scrFig, 2)
			h := scrNewHarness(t, e.URL(), func(o *Options) { o.Preset = Presets["openfaas"] })
			if m := scrMetas(h.mustScrape())[scrFig]; m.Replicas != 2 {
				t.Errorf("meta %+v", m)
			}
			e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 3)
			e.Invoke(promtest.OpenFaaS, scrFig, 503, 60*time.Millisecond, 1)
			a := scrAggs(t, h.mustScrape())[scrFig].Aggregate
			if a.Invocations != 4 || a.Errors != 1 || a.Duration.Count != 4 || !scrNear(a.Duration.Sum, 150) {
				t.Errorf("%+v", a)
			}
			if !strings.HasPrefix(e.LastAccept(), "text/plain;version=0.0.4") {
				t.Errorf("Accept %q", e.LastAccept())
			}
		})
	}
}

func TestScrapeBucketQuantile(t *testing.T) {
	inf := math.Inf(+1)
	for _, c := range []struct {
		name         string
		q            float64
		bounds, cums []float64
		want         float64
	}{
		{"middle of the first bucket from 0", 0.5, []float64{1, 2, inf}, []float64{10, 10, 10}, 0.5},
		{"interpolated", 0.75, []float64{1, 2, inf}, []float64{5, 10, 10}, 1.5},
		{"rank in +Inf: highest finite bound", 0.99, []float64{1, 2, inf}, []float64{1, 2, 10}, 2},
		{"non-monotonic made monotonic", 0.5, []float64{1, 2, 4, inf}, []float64{2, 1, 4, 4}, 1},
		{"no observations", 0.5, []float64{1, inf}, []float64{0, 0}, math.NaN()},
		{"only +Inf", 0.5, []float64{inf}, []float64{3}, math.NaN()},
		{"first bound ≤ 0", 0.1, []float64{0, 1, inf}, []float64{5, 10, 10}, 0},
		{"q above 1", 1.5, []float64{1, inf}, []float64{1, 1}, inf},
		{"q below 0", -1, []float64{1, inf}, []float64{1, 1}, math.Inf(-1)},
		{"exact bucket edge", 0.5, []float64{1, 2, inf}, []float64{5, 10, 10}, 1},
		{"float noise ignored", 0.5, []float64{1, 2, inf}, []float64{10, 10 - 1e-14, 10}, 0.5},
	} {
		got := scrBucketQuantile(c.q, c.bounds, c.cums)
		if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want) || scrNear(got, c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
