package prometheus

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"
)

// scrParseAll parses text with scrTextParser, every family wanted.
func scrParseAll(text string) (*scrapeBody, error) {
	p := scrTextParser{maxSeries: math.MaxInt}
	body := newScrapeBody()
	return body, p.parse(text, body)
}

// scrLabelValues matches label values, to tell quotes in values from
// quoted (UTF-8) names, which scrTextParser does not read.
var scrLabelValues = regexp.MustCompile(`=\s*"(?:[^"\\\n]|\\.)*"`)

// scrCompareExpfmt checks scrTextParser against expfmt's TextParser:
// where expfmt accepts a text, scrTextParser accepts it too (unless it
// uses quoted names) and yields the same families.
func scrCompareExpfmt(t *testing.T, text string) {
	t.Helper()
	ep := expfmt.NewTextParser(pmodel.UTF8Validation)
	want, werr := ep.TextToMetricFamilies(strings.NewReader(text))
	got, gerr := scrParseAll(text)
	if werr != nil {
		return // scrTextParser may be more lenient
	}
	if strings.Contains(scrLabelValues.ReplaceAllString(text, "="), `"`) {
		return // a quoted (UTF-8) name: scrTextParser skips such lines
	}
	if gerr != nil {
		t.Fatalf("expfmt accepts, scrTextParser fails: %v\n%q", gerr, text)
	}
	if len(got.fams) != len(want) {
		t.Fatalf("%d families, expfmt %d\n%q", len(got.fams), len(want), text)
	}
	for name, wf := range want {
		gf, ok := got.fams[name]
		if !ok {
			t.Fatalf("no family %q\n%q", name, text)
		}
		if gf.typ != wf.GetType() || len(gf.metrics) != len(wf.Metric) {
			t.Fatalf("family %q: %v with %d metrics, expfmt %v with %d\n%q", name, gf.typ, len(gf.metrics), wf.GetType(), len(wf.Metric), text)
		}
		for i, wm := range wf.Metric {
			if d := scrDiffMetric(&gf.metrics[i], wm, gf.typ); d != "" {
				t.Fatalf("family %q metric %d: %s\n%q", name, i, d, text)
			}
		}
	}
}

func scrSame(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func scrDiffMetric(g *scrMetric, w *dto.Metric, typ dto.MetricType) string {
	gl := slices.Clone(g.labels)
	var wl []scrLabel
	for _, l := range w.Label {
		wl = append(wl, scrLabel{l.GetName(), l.GetValue()})
	}
	slices.SortFunc(gl, scrCmpLabel)
	slices.SortFunc(wl, scrCmpLabel)
	if !slices.Equal(gl, wl) {
		return "labels differ"
	}
	switch typ {
	case dto.MetricType_COUNTER:
		if !scrSame(g.value, w.GetCounter().GetValue()) {
			return "counter value"
		}
	case dto.MetricType_GAUGE:
		if !scrSame(g.value, w.GetGauge().GetValue()) {
			return "gauge value"
		}
	case dto.MetricType_UNTYPED:
		if !scrSame(g.value, w.GetUntyped().GetValue()) {
			return "untyped value"
		}
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		f := scrFromDTO(&dto.MetricFamily{Type: &typ, Metric: []*dto.Metric{w}})
		wh := f.metrics[0].hist
		if !g.hist.hasCount && wh.hasCount && wh.count == 0 {
			wh.hasCount = false // expfmt's normalizeHistogram sets a float count of 0 when a bucket is a float
		}
		if g.hist.hasCount != wh.hasCount || g.hist.hasCount && !scrSame(g.hist.count, wh.count) ||
			!scrSame(g.hist.sum, wh.sum) || len(g.hist.buckets) != len(wh.buckets) {
			return "histogram count, sum or bucket number"
		}
		for i, b := range wh.buckets {
			if !scrSame(b.ub, g.hist.buckets[i].ub) || !scrSame(b.c, g.hist.buckets[i].c) {
				return "histogram bucket"
			}
		}
	}
	return ""
}

func TestScrapeTextParser(t *testing.T) {
	for _, text := range []string{
		scrFleetText(3, 2),
		"# TYPE x histogram\nx_bucket{le=\"1\",a=\"b\"} 1\nx_bucket{a=\"b\",le=\"+Inf\"} 2\nx_sum{a=\"b\"} 3\nx_count{a=\"b\"} 2\n" +
			"x_bucket{a=\"c\",le=\"+Inf\"} 1\nx_bucket{le=\"1\",a=\"b\"} 7\n",
		"# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 3\ns_bucket 4\n",
		"a{b=\"x\\\\y\\\"z\\n\"} 1 1700000000000\n  a{ b = \"w\" , } -Inf\n\n# free comment\n#\n",
		"# HELP x_count early\n# TYPE x histogram\nx_count 5\nx_bucket{le=\"1\"} 1.5\n",
		"m NaN\nm{l=\"1\"} +Inf\nm{l=\"2\"} 1e-3\nm{l=\"3\"} .5\n",
	} {
		scrCompareExpfmt(t, text)
		if _, err := scrParseAll(text); err != nil {
			t.Errorf("%v\n%s", err, text)
		}
	}
	for text, msg := range map[string]string{
		"a{b=\"c\"} x\n":                             "expected float as value",
		"a{b=\"c\" 1\n":                              "unexpected end of label value",
		"a{b=\"c\",b=\"d\"} 1\n":                     "duplicate label names",
		"a{__name__=\"c\"} 1\n":                      "is reserved",
		"a{b=\"\\x\"} 1\n":                           "invalid escape sequence",
		"# TYPE a counter\n# TYPE a gauge\n":         "second TYPE line",
		"# TYPE a summari\n":                         "unknown metric type",
		"# TYPE h histogram\nh_count -1\n":           "negative count",
		"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n": "expected float as value for 'le'",
		"a 1 12.5\n":                                 "expected integer as timestamp",
		"a 1 12 x\n":                                 "spurious string after timestamp",
		"a 1":                                        "no newline at the end",
		"a{b=\"\xff\"} 1\n":                          "invalid label value",
	} {
		_, err := scrParseAll(text)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", text, err, msg)
		}
	}
}

// FuzzScrapeTextParser: scrTextParser agrees with expfmt's TextParser.
func FuzzScrapeTextParser(f *testing.F) {
	f.Add(scrFleetText(2, 1))
	f.Add("# TYPE x histogram\nx_bucket{le=\"1\",a=\"b\"} 1\nx_bucket{a=\"b\",le=\"+Inf\"} 2\nx_sum{a=\"b\"} 3\nx_count{a=\"b\"} 2\n")
	f.Add("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 3\n")
	f.Add("a{b=\"x\\\\y\\\"z\\n\"} 1 1700000000000\n  a{ b = \"w\" , } -Inf\n")
	f.Add("# HELP x_count early\n# TYPE x gaugehistogram\nx_count 5\n")
	f.Add("m NaN\nm{l=\"1\"} +Inf\n")
	f.Fuzz(func(t *testing.T, text string) {
		scrCompareExpfmt(t, text)
	})
}
