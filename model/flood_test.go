package model

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// floodRSSCap is the most resident memory the flood may take with the
// default retention: what 10,000 functions keep (figures, sketches,
// records, about 15 KB each after a minute) plus the log rings' budget
// (DefaultLogBytes) plus the garbage collector's headroom (GOGC=100 lets
// the heap grow to twice what is live before collecting).
const floodRSSCap = 1 << 30

// floodMessages are application lines of realistic length; the request
// ID is filled in per line.
var floodMessages = func() []string {
	out := make([]string, 512)
	for i := range out {
		out[i] = fmt.Sprintf("INFO\tprocessed order %d for customer %d in %d ms (items=%d, cache=%v)",
			100000+i*7, i%97, 3+i%120, 1+i%9, i%3 == 0)
	}
	return out
}()

// readRSS reads the process's resident set size and its peak (VmRSS and
// VmHWM of /proc/self/status), in bytes; ok is false off Linux.
func readRSS() (rss, peak int64, ok bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close() //nolint:errcheck // opened for reading
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			rss = n << 10
		case "VmHWM":
			peak = n << 10
		}
	}
	return rss, peak, rss > 0
}

// rssWatch samples the resident set size until stop is closed and
// returns the largest seen.
func rssWatch(stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var top int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, ok := readRSS(); ok && rss > top {
				top = rss
			}
			select {
			case <-stop:
				out <- top
				return
			case <-t.C:
			}
		}
	}()
	return out
}

type floodResult struct {
	lines, invocations int64
	perFunction        []int64 // invocations by function
	took               time.Duration
	peakRSS            int64
}

// flood ingests lines log lines (and one invocation, a REPORT, for every
// tenth line) spread evenly over the named functions, with event times
// covering 60 seconds of a fake clock, in batches of 1,024 events from
// one goroutine per core, as fast as the store takes them.
func flood(t *testing.T, s *Store, names []string, lines int64) floodResult {
	t.Helper()
	const batch = 1024
	ids := make([]string, len(names))
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i)
	}
	workers := runtime.GOMAXPROCS(0)
	res := floodResult{perFunction: make([]int64, len(names))}
	var next atomic.Int64 // lines handed out, a batch at a time
	var invs atomic.Int64
	stop := make(chan struct{})
	peak := rssWatch(stop)
	start := time.Now()
	var wg sync.WaitGroup
	perFn := make([][]int64, workers)
	for w := range workers {
		perFn[w] = make([]int64, len(names))
		wg.Add(1)
		go func(counts []int64) {
			defer wg.Done()
			evs := make([]Event, 0, batch+batch/10+1)
			for {
				lo := next.Add(batch) - batch
				if lo >= lines {
					return
				}
				hi := min(lo+batch, lines)
				evs = evs[:0]
				for i := lo; i < hi; i++ {
					fn := int(i % int64(len(names)))
					at := t0.Add(time.Duration(i * int64(60*time.Second) / lines))
					msg := floodMessages[i%int64(len(floodMessages))]
					evs = append(evs, Event{Kind: KindLog, Source: "flood", Function: names[fn], Time: at,
						Log: LogLine{RequestID: ids[fn], Kind: LineApp, Level: LevelInfo, Message: msg}})
					if i%10 == 0 {
						d := 3 + float64(i%400)
						evs = append(evs, Event{Kind: KindInvocation, Source: "flood", Function: names[fn], Time: at,
							Invocation: Invocation{RequestID: ids[fn], DurationMs: d, BilledMs: d + 1, MemorySizeMB: 256, MaxMemoryUsedMB: 90}})
						counts[fn]++
						invs.Add(1)
					}
				}
				s.Ingest(evs...)
			}
		}(perFn[w])
	}
	wg.Wait()
	res.took = time.Since(start)
	close(stop)
	res.peakRSS = <-peak
	res.lines, res.invocations = lines, invs.Load()
	for _, c := range perFn {
		for i, n := range c {
			res.perFunction[i] += n
		}
	}
	return res
}

func floodNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "flood-fn-" + strconv.Itoa(i)
	}
	return names
}

// checkFlood checks the figures after a flood: every invocation counted,
// once, under its function, and each function's newest line kept.
func checkFlood(t *testing.T, s *Store, names []string, r floodResult) {
	t.Helper()
	snap := s.Snapshot(SnapshotOptions{Window: WindowAll})
	if snap.Totals.Functions != len(names) || snap.Totals.Invocations != r.invocations {
		t.Fatalf("totals: %d functions, %d invocations; sent %d, %d", snap.Totals.Functions, snap.Totals.Invocations, len(names), r.invocations)
	}
	byName := make(map[string]int, len(names))
	for i, n := range names {
		byName[n] = i
	}
	for _, f := range snap.Functions {
		if want := r.perFunction[byName[f.Name]]; f.Invocations != want {
			t.Fatalf("%s: %d invocations, sent %d", f.Name, f.Invocations, want)
		}
	}
	if w := snap.Window.Seconds; w < 59 || w > 60 {
		t.Errorf("window: %v s, want the 60 s of the flood", w)
	}
	last := s.Logs(LogQuery{Limit: 1})
	if len(last) != 1 || last[0].Seq != uint64(r.lines) {
		t.Errorf("newest line: %+v, want seq %d", last, r.lines)
	}
	// The newest line of each function survives the budget.
	for _, i := range []int{0, len(names) / 2, len(names) - 1} {
		got := s.Logs(LogQuery{Function: names[i], Limit: 1})
		if len(got) != 1 || got[0].Function != names[i] || got[0].Message == "" {
			t.Errorf("%s: newest line %+v", names[i], got)
		}
	}
}

