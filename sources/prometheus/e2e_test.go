package prometheus

// End-to-end tests against a real Prometheus (Debian's 2.42 at
// /usr/bin/prometheus): one that scrapes the promtest exporter live, one
// on history written with promtool, and a measurement of what a refresh
// costs for 100 and 1,000 functions. Without the binary they skip, unless
// FNTOP_E2E=1 (then they fail).

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	pmodel "github.com/prometheus/common/model"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

const (
	qryPromBin     = promtest.PrometheusBin
	qryPromtoolBin = promtest.PromtoolBin
)

func qryNeedBinary(t *testing.T, bin string) { t.Helper(); promtest.NeedBinary(t, bin) }

// qryProm is a Prometheus process of a test.
type qryProm struct {
	url string
	api v1.API
}

// qryStartProm starts Prometheus (promtest.StartPrometheus) with a client
// for its API.
func qryStartProm(t *testing.T, dataDir string, targets ...string) *qryProm {
	t.Helper()
	p := &qryProm{url: promtest.StartPrometheus(t, dataDir, targets...)}
	c, err := api.NewClient(api.Config{Address: p.url})
	if err != nil {
		t.Fatal(err)
	}
	p.api = v1.NewAPI(c)
	return p
}

// vector runs an instant query.
func (p *qryProm) vector(t *testing.T, q string, at time.Time) pmodel.Vector {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, _, _, err := p.api.Query(ctx, q, at)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	vec, ok := v.(pmodel.Vector)
	if !ok {
		t.Fatalf("%s: %T", q, v)
	}
	return vec
}

// byLabel maps a vector by one label.
func qryByLabel(vec pmodel.Vector, label string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range vec {
		out[string(s.Metric[pmodel.LabelName(label)])] = float64(s.Value)
	}
	return out
}

