package prometheus

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
	pmodel "github.com/prometheus/common/model"

	"github.com/fntop/fntop/model"
)

// qryTee sends events to a recording sink and a store.
type qryTee struct {
	rec   *qrySink
	store *model.Store
}

func (t qryTee) Ingest(evs ...model.Event) {
	t.rec.Ingest(evs...)
	t.store.Ingest(evs...)
}

// qryFixedClock is 12:00:03: a backfill of a minute ends on 12:00:00
// (now less settle, on a 10 s step) and has six steps.
func qryFixedClock() time.Time { return time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC) }

func qryRun(t *testing.T, src *Source, sink model.Sink) (cancel func()) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()
	var once sync.Once
	return func() {
		once.Do(func() { qryStop(t, stop, done) })
	}
}

func qryStop(t *testing.T, stop func(), done chan error) {
	t.Helper()
	{
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
}

func TestQueryBackfillThenRefresh(t *testing.T) {
	f := qryNewFake(t, false)
	clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Interval: 20 * time.Millisecond,
		Backfill: 10 * time.Minute, Timeout: 2 * time.Second, Clock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &qrySink{}
	store := model.NewStore(model.Options{Clock: clock.now})
	stop := qryRun(t, src, qryTee{rec, store})
	defer stop()

	rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateOK })
	// 10 min: 1 min steps from 11:50 to 11:58, then 10 s steps (1 s
	// scrape interval) to 12:00:00 (now minus settle, on a step).
	got := qryAggregates(t, rec.all())
	if a := got["a.openfaas-fn"]; a.Invocations != 6000 || a.Errors != 600 || a.Span != 10*time.Minute {
		t.Errorf("a after backfill: %+v, want 6000 invocations, 600 errors over 10m", a)
	}
	if b := got["b.openfaas-fn"]; b.Invocations != 1200 || b.Errors != 0 {
		t.Errorf("b after backfill: %+v", b)
	}
	calls := f.rangeCalls()
	sort.Slice(calls, func(i, j int) bool { return calls[i].start < calls[j].start })
	var steps []time.Duration
	for _, c := range calls {
		if strings.HasPrefix(c.query, "sum by (function_name) (increase(gateway_function_invocation_total{function_name!=\"\"}[") {
			steps = append(steps, time.Duration(c.step*float64(time.Second)))
		}
	}
	if len(steps) != 2 || steps[0] != time.Minute || steps[1] != 10*time.Second {
		t.Errorf("backfill steps %v, want [1m 10s]", steps)
	}

	// 25 s later: two more 10 s steps (to 12:00:20).
	clock.set(clock.now().Add(25 * time.Second))
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && qryAggregates(t, rec.all())["a.openfaas-fn"].Invocations < 6200 {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	got = qryAggregates(t, rec.all())
	if a := got["a.openfaas-fn"]; a.Invocations != 6200 || a.Errors != 620 {
		t.Errorf("a after a refresh: %+v, want 6200 invocations, 620 errors", a)
	}
	qryContiguous(t, f.rangeCalls())

	// One step's aggregate, in milliseconds.
	for _, e := range rec.kind(model.KindAggregate) {
		if e.Function == "a.openfaas-fn" && e.Time.Equal(time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)) {
			want := model.Aggregate{Span: 10 * time.Second, Invocations: 100, Errors: 10, HasInvocations: true, HasErrors: true,
				Duration: model.DurationSummary{Count: 100, Sum: 5000, Max: 200, P50: 40, P90: 80, P99: 200}}
			if d := e.Aggregate; d.Span != want.Span || d.Invocations != want.Invocations || d.Errors != want.Errors ||
				!d.HasInvocations || !d.HasErrors || d.HasColdStarts || d.HasThrottles ||
				math.Abs(d.Duration.Sum-want.Duration.Sum) > 1e-6 || d.Duration.Count != 100 ||
				math.Abs(d.Duration.P50-40) > 1e-9 || math.Abs(d.Duration.P90-80) > 1e-9 || math.Abs(d.Duration.P99-200) > 1e-9 || math.Abs(d.Duration.Max-200) > 1e-9 {
				t.Errorf("aggregate %+v, want %+v", d, want)
			}
		}
		if e.Function == "b.openfaas-fn" && (e.Aggregate.Duration.P50 != 0 || e.Aggregate.Duration.P99 != 0) {
			t.Fatalf("b's NaN quantiles were emitted: %+v", e.Aggregate.Duration)
		}
	}

	// Meta: platform and replicas, once each (they did not change).
	metas := map[string]int{}
	for _, e := range rec.kind(model.KindMeta) {
		metas[e.Function]++
		if e.Meta.Platform != "openfaas" || !e.Meta.ReplicasKnown {
			t.Errorf("meta %+v", e.Meta)
		}
	}
	if metas["a.openfaas-fn"] != 1 || metas["b.openfaas-fn"] != 1 {
		t.Errorf("meta events per function %v, want one each", metas)
	}

	// The store: rates over the 1m window ending at the newest step.
	snap := store.Snapshot(model.SnapshotOptions{Window: model.Window1m, End: time.Date(2026, 3, 1, 12, 0, 20, 0, time.UTC).Add(-time.Millisecond)})
	for _, fs := range snap.Functions {
		want := map[string]float64{"a.openfaas-fn": 10, "b.openfaas-fn": 2}[fs.Name]
		if math.Abs(fs.RatePerS-want) > want*1e-4 { // the window ends 1 ms before the step
			t.Errorf("%s: %.3f/s, want %.0f", fs.Name, fs.RatePerS, want)
		}
		if fs.Replicas == nil || fs.ColdStarts != nil || fs.Throttles != nil || fs.Platform != "openfaas" {
			t.Errorf("%s: replicas %v, cold starts %v, throttles %v, platform %q", fs.Name, fs.Replicas, fs.ColdStarts, fs.Throttles, fs.Platform)
		}
		if fs.Name == "a.openfaas-fn" && (fs.Duration == nil || math.Abs(fs.Duration.Avg-50) > 1e-6) {
			t.Errorf("a's duration %+v, want avg 50 ms", fs.Duration)
		}
	}
	st := rec.lastStatus()
	for _, want := range []string{"query mode", "openfaas", "2 functions", "queries/refresh", "step 10s"} {
		if !strings.Contains(st.Detail, want) {
			t.Errorf("detail %q lacks %q", st.Detail, want)
		}
	}
}

