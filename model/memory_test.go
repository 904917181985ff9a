package model

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// retainedPerFunction ingests one invocation per second for each of n
// functions over span of event time (durations spread so the sketches fill
// like real traffic, one cold start a minute, one failure in 100) and
// returns the heap the store keeps per function.
func retainedPerFunction(n int, span time.Duration) float64 {
	names := make([]string, n)
	for i := range names {
		names[i] = "fn-" + strconv.Itoa(i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	end := t0.Add(span)
	s := NewStore(Options{Clock: func() time.Time { return end }})
	batch := make([]Event, 0, n)
	secs := int(span / time.Second)
	for sec := 0; sec < secs; sec++ {
		at := t0.Add(time.Duration(sec) * time.Second)
		batch = batch[:0]
		for i, name := range names {
			d := 5 + float64((sec*7+i*13)%400)
			ev := inv(name, at, fmt.Sprintf("%08x-0000-4000-8000-%012x", sec, i), d, d+1, 256, 80)
			ev.Invocation.Stream = "2026/11/25/[$LATEST]0123456789abcdef0123456789abcdef"
			if (sec+i)%60 == 0 {
				ev.Invocation.InitDurationMs = 180
			}
			if (sec+i)%100 == 0 {
				ev.Invocation.Error = ErrFunction
				ev.Invocation.ErrorType = "TypeError"
				ev.Invocation.ErrorMessage = "Cannot read properties of undefined (reading 'id" + strconv.Itoa(sec%5) + "')"
			}
			batch = append(batch, ev)
		}
		s.Ingest(batch...)
	}
	batch, names = nil, nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkMemoryPerFunction reports the heap kept per active function
// with one hour of history (run with -benchtime=1x):
//
//	go test -run '^$' -bench MemoryPerFunction -benchtime=1x ./model/
func BenchmarkMemoryPerFunction(b *testing.B) {
	for _, span := range []time.Duration{time.Hour, 3 * time.Hour} {
		b.Run(span.String(), func(b *testing.B) {
			var per float64
			for i := 0; i < b.N; i++ {
				per = retainedPerFunction(1000, span)
			}
			b.ReportMetric(per, "bytes/function")
		})
	}
}
