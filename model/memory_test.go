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
// like real traffic, one cold start a minute, one failure in 100), and
// logs application lines of about 100 bytes per function spread over the
// last hour, and returns the heap the store keeps per function.
func retainedPerFunction(n int, span time.Duration, logs int) float64 {
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
		// The log lines of the last hour: those whose turn falls in
		// this second.
		if logs > 0 && sec >= secs-3600 {
			from, to := (sec-(secs-3600))*logs/3600, (sec-(secs-3600)+1)*logs/3600
			batch = batch[:0]
			for l := from; l < to; l++ {
				for i, name := range names {
					batch = append(batch, Event{Kind: KindLog, Source: "test", Function: name, Time: at, Log: LogLine{
						RequestID: fmt.Sprintf("%08x-0000-4000-8000-%012x", sec, i), Level: LevelInfo, Kind: LineApp,
						Message: fmt.Sprintf("2026-11-25T12:00:00.000Z\t%08x-0000-4000-8000-%012x\tINFO\tprocessed order %d in %d ms", sec, i, l, l%300),
					}})
				}
			}
			s.Ingest(batch...)
		}
	}
	batch, names = nil, nil //nolint:ineffassign // let the collector free them before measuring
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkMemoryPerFunction reports the heap kept per active function
// (run with -benchtime=1x): with one hour of history and with the rings
// full (3 hours), without log lines and with a full default log ring
// (1,000 lines; the fleet-wide budget, Options.LogBytes, is not reached by
// 1,000 functions):
//
//	go test -run '^$' -bench MemoryPerFunction -benchtime=1x ./model/
func BenchmarkMemoryPerFunction(b *testing.B) {
	for _, span := range []time.Duration{time.Hour, 3 * time.Hour} {
		for _, logs := range []int{0, 1000} {
			name := span.String()
			if logs > 0 {
				name += "/logs=" + strconv.Itoa(logs)
			}
			b.Run(name, func(b *testing.B) {
				var per float64
				for i := 0; i < b.N; i++ {
					per = retainedPerFunction(1000, span, logs)
				}
				b.ReportMetric(per, "bytes/function")
			})
		}
	}
}

// TestMemoryPerFunction keeps the store under 64 KiB per active function
// with one hour of history (without log lines), measured on 200 functions.
func TestMemoryPerFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 720,000 invocations")
	}
	if per := retainedPerFunction(200, time.Hour, 0); per > 64<<10 {
		t.Errorf("%.0f bytes per function with an hour of history, want under 64 KiB", per)
	} else {
		t.Logf("%.0f bytes per function", per)
	}
}