// TestQueryFaults: every kind of bad answer gives a failing status that
// says what is wrong, the source retries, recovers and never hangs.
func TestQueryFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter, r *http.Request)
		want  string
	}{
		{"500 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "<html><body>oops</body></html>")
		}, "server error: 500"},
		{"502 proxy", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream connect error", http.StatusBadGateway)
		}, "server error: 502 (the API or a proxy in front of it failed)"},
		{"200 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><title>Grafana</title></html>")
		}, "answered with an HTML page"},
		{"422", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"}`)
		}, "query failed (422): query processing would load too many samples"},
		{"400", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}`)
		}, "bad query (400): 1:5: parse error"},
		{"401", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		}, "unauthorized (401)"},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}`)
		}, "not a Prometheus API answer"},
		{"hang", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, "no answer within 300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := qryNewFake(t, false)
			clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
			src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Interval: 20 * time.Millisecond,
				Backfill: time.Minute, Timeout: 300 * time.Millisecond, Clock: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			rec := &qrySink{}
			stop := qryRun(t, src, rec)
			defer stop()
			rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateOK })
			before := len(qryAggregates(t, rec.all()))

			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/api/v1/query_range" {
					return false
				}
				tc.fault(w, r)
				return true
			})
			clock.set(clock.now().Add(30 * time.Second))
			st := rec.waitStatus(t, 5*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateFailing })
			if !strings.Contains(st.LastError, tc.want) {
				t.Errorf("LastError %q, want it to contain %q", st.LastError, tc.want)
			}
			if !strings.Contains(st.Detail, "retrying in") {
				t.Errorf("detail %q does not tell the retry", st.Detail)
			}
			if strings.Contains(st.LastError, "<html") || strings.Contains(st.LastError, "oops") {
				t.Errorf("LastError shows the body: %q", st.LastError)
			}
			f.setFault(nil)
			n := len(rec.kind(model.KindStatus))
			deadline := time.Now().Add(5 * time.Second)
			for {
				sts := rec.kind(model.KindStatus)
				if len(sts) > n && sts[len(sts)-1].Status.State == model.StateOK {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no recovery: %+v", rec.lastStatus())
				}
				time.Sleep(5 * time.Millisecond)
			}
			stop()
			// The failed steps were asked again, once.
			got := qryAggregates(t, rec.all())
			if len(got) < before {
				t.Errorf("functions lost")
			}
			if a := got["a.openfaas-fn"]; a.Span != time.Minute+30*time.Second {
				t.Errorf("a covers %s, want 1m30s: steps lost or counted twice", a.Span)
			}
			qryContiguous(t, f.rangeCalls())
		})
	}
}

