package prometheus

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// qrySink records events.
type qrySink struct {
	mu  sync.Mutex
	evs []model.Event
}

func (s *qrySink) Ingest(evs ...model.Event) {
	s.mu.Lock()
	s.evs = append(s.evs, evs...)
	s.mu.Unlock()
}

func (s *qrySink) all() []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Event(nil), s.evs...)
}

func (s *qrySink) kind(k model.Kind) []model.Event {
	var out []model.Event
	for _, e := range s.all() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// lastStatus is the newest status event (zero when none).
func (s *qrySink) lastStatus() model.SourceStatus {
	st := s.kind(model.KindStatus)
	if len(st) == 0 {
		return model.SourceStatus{}
	}
	return st[len(st)-1].Status
}

// waitStatus waits until a status satisfies ok.
func (s *qrySink) waitStatus(t *testing.T, d time.Duration, ok func(model.SourceStatus) bool) model.SourceStatus {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, e := range s.kind(model.KindStatus) {
			if ok(e.Status) {
				return e.Status
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no status as wanted within %s; last: %+v", d, s.lastStatus())
	return model.SourceStatus{}
}

// qryClock is a settable clock.
type qryClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *qryClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *qryClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// qryRangeCall is one query_range the fake answered.
type qryRangeCall struct {
	query            string
	start, end, step float64
}

// qryFake is a fake Prometheus API with OpenFaaS-shaped answers computed
// from the query text: function "a" runs 10 invocations/s with 1/s
// errors, "b" 2/s without errors; p50 40 ms, p90 80 ms, p99 200 ms (NaN
// for "b": empty buckets); duration sum 50 ms per invocation; replicas 3
// and 1. The scrape interval it shows is 1 s.
type qryFake struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []qryRangeCall
	// fault, when set, answers instead (return true when it did).
	fault    func(w http.ResponseWriter, r *http.Request) bool
	requests atomic.Int64
	fns      []string
}

func qryNewFake(t *testing.T, tlsServer bool) *qryFake {
	t.Helper()
	f := &qryFake{fns: []string{"a.openfaas-fn", "b.openfaas-fn"}}
	h := http.HandlerFunc(f.serve)
	if tlsServer {
		f.srv = httptest.NewTLSServer(h)
	} else {
		f.srv = httptest.NewServer(h)
	}
	t.Cleanup(f.srv.Close)
	return f
}

func (f *qryFake) setFault(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	f.fault = fn
	f.mu.Unlock()
}

func (f *qryFake) rangeCalls() []qryRangeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]qryRangeCall(nil), f.calls...)
}

func qryJSON(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": data})
}

func qryNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

var qryQuantile = regexp.MustCompile(`histogram_quantile\(([0-9.]+),`)

// value is what function fn's figure of query is over a step of step
// seconds.
func qryValue(query, fn string, step float64) float64 {
	rate, errRate := 10.0, 1.0
	if strings.HasPrefix(fn, "b.") {
		rate, errRate = 2, 0
	}
	if m := qryQuantile.FindStringSubmatch(query); m != nil {
		if strings.HasPrefix(fn, "b.") {
			return math.NaN()
		}
		switch m[1] {
		case "0.5":
			return 0.04
		case "0.9":
			return 0.08
		}
		return 0.2
	}
	switch {
	case strings.Contains(query, `code=~`):
		return errRate * step
	case strings.Contains(query, "_sum"):
		return rate * step * 0.05
	}
	return rate * step
}

