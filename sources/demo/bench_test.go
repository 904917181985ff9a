package demo

import (
	"context"
	"testing"
	"time"
)

// BenchmarkBackfill fills an hour of history of the designed fleet
// at its daily peak (16:45 UTC).
func BenchmarkBackfill(b *testing.B) {
	benchBackfill(b, 0, time.Hour)
}

// BenchmarkBackfill500 fills an hour for a fleet of 500 functions.
func BenchmarkBackfill500(b *testing.B) {
	benchBackfill(b, 500, time.Hour)
}

func benchBackfill(b *testing.B, n int, history time.Duration) {
	now := time.Date(2026, 11, 25, 16, 45, 0, 0, time.UTC)
	src := New(Clock(fixed(now)), Functions(n), History(history))
	var invocations int
	for b.Loop() {
		sink := &countingSink{}
		if err := src.Backfill(context.Background(), sink); err != nil {
			b.Fatal(err)
		}
		invocations = sink.invocations
	}
	b.ReportMetric(float64(invocations), "invocations/op")
	b.ReportMetric(float64(invocations)/history.Seconds(), "invocations/s")
}

// BenchmarkBackfill2000 fills an hour for a fleet of 2000 functions.
func BenchmarkBackfill2000(b *testing.B) {
	benchBackfill(b, 2000, time.Hour)
}
