package model

import (
	"math"
	"sort"
	"testing"
	"time"
)

// Aggregates with a duration summary (Logs Insights' pct(@duration, ...))
// give the snapshot quantiles close to the summary's own, in every window
// and in series points.
func TestAggregateDurationQuantiles(t *testing.T) {
	end := t0.Add(9*time.Minute + 30*time.Second)
	s := NewStore(Options{Clock: func() time.Time { return end }})
	sum := DurationSummary{Count: 600, Sum: 600 * 140, Max: 1500, P50: 100, P90: 250, P99: 900}
	for i := range 10 {
		s.Ingest(Event{Kind: KindAggregate, Source: "test", Function: "agg", Time: t0.Add(time.Duration(i) * time.Minute),
			Aggregate: Aggregate{Span: time.Minute, Invocations: 600, HasInvocations: true, Duration: sum}})
	}
	for _, w := range []time.Duration{WindowAll, Window15m, Window5m, Window1m} {
		snap := s.Snapshot(SnapshotOptions{Window: w, Series: true, SeriesQuantiles: true})
		f := snap.Functions[0]
		label := "window " + WindowLabel(w)
		if f.Duration == nil {
			t.Fatalf("%s: no duration", label)
		}
		within(t, label+" p50", f.Duration.P50, 100, RelativeAccuracy)
		within(t, label+" p90", f.Duration.P90, 250, RelativeAccuracy)
		within(t, label+" p99", f.Duration.P99, 900, RelativeAccuracy)
		within(t, label+" max", f.Duration.Max, 1500, 0)
		within(t, label+" avg", f.Duration.Avg, 140, 1e-9)
		if w == Window5m {
			var pts int
			for _, p := range f.Series {
				if p.Invocations == 0 {
					continue
				}
				pts++
				within(t, "series p50", p.P50, 100, RelativeAccuracy)
				within(t, "series p99", p.P99, 900, RelativeAccuracy)
			}
			if pts == 0 {
				t.Errorf("no series point with invocations: %+v", f.Series)
			}
		}
	}

	// Missing upper quantiles fall back to the ones below.
	s.Ingest(Event{Kind: KindAggregate, Function: "p50only", Time: t0,
		Aggregate: Aggregate{Span: time.Minute, Invocations: 10, Duration: DurationSummary{Count: 10, Sum: 500, Max: 80, P50: 40}}})
	f := s.Snapshot(SnapshotOptions{Function: "p50only"}).Functions[0]
	within(t, "p50only p50", f.Duration.P50, 40, RelativeAccuracy)
	within(t, "p50only p90", f.Duration.P90, 40, RelativeAccuracy)
	within(t, "p50only p99", f.Duration.P99, 40, RelativeAccuracy)
}

// Raw invocations keep their exact quantiles: aggregates without a
// duration summary, or with a sum and maximum only, leave the sketches
// alone.
func TestAggregateWithoutQuantilesKeepsRawDurations(t *testing.T) {
	s := NewStore(Options{})
	var durs []float64
	for i := range 1000 {
		d := 5 + math.Mod(float64(i)*7.3, 300)
		durs = append(durs, d)
		s.Ingest(inv("raw", t0.Add(time.Duration(i)*50*time.Millisecond), "r", d, math.Ceil(d), 128, 60))
	}
	before := *s.Snapshot(SnapshotOptions{}).Functions[0].Duration
	s.Ingest(
		Event{Kind: KindAggregate, Function: "raw", Time: t0, Aggregate: Aggregate{Span: time.Minute, Throttles: 3, HasThrottles: true}},
		Event{Kind: KindAggregate, Function: "raw", Time: t0.Add(time.Second),
			Aggregate: Aggregate{Span: time.Minute, Duration: DurationSummary{Count: 0, P50: 999}}},
		Event{Kind: KindAggregate, Function: "raw", Time: t0.Add(2 * time.Second),
			Aggregate: Aggregate{Span: time.Minute, Invocations: 4, Duration: DurationSummary{Count: 4, Sum: 40, Max: 20}}},
	)
	after := *s.Snapshot(SnapshotOptions{}).Functions[0].Duration
	if after.P50 != before.P50 || after.P90 != before.P90 || after.P99 != before.P99 {
		t.Errorf("quantiles moved: before %+v, after %+v", before, after)
	}
	sort.Float64s(durs)
	within(t, "raw p50", after.P50, exactQuantile(durs, 0.5), RelativeAccuracy)
	within(t, "raw p99", after.P99, exactQuantile(durs, 0.99), RelativeAccuracy)
	if after.Max != before.Max {
		t.Errorf("max %v, want %v", after.Max, before.Max)
	}
}
