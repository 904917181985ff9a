package prometheus

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/fntop/fntop/model"
)

// The Content-Types FuzzScrapeFormats serves a body with.
var fuzzContentTypes = []string{
	string(expfmt.FmtOpenMetrics_1_0_0),
	string(expfmt.FmtProtoDelim),
	string(expfmt.FmtOpenMetrics_0_0_1),
	string(expfmt.FmtText),
	"",                         // many small exporters send none
	"application/octet-stream", // or a generic one
}

// fuzzEncode encodes a text exposition in another format.
func fuzzEncode(tb testing.TB, text string, format expfmt.Format) []byte {
	tb.Helper()
	parser := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, format)
	for _, name := range []string{"go_goroutines", "gateway_function_invocation_total", "gateway_functions_seconds", "gateway_service_count"} {
		if mf := fams[name]; mf != nil {
			if err := enc.Encode(mf); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		if err := c.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return buf.Bytes()
}

// fuzzExporter serves whatever body and Content-Type it was last given.
type fuzzExporter struct {
	mu   sync.Mutex
	body []byte
	ct   string
	srv  *httptest.Server
}

func newFuzzExporter(tb testing.TB) *fuzzExporter {
	e := &fuzzExporter{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		e.mu.Lock()
		body, ct := e.body, e.ct
		e.mu.Unlock()
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing either
		}
		_, _ = w.Write(body)
	}))
	tb.Cleanup(e.srv.Close)
	return e
}

func (e *fuzzExporter) set(body []byte, ct string) {
	e.mu.Lock()
	e.body, e.ct = body, ct
	e.mu.Unlock()
}

// FuzzScrapeFormats scrapes an exporter over HTTP that answers in
// OpenMetrics (1.0.0 and 0.0.1), delimited protobuf, text, or with no or a
// generic Content-Type: a good exposition in that format, then the fuzzed
// body, then the good one and the fuzzed one again. Nothing panics or
// hangs, no allocation follows a length the body claims, a bad scrape
// fails with a message and the good one after it succeeds, and what comes
// out is sane (counts never negative, errors within invocations, finite
// ordered durations).
func FuzzScrapeFormats(f *testing.F) {
	texts := []string{scrFleetText(2, 1), scrFleetText(2, 2), scrFleetText(1, 0)}
	for ct := range fuzzContentTypes {
		for _, text := range texts {
			switch {
			case strings.HasPrefix(fuzzContentTypes[ct], "application/openmetrics"):
				f.Add(fuzzEncode(f, text, expfmt.FmtOpenMetrics_1_0_0), uint8(ct))
			case strings.HasPrefix(fuzzContentTypes[ct], "application/vnd.google.protobuf"):
				f.Add(fuzzEncode(f, text, expfmt.FmtProtoDelim), uint8(ct))
			default:
				f.Add([]byte(text), uint8(ct))
			}
		}
	}
	// Hostile length prefixes and cut messages.
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\x7f"), uint8(1))
	f.Add([]byte("\x80\x80\x80\x80\x04"), uint8(1))
	f.Add(fuzzEncode(f, texts[0], expfmt.FmtProtoDelim)[:100], uint8(1))
	f.Add([]byte("# TYPE gateway_function_invocation_total counter\ngateway_function_invocation_total{function_name=\"a\",code=\"200\"} 1 1e300\n# EOF\n"), uint8(0))
	f.Add([]byte("gateway_function_invocation_total{function_name=\"a\",code=\"200\"} 1\n"), uint8(0))
	f.Add([]byte("<html>\n"), uint8(4))

	e := newFuzzExporter(f)
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		format := fuzzContentTypes[int(ct)%len(fuzzContentTypes)]
		var good [2][]byte
		for i, text := range texts[:2] {
			switch {
			case strings.HasPrefix(format, "application/openmetrics"):
				good[i] = fuzzEncode(t, text, expfmt.FmtOpenMetrics_1_0_0)
			case strings.HasPrefix(format, "application/vnd.google.protobuf"):
				good[i] = fuzzEncode(t, text, expfmt.FmtProtoDelim)
			default:
				good[i] = []byte(text)
			}
		}
		for _, preset := range []*Preset{Presets["openfaas"], nil} {
			src, err := New(Options{URL: e.srv.URL + "/metrics", Mode: ModeScrape, Preset: preset, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			sc, err := newScraper(src)
			if err != nil {
				t.Fatal(err)
			}
			sink := &qrySink{}
			for i, in := range [][]byte{good[0], body, good[1], body} {
				e.set(in, format)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := sc.scrape(ctx, sink)
				late := ctx.Err() != nil
				cancel()
				if late {
					t.Fatalf("scrape %d (%s) did not end within 10s", i, format)
				}
				if i%2 == 0 && err != nil && sc.preset != nil {
					t.Fatalf("good scrape %d (%s) failed: %v", i, format, err)
				}
				st := sink.lastStatus()
				if (err != nil) != (st.State == model.StateFailing) || err != nil && st.LastError == "" {
					t.Fatalf("scrape %d: error %v, status %+v", i, err, st)
				}
			}
			src.client.CloseIdleConnections()
			scrCheckEvents(t, sink.all())
			for _, ev := range sink.kind(model.KindSkipped) {
				if ev.Skipped.Count <= 0 || ev.Skipped.Reason == "" {
					t.Fatalf("bad skipped event %+v", ev.Skipped)
				}
			}
		}
	})
}

