package prometheus

import (
	"math"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// scrFamily is one metric family of a scrape in the form the diff reads,
// converted from the metric families expfmt decodes.
// Its strings may point into the scrape's body: whatever outlives the
// scrape must be cloned.
type scrFamily struct {
	name    string
	typ     dto.MetricType
	typed   bool // a TYPE line or a sample fixed the type
	metrics []scrMetric
}

// scrMetric is one series: a counter, gauge or untyped value, or a
// classic histogram.
type scrMetric struct {
	labels []scrLabel
	value  float64
	hist   scrHist
}

type scrLabel struct{ name, value string }

// scrHist is a classic histogram as exposed: buckets in exposition order
// (the +Inf bucket may be missing: protobuf leaves it implicit).
type scrHist struct {
	count, sum float64
	hasCount   bool
	buckets    []scrBucket
}

type scrBucket struct{ ub, c float64 }

func scrCmpLabel(a, b scrLabel) int { return strings.Compare(a.name, b.name) }

// scrFromDTO converts a decoded family (protobuf, OpenMetrics).
func scrFromDTO(mf *dto.MetricFamily) *scrFamily {
	f := &scrFamily{name: mf.GetName(), typ: mf.GetType(), typed: true, metrics: make([]scrMetric, 0, len(mf.Metric))}
	for _, m := range mf.Metric {
		if m == nil {
			continue
		}
		sm := scrMetric{labels: make([]scrLabel, 0, len(m.Label))}
		for _, l := range m.Label {
			sm.labels = append(sm.labels, scrLabel{l.GetName(), l.GetValue()})
		}
		switch {
		case m.Counter != nil:
			sm.value = m.Counter.GetValue()
		case m.Gauge != nil:
			sm.value = m.Gauge.GetValue()
		case m.Untyped != nil:
			sm.value = m.Untyped.GetValue()
		case m.Histogram != nil:
			h := m.Histogram
			sm.hist.sum = h.GetSampleSum()
			switch {
			case h.SampleCountFloat != nil:
				sm.hist.count, sm.hist.hasCount = h.GetSampleCountFloat(), true
			case h.SampleCount != nil:
				sm.hist.count, sm.hist.hasCount = float64(h.GetSampleCount()), true
			}
			for _, b := range h.Bucket {
				c := float64(b.GetCumulativeCount())
				if b.CumulativeCountFloat != nil {
					c = b.GetCumulativeCountFloat()
				}
				sm.hist.buckets = append(sm.hist.buckets, scrBucket{b.GetUpperBound(), c})
			}
		default:
			sm.value = math.NaN() // a summary, or nothing
		}
		f.metrics = append(f.metrics, sm)
	}
	return f
}
