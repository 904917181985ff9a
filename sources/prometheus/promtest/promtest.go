// Package promtest is a test exporter for the Prometheus source: an
// httptest server on 127.0.0.1 that serves OpenFaaS- and Knative-shaped
// metrics whose values the test sets exactly, and that can misbehave on
// demand (raw text, hang, HTML, 500, 429, garbage, connection resets,
// truncated body, slow answers).
//
// The metrics are kept in a client_golang registry and served with
// promhttp, so content negotiation (text 0.0.4, OpenMetrics, protobuf)
// is the real one:
//
//	e := promtest.NewExporter(t)
//	e.Invoke(promtest.OpenFaaS, "figlet.openfaas-fn", 200, 30*time.Millisecond, 10)
//	e.Invoke(promtest.OpenFaaS, "figlet.openfaas-fn", 500, 2*time.Second, 1)
//	e.SetReplicas(promtest.OpenFaaS, "figlet.openfaas-fn", 3)
//	src := prometheus.New(prometheus.Options{URL: e.URL(), ...})
//
// Shapes (label names as the platforms write them):
//
//	OpenFaaS:            gateway_function_invocation_total{function_name,code} counter
//	                     gateway_functions_seconds{function_name,code} histogram, DefBuckets, seconds
//	                     gateway_service_count{function_name} gauge
//	KnativeOpenCensus:   revision_request_count{namespace_name,service_name,configuration_name,
//	(Knative ≤ 1.18)       revision_name,pod_name,container_name,response_code,response_code_class} counter
//	                     revision_request_latencies{same labels} histogram, milliseconds
//	                     autoscaler_actual_pods{namespace_name,service_name,configuration_name,revision_name} gauge
//	KnativeOTel:         kn_serving_invocation_duration_seconds{k8s_namespace_name,kn_service_name,
//	(Knative ≥ 1.19)       kn_configuration_name,kn_revision_name,http_response_status_code,otel_scope_name}
//	                       histogram, seconds (no request counter: its _count counts invocations)
//	                     kn_revision_pods_count{k8s_namespace_name,kn_service_name,kn_configuration_name,kn_revision_name} gauge
//
// For Knative the function argument is the service name; the revision is
// "<service>-00001" in namespace "default".
//
// Other methods: Reset (a counter reset), SetRaw (serve given text),
// SetFault (hang, HTML, 500, 429, garbage, reset, truncated body, slow), SetFormat (force
// text, OpenMetrics or protobuf), Text (the current exposition), Scrapes
// and LastAccept (what was asked), and Workload (invocations at fixed
// rates on a ticker, for end-to-end tests against a real Prometheus).
//
// All methods are safe for concurrent use.
package promtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Metric shapes ("presets") the exporter can serve.
const (
	OpenFaaS          = "openfaas"
	KnativeOpenCensus = "knative-opencensus" // Knative Serving ≤ 1.18 names
	KnativeOTel       = "knative-otel"       // Knative Serving ≥ 1.19 names
)

// Bucket bounds of the histograms, in their metric's unit.
var (
	// OpenFaaSBuckets are client_golang's DefBuckets (seconds).
	OpenFaaSBuckets = prometheus.DefBuckets
	// KnativeOpenCensusBuckets are Knative's latency distribution
	// (milliseconds).
	KnativeOpenCensusBuckets = []float64{5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 5000, 10000, 20000, 50000, 100000}
	// KnativeOTelBuckets are the semantic-convention HTTP server duration
	// bounds (seconds).
	KnativeOTelBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
)

// Fault makes the exporter misbehave.
type Fault int

// Faults.
const (
	FaultNone     Fault = iota // serve the metrics (or the raw text)
	FaultHang                  // never answer: block until the request's context ends
	FaultHTML                  // 200 with an HTML login page
	Fault500                   // 500 Internal Server Error with a text body
	FaultTruncate              // declare the full Content-Length, send half the body, close
	FaultSlow                  // wait SetSlow's delay (default 1 s), then serve
	Fault429                   // 429 Too Many Requests with Retry-After: 1
	FaultGarbage               // 200 text/plain with bytes that are no exposition (NUL, invalid UTF-8)
	FaultReset                 // reset the connection (RST) before any answer
)

// Exporter is the test server. Create it with NewExporter; it is closed
// when the test ends.
type Exporter struct {
	srv  *httptest.Server
	done chan struct{}

	mu       sync.Mutex
	reg      *prometheus.Registry
	ofCount  *prometheus.CounterVec
	ofHist   *prometheus.HistogramVec
	ofRepl   *prometheus.GaugeVec
	ocCount  *prometheus.CounterVec
	ocHist   *prometheus.HistogramVec
	ocRepl   *prometheus.GaugeVec
	otHist   *prometheus.HistogramVec
	otRepl   *prometheus.GaugeVec
	raw      *string
	format   expfmt.Format
	fault    Fault
	slow     time.Duration
	scrapes  int
	accept   string
	handler  http.Handler
	workload sync.WaitGroup
}