// TestScrapeOpenMetricsMatchesText: an OpenMetrics exposition gives the
// same events as the same figures in the text format, with what
// OpenMetrics adds (counter families without _total, _created samples,
// UNIT and HELP lines, timestamps, exemplars) ignored, and an exposition
// without "# EOF" fails as truncated.
func TestScrapeOpenMetricsMatchesText(t *testing.T) {
	e := newFuzzExporter(t)
	scrapeAll := func(bodies [][]byte, ct string) []model.Event {
		t.Helper()
		clock := &qryClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		src, err := New(Options{URL: e.srv.URL, Mode: ModeScrape, Preset: Presets["openfaas"], Timeout: 5 * time.Second, Clock: clock.now})
		if err != nil {
			t.Fatal(err)
		}
		defer src.client.CloseIdleConnections()
		sc, err := newScraper(src)
		if err != nil {
			t.Fatal(err)
		}
		sink := &qrySink{}
		for _, b := range bodies {
			clock.set(clock.now().Add(5 * time.Second))
			e.set(b, ct)
			if err := sc.scrape(context.Background(), sink); err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
		}
		var out []model.Event
		for _, ev := range sink.all() {
			if ev.Kind != model.KindStatus {
				out = append(out, ev)
			}
		}
		return out
	}
	texts := []string{scrFleetText(3, 1), scrFleetText(3, 2)}
	want := scrapeAll([][]byte{[]byte(texts[0]), []byte(texts[1])}, string(expfmt.FmtText))
	if len(want) == 0 {
		t.Fatal("no events from the text format")
	}
	om := func(text string) []byte {
		b := fuzzEncode(t, text, expfmt.FmtOpenMetrics_1_0_0)
		// What OpenMetrics exporters add.
		s := strings.Replace(string(b), "# HELP gateway_function_invocation Function metrics\n# TYPE gateway_function_invocation counter",
			"# HELP gateway_function_invocation Function \"metrics\"\n# TYPE gateway_function_invocation counter\n# UNIT gateway_function_invocation invocations", 1)
		s = strings.Replace(s, "gateway_function_invocation_total{code=\"200\",function_name=\"fn-0000.openfaas-fn\"} 100.0",
			"gateway_function_invocation_total{code=\"200\",function_name=\"fn-0000.openfaas-fn\"} 100 1.7e9 # {trace_id=\"a}b\"} 1 1.7e9\ngateway_function_invocation_created{code=\"200\",function_name=\"fn-0000.openfaas-fn\"} 1.6e9", 1)
		s = strings.Replace(s, "gateway_function_invocation_total{code=\"200\",function_name=\"fn-0000.openfaas-fn\"} 200.0",
			"gateway_function_invocation_total{code=\"200\",function_name=\"fn-0000.openfaas-fn\"} 200 1.7e9", 1)
		return []byte(s)
	}
	bodies := [][]byte{om(texts[0]), om(texts[1])}
	for i, b := range bodies {
		if !bytes.Contains(b, []byte("# UNIT")) || !bytes.Contains(b, []byte([]string{"_created", " 200 1.7e9"}[i])) || !bytes.HasSuffix(b, []byte("# EOF\n")) {
			t.Fatalf("the OpenMetrics sample lacks what it should show:\n%s", b)
		}
	}
	got := scrapeAll(bodies, string(expfmt.FmtOpenMetrics_1_0_0))
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("OpenMetrics:\n%+v\ntext:\n%+v", got, want)
	}

	// Cut before "# EOF": truncated.
	src, err := New(Options{URL: e.srv.URL, Mode: ModeScrape, Preset: Presets["openfaas"], Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer src.client.CloseIdleConnections()
	sc, err := newScraper(src)
	if err != nil {
		t.Fatal(err)
	}
	e.set(bytes.TrimSuffix(bodies[0], []byte("# EOF\n")), string(expfmt.FmtOpenMetrics_1_0_0))
	if err := sc.scrape(context.Background(), &qrySink{}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("scrape of a cut exposition: %v", err)
	}
}

// TestScrapeOpenMetricsLongLine: a line with a label value of 64 KiB is
// read (expfmt's OpenMetrics decoder took minutes over one of 16 KiB).
func TestScrapeOpenMetricsLongLine(t *testing.T) {
	sc := scrOffline(t, Presets["openfaas"])
	body := "# TYPE gateway_function_invocation counter\ngateway_function_invocation_total{code=\"200\",function_name=\"" +
		strings.Repeat("a", 64<<10) + "\"} 1\n# EOF\n"
	text, err := omToText([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sc.f.decodeText(text, sc.preset.want)
	if err != nil || b.series != 1 {
		t.Fatalf("%v, %+v", err, b)
	}
}