// waitSamples polls until query (an instant query) answers a value of at
// least n for every one of want (label values of label).
func (p *qryProm) waitSamples(t *testing.T, query, label string, n float64, want ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := qryByLabel(p.vector(t, query, time.Now()), label)
		ok := true
		for _, w := range want {
			ok = ok && got[w] >= n
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v after 20s, want ≥ %v for %v", query, got, n, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func qryHost(rawURL string) string {
	return strings.TrimSuffix(strings.TrimPrefix(rawURL, "http://"), "/metrics")
}

// qryExtent is the start of the oldest aggregate and the end of the
// newest.
func qryExtent(evs []model.Event) (first, end time.Time) {
	for _, e := range evs {
		if e.Kind == model.KindAggregate {
			if first.IsZero() || e.Time.Before(first) {
				first = e.Time
			}
			if t := e.Time.Add(e.Aggregate.Span); t.After(end) {
				end = t
			}
		}
	}
	return first, end
}

// within reports whether got is within rel of want.
func qryWithin(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// TestE2EQueryLive: Prometheus scrapes the promtest exporter every second
// while known loads run; the source, in query mode, must agree with
// PromQL's own rate() over the same minute, split errors, place the
// quantiles in the buckets of the known durations, and carry replicas,
// with cold starts and cost null.
//
// Tolerance 10% on rates: the source sums increase() over 10 s steps
// while rate() extrapolates over the whole minute; where both see the
// same samples they differ only by extrapolation at the step edges (a
// fraction of a scrape interval per step) and by rounding to whole
// invocations. Quantiles: only the bucket is known, so the check is the
// bucket's bounds (1% more for the model's sketch).
func TestE2EQueryLive(t *testing.T) {
	qryNeedBinary(t, qryPromBin)
	exp := promtest.NewExporter(t)
	const alpha, beta, hello = "alpha.openfaas-fn", "beta.openfaas-fn", "hello"
	exp.SetReplicas(promtest.OpenFaaS, alpha, 3)
	exp.SetReplicas(promtest.OpenFaaS, beta, 1)
	exp.SetReplicas(promtest.KnativeOpenCensus, hello, 2)
	_, stopLoad := exp.Workload(context.Background(), 200*time.Millisecond,
		promtest.Load{Preset: promtest.OpenFaaS, Function: alpha, Code: 200, Duration: 30 * time.Millisecond, PerSecond: 10},
		promtest.Load{Preset: promtest.OpenFaaS, Function: alpha, Code: 500, Duration: 2 * time.Second, PerSecond: 5},
		promtest.Load{Preset: promtest.OpenFaaS, Function: beta, Code: 200, Duration: 300 * time.Millisecond, PerSecond: 5},
		promtest.Load{Preset: promtest.KnativeOpenCensus, Function: hello, Code: 200, Duration: 120 * time.Millisecond, PerSecond: 10},
		promtest.Load{Preset: promtest.KnativeOpenCensus, Function: hello, Code: 503, Duration: 120 * time.Millisecond, PerSecond: 5},
	)
	defer stopLoad()
	prom := qryStartProm(t, "", qryHost(exp.URL()))
	// Two samples: the probe sees the scrape interval.
	prom.waitSamples(t, "count_over_time(gateway_function_invocation_total[1m])", "function_name", 2, alpha, beta)

	type run struct {
		preset *Preset
		label  string
		rec    *qrySink
		store  *model.Store
	}
	runs := []*run{
		{preset: Presets["openfaas"], label: "function_name"},
		{preset: Presets["knative"], label: "service_name"},
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range runs {
		r.rec, r.store = &qrySink{}, model.NewStore(model.Options{Clock: time.Now})
		// Auto mode: the source finds the API by its buildinfo.
		src, err := New(Options{URL: prom.url, Preset: r.preset, Interval: 2 * time.Second, Backfill: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := src.Run(ctx, qryTee{r.rec, r.store}); err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
	}
	// Until each run has two steps with data (one may be partial: the
	// first scrapes came in its middle), at most 24 s.
	deadline := time.Now().Add(24 * time.Second)
	for time.Now().Before(deadline) {
		enough := true
		for _, r := range runs {
			first, end := qryExtent(r.rec.all())
			enough = enough && end.Sub(first) >= 20*time.Second
		}
		if enough {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	wg.Wait()

	for _, r := range runs {
		t.Run(r.preset.Name, func(t *testing.T) {
			st := r.rec.lastStatus()
			if st.State != model.StateOK || st.LastError != "" || !strings.Contains(st.Detail, "step 10s") {
				t.Errorf("status %+v", st)
			}
			t.Logf("status: %s (lag %s)", st.Detail, st.Lag)
			first, end := qryExtent(r.rec.all())
			if end.IsZero() || time.Since(end) > 15*time.Second || end.Sub(first) < 10*time.Second {
				t.Fatalf("steps from %v to %v", first, end)
			}
			// The store's 1m window starts at its first data when that
			// is younger than a minute: PromQL's rate() is asked over
			// the same span.
			snap := r.store.Snapshot(model.SnapshotOptions{Window: model.Window1m, End: end.Add(-time.Millisecond)})
			rng := fmt.Sprintf("%.0fs", math.Round(snap.Window.Seconds))
			if !snap.Window.Start.Equal(first) && rng != "60s" {
				t.Errorf("window %+v, first step %v", snap.Window, first)
			}
			var reqs, lat string
			if r.preset.Name == "openfaas" {
				reqs, lat = "gateway_function_invocation_total", "gateway_functions_seconds"
			} else {
				reqs, lat = "revision_request_count", "revision_request_latencies"
			}
			rates := qryByLabel(prom.vector(t, fmt.Sprintf("sum by (%s) (rate(%s[%s]))", r.label, reqs, rng), end), r.label)
			errRates := qryByLabel(prom.vector(t, fmt.Sprintf(`sum by (%s) (rate(%s{%s=~"5.."}[%s]))`, r.label, reqs, map[string]string{"openfaas": "code", "knative": "response_code"}[r.preset.Name], rng), end), r.label)
			p99s := qryByLabel(prom.vector(t, fmt.Sprintf("histogram_quantile(0.99, sum by (le, %s) (rate(%s_bucket[%s])))", r.label, lat, rng), end), r.label)
			byName := map[string]model.FunctionStats{}
			for _, fs := range snap.Functions {
				byName[fs.Name] = fs
			}
			// Per function: the bucket bounds (ms) of p50 and p99,
			// the replicas.
			want := map[string]struct {
				p50lo, p50hi, p99lo, p99hi float64
				replicas                   int
				errors                     bool
			}{
				alpha: {25, 50, 1000, 2500, 3, true},
				beta:  {250, 500, 250, 500, 1, false},
				hello: {100, 150, 100, 150, 2, true},
			}
			n := 0
			for name, w := range want {
				fs, ok := byName[name]
				if !ok {
					continue
				}
				n++
				promRate := rates[name]
				t.Logf("%s over %s: %.3f/s (PromQL rate() %.3f/s), errors %.3f/s (PromQL %.3f/s), duration %+v, PromQL p99 %.0f ms",
					name, rng, fs.RatePerS, promRate, float64(fs.Errors)/snap.Window.Seconds, errRates[name], *fs.Duration, p99s[name]*1000*map[string]float64{"openfaas": 1, "knative": 0.001}[r.preset.Name])
				if promRate <= 0 || !qryWithin(fs.RatePerS, promRate, 0.10) {
					t.Errorf("%s: rate %.3f/s, PromQL says %.3f/s (more than 10%% apart)", name, fs.RatePerS, promRate)
				}
				if w.errors {
					if !qryWithin(float64(fs.Errors)/snap.Window.Seconds, errRates[name], 0.10) {
						t.Errorf("%s: error rate %.3f/s, PromQL says %.3f/s", name, float64(fs.Errors)/snap.Window.Seconds, errRates[name])
					}
				} else if fs.Errors != 0 {
					t.Errorf("%s: %d errors, want none", name, fs.Errors)
				}
				d := fs.Duration
				if d == nil || d.P50 < w.p50lo*0.99 || d.P50 > w.p50hi*1.01 || d.P99 < w.p99lo*0.99 || d.P99 > w.p99hi*1.01 {
					t.Errorf("%s: duration %+v, want p50 in [%v, %v] ms and p99 in [%v, %v] ms", name, d, w.p50lo, w.p50hi, w.p99lo, w.p99hi)
				}
				if fs.Replicas == nil || *fs.Replicas != w.replicas || fs.Platform != r.preset.Name {
					t.Errorf("%s: replicas %v, platform %q", name, fs.Replicas, fs.Platform)
				}
				// Cold starts, throttles and cost: null in the JSON.
				b, err := json.Marshal(fs)
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				for _, k := range []string{"cold_starts", "cold_start_ratio", "throttles", "cost_usd", "cost", "cost_per_hour_usd"} {
					if v, ok := m[k]; !ok || v != nil {
						t.Errorf("%s: %s = %v in JSON, want null", name, k, v)
					}
				}
				if m["replicas"] != float64(w.replicas) {
					t.Errorf("%s: replicas %v in JSON", name, m["replicas"])
				}
			}
			if want := map[string]int{"openfaas": 2, "knative": 1}[r.preset.Name]; n != want || len(snap.Functions) != want {
				t.Errorf("%d functions (%d checked), want %d", len(snap.Functions), n, want)
			}
			// Every aggregate's own p99 is in the bucket too.
			for _, e := range r.rec.kind(model.KindAggregate) {
				w := want[e.Function]
				if p := e.Aggregate.Duration.P99; p > 0 && (p < w.p99lo || p > w.p99hi) {
					t.Errorf("%s at %v: p99 %.1f ms outside [%v, %v]", e.Function, e.Time, p, w.p99lo, w.p99hi)
				}
			}
		})
	}
}

// qryHistory writes OpenMetrics with timestamps for the hour before end:
// a sample every 15 s, on the minute and between. In minute m function
// "f1" gets 4·q(m) invocations (q(m) per 15 s, all 30 ms), "f2" 4·q2(m) of
// which 4·e2(m) answered 500 (all 300 ms); the OpenFaaS gateway counts
// them, and Knative ≥ 1.19's queue-proxy the same ones for service "kf"
// (histogram only, its _count counting). Replicas 2, 1 and 4.
func qryHistory(end time.Time) (text string, perMinute map[string][]int) {
	q := func(m int) int { return 1 + m%5 + 3*(m%2) }
	q2 := func(m int) int { return 2 + m%3 }
	e2 := func(m int) int { return m % 2 }
	const minutes = 60
	start := end.Add(-minutes * time.Minute)
	perMinute = map[string][]int{"f1": make([]int, minutes), "f2": make([]int, minutes), "f2-errors": make([]int, minutes)}
	for m := 0; m < minutes; m++ {
		perMinute["f1"][m] = 4 * q(m)
		perMinute["f2"][m] = 4 * q2(m)
		perMinute["f2-errors"][m] = 4 * e2(m)
	}
	type series struct {
		labels  string
		seconds float64         // duration of each invocation
		per15   func(m int) int // invocations per 15 s in minute m
	}
	ofSeries := []series{
		{`code="200",function_name="f1"`, 0.03, q},
		{`code="200",function_name="f2"`, 0.3, func(m int) int { return q2(m) - e2(m) }},
		{`code="500",function_name="f2"`, 0.3, e2},
	}
	knSeries := []series{
		{`http_response_status_code="200",kn_revision_name="kf-00001",kn_service_name="kf"`, 0.03, q},
	}
	buckets := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	var b strings.Builder
	// Each sample's time: every 15 s from start to end inclusive. The
	// counter at time k·15 s holds the invocations of the quarters
	// before it.
	n := minutes*4 + 1
	cum := func(s series, k int) int {
		c := 0
		for j := 0; j < k; j++ {
			c += s.per15(j / 4)
		}
		return c
	}
	ts := func(k int) string {
		return fmt.Sprintf("%d", start.Add(time.Duration(k)*15*time.Second).Unix())
	}
	write := func(name string, ss []series, value func(s series, c int) string, extra string) {
		for _, s := range ss {
			for k := 0; k < n; k++ {
				lbl := s.labels
				if extra != "" {
					lbl += "," + extra
				}
				fmt.Fprintf(&b, "%s{%s} %s %s\n", name, lbl, value(s, cum(s, k)), ts(k))
			}
		}
	}
	count := func(s series, c int) string { return fmt.Sprint(c) }
	sum := func(s series, c int) string { return fmt.Sprintf("%g", float64(c)*s.seconds) }
	for _, fam := range []struct {
		base string
		ss   []series
	}{{"gateway_functions_seconds", ofSeries}, {"kn_serving_invocation_duration_seconds", knSeries}} {
		for _, le := range append(buckets, math.Inf(1)) {
			leS := "+Inf"
			if !math.IsInf(le, 1) {
				leS = fmt.Sprintf("%g", le)
			}
			write(fam.base+"_bucket", fam.ss, func(s series, c int) string {
				if s.seconds <= le {
					return fmt.Sprint(c)
				}
				return "0"
			}, fmt.Sprintf("le=%q", leS))
		}
		write(fam.base+"_sum", fam.ss, sum, "")
		write(fam.base+"_count", fam.ss, count, "")
	}
	write("gateway_function_invocation_total", ofSeries, count, "")
	for _, g := range []struct{ name, labels, v string }{
		{"gateway_service_count", `function_name="f1"`, "2"},
		{"gateway_service_count", `function_name="f2"`, "1"},
		{"kn_revision_pods_count", `kn_revision_name="kf-00001",kn_service_name="kf"`, "4"},
	} {
		for k := 0; k < n; k++ {
			fmt.Fprintf(&b, "%s{%s} %s %s\n", g.name, g.labels, g.v, ts(k))
		}
	}
	b.WriteString("# EOF\n")
	return b.String(), perMinute
}

// TestE2EQueryHistory: an hour of history written with promtool, read
// back with a 1h backfill. increase() over a minute is exact here: the
// samples fall on the minute boundaries, so Prometheus 2.x (whose range
// [T-1m, T] includes both ends) sees the counter at both ends and
// extrapolates nothing; the last two minutes come in 30 s steps (the
// probed interval is 15 s), equally exact. So per-minute counts must
// match to the invocation, and the quantiles the histogram's linear
// interpolation exactly (30 ms in the bucket (25, 50] ms: p50 37.5 ms).
func TestE2EQueryHistory(t *testing.T) {
	qryNeedBinary(t, qryPromBin)
	qryNeedBinary(t, qryPromtoolBin)
	now := time.Now()
	end := now.Add(-5 * time.Second).Truncate(time.Minute)
	text, perMinute := qryHistory(end)
	dir := t.TempDir()
	om := filepath.Join(dir, "history.om")
	if err := os.WriteFile(om, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(qryPromtoolBin, "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	prom := qryStartProm(t, data)
	start := end.Add(-time.Hour)
	// The source's clock: half a minute after the history's end, so that
	// its hour starts on the history's first minute whatever second the
	// test runs at.
	now = end.Add(30 * time.Second)

	for _, tc := range []struct {
		preset   string
		fns      []string
		replicas map[string]int
	}{
		{"openfaas", []string{"f1", "f2"}, map[string]int{"f1": 2, "f2": 1}},
		{"knative", []string{"kf"}, map[string]int{"kf": 4}},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			src, err := New(Options{URL: prom.url, Mode: ModeQuery, Preset: Presets[tc.preset], Backfill: time.Hour, Clock: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			rec := &qrySink{}
			store := model.NewStore(model.Options{Clock: func() time.Time { return now }})
			q, err := newQuerier(src, qryTee{rec, store})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.run(context.Background(), true); err != nil {
				t.Fatal(err)
			}
			if q.step != 30*time.Second {
				t.Errorf("step %s, want 30s (a 15 s scrape interval)", q.step)
			}
			st := q.stats()
			t.Logf("1h backfill of %v: %d requests, %d bytes of JSON, %d on the wire; status %q", tc.fns, st.Requests, st.JSONBytes, st.WireBytes, rec.lastStatus().Detail)

			got := map[string][]int{}
			errs := map[string][]int{}
			for _, fn := range tc.fns {
				got[fn], errs[fn] = make([]int, 60), make([]int, 60)
			}
			for _, e := range rec.kind(model.KindAggregate) {
				m := int(e.Time.Sub(start) / time.Minute)
				if m < 0 || m >= 60 || got[e.Function] == nil {
					t.Errorf("aggregate out of the history: %s at %v", e.Function, e.Time)
					continue
				}
				got[e.Function][m] += int(e.Aggregate.Invocations)
				errs[e.Function][m] += int(e.Aggregate.Errors)
				d := e.Aggregate.Duration
				wantP50, wantP99, wantAvg := 37.5, 49.75, 30.0
				if e.Function == "f2" {
					wantP50, wantP99, wantAvg = 375, 497.5, 300
				}
				if !qryWithin(d.P50, wantP50, 1e-9) || !qryWithin(d.P99, wantP99, 1e-9) || !qryWithin(d.Sum/float64(d.Count), wantAvg, 1e-9) {
					t.Errorf("%s at %v: duration %+v, want p50 %v, p99 %v, avg %v ms", e.Function, e.Time, d, wantP50, wantP99, wantAvg)
				}
			}
			for _, fn := range tc.fns {
				want := perMinute[fn]
				if fn == "kf" {
					want = perMinute["f1"]
				}
				for m := range want {
					if got[fn][m] != want[m] {
						t.Errorf("%s minute %d: %d invocations, want %d", fn, m, got[fn][m], want[m])
					}
					wantErr := 0
					if fn == "f2" {
						wantErr = perMinute["f2-errors"][m]
					}
					if errs[fn][m] != wantErr {
						t.Errorf("%s minute %d: %d errors, want %d", fn, m, errs[fn][m], wantErr)
					}
				}
			}
			// PromQL's own increase() over the last minute agrees.
			label := map[string]string{"openfaas": "function_name", "knative": "kn_service_name"}[tc.preset]
			metric := map[string]string{"openfaas": "gateway_function_invocation_total", "knative": "kn_serving_invocation_duration_seconds_count"}[tc.preset]
			inc := qryByLabel(prom.vector(t, fmt.Sprintf("sum by (%s) (increase(%s[1m]))", label, metric), end), label)
			for _, fn := range tc.fns {
				if inc[fn] != float64(got[fn][59]) {
					t.Errorf("%s: last minute %d, PromQL increase() %v", fn, got[fn][59], inc[fn])
				}
			}
			// The store: the hour's totals and replicas.
			snap := store.Snapshot(model.SnapshotOptions{Window: model.Window1h, End: end.Add(-time.Millisecond)})
			for _, fs := range snap.Functions {
				total := 0
				for _, v := range got[fs.Name] {
					total += v
				}
				sum := 0
				for _, v := range map[string][]int{"f1": perMinute["f1"], "f2": perMinute["f2"], "kf": perMinute["f1"]}[fs.Name] {
					sum += v
				}
				if fs.Invocations != int64(sum) || fs.Replicas == nil || *fs.Replicas != tc.replicas[fs.Name] {
					t.Errorf("%s: %d invocations in the hour (want %d), replicas %v (want %d)", fs.Name, fs.Invocations, sum, fs.Replicas, tc.replicas[fs.Name])
				}
			}
			if len(snap.Functions) != len(tc.fns) {
				t.Errorf("%d functions, want %d", len(snap.Functions), len(tc.fns))
			}
		})
	}
}

// TestE2EQueryScale measures what one refresh (one new 10 s step) costs
// for 100 and then 1,000 functions scraped by the real Prometheus: the
// number of queries stays the same, the answers grow with the fleet.
func TestE2EQueryScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	qryNeedBinary(t, qryPromBin)
	exp := promtest.NewExporter(t)
	fn := func(i int) string { return fmt.Sprintf("fn-%04d.openfaas-fn", i) }
	var mu sync.Mutex
	active := 100
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		tk := time.NewTicker(500 * time.Millisecond)
		defer tk.Stop()
		for {
			mu.Lock()
			n := active
			mu.Unlock()
			for i := 0; i < n; i++ {
				exp.Invoke(promtest.OpenFaaS, fn(i), 200, 40*time.Millisecond, 2)
				if i%10 == 0 {
					exp.Invoke(promtest.OpenFaaS, fn(i), 500, 900*time.Millisecond, 1)
				}
				exp.SetReplicas(promtest.OpenFaaS, fn(i), 1+i%3)
			}
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
			}
		}
	}()
	defer func() { cancel(); <-loadDone }()
	prom := qryStartProm(t, "", qryHost(exp.URL()))

	measure := func(n int) {
		// Every function has at least three samples in the step
		// (which ends settle before now).
		prom.waitSamples(t, "count_over_time(gateway_function_invocation_total{code=\"200\"}[7s] offset 3s)", "function_name", 3, fn(0), fn(n-1))
		src, err := New(Options{URL: prom.url, Mode: ModeQuery, Preset: Presets["openfaas"]})
		if err != nil {
			t.Fatal(err)
		}
		rec := &qrySink{}
		q, err := newQuerier(src, rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.resolve(context.Background()); err != nil {
			t.Fatal(err)
		}
		discovery := q.stats()
		to := time.Now().Add(-settle).Truncate(time.Second)
		if err := q.query(context.Background(), []span{{to.Add(-q.step), to, q.step}}, to); err != nil {
			t.Fatal(err)
		}
		st := q.stats().sub(discovery)
		fns := map[string]bool{}
		for _, e := range rec.kind(model.KindAggregate) {
			fns[e.Function] = true
		}
		if len(fns) != n {
			t.Errorf("%d functions with an aggregate, want %d", len(fns), n)
		}
		if st.Requests != 7 {
			t.Errorf("%d requests per refresh, want 7 (6 figures over the step, replicas now)", st.Requests)
		}
		t.Logf("%5d functions: %d queries/refresh, %7d bytes of JSON (%.0f per function), %6d on the wire (gzip); discovery and probe %d requests, %d bytes",
			n, st.Requests, st.JSONBytes, float64(st.JSONBytes)/float64(n), st.WireBytes, discovery.Requests, discovery.WireBytes)
	}
	measure(100)
	mu.Lock()
	active = 1000
	mu.Unlock()
	measure(1000)
}
