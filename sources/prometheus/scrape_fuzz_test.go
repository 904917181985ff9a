package prometheus

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

// scrFleetText is an OpenFaaS gateway's exposition for n functions, each
// with a 200 and a 500 series, at round r (counters grow with r).
func scrFleetText(n, r int) string {
	bounds := []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}
	var b strings.Builder
	b.WriteString("# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 42\n")
	b.WriteString("# HELP gateway_function_invocation_total Function metrics\n# TYPE gateway_function_invocation_total counter\n")
	for i := range n {
		fmt.Fprintf(&b, "gateway_function_invocation_total{code=\"200\",function_name=\"fn-%04d.openfaas-fn\"} %d\n", i, 100*r+i)
		fmt.Fprintf(&b, "gateway_function_invocation_total{code=\"500\",function_name=\"fn-%04d.openfaas-fn\"} %d\n", i, r)
	}
	b.WriteString("# HELP gateway_functions_seconds Function time taken\n# TYPE gateway_functions_seconds histogram\n")
	for i := range n {
		for _, code := range []string{"200", "500"} {
			total := 100*r + i
			if code == "500" {
				total = r
			}
			for j, le := range bounds {
				c := total * (j + 1) / len(bounds)
				fmt.Fprintf(&b, "gateway_functions_seconds_bucket{code=%q,function_name=\"fn-%04d.openfaas-fn\",le=%q} %d\n", code, i, le, c)
			}
			fmt.Fprintf(&b, "gateway_functions_seconds_sum{code=%q,function_name=\"fn-%04d.openfaas-fn\"} %g\n", code, i, float64(total)*0.3)
			fmt.Fprintf(&b, "gateway_functions_seconds_count{code=%q,function_name=\"fn-%04d.openfaas-fn\"} %d\n", code, i, total)
		}
	}
	b.WriteString("# HELP gateway_service_count Current count of replicas for function\n# TYPE gateway_service_count gauge\n")
	for i := range n {
		fmt.Fprintf(&b, "gateway_service_count{function_name=\"fn-%04d.openfaas-fn\"} %d\n", i, 1+i%3)
	}
	return b.String()
}

// scrOffline is a scraper fed with text directly (no HTTP).
func scrOffline(tb testing.TB, preset *Preset) *scraper {
	tb.Helper()
	src, err := New(Options{URL: "http://127.0.0.1:1/metrics", Mode: ModeScrape, Preset: preset})
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := newScraper(src)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// scrFeed parses text and, when it parses, diffs and emits it; it
// returns the events (nil when the text does not parse).
func scrFeed(sc *scraper, text []byte, now time.Time) ([]model.Event, error) {
	want := sc.detectIn
	if sc.preset != nil {
		want = sc.preset.want
	}
	body, err := sc.f.decodeText(text, want)
	if err != nil {
		return nil, err
	}
	if sc.preset == nil {
		if sc.preset, err = sc.detect(body); err != nil {
			return nil, err
		}
	}
	sc.events = sc.events[:0]
	sc.ingest(body, now)
	return sc.events, nil
}

func scrCheckEvents(t *testing.T, evs []model.Event) {
	t.Helper()
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, e := range evs {
		if e.Kind != model.KindAggregate {
			continue
		}
		a := e.Aggregate
		if a.Invocations < 0 || a.Errors < 0 || a.Errors > a.Invocations || a.Span <= 0 {
			t.Fatalf("bad counts %+v", a)
		}
		d := a.Duration
		if d.Count < 0 {
			t.Fatalf("bad duration count %+v", d)
		}
		if d.Count > 0 {
			for _, v := range []float64{d.Sum, d.Max, d.P50, d.P90, d.P99} {
				if !finite(v) || v < 0 {
					t.Fatalf("bad duration %+v", d)
				}
			}
			if d.P50 > d.P90 || d.P90 > d.P99 || d.P99 > d.Max {
				t.Fatalf("unordered duration %+v", d)
			}
		}
	}
}

// FuzzScrapeText feeds the text path (prefilter, expfmt parser, diff and
// emit) a good exposition, then the fuzzed text, then the good one again:
// nothing panics, and what comes out is sane.
func FuzzScrapeText(f *testing.F) {
	good := scrFleetText(3, 1)
	f.Add(scrFleetText(3, 2))
	f.Add(scrFleetText(3, 0))
	f.Add(strings.ReplaceAll(scrFleetText(2, 3), " 3\n", " NaN\n"))
	f.Add(strings.ReplaceAll(scrFleetText(2, 3), "le=\"0.1\"", "le=\"-Inf\""))
	f.Add(strings.ReplaceAll(scrFleetText(2, 3), "le=\"0.1\"", "le=\"1e308\""))
	f.Add(strings.ReplaceAll(scrFleetText(2, 3), "histogram", "counter"))
	f.Add(strings.ReplaceAll(scrFleetText(2, 3), "_sum{", "_sum_x{"))
	f.Add("revision_request_count{service_name=\"a\",response_code=\"500\"} 1e300\n")
	f.Add("# TYPE kn_serving_invocation_duration_seconds histogram\nkn_serving_invocation_duration_seconds_bucket{kn_service_name=\"a\",le=\"+Inf\"} 2\n")
	f.Add("gateway_function_invocation_total{code=\"200\",function_name=\"a\"} -5\n")
	f.Add("<html>\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		for _, preset := range []*Preset{Presets["openfaas"], nil} {
			sc := scrOffline(t, preset)
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			for _, in := range []string{good, text, good, text} {
				now = now.Add(5 * time.Second)
				evs, _ := scrFeed(sc, []byte(in), now)
				scrCheckEvents(t, evs)
			}
		}
	})
}

// BenchmarkScrape1000Functions is one scrape of an OpenFaaS gateway with
// 1,000 functions (two codes each: 2,000 counters, 2,000 histograms, 1,000
// gauges: 31,000 sample lines): prefilter, parse, diff against the previous
// scrape and emit.
func BenchmarkScrape1000Functions(b *testing.B) {
	texts := [2][]byte{[]byte(scrFleetText(1000, 1)), []byte(scrFleetText(1000, 2))}
	sc := scrOffline(b, Presets["openfaas"])
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := scrFeed(sc, texts[0], now); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(texts[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		now = now.Add(5 * time.Second)
		evs, err := scrFeed(sc, texts[(i+1)%2], now)
		if err != nil || len(evs) < 1000 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}

// BenchmarkScrape1000FunctionsHTTP is the same scrape through HTTP from
// a promtest exporter on 127.0.0.1 (GET, read, parse, diff, emit).
func BenchmarkScrape1000FunctionsHTTP(b *testing.B) {
	e := promtest.NewExporter(b)
	texts := [2]string{scrFleetText(1000, 1), scrFleetText(1000, 2)}
	src, err := New(Options{URL: e.URL(), Mode: ModeScrape, Preset: Presets["openfaas"]})
	if err != nil {
		b.Fatal(err)
	}
	defer src.client.CloseIdleConnections()
	sc, err := newScraper(src)
	if err != nil {
		b.Fatal(err)
	}
	sink := &scrDiscard{}
	e.SetRaw(texts[0])
	if err := sc.scrape(context.Background(), sink); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(texts[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e.SetRaw(texts[(i+1)%2])
		b.StartTimer()
		if err := sc.scrape(context.Background(), sink); err != nil {
			b.Fatal(err)
		}
	}
	if sink.n < 1000 {
		b.Fatalf("%d events", sink.n)
	}
}

type scrDiscard struct{ n int }

func (d *scrDiscard) Ingest(evs ...model.Event) { d.n = len(evs) }