func (f *qryFake) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	// Read the request first: a handler that then blocks still sees the
	// client go away (the server watches the connection only once the
	// body is read).
	_ = r.ParseForm()
	f.mu.Lock()
	fault := f.fault
	f.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	switch r.URL.Path {
	case "/api/v1/label/__name__/values":
		qryJSON(w, []string{"gateway_function_invocation_total", "gateway_functions_seconds_bucket", "gateway_functions_seconds_count", "gateway_functions_seconds_sum", "gateway_service_count"})
	case "/api/v1/labels":
		qryJSON(w, []string{"__name__", "code", "function_name", "instance", "job"})
	case "/api/v1/query":
		q := r.Form.Get("query")
		ts, _ := strconv.ParseFloat(r.Form.Get("time"), 64)
		switch {
		case strings.HasPrefix(q, "topk(1, count_over_time("):
			qryJSON(w, map[string]any{"resultType": "vector", "result": []any{
				map[string]any{"metric": map[string]string{"code": "200", "function_name": f.fns[0]}, "value": []any{ts, "180"}},
			}})
		case strings.HasSuffix(q, "[3m]"):
			var vals []any
			for i := 0; i < 180; i++ {
				vals = append(vals, []any{ts - 180 + float64(i), strconv.Itoa(i)})
			}
			qryJSON(w, map[string]any{"resultType": "matrix", "result": []any{
				map[string]any{"metric": map[string]string{"__name__": "gateway_function_invocation_total", "code": "200", "function_name": f.fns[0]}, "values": vals},
			}})
		case strings.HasPrefix(q, "max by (function_name)"):
			var res []any
			for i, fn := range f.fns {
				res = append(res, map[string]any{"metric": map[string]string{"function_name": fn}, "value": []any{ts, strconv.Itoa(3 - 2*(i%2))}})
			}
			qryJSON(w, map[string]any{"resultType": "vector", "result": res})
		default:
			qryJSON(w, map[string]any{"resultType": "vector", "result": []any{}})
		}
	case "/api/v1/query_range":
		q := r.Form.Get("query")
		start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
		end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
		step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
		f.mu.Lock()
		f.calls = append(f.calls, qryRangeCall{q, start, end, step})
		f.mu.Unlock()
		var res []any
		for _, fn := range f.fns {
			var vals []any
			for t := start; t <= end; t += step {
				vals = append(vals, []any{t, qryNum(qryValue(q, fn, step))})
			}
			res = append(res, map[string]any{"metric": map[string]string{"function_name": fn}, "values": vals})
		}
		qryJSON(w, map[string]any{"resultType": "matrix", "result": res})
	default:
		http.NotFound(w, r)
	}
}

// qryAggregates sums the aggregates per function, checking that no
// function has two aggregates of the same step.
func qryAggregates(t *testing.T, evs []model.Event) map[string]model.Aggregate {
	t.Helper()
	seen := map[string]bool{}
	out := map[string]model.Aggregate{}
	for _, e := range evs {
		if e.Kind != model.KindAggregate {
			continue
		}
		k := fmt.Sprintf("%s@%d", e.Function, e.Time.UnixMilli())
		if seen[k] {
			t.Errorf("two aggregates for %s", k)
		}
		seen[k] = true
		a := out[e.Function]
		a.Invocations += e.Aggregate.Invocations
		a.Errors += e.Aggregate.Errors
		a.Duration.Count += e.Aggregate.Duration.Count
		a.Duration.Sum += e.Aggregate.Duration.Sum
		a.Span += e.Aggregate.Span
		out[e.Function] = a
	}
	return out
}

// qryContiguous checks that the query_range calls of each query cover
// contiguous steps, none twice.
func qryContiguous(t *testing.T, calls []qryRangeCall) {
	t.Helper()
	byQuery := map[string][]qryRangeCall{}
	for _, c := range calls {
		// The step's range is part of the text: group by the text
		// without it.
		k := regexp.MustCompile(`\[[0-9a-z]+\]`).ReplaceAllString(c.query, "[]")
		byQuery[k] = append(byQuery[k], c)
	}
	for q, cs := range byQuery {
		sort.Slice(cs, func(i, j int) bool { return cs[i].start < cs[j].start })
		for i := 1; i < len(cs); i++ {
			// Evaluations at start, ..., end cover (start-step, end].
			if prevEnd, from := cs[i-1].end, cs[i].start-cs[i].step; prevEnd != from {
				t.Errorf("%s: call %d covers from %v, the one before ended at %v", q, i, from, prevEnd)
			}
		}
	}
}
