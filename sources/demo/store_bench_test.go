package demo

import (
	"context"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// BenchmarkBackfillStore measures what fntop does at launch: the demo's
// default history (two hours) backfilled into a model.Store, for the
// designed fleet at its daily peak (16:45 UTC). Wall time: the backfill
// parses and ingests on goroutines of its own.
func BenchmarkBackfillStore(b *testing.B) { benchBackfillStore(b, DefaultHistory) }

// BenchmarkBackfillStore1h is the same for one hour of history.
func BenchmarkBackfillStore1h(b *testing.B) { benchBackfillStore(b, time.Hour) }

func benchBackfillStore(b *testing.B, history time.Duration) {
	now := time.Date(2026, 11, 25, 16, 45, 0, 0, time.UTC)
	src := New(Clock(fixed(now)), History(history))
	for b.Loop() {
		st := model.NewStore(model.Options{Clock: fixed(now)})
		if err := src.Backfill(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	}
}