// TestQueryBackfillRetried: a backfill that fails is asked again by the
// live loop, whole, once the API answers.
func TestQueryBackfillRetried(t *testing.T) {
	f := qryNewFake(t, false)
	var failed atomic.Int64
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/query_range" || failed.Add(1) > 3 {
			return false
		}
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return true
	})
	clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Interval: 20 * time.Millisecond,
		Backfill: 10 * time.Minute, Timeout: time.Second, Clock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &qrySink{}
	stop := qryRun(t, src, rec)
	defer stop()
	st := rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateFailing })
	if !strings.Contains(st.Detail, "backfill failed") {
		t.Errorf("status %+v", st)
	}
	rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateOK })
	stop()
	if a := qryAggregates(t, rec.all())["a.openfaas-fn"]; a.Invocations != 6000 || a.Span != 10*time.Minute {
		t.Errorf("a: %+v, want the 10 minutes once", a)
	}
}

// TestQueryLagging: Prometheus answers but the series stopped (the
// targets are no longer scraped): lagging, with the time of the newest
// samples, and ok again when they come back.
func TestQueryLagging(t *testing.T) {
	f := qryNewFake(t, false)
	clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Interval: 20 * time.Millisecond,
		Backfill: time.Minute, Timeout: time.Second, Clock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &qrySink{}
	stop := qryRun(t, src, rec)
	defer stop()
	rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateOK })
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/query_range" {
			return false
		}
		qryJSON(w, map[string]any{"resultType": "matrix", "result": []any{}})
		return true
	})
	clock.set(clock.now().Add(40 * time.Second))
	st := rec.waitStatus(t, 3*time.Second, func(s model.SourceStatus) bool { return s.State == model.StateLagging })
	if !strings.Contains(st.Detail, "no new samples since") || st.Lag < 40*time.Second || st.LastError != "" {
		t.Errorf("lagging status %+v", st)
	}
	f.setFault(nil)
	clock.set(clock.now().Add(10 * time.Second))
	deadline := time.Now().Add(3 * time.Second)
	for rec.lastStatus().State != model.StateOK {
		if time.Now().After(deadline) {
			t.Fatalf("still %+v", rec.lastStatus())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestQueryBackfillOnlyFails(t *testing.T) {
	f := qryNewFake(t, false)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Backfill: time.Hour, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rec := &qrySink{}
	start := time.Now()
	err = src.Backfill(context.Background(), rec)
	if err == nil || !strings.Contains(err.Error(), "server error: 503") {
		t.Errorf("Backfill: %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Backfill took %s", time.Since(start))
	}
	if st := rec.lastStatus(); st.State != model.StateFailing || !strings.Contains(st.LastError, "503") {
		t.Errorf("status %+v", st)
	}

	// A closed port: a connection error, not a hang.
	f.srv.Close()
	err = src.Backfill(context.Background(), rec)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Backfill on a closed port: %v", err)
	}
}

func TestQueryAutoPreset(t *testing.T) {
	f := qryNewFake(t, false)
	clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Backfill: time.Minute, Timeout: time.Second, Clock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &qrySink{}
	if err := src.Backfill(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.kind(model.KindMeta) {
		if e.Meta.Platform != "openfaas" {
			t.Errorf("platform %q", e.Meta.Platform)
		}
	}
	// Six whole 10 s steps of 100, and the 3 s in progress at 12:00:03
	// (a headless backfill reaches now): 30 more.
	if got := qryAggregates(t, rec.all())["a.openfaas-fn"].Invocations; got != 630 {
		t.Errorf("a: %d invocations in the 1m backfill, want 630", got)
	}
}

// qryPlanAPI answers discovery from fixed sets.
type qryPlanAPI struct {
	names  []string
	labels map[string][]string
}

func (a *qryPlanAPI) Query(context.Context, string, time.Time, ...v1.Option) (pmodel.Value, v1.Warnings, v1.Infos, error) {
	return pmodel.Vector{}, nil, nil, nil
}

func (a *qryPlanAPI) QueryRange(context.Context, string, v1.Range, ...v1.Option) (pmodel.Value, v1.Warnings, v1.Infos, error) {
	return pmodel.Matrix{}, nil, nil, nil
}

func (a *qryPlanAPI) LabelNames(_ context.Context, m []string, _, _ time.Time, _ ...v1.Option) (pmodel.LabelNames, v1.Warnings, v1.Infos, error) {
	var out pmodel.LabelNames
	for _, l := range a.labels[m[0]] {
		out = append(out, pmodel.LabelName(l))
	}
	return out, nil, nil, nil
}

func (a *qryPlanAPI) LabelValues(context.Context, string, []string, time.Time, time.Time, ...v1.Option) (pmodel.LabelValues, v1.Warnings, v1.Infos, error) {
	var out pmodel.LabelValues
	for _, n := range a.names {
		out = append(out, pmodel.LabelValue(n))
	}
	return out, nil, nil, nil
}

// TestQueryPlanPromQL shows the PromQL of each preset as resolved against
// the metric names and labels present.
func TestQueryPlanPromQL(t *testing.T) {
	ofNames := []string{"gateway_function_invocation_total", "gateway_functions_seconds_bucket", "gateway_functions_seconds_count", "gateway_functions_seconds_sum", "gateway_service_count"}
	for _, tc := range []struct {
		name   string
		preset *Preset
		api    *qryPlanAPI
		want   map[Figure]string
	}{
		{"openfaas", Presets["openfaas"], &qryPlanAPI{names: ofNames, labels: map[string][]string{
			"gateway_function_invocation_total": {"__name__", "code", "function_name"},
		}}, map[Figure]string{
			FigInvocations: `sum by (function_name) (increase(gateway_function_invocation_total{function_name!=""}[10s]))`,
			FigErrors:      `sum by (function_name) (increase(gateway_function_invocation_total{function_name!="",code=~"5.."}[10s]))`,
			FigP50:         `histogram_quantile(0.5, sum by (le, function_name) (rate(gateway_functions_seconds_bucket{function_name!=""}[10s])))`,
			FigP90:         `histogram_quantile(0.9, sum by (le, function_name) (rate(gateway_functions_seconds_bucket{function_name!=""}[10s])))`,
			FigP99:         `histogram_quantile(0.99, sum by (le, function_name) (rate(gateway_functions_seconds_bucket{function_name!=""}[10s])))`,
			FigDurationSum: `sum by (function_name) (increase(gateway_functions_seconds_sum{function_name!=""}[10s]))`,
			FigReplicas:    `max by (function_name) (gateway_service_count{function_name!=""})`,
		}},
		{"knative ≥ 1.19", Presets["knative"], &qryPlanAPI{
			names: []string{"kn_serving_invocation_duration_seconds_bucket", "kn_serving_invocation_duration_seconds_count", "kn_serving_invocation_duration_seconds_sum", "kn_revision_pods_count"},
			labels: map[string][]string{
				"kn_serving_invocation_duration_seconds_count": {"__name__", "http_response_status_code", "kn_revision_name", "kn_service_name"},
				"kn_revision_pods_count":                       {"__name__", "kn_revision_name", "kn_service_name"},
			}}, map[Figure]string{
			FigInvocations: `sum by (kn_service_name) (increase(kn_serving_invocation_duration_seconds_count{kn_service_name!=""}[10s]))`,
			FigErrors:      `sum by (kn_service_name) (increase(kn_serving_invocation_duration_seconds_count{kn_service_name!="",http_response_status_code=~"5.."}[10s]))`,
			FigP50:         `histogram_quantile(0.5, sum by (le, kn_service_name) (rate(kn_serving_invocation_duration_seconds_bucket{kn_service_name!=""}[10s])))`,
			FigP90:         `histogram_quantile(0.9, sum by (le, kn_service_name) (rate(kn_serving_invocation_duration_seconds_bucket{kn_service_name!=""}[10s])))`,
			FigP99:         `histogram_quantile(0.99, sum by (le, kn_service_name) (rate(kn_serving_invocation_duration_seconds_bucket{kn_service_name!=""}[10s])))`,
			FigDurationSum: `sum by (kn_service_name) (increase(kn_serving_invocation_duration_seconds_sum{kn_service_name!=""}[10s]))`,
			FigReplicas:    `max by (kn_service_name) (kn_revision_pods_count{kn_service_name!=""})`,
		}},
		{"knative ≤ 1.18, replicas without the service label", Presets["knative"], &qryPlanAPI{
			names: []string{"revision_request_count", "revision_request_latencies_bucket", "revision_request_latencies_sum", "autoscaler_actual_pods"},
			labels: map[string][]string{
				"revision_request_count": {"__name__", "response_code", "revision_name", "service_name"},
				"autoscaler_actual_pods": {"__name__", "revision_name"},
			}}, map[Figure]string{
			FigInvocations: `sum by (service_name) (increase(revision_request_count{service_name!=""}[10s]))`,
			FigErrors:      `sum by (service_name) (increase(revision_request_count{service_name!="",response_code=~"5.."}[10s]))`,
			FigP50:         `histogram_quantile(0.5, sum by (le, service_name) (rate(revision_request_latencies_bucket{service_name!=""}[10s])))`,
			FigP90:         `histogram_quantile(0.9, sum by (le, service_name) (rate(revision_request_latencies_bucket{service_name!=""}[10s])))`,
			FigP99:         `histogram_quantile(0.99, sum by (le, service_name) (rate(revision_request_latencies_bucket{service_name!=""}[10s])))`,
			FigDurationSum: `sum by (service_name) (increase(revision_request_latencies_sum{service_name!=""}[10s]))`,
		}},
		{"user queries", &Preset{Name: "fission", FunctionLabels: []string{"function_name"}, Queries: map[Figure]string{
			FigInvocations: `sum by ({{.By}}) (increase(fission_function_calls_total[{{.Range}}]))`,
			FigP99:         `histogram_quantile(0.99, sum by (le, {{.By}}) (rate(fission_function_duration_seconds_bucket[{{.Range}}])))`,
		}}, &qryPlanAPI{}, map[Figure]string{
			FigInvocations: `sum by (function_name) (increase(fission_function_calls_total[10s]))`,
			FigP99:         `histogram_quantile(0.99, sum by (le, function_name) (rate(fission_function_duration_seconds_bucket[10s])))`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			present := map[string]bool{}
			for _, n := range tc.api.names {
				present[n] = true
			}
			plan, err := buildPlan(context.Background(), tc.api, tc.preset, present, time.Now().Add(-time.Hour), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got := map[Figure]string{}
			for _, q := range plan.queries {
				s, err := q.expr(rangeData{Range: "10s", By: plan.label})
				if err != nil {
					t.Fatal(err)
				}
				got[q.fig] = s
				t.Logf("%-12s %s", q.fig, s)
			}
			for f, w := range tc.want {
				if got[f] != w {
					t.Errorf("%s:\n got %s\nwant %s", f, got[f], w)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("%d queries, want %d", len(got), len(tc.want))
			}
		})
	}
	// Knative's old histogram is in milliseconds: scale 1 (ms to ms).
	plan, _ := buildPlan(context.Background(), &qryPlanAPI{labels: map[string][]string{"revision_request_count": {"service_name"}}},
		Presets["knative"], map[string]bool{"revision_request_count": true, "revision_request_latencies_bucket": true}, time.Now(), time.Now())
	for _, q := range plan.queries {
		if q.fig == FigP99 && math.Abs(q.scale-1) > 1e-12 {
			t.Errorf("knative ms histogram scale %v, want 1", q.scale)
		}
	}
	// Nothing present: a message that names the metrics.
	_, err := buildPlan(context.Background(), &qryPlanAPI{}, Presets["openfaas"], map[string]bool{}, time.Now(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "none of gateway_function_invocation_total, gateway_functions_seconds in Prometheus") {
		t.Errorf("nothing present: %v", err)
	}
}

func TestQueryFineStep(t *testing.T) {
	for iv, want := range map[time.Duration]time.Duration{
		0: 30 * time.Second, time.Second: 10 * time.Second, 5 * time.Second: 10 * time.Second, 10 * time.Second: 20 * time.Second,
		15 * time.Second: 30 * time.Second, 30 * time.Second: time.Minute, time.Minute: 2 * time.Minute, 45 * time.Second: 2 * time.Minute,
	} {
		if got := fineStepFor(iv); got != want {
			t.Errorf("scrape interval %s: step %s, want %s", iv, got, want)
		}
	}
}

func TestQueryRoundAcc(t *testing.T) {
	var acc float64
	var out, sum int64
	for i := 0; i < 30; i++ {
		sum += roundAcc(&acc, &out, 0.3) // 0.3 per step: 9 in all, not 0
	}
	if sum != 9 {
		t.Errorf("30 × 0.3 emitted as %d, want 9", sum)
	}
	if roundAcc(&acc, &out, math.NaN()) != 0 || roundAcc(&acc, &out, -1) != 0 {
		t.Error("NaN or negative emitted")
	}
}

// qryWriteCA writes the TLS server's certificate as a CA file.
func qryWriteCA(t *testing.T, f *qryFake) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func qryWriteFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestQueryAuth: basic auth, a bearer token from a file and TLS with a CA
// file or without verification, against a TLS fake on 127.0.0.1 that
// requires them; wrong credentials give a clear status.
func TestQueryAuth(t *testing.T) {
	const user, pass, token = "fntop", "s3cr3t-pa55", "tok-0123456789abcdef"
	f := qryNewFake(t, true)
	ca := qryWriteCA(t, f)
	passFile := qryWriteFile(t, "pass", pass)
	wrongFile := qryWriteFile(t, "wrong", "nope-nope")
	tokenFile := qryWriteFile(t, "token", token)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		if ok && u == user && p == pass || r.Header.Get("Authorization") == "Bearer "+token {
			return false
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="prometheus"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return true
	})
	for _, tc := range []struct {
		name string
		http config.HTTPClientConfig
		want string // "" for success, else a LastError part
	}{
		{"basic auth + CA", config.HTTPClientConfig{BasicAuth: &config.BasicAuth{Username: user, PasswordFile: passFile}, TLSConfig: config.TLSConfig{CAFile: ca}}, ""},
		{"bearer file + CA", config.HTTPClientConfig{Authorization: &config.Authorization{Type: "Bearer", CredentialsFile: tokenFile}, TLSConfig: config.TLSConfig{CAFile: ca}}, ""},
		{"bearer + insecure", config.HTTPClientConfig{Authorization: &config.Authorization{Type: "Bearer", CredentialsFile: tokenFile}, TLSConfig: config.TLSConfig{InsecureSkipVerify: true}}, ""},
		{"wrong password", config.HTTPClientConfig{BasicAuth: &config.BasicAuth{Username: user, PasswordFile: wrongFile}, TLSConfig: config.TLSConfig{CAFile: ca}}, "unauthorized (401): check the credentials"},
		{"no credentials", config.HTTPClientConfig{TLSConfig: config.TLSConfig{CAFile: ca}}, "unauthorized (401)"},
		{"unknown CA", config.HTTPClientConfig{Authorization: &config.Authorization{Type: "Bearer", CredentialsFile: tokenFile}}, "certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Backfill: time.Minute, Timeout: 2 * time.Second, HTTP: tc.http, Clock: qryFixedClock})
			if err != nil {
				t.Fatal(err)
			}
			rec := &qrySink{}
			err = src.Backfill(context.Background(), rec)
			st := rec.lastStatus()
			if tc.want == "" {
				if err != nil || st.State != model.StateOK {
					t.Fatalf("Backfill: %v; status %+v", err, st)
				}
				// Six whole steps and the 3 s in progress (see TestQueryAutoPreset).
				if got := qryAggregates(t, rec.all())["a.openfaas-fn"].Invocations; got != 630 {
					t.Errorf("a: %d invocations, want 630", got)
				}
				return
			}
			if err == nil || st.State != model.StateFailing || !strings.Contains(st.LastError, tc.want) {
				t.Errorf("Backfill: %v; status %+v; want %q", err, st, tc.want)
			}
			for _, sec := range []string{pass, token, "nope-nope"} {
				if strings.Contains(err.Error()+st.LastError+st.Detail, sec) {
					t.Errorf("secret %q shown: %v / %+v", sec, err, st)
				}
			}
		})
	}
}

// TestQuerySecretsNeverShown: an API (or a proxy) that echoes the
// credentials in its error, the URL's password and the files' contents
// never reach a status or an error.
func TestQuerySecretsNeverShown(t *testing.T) {
	const pass, token = "hunter2-very-secret", "bearer-token-xyz-987"
	f := qryNewFake(t, false)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		u, p, _ := r.BasicAuth()
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":"rejected %s (user %s, password %s) at %s"}`, r.Header.Get("Authorization"), u, p, r.URL.String())
		return true
	})
	for _, tc := range []struct {
		name string
		url  string
		http config.HTTPClientConfig
	}{
		{"basic auth file", f.srv.URL, config.HTTPClientConfig{BasicAuth: &config.BasicAuth{Username: "fntop", PasswordFile: qryWriteFile(t, "p", pass)}}},
		{"bearer file", f.srv.URL, config.HTTPClientConfig{Authorization: &config.Authorization{Type: "Bearer", CredentialsFile: qryWriteFile(t, "t", token)}}},
		{"URL user info", strings.Replace(f.srv.URL, "http://", "http://fntop:"+pass+"@", 1), config.HTTPClientConfig{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(Options{URL: tc.url, Mode: ModeQuery, Preset: Presets["openfaas"], Backfill: time.Minute, Timeout: time.Second, HTTP: tc.http, Clock: qryFixedClock})
			if err != nil {
				t.Fatal(err)
			}
			rec := &qrySink{}
			err = src.Backfill(context.Background(), rec)
			if err == nil {
				t.Fatal("no error")
			}
			texts := []string{err.Error()}
			for _, e := range rec.kind(model.KindStatus) {
				texts = append(texts, e.Status.LastError, e.Status.Detail, e.Status.Name)
			}
			all := strings.Join(texts, "\n")
			for _, sec := range []string{pass, token, base64.StdEncoding.EncodeToString([]byte("fntop:" + pass))} {
				if strings.Contains(all, sec) {
					t.Errorf("secret %q shown:\n%s", sec, all)
				}
			}
			if !strings.Contains(all, "bad query (400): rejected") || !strings.Contains(all, secretMark) {
				t.Errorf("the error is not told (redacted):\n%s", all)
			}
		})
	}
}

// TestQueryCountsBytes: the transport counts requests and both byte
// figures; gzip answers count fewer wire bytes.
func TestQueryCountsBytes(t *testing.T) {
	f := qryNewFake(t, false)
	src, err := New(Options{URL: f.srv.URL, Mode: ModeQuery, Preset: Presets["openfaas"], Backfill: 10 * time.Minute, Timeout: time.Second, Clock: qryFixedClock})
	if err != nil {
		t.Fatal(err)
	}
	q, err := newQuerier(src, &qrySink{})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.run(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	st := q.stats()
	if st.Requests != f.requests.Load() {
		t.Errorf("%d requests counted, the server saw %d", st.Requests, f.requests.Load())
	}
	if st.JSONBytes <= 0 || st.WireBytes <= 0 || st.WireBytes > st.JSONBytes {
		t.Errorf("bytes %+v", st)
	}
	t.Logf("10m backfill of 2 functions: %d requests, %d bytes of JSON, %d on the wire", st.Requests, st.JSONBytes, st.WireBytes)
}
