package prometheus

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// The API calls FuzzQueryResponse answers with the fuzzed body.
var fuzzQueryPaths = []string{
	"/api/v1/query_range",
	"/api/v1/query",
	"/api/v1/labels",
	"/api/v1/label/__name__/values",
}

// FuzzQueryResponse runs the headless query-mode backfill against the
// fake Prometheus API with one of its calls (range queries, instant
// queries, label names) answered by the fuzzed body, as JSON with status
// 200 or with the status the fuzzer picks. The backfill ends (no hang),
// never panics, fails with a message or succeeds, and every event it
// emits is sane: counts never negative, errors within invocations,
// durations finite, non-negative and ordered, steps of a positive span.
func FuzzQueryResponse(f *testing.F) {
	rangeOK := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"function_name":"a"},"values":[[1772366340,"5"],[1772366350,"7"]]}]}}`
	for _, s := range []string{
		rangeOK,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"function_name":"a"},"value":[1772366400,"3"]}]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"function_name":"a"},"values":[[1772366340,"-5"],[1772366350,"NaN"],[1e300,"+Inf"]]}]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"function_name":"a"},"values":[[1772366340,"1e308"],[1772366350,"1e308"]]}]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}`,
		`{"status":"success","data":{"resultType":"scalar","result":[1772366340,"1"]}}`,
		`{"status":"success","data":{"resultType":"string","result":[1772366340,"a"]}}`,
		`{"status":"success","data":["__name__","function_name"]}`,
		`{"status":"error","errorType":"execution","error":"too many samples"}`,
		`{"status":"success","warnings":["w"],"infos":["i"],"data":null}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"function_name":"a"},"histograms":[[1772366340,{"count":"1","sum":"1","buckets":[[0,"0","1","1"]]}]]}]}}`,
		`<html></html>`,
		``,
		`{`,
	} {
		for p := range fuzzQueryPaths {
			f.Add([]byte(s), uint8(p), uint16(200))
		}
	}
	f.Add([]byte(rangeOK), uint8(0), uint16(503))
	f.Add([]byte(`{"status":"error","errorType":"bad_data","error":"x"}`), uint8(0), uint16(400))

	fake := &qryFake{fns: []string{"a.openfaas-fn", "b.openfaas-fn"}}
	var mu sync.Mutex
	var body []byte
	var path string
	var code int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, p, c := body, path, code
		mu.Unlock()
		if r.URL.Path == p {
			_ = r.ParseForm()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(c)
			_, _ = w.Write(b)
			return
		}
		fake.serve(w, r)
	}))
	f.Cleanup(srv.Close)

	f.Fuzz(func(t *testing.T, data []byte, which uint8, status uint16) {
		c := int(status)
		if c < 200 || c > 599 {
			c = 200
		}
		mu.Lock()
		body, path, code = data, fuzzQueryPaths[int(which)%len(fuzzQueryPaths)], c
		mu.Unlock()
		for _, preset := range []*Preset{Presets["openfaas"], nil} {
			clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 3, 0, time.UTC)}
			src, err := New(Options{URL: srv.URL, Mode: ModeQuery, Preset: preset, Backfill: 10 * time.Minute,
				Timeout: 5 * time.Second, Clock: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			sink := &qrySink{}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			err = src.Backfill(ctx, sink)
			late := ctx.Err() != nil
			cancel()
			src.client.CloseIdleConnections()
			if late || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("backfill did not end within 20s: %v", err)
			}
			st := sink.lastStatus()
			if err != nil && (st.State != model.StateFailing || st.LastError == "") {
				t.Fatalf("backfill failed (%v) with status %+v", err, st)
			}
			if err == nil && st.State != model.StateOK && st.State != model.StateLagging {
				t.Fatalf("backfill succeeded with status %+v", st)
			}
			fuzzCheckQueryEvents(t, sink.all())
		}
	})
}

// fuzzCheckQueryEvents checks the aggregates and metadata of query mode.
func fuzzCheckQueryEvents(t *testing.T, evs []model.Event) {
	t.Helper()
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	for _, e := range evs {
		switch e.Kind {
		case model.KindAggregate:
			a := e.Aggregate
			if e.Function == "" || a.Span <= 0 || a.Invocations < 0 || a.Errors < 0 || a.Throttles < 0 || a.Errors > a.Invocations {
				t.Fatalf("bad aggregate of %q: %+v", e.Function, a)
			}
			d := a.Duration
			if d.Count < 0 || d.Count > a.Invocations {
				t.Fatalf("bad duration count: %+v", a)
			}
			if d.Count > 0 {
				for _, v := range []float64{d.Sum, d.Max, d.P50, d.P90, d.P99} {
					if !ok(v) {
						t.Fatalf("bad duration of %q: %+v", e.Function, d)
					}
				}
				if d.P50 > d.P90 || d.P90 > d.P99 || d.P99 > d.Max {
					t.Fatalf("unordered duration of %q: %+v", e.Function, d)
				}
			}
		case model.KindMeta:
			if e.Function == "" || e.Meta.Replicas < 0 {
				t.Fatalf("bad meta: %+v", e)
			}
		case model.KindStatus:
			if strings.ContainsAny(e.Status.LastError+e.Status.Detail, "\x00\x1b") {
				t.Fatalf("control characters in the status: %+v", e.Status)
			}
		default:
			t.Fatalf("event of kind %v", e.Kind)
		}
	}
}