func logFlood(t *testing.T, r floodResult, st LogStats) {
	t.Helper()
	t.Logf("%d lines + %d invocations in %v: %.2fM lines/s; peak RSS %.0f MiB (cap %d MiB); log rings: %d lines, %.0f MiB",
		r.lines, r.invocations, r.took.Round(time.Millisecond), float64(r.lines)/r.took.Seconds()/1e6,
		float64(r.peakRSS)/(1<<20), floodRSSCap>>20, st.Lines, float64(st.Bytes)/(1<<20))
}

// TestFlood sends 1,000,000 log lines a second for a minute (60 M lines,
// 6 M of them REPORTs) over 10,000 functions into a store with the default
// retention, and checks that resident memory stays under floodRSSCap and
// that every invocation is counted. Without FNTOP_E2E=1 it sends a tenth
// (100,000 lines a second).
//
//	FNTOP_E2E=1 go test -run '^TestFlood$' -v ./model/
func TestFlood(t *testing.T) {
	lines := int64(6_000_000)
	switch {
	case raceEnabled:
		lines = 600_000
	case os.Getenv("FNTOP_E2E") == "1":
		lines = 60_000_000
	case testing.Short():
		lines = 600_000
	}
	if _, _, ok := readRSS(); !ok {
		t.Skip("no /proc/self/status: resident memory is measured on Linux")
	}
	names := floodNames(10_000)
	end := t0.Add(time.Minute)
	s := NewStore(Options{Clock: func() time.Time { return end }})
	runtime.GC()
	r := flood(t, s, names, lines)
	st := s.LogStats()
	logFlood(t, r, st)
	if r.peakRSS > floodRSSCap && !raceEnabled {
		t.Errorf("peak RSS %d MiB over the cap of %d MiB", r.peakRSS>>20, floodRSSCap>>20)
	}
	if st.Bytes > DefaultLogBytes {
		t.Errorf("log rings cost %d bytes, over the budget of %d", st.Bytes, DefaultLogBytes)
	}
	checkFlood(t, s, names, r)
	runtime.KeepAlive(s)
}

// TestFloodFewFunctions floods 10 functions: each keeps its last
// LogsPerFunction lines (the rings' own cap binds before the budget), and
// log memory stays what those lines cost.
func TestFloodFewFunctions(t *testing.T) {
	lines := int64(2_000_000)
	if testing.Short() || raceEnabled {
		lines = 200_000
	}
	names := floodNames(10)
	end := t0.Add(time.Minute)
	s := NewStore(Options{Clock: func() time.Time { return end }})
	r := flood(t, s, names, lines)
	st := s.LogStats()
	logFlood(t, r, st)
	if st.Lines != 10*1000 {
		t.Errorf("log rings hold %d lines, want 10 × 1000", st.Lines)
	}
	var msgs int64
	for _, n := range names {
		got := s.Logs(LogQuery{Function: n})
		if len(got) != 1000 {
			t.Fatalf("%s: %d lines", n, len(got))
		}
		for i := 1; i < len(got); i++ {
			if got[i].Seq <= got[i-1].Seq {
				t.Fatalf("%s: lines out of order", n)
			}
		}
		for _, e := range got {
			msgs += int64(len(e.Message))
		}
	}
	if want := 10*1000*logEntrySize + msgs; st.Bytes != want {
		t.Errorf("log bytes %d, want %d (10 rings of 1,000 slots and the messages)", st.Bytes, want)
	}
	checkFlood(t, s, names, r)
}

// The log budget drops the fleet's oldest lines first, whatever their
// function, and its bookkeeping stays bounded when rings drop lines
// themselves.
func TestLogBudget(t *testing.T) {
	msg := strings.Repeat("x", 100)
	cost := logEntrySize + 100
	// Room for about 100 lines.
	s := NewStore(Options{LogsPerFunction: 50, LogBytes: 100 * cost})
	for i := range 1000 {
		fn := "f" + strconv.Itoa(i%20)
		s.Ingest(Event{Kind: KindLog, Function: fn, Time: t0.Add(time.Duration(i) * time.Second), Log: LogLine{Message: msg}})
		if st := s.LogStats(); st.Bytes > 100*cost {
			t.Fatalf("after %d lines: %d bytes over the budget", i+1, st.Bytes)
		}
	}
	// The newest lines of the fleet are kept: those of the last 1000-n
	// lines, whose functions are every one.
	var kept []uint64
	for i := range 20 {
		for _, e := range s.Logs(LogQuery{Function: "f" + strconv.Itoa(i)}) {
			kept = append(kept, e.Seq)
		}
	}
	st := s.LogStats()
	if st.Lines != len(kept) || st.Lines < 50 {
		t.Fatalf("%d lines counted, %d kept", st.Lines, len(kept))
	}
	for _, seq := range kept {
		if seq <= uint64(1000-st.Lines) {
			t.Errorf("line %d kept while newer ones were dropped (%d kept)", seq, st.Lines)
		}
	}

	// One function, its ring's own cap: the order of lines stays bounded.
	s = NewStore(Options{LogsPerFunction: 10})
	for i := range 100_000 {
		s.Ingest(Event{Kind: KindLog, Function: "f", Time: t0, Log: LogLine{Message: "m" + strconv.Itoa(i)}})
	}
	if n := s.logOrder.n; n > 2*10+1024 {
		t.Errorf("log order holds %d entries for 10 lines", n)
	}
	if got := s.Logs(LogQuery{Function: "f"}); len(got) != 10 || got[9].Message != "m99999" {
		t.Errorf("ring: %d lines", len(got))
	}
}