// NewExporter starts an exporter on 127.0.0.1; t.Cleanup closes it (a
// hanging request is released first).
func NewExporter(t testing.TB) *Exporter {
	t.Helper()
	e := &Exporter{done: make(chan struct{}), slow: time.Second, reg: prometheus.NewRegistry()}
	e.ofCount = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_function_invocation_total", Help: "Function metrics",
	}, []string{"function_name", "code"})
	e.ofHist = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gateway_functions_seconds", Help: "Function time taken", Buckets: OpenFaaSBuckets,
	}, []string{"function_name", "code"})
	e.ofRepl = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gateway_service_count", Help: "Current count of replicas for function",
	}, []string{"function_name"})
	ocLabels := []string{"namespace_name", "service_name", "configuration_name", "revision_name", "pod_name", "container_name", "response_code", "response_code_class"}
	e.ocCount = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "revision_request_count", Help: "The number of requests that are routed to queue-proxy",
	}, ocLabels)
	e.ocHist = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "revision_request_latencies", Help: "The response time in millisecond", Buckets: KnativeOpenCensusBuckets,
	}, ocLabels)
	e.ocRepl = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "autoscaler_actual_pods", Help: "Number of pods that are allocated currently",
	}, []string{"namespace_name", "service_name", "configuration_name", "revision_name"})
	e.otHist = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kn_serving_invocation_duration_seconds", Help: "The duration of task execution", Buckets: KnativeOTelBuckets,
	}, []string{"k8s_namespace_name", "kn_service_name", "kn_configuration_name", "kn_revision_name", "http_response_status_code", "otel_scope_name"})
	e.otRepl = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kn_revision_pods_count", Help: "Number of pods that are allocated currently",
	}, []string{"k8s_namespace_name", "kn_service_name", "kn_configuration_name", "kn_revision_name"})
	e.reg.MustRegister(e.ofCount, e.ofHist, e.ofRepl, e.ocCount, e.ocHist, e.ocRepl, e.otHist, e.otRepl)
	e.handler = promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})

	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(e.serve))
	e.srv.Start() // httptest listens on 127.0.0.1
	t.Cleanup(e.Close)
	return e
}

// URL is the metrics endpoint ("http://127.0.0.1:port/metrics").
func (e *Exporter) URL() string { return e.srv.URL + "/metrics" }

// Close releases hanging requests, stops workloads and closes the
// server. NewExporter registers it with t.Cleanup; calling it twice is
// safe.
func (e *Exporter) Close() {
	e.mu.Lock()
	select {
	case <-e.done:
		e.mu.Unlock()
		return
	default:
		close(e.done)
	}
	e.mu.Unlock()
	e.workload.Wait()
	e.srv.CloseClientConnections()
	e.srv.Close()
}

func revision(service string) string { return service + "-00001" }

func codeClass(code int) string { return strconv.Itoa(code/100) + "xx" }

// Invoke records n invocations of function that answered code after d,
// in the shape of preset (OpenFaaS, KnativeOpenCensus or KnativeOTel):
// the request counter grows by exactly n and n observations of d go into
// the histogram. It panics on an unknown preset.
func (e *Exporter) Invoke(preset, function string, code int, d time.Duration, n int) {
	c := strconv.Itoa(code)
	switch preset {
	case OpenFaaS:
		e.ofCount.WithLabelValues(function, c).Add(float64(n))
		h := e.ofHist.WithLabelValues(function, c)
		for i := 0; i < n; i++ {
			h.Observe(d.Seconds())
		}
	case KnativeOpenCensus:
		lv := []string{"default", function, function, revision(function), revision(function) + "-deployment-7d4b9c-x2k8p", "queue-proxy", c, codeClass(code)}
		e.ocCount.WithLabelValues(lv...).Add(float64(n))
		h := e.ocHist.WithLabelValues(lv...)
		ms := float64(d) / float64(time.Millisecond)
		for i := 0; i < n; i++ {
			h.Observe(ms)
		}
	case KnativeOTel:
		h := e.otHist.WithLabelValues("default", function, function, revision(function), c, "knative.dev/serving/pkg/queue")
		for i := 0; i < n; i++ {
			h.Observe(d.Seconds())
		}
	default:
		panic(fmt.Sprintf("promtest: unknown preset %q", preset))
	}
}

// SetReplicas sets the replica gauge of function in the shape of preset.
func (e *Exporter) SetReplicas(preset, function string, n int) {
	switch preset {
	case OpenFaaS:
		e.ofRepl.WithLabelValues(function).Set(float64(n))
	case KnativeOpenCensus:
		e.ocRepl.WithLabelValues("default", function, function, revision(function)).Set(float64(n))
	case KnativeOTel:
		e.otRepl.WithLabelValues("default", function, function, revision(function)).Set(float64(n))
	default:
		panic(fmt.Sprintf("promtest: unknown preset %q", preset))
	}
}

