package model

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// snapshotStores caches the stores of BenchmarkSnapshotFleet by size, so
// -count runs build each once.
var snapshotStores struct {
	sync.Mutex
	m map[int]*Store
}

// fleetStore is a store of n functions with an hour of history: one
// invocation a minute each, durations spread.
func fleetStore(n int) *Store {
	snapshotStores.Lock()
	defer snapshotStores.Unlock()
	if s := snapshotStores.m[n]; s != nil {
		return s
	}
	now := t0.Add(time.Hour)
	s := NewStore(Options{Clock: func() time.Time { return now }})
	names := make([]string, n)
	for f := range names {
		names[f] = "fn-" + strconv.Itoa(f)
	}
	batch := make([]Event, n)
	for i := range 60 {
		at := now.Add(-time.Duration(i) * time.Minute)
		for f, name := range names {
			batch[f] = inv(name, at, "r", 10+float64((i*7+f)%300), 20, 256, 80)
		}
		s.Ingest(batch...)
	}
	if snapshotStores.m == nil {
		snapshotStores.m = map[int]*Store{}
	}
	snapshotStores.m[n] = s
	return s
}

// BenchmarkSnapshotFleet takes snapshots of 100, 2,000 and 10,000
// functions with an hour of history over the UI's default window (an
// hour): series=false is the figures alone (a headless snapshot),
// series=true adds the series of the sparklines, as the fleet view asks at
// each tick.
func BenchmarkSnapshotFleet(b *testing.B) {
	for _, n := range []int{100, 2000, 10000} {
		for _, series := range []bool{false, true} {
			b.Run("functions="+strconv.Itoa(n)+"/series="+strconv.FormatBool(series), func(b *testing.B) {
				s := fleetStore(n)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if got := len(s.Snapshot(SnapshotOptions{Window: Window1h, Series: series}).Functions); got != n {
						b.Fatalf("%d functions, want %d", got, n)
					}
				}
			})
		}
	}
}
