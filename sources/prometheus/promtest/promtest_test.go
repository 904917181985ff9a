package promtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, e *Exporter, accept string) (*http.Response, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL(), nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestExporterShapes(t *testing.T) {
	e := NewExporter(t)
	e.Invoke(OpenFaaS, "figlet.openfaas-fn", 200, 30*time.Millisecond, 3)
	e.Invoke(OpenFaaS, "figlet.openfaas-fn", 500, 2*time.Second, 1)
	e.SetReplicas(OpenFaaS, "figlet.openfaas-fn", 2)
	e.Invoke(KnativeOpenCensus, "hello", 200, 120*time.Millisecond, 4)
	e.SetReplicas(KnativeOpenCensus, "hello", 1)
	e.Invoke(KnativeOTel, "world", 503, 10*time.Millisecond, 5)
	e.SetReplicas(KnativeOTel, "world", 0)

	_, body, err := get(t, e, "text/plain;version=0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`gateway_function_invocation_total{code="200",function_name="figlet.openfaas-fn"} 3`,
		`gateway_function_invocation_total{code="500",function_name="figlet.openfaas-fn"} 1`,
		`gateway_functions_seconds_bucket{code="200",function_name="figlet.openfaas-fn",le="0.05"} 3`,
		`gateway_service_count{function_name="figlet.openfaas-fn"} 2`,
		`revision_request_count{configuration_name="hello",container_name="queue-proxy",namespace_name="default",pod_name="hello-00001-deployment-7d4b9c-x2k8p",response_code="200",response_code_class="2xx",revision_name="hello-00001",service_name="hello"} 4`,
		`revision_request_latencies_bucket{configuration_name="hello",container_name="queue-proxy",namespace_name="default",pod_name="hello-00001-deployment-7d4b9c-x2k8p",response_code="200",response_code_class="2xx",revision_name="hello-00001",service_name="hello",le="150"} 4`,
		`kn_serving_invocation_duration_seconds_count{http_response_status_code="503",k8s_namespace_name="default",kn_configuration_name="world",kn_revision_name="world-00001",kn_service_name="world",otel_scope_name="knative.dev/serving/pkg/queue"} 5`,
		`kn_revision_pods_count{k8s_namespace_name="default",kn_configuration_name="world",kn_revision_name="world-00001",kn_service_name="world"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %s\n%s", want, body)
		}
	}
	if len(fams) != 8 {
		t.Errorf("%d families, want 8", len(fams))
	}
	if body != e.Text() {
		t.Error("Text() differs from the served text")
	}

	e.Reset("figlet.openfaas-fn")
	_, body, _ = get(t, e, "")
	if strings.Contains(body, "gateway_function_invocation_total{") || !strings.Contains(body, "gateway_service_count{") {
		t.Errorf("after Reset:\n%s", body)
	}
	e.Invoke(OpenFaaS, "figlet.openfaas-fn", 200, 30*time.Millisecond, 1)
	if _, body, _ = get(t, e, ""); !strings.Contains(body, `gateway_function_invocation_total{code="200",function_name="figlet.openfaas-fn"} 1`+"\n") {
		t.Errorf("after Reset and Invoke:\n%s", body)
	}
	if e.Scrapes() != 3 {
		t.Errorf("Scrapes() = %d", e.Scrapes())
	}
}

func TestExporterNegotiation(t *testing.T) {
	e := NewExporter(t)
	e.Invoke(OpenFaaS, "f", 200, time.Millisecond, 1)
	for accept, want := range map[string]expfmt.FormatType{
		"text/plain;version=0.0.4":                      expfmt.TypeTextPlain,
		"application/openmetrics-text;version=1.0.0":    expfmt.TypeOpenMetrics,
		string(expfmt.NewFormat(expfmt.TypeProtoDelim)): expfmt.TypeProtoDelim,
	} {
		resp, _, err := get(t, e, accept)
		if err != nil {
			t.Fatal(err)
		}
		if got := expfmt.ResponseFormat(resp.Header).FormatType(); got != want {
			t.Errorf("Accept %s: format %v, want %v", accept, got, want)
		}
	}
	for _, f := range []expfmt.Format{FormatProtobuf, FormatOpenMetrics, FormatText} {
		e.SetFormat(f)
		resp, body, err := get(t, e, "text/plain;version=0.0.4")
		if err != nil {
			t.Fatal(err)
		}
		if got := expfmt.ResponseFormat(resp.Header).FormatType(); got != f.FormatType() {
			t.Errorf("SetFormat(%s): served %v", f, got)
		}
		if f == FormatOpenMetrics && !strings.HasSuffix(body, "# EOF\n") {
			t.Errorf("OpenMetrics without # EOF: %q", body)
		}
	}
	e.SetFormat("")
	if e.LastAccept() == "" {
		t.Error("LastAccept empty")
	}
}

func TestExporterFaults(t *testing.T) {
	e := NewExporter(t)
	e.Invoke(OpenFaaS, "f", 200, time.Millisecond, 1000)
	e.SetRaw("up 1\n")
	if _, body, _ := get(t, e, ""); body != "up 1\n" {
		t.Errorf("raw: %q", body)
	}
	e.SetRaw("")

	e.SetFault(FaultHTML)
	if resp, body, _ := get(t, e, ""); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<html>") {
		t.Errorf("html: %s %q", resp.Header.Get("Content-Type"), body)
	}
	e.SetFault(Fault500)
	if resp, _, _ := get(t, e, ""); resp.StatusCode != 500 {
		t.Errorf("500: %d", resp.StatusCode)
	}
	e.SetFault(FaultTruncate)
	if _, _, err := get(t, e, ""); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncate: err %v", err)
	}
	e.SetFault(FaultSlow)
	e.SetSlow(50 * time.Millisecond)
	start := time.Now()
	if _, _, err := get(t, e, ""); err != nil || time.Since(start) < 50*time.Millisecond {
		t.Errorf("slow: %v after %v", err, time.Since(start))
	}
	e.SetFault(FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL(), nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestExporterWorkload(t *testing.T) {
	e := NewExporter(t)
	ticks, stop := e.Workload(context.Background(), 10*time.Millisecond,
		Load{Preset: OpenFaaS, Function: "a", Code: 200, Duration: time.Millisecond, PerSecond: 1000})
	time.Sleep(55 * time.Millisecond)
	stop()
	stop()
	n := ticks()
	if n < 2 {
		t.Fatalf("%d ticks", n)
	}
	want := `gateway_function_invocation_total{code="200",function_name="a"} ` + strconv.Itoa(10*n) + "\n"
	if !strings.Contains(e.Text(), want) {
		t.Errorf("want %s in\n%s", want, e.Text())
	}
	// A workload still running when the exporter closes is stopped by Close.
	_, _ = e.Workload(context.Background(), time.Millisecond, Load{Preset: KnativeOTel, Function: "b", Code: 200, PerSecond: 1000})
}