// Reset simulates a restart of what counts function's invocations: its
// counter and histogram series (every preset) are deleted, so they are
// absent until the next Invoke and then restart from zero. The replica
// gauge is kept.
func (e *Exporter) Reset(function string) {
	e.ofCount.DeletePartialMatch(prometheus.Labels{"function_name": function})
	e.ofHist.DeletePartialMatch(prometheus.Labels{"function_name": function})
	e.ocCount.DeletePartialMatch(prometheus.Labels{"service_name": function})
	e.ocHist.DeletePartialMatch(prometheus.Labels{"service_name": function})
	e.otHist.DeletePartialMatch(prometheus.Labels{"kn_service_name": function})
}

// SetRaw makes the exporter serve text verbatim (Content-Type text/plain;
// version=0.0.4) instead of its metrics; SetRaw("") goes back to the
// metrics. Faults still apply to the raw text.
func (e *Exporter) SetRaw(text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if text == "" {
		e.raw = nil
		return
	}
	e.raw = &text
}

// Formats for SetFormat.
var (
	FormatText        = expfmt.NewFormat(expfmt.TypeTextPlain)
	FormatOpenMetrics = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	FormatProtobuf    = expfmt.NewFormat(expfmt.TypeProtoDelim)
)

// SetFormat serves the metrics in format (FormatText, FormatOpenMetrics
// or FormatProtobuf) whatever the request's Accept header says; "" goes
// back to content negotiation.
func (e *Exporter) SetFormat(format expfmt.Format) {
	e.mu.Lock()
	e.format = format
	e.mu.Unlock()
}

// SetFault makes the following requests misbehave; FaultNone ends it.
func (e *Exporter) SetFault(f Fault) {
	e.mu.Lock()
	e.fault = f
	e.mu.Unlock()
}

// SetSlow sets FaultSlow's delay.
func (e *Exporter) SetSlow(d time.Duration) {
	e.mu.Lock()
	e.slow = d
	e.mu.Unlock()
}

// Scrapes is the number of requests served so far (faulty ones too).
func (e *Exporter) Scrapes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scrapes
}

// LastAccept is the Accept header of the latest request.
func (e *Exporter) LastAccept() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accept
}

// Text is the current exposition in the text format 0.0.4 (what a scrape
// asking for text would get without faults or raw text).
func (e *Exporter) Text() string {
	fams, err := e.reg.Gather()
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			panic(err)
		}
	}
	return b.String()
}

func (e *Exporter) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.scrapes++
	e.accept = r.Header.Get("Accept")
	fault, raw, slow, format := e.fault, e.raw, e.slow, e.format
	e.mu.Unlock()

	switch fault {
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-e.done:
		}
		return
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><form action=\"/login\"><input name=\"user\"></form></body></html>\n")
		return
	case Fault500:
		http.Error(w, "upstream connect error or disconnect/reset before headers", http.StatusInternalServerError)
		return
	case Fault429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	case FaultGarbage:
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		_, _ = w.Write([]byte("gateway_function_invocation_total{\x00\xff\xfe} \x01\x02 {{{\n\xc3\x28 garbage\n"))
		return
	case FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				_ = c.Close()
			}
		}
		return
	case FaultSlow:
		t := time.NewTimer(slow)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-e.done:
			return
		}
	}

	if fault == FaultTruncate {
		body := e.Text()
		if raw != nil {
			body = *raw
		}
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body[:len(body)/2]))
		// Returning with less than Content-Length written makes the
		// server close the connection: the client reads an unexpected EOF.
		return
	}
	if raw != nil {
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		_, _ = w.Write([]byte(*raw))
		return
	}
	if format != "" {
		e.serveFormat(w, format)
		return
	}
	e.handler.ServeHTTP(w, r)
}

func (e *Exporter) serveFormat(w http.ResponseWriter, format expfmt.Format) {
	fams, err := e.reg.Gather()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", string(format))
	enc := expfmt.NewEncoder(w, format)
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			return
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		_ = c.Close() // OpenMetrics' "# EOF"
	}
}

// Load is one steady stream of invocations for Workload.
type Load struct {
	Preset   string
	Function string
	Code     int
	Duration time.Duration
	// PerSecond invocations are added each second (PerSecond·every per
	// tick, rounded; choose every so that it is whole).
	PerSecond float64
}

// Workload adds each load's invocations on a ticker of period every (1 s
// when zero) until ctx ends or the exporter closes, so that counters grow
// at exactly PerSecond per second in steps of every. The first step is
// taken at once. stop ends it and waits for the goroutine; it is safe to
// call more than once. ticks reports how many steps were taken.
func (e *Exporter) Workload(ctx context.Context, every time.Duration, loads ...Load) (ticks func() int, stop func()) {
	if every <= 0 {
		every = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	n := 0
	step := func() {
		for _, l := range loads {
			e.Invoke(l.Preset, l.Function, l.Code, l.Duration, int(l.PerSecond*every.Seconds()+0.5))
		}
		mu.Lock()
		n++
		mu.Unlock()
	}
	finished := make(chan struct{})
	e.workload.Add(1)
	go func() {
		defer e.workload.Done()
		defer close(finished)
		tk := time.NewTicker(every)
		defer tk.Stop()
		step()
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.done:
				return
			case <-tk.C:
				step()
			}
		}
	}()
	ticks = func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
	stop = func() {
		cancel()
		<-finished
	}
	return ticks, stop
}
