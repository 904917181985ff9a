package model

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func inv(fn string, at time.Time, id string, dur, billed float64, mem, used int) Event {
	return Event{Kind: KindInvocation, Source: "test", Function: fn, Time: at, Invocation: Invocation{
		RequestID: id, DurationMs: dur, BilledMs: billed, MemorySizeMB: mem, MaxMemoryUsedMB: used,
	}}
}

// exactQuantile uses the rank convention of DDSketch (rank = q*(n-1)).
func exactQuantile(sorted []float64, q float64) float64 {
	return sorted[int(q*float64(len(sorted)-1))]
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want)+1e-9 {
		t.Errorf("%s = %v, want %v within %.1f%%", what, got, want, rel*100)
	}
}

func TestSnapshotFiguresExact(t *testing.T) {
	s := NewStore(Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	var durs []float64
	var billedTotal, gbs float64
	var inits []float64
	const n = 5000
	for i := 0; i < n; i++ {
		d := math.Exp(rng.NormFloat64()*0.8 + 4) // log-normal around 55 ms
		b := math.Ceil(d)
		ev := inv("orders", t0.Add(time.Duration(i)*time.Millisecond*100), "r", d, b, 256, 80+i%50)
		if i%100 == 0 {
			ev.Invocation.InitDurationMs = 200 + float64(i%7)
			inits = append(inits, ev.Invocation.InitDurationMs)
		}
		if i%50 == 0 {
			ev.Invocation.Error = ErrTimeout
		} else if i%77 == 0 {
			ev.Invocation.Error = ErrFunction
		}
		s.Ingest(ev)
		durs = append(durs, d)
		billedTotal += b
		gbs += b / 1000 * 256.0 / 1024
	}
	snap := s.Snapshot(SnapshotOptions{Window: WindowAll})
	if len(snap.Functions) != 1 {
		t.Fatalf("functions = %d", len(snap.Functions))
	}
	f := snap.Functions[0]
	if f.Invocations != n {
		t.Errorf("invocations = %d", f.Invocations)
	}
	wantTimeouts := int64(n / 50)
	wantFunc := int64(0)
	for i := 0; i < n; i++ {
		if i%50 != 0 && i%77 == 0 {
			wantFunc++
		}
	}
	if f.Timeouts != wantTimeouts || f.ErrorsByKind.FunctionError != wantFunc || f.Errors != wantTimeouts+wantFunc {
		t.Errorf("errors = %d timeouts = %d func = %d", f.Errors, f.Timeouts, f.ErrorsByKind.FunctionError)
	}
	if f.ColdStarts == nil || *f.ColdStarts != int64(len(inits)) {
		t.Errorf("cold starts = %v, want %d", f.ColdStarts, len(inits))
	}
	if f.Throttles != nil {
		t.Errorf("throttles = %v, want null for a log source", *f.Throttles)
	}
	sort.Float64s(durs)
	for _, q := range []struct {
		name string
		got  float64
		q    float64
	}{{"p50", f.Duration.P50, 0.5}, {"p90", f.Duration.P90, 0.9}, {"p99", f.Duration.P99, 0.99}} {
		within(t, q.name, q.got, exactQuantile(durs, q.q), RelativeAccuracy)
	}
	if f.Duration.Max != durs[len(durs)-1] {
		t.Errorf("max = %v, want %v", f.Duration.Max, durs[len(durs)-1])
	}
	within(t, "billed", f.BilledMsTotal, billedTotal, 1e-12)
	within(t, "gb-s", f.GBSeconds, gbs, 1e-9)
	p := DefaultPrices().Lookup("", ArchUnknown)
	within(t, "cost", f.CostUSD, float64(n)*0.0000002+gbs*0.0000166667, 1e-9)
	if p.GBSecondUSD != 0.0000166667 || f.Architecture != "x86_64" || len(f.PriceAssumptions) == 0 {
		t.Errorf("pricing: %+v arch %q assumptions %v", p, f.Architecture, f.PriceAssumptions)
	}
	sort.Float64s(inits)
	within(t, "init p50", f.InitDuration.P50, exactQuantile(inits, 0.5), RelativeAccuracy)
	if f.InitDuration.Max != inits[len(inits)-1] && math.Abs(f.InitDuration.Max-inits[len(inits)-1]) > RelativeAccuracy*inits[len(inits)-1] {
		t.Errorf("init max = %v", f.InitDuration.Max)
	}
	if f.MemorySizeMB != 256 || f.MaxMemoryUsedMB != 129 {
		t.Errorf("memory = %d/%d", f.MaxMemoryUsedMB, f.MemorySizeMB)
	}
	wantSecs := float64(n-1) * 0.1
	within(t, "window seconds", snap.Window.Seconds, wantSecs, 1e-9)
	within(t, "rate", f.RatePerS, n/wantSecs, 1e-9)
}

func TestWindowsUseBuckets(t *testing.T) {
	now := t0.Add(30 * time.Second) // 12:00:30
	s := NewStore(Options{Clock: func() time.Time { return now }})
	// One invocation per second over the last 2 hours.
	for i := 0; i < 7200; i++ {
		s.Ingest(inv("f", now.Add(-time.Duration(i)*time.Second), "r", 10, 10, 128, 50))
	}
	for _, tc := range []struct {
		w    time.Duration
		want int64
	}{
		// 1m: six 10 s buckets: 11:59:40 .. 12:00:30 inclusive = 51 s.
		{Window1m, 51},
		// 5m: five 1 min buckets: 11:56:00 .. 12:00:30 = 271 s.
		{Window5m, 271},
		{Window15m, 14*60 + 31},
		{Window1h, 59*60 + 31},
		{WindowAll, 7200},
	} {
		snap := s.Snapshot(SnapshotOptions{Window: tc.w})
		f := snap.Functions[0]
		if f.Invocations != tc.want {
			t.Errorf("window %s: invocations = %d, want %d", WindowLabel(tc.w), f.Invocations, tc.want)
		}
		if tc.w != WindowAll {
			within(t, "rate "+WindowLabel(tc.w), f.RatePerS, 1, 0.03)
		}
	}
}

func TestAmendmentsChangeCountsOnce(t *testing.T) {
	s := NewStore(Options{})
	s.Ingest(inv("f", t0, "a", 3000, 3000, 128, 60), inv("f", t0.Add(time.Second), "b", 10, 10, 128, 60))
	s.Ingest(Event{Kind: KindAmend, Function: "f", Time: t0.Add(2 * time.Second), Amend: Amend{
		RequestID: "a", InvocationTime: t0, Prev: ErrNone, Error: ErrTimeout, ErrorMessage: "Task timed out after 3.00 seconds",
	}})
	// A reclassification from function error to OOM does not add an error.
	s.Ingest(Event{Kind: KindAmend, Function: "f", Time: t0.Add(2 * time.Second), Amend: Amend{
		RequestID: "b", InvocationTime: t0.Add(time.Second), Prev: ErrNone, Error: ErrFunction,
	}})
	s.Ingest(Event{Kind: KindAmend, Function: "f", Time: t0.Add(2 * time.Second), Amend: Amend{
		RequestID: "b", InvocationTime: t0.Add(time.Second), Prev: ErrFunction, Error: ErrOutOfMemory,
	}})
	for _, w := range []time.Duration{WindowAll, Window1m, Window1h} {
		f := s.Snapshot(SnapshotOptions{Window: w}).Functions[0]
		if f.Errors != 2 || f.Timeouts != 1 || f.ErrorsByKind.OutOfMemory != 1 || f.ErrorsByKind.FunctionError != 0 {
			t.Errorf("window %s: %+v", WindowLabel(w), f.ErrorsByKind)
		}
	}
	f := s.Snapshot(SnapshotOptions{}).Functions[0]
	if f.LastError == nil || f.LastError.Kind != "out_of_memory" || len(f.RecentErrors) != 3 {
		t.Errorf("recent errors: %+v", f.RecentErrors)
	}
}

func TestMetaPricesArm64AndRegion(t *testing.T) {
	s := NewStore(Options{})
	s.Ingest(
		Event{Kind: KindMeta, Function: "a", Meta: FunctionMeta{Region: "us-east-1", Arch: ArchARM}},
		inv("a", t0, "1", 100, 100, 1024, 100),
		Event{Kind: KindMeta, Function: "b", Meta: FunctionMeta{Region: "af-south-1", Arch: ArchARM}},
		inv("b", t0, "1", 100, 100, 1024, 100),
	)
	snap := s.Snapshot(SnapshotOptions{})
	a, b := snap.Functions[0], snap.Functions[1]
	within(t, "arm us-east-1", a.Cost.ComputeUSD, 0.1*0.0000133334, 1e-9)
	if len(a.PriceAssumptions) != 0 {
		t.Errorf("a assumptions: %v", a.PriceAssumptions)
	}
	within(t, "arm af-south-1 derived", b.Cost.ComputeUSD, 0.1*0.0000221*0.8, 1e-9)
	within(t, "af-south-1 request", b.Cost.RequestsUSD, 0.00000027, 1e-9)
	if len(b.PriceAssumptions) != 1 || !strings.Contains(b.PriceAssumptions[0], "80%") {
		t.Errorf("b assumptions: %v", b.PriceAssumptions)
	}
}

func TestAggregatesThrottlesAndNulls(t *testing.T) {
	s := NewStore(Options{})
	s.Ingest(Event{Kind: KindAggregate, Function: "f", Time: t0, Aggregate: Aggregate{Span: time.Minute, Throttles: 7, HasThrottles: true}})
	f := s.Snapshot(SnapshotOptions{}).Functions[0]
	if f.Throttles == nil || *f.Throttles != 7 {
		t.Fatalf("throttles = %v", f.Throttles)
	}
	if f.Duration != nil || f.InitDuration != nil || f.ColdStarts != nil {
		t.Errorf("unknown figures must be null: %+v %+v %+v", f.Duration, f.InitDuration, f.ColdStarts)
	}
	b, _ := json.Marshal(f)
	for _, key := range []string{`"duration_ms":null`, `"init_duration_ms":null`, `"cold_starts":null`, `"throttles":7`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json lacks %s: %s", key, b)
		}
	}
}

func TestLogRingsAreBounded(t *testing.T) {
	s := NewStore(Options{LogsPerFunction: 10, LogsTotal: 25, MaxMessageBytes: 64})
	for i := 0; i < 1000; i++ {
		fn := []string{"a", "b", "c"}[i%3]
		s.Ingest(Event{Kind: KindLog, Function: fn, Time: t0.Add(time.Duration(i) * time.Millisecond),
			Log: LogLine{Message: strings.Repeat("é", 100)}})
	}
	all := s.Logs(LogQuery{})
	if len(all) != 25 || all[len(all)-1].Seq != 1000 || all[0].Seq != 976 {
		t.Fatalf("fleet ring: %d entries, seq %d..%d", len(all), all[0].Seq, all[len(all)-1].Seq)
	}
	a := s.Logs(LogQuery{Function: "a"})
	if len(a) != 10 || a[len(a)-1].Seq != 1000 {
		t.Fatalf("function ring: %d", len(a))
	}
	if got := len(a[0].Message); got > 64+len("…[truncated]") || !strings.HasSuffix(a[0].Message, "[truncated]") {
		t.Errorf("message not clipped: %d bytes", got)
	}
	if newer := s.Logs(LogQuery{AfterSeq: 995}); len(newer) != 5 {
		t.Errorf("after seq: %d", len(newer))
	}
	if lim := s.Logs(LogQuery{Limit: 3}); len(lim) != 3 || lim[2].Seq != 1000 {
		t.Errorf("limit: %+v", lim)
	}
}

func TestSourcesAndSkipped(t *testing.T) {
	s := NewStore(Options{})
	s.Ingest(
		Event{Kind: KindStatus, Source: "file:x", Status: SourceStatus{State: StateOK}},
		Event{Kind: KindSkipped, Source: "file:x", Skipped: Skipped{Count: 3, Reason: "malformed REPORT"}},
		Event{Kind: KindSkipped, Source: "file:x", Skipped: Skipped{Reason: "invalid JSON"}},
		Event{Kind: KindStatus, Source: "file:x", Status: SourceStatus{State: StateFailing, LastError: "boom"}},
	)
	snap := s.Snapshot(SnapshotOptions{})
	if snap.SkippedLines != 4 || snap.SkippedBy["malformed REPORT"] != 3 {
		t.Errorf("skipped = %d %v", snap.SkippedLines, snap.SkippedBy)
	}
	if len(snap.Sources) != 1 || snap.Sources[0].State != StateFailing || snap.Sources[0].LastError != "boom" || snap.Sources[0].Name != "file:x" {
		t.Errorf("sources = %+v", snap.Sources)
	}
}

func TestOldEventsOnlyInTotalsAndBadValues(t *testing.T) {
	now := t0
	s := NewStore(Options{Clock: func() time.Time { return now }})
	s.Ingest(inv("f", now.Add(-3*time.Hour), "old", 10, 10, 128, 10))
	s.Ingest(inv("f", now, "nan", math.NaN(), 10, 128, 10), inv("f", now, "neg", -5, 10, 128, 10))
	if f := s.Snapshot(SnapshotOptions{Window: Window1h}).Functions[0]; f.Invocations != 2 {
		t.Errorf("1h invocations = %d", f.Invocations)
	}
	f := s.Snapshot(SnapshotOptions{}).Functions[0]
	if f.Invocations != 3 {
		t.Errorf("all invocations = %d", f.Invocations)
	}
	if math.IsNaN(f.Duration.P50) || f.Duration.P50 < 9 {
		t.Errorf("bad values poisoned the sketch: %+v", f.Duration)
	}
}

func TestConcurrentIngestAndSnapshot(t *testing.T) {
	s := NewStore(Options{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				s.Ingest(inv("f", t0.Add(time.Duration(i)*time.Millisecond), "r", 5, 5, 128, 10),
					Event{Kind: KindLog, Function: "f", Time: t0, Log: LogLine{Message: "x"}})
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			_ = s.Snapshot(SnapshotOptions{Window: Window1m, Series: true})
			_ = s.Logs(LogQuery{Limit: 10})
		}
	}()
	wg.Wait()
	<-done
	if got := s.Snapshot(SnapshotOptions{}).Functions[0].Invocations; got != 8000 {
		t.Errorf("invocations = %d", got)
	}
}

func TestSnapshotIsImmutable(t *testing.T) {
	s := NewStore(Options{})
	s.Ingest(inv("f", t0, "a", 5, 5, 128, 10))
	snap := s.Snapshot(SnapshotOptions{})
	s.Ingest(inv("f", t0, "b", 5, 5, 128, 10), Event{Kind: KindAmend, Function: "f", Amend: Amend{RequestID: "a", InvocationTime: t0, Error: ErrTimeout}})
	if snap.Functions[0].Invocations != 1 || snap.Functions[0].Errors != 0 || snap.Version >= s.Snapshot(SnapshotOptions{}).Version {
		t.Errorf("snapshot changed after ingest: %+v", snap.Functions[0])
	}
}

func TestSeries(t *testing.T) {
	now := t0.Add(59 * time.Second)
	s := NewStore(Options{Clock: func() time.Time { return now }})
	s.Ingest(inv("f", t0.Add(5*time.Second), "a", 7, 7, 128, 10), inv("f", t0.Add(55*time.Second), "b", 9, 9, 128, 10))
	f := s.Snapshot(SnapshotOptions{Window: Window1m, Series: true, SeriesQuantiles: true}).Functions[0]
	if len(f.Series) != 6 {
		t.Fatalf("series = %d points", len(f.Series))
	}
	if f.Series[0].Invocations != 1 || f.Series[5].Invocations != 1 || f.Series[2].Invocations != 0 || !math.IsNaN(f.Series[2].P50) {
		t.Errorf("series = %+v", f.Series)
	}
	within(t, "p50 of first bucket", f.Series[0].P50, 7, RelativeAccuracy)
}

func TestPriceTableValidation(t *testing.T) {
	for _, bad := range []string{
		`{}`,
		`{"name":"x","default_region":"r","regions":[{"region":"r","request_usd":1,"gb_second_usd":{"x86_64":1}}]}`,
		`{"name":"x","default_region":"r","regions":[{"region":"q","request_usd":1,"gb_second_usd":{"x86_64":1},"source":"s","date":"d"}]}`,
		`{"name":"x","default_region":"r","unknown":1}`,
	} {
		if _, err := ParsePriceTable([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if p := DefaultPrices(); p.DefaultRegion != "us-east-1" || len(p.Regions) < 2 {
		t.Errorf("default prices: %+v", p)
	}
}

func BenchmarkIngest(b *testing.B) {
	s := NewStore(Options{})
	const batch = 1024
	names := make([]string, 100)
	for i := range names {
		names[i] = "fn-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	evs := make([]Event, batch)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range evs {
		evs[i] = inv(names[i%len(names)], t0.Add(time.Duration(i)*time.Millisecond), "r", 5+rng.Float64()*100, 100, 256, 80)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0 // events ingested: whole batches, b.N rounded up
	for ; n < b.N; n += batch {
		s.Ingest(evs...)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkIngestLogs(b *testing.B) {
	s := NewStore(Options{})
	const batch = 1024
	evs := make([]Event, batch)
	for i := range evs {
		evs[i] = Event{Kind: KindLog, Function: "f", Time: t0, Log: LogLine{Message: "2026-11-25T12:00:00.000Z\tabc\tINFO\thello world"}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		s.Ingest(evs...)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkSnapshot(b *testing.B) {
	for _, n := range []int{100, 2000} {
		now := t0
		s := NewStore(Options{Clock: func() time.Time { return now }})
		for f := 0; f < n; f++ {
			name := "fn-" + strconv.Itoa(f)
			for i := 0; i < 60; i++ {
				s.Ingest(inv(name, now.Add(-time.Duration(i)*time.Minute), "r", 10+float64(i), 20, 256, 80))
			}
		}
		for _, w := range []time.Duration{Window1m, Window1h} {
			b.Run(WindowLabel(w)+"/functions="+strconv.Itoa(n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					_ = s.Snapshot(SnapshotOptions{Window: w})
				}
			})
		}
	}
}

func TestUntimedEventsInReplay(t *testing.T) {
	s := NewStore(Options{})
	// Raw output whose first lines carry no time: they count, but the "all"
	// window is bounded by the lines that do carry one.
	s.Ingest(inv("f", time.Time{}, "a", 5, 5, 128, 10))
	s.Ingest(inv("f", t0, "b", 5, 5, 128, 10), inv("f", t0.Add(10*time.Second), "c", 5, 5, 128, 10))
	s.Ingest(inv("f", time.Time{}, "d", 5, 5, 128, 10))
	snap := s.Snapshot(SnapshotOptions{})
	if f := snap.Functions[0]; f.Invocations != 4 {
		t.Errorf("invocations = %d", f.Invocations)
	}
	if !snap.Window.Start.Equal(t0) || !snap.Window.End.Equal(t0.Add(10*time.Second)) {
		t.Errorf("window = %+v", snap.Window)
	}
	// With no time anywhere, arrival bounds the window.
	s = NewStore(Options{})
	before := time.Now()
	s.Ingest(inv("f", time.Time{}, "a", 5, 5, 128, 10))
	snap = s.Snapshot(SnapshotOptions{})
	if snap.Window.Start.Before(before) || snap.Window.Seconds != 0 || snap.Functions[0].Invocations != 1 || snap.Functions[0].RatePerS != 0 {
		t.Errorf("untimed-only window = %+v, rate %v", snap.Window, snap.Functions[0].RatePerS)
	}
}

// TestSeenMovesBoundsLikeLogs: a KindSeen stands for log lines whose text
// was dropped; the store knows the function and the time bounds as it would
// from the lines, and keeps no log.
func TestSeenMovesBoundsLikeLogs(t *testing.T) {
	logs := NewStore(Options{})
	seen := NewStore(Options{})
	a := inv("f", t0.Add(time.Minute), "r1", 10, 10, 128, 50)
	logs.Ingest(a, Event{Kind: KindLog, Source: "test", Function: "f", Time: t0, Log: LogLine{Message: "x"}},
		Event{Kind: KindLog, Source: "test", Function: "f", Time: t0.Add(3 * time.Minute), Log: LogLine{Message: "y"}},
		Event{Kind: KindLog, Source: "test", Function: "g", Time: t0.Add(2 * time.Minute), Log: LogLine{Message: "z"}})
	seen.Ingest(a, Event{Kind: KindSeen, Source: "test", Function: "f", Time: t0, Seen: Seen{Last: t0.Add(3 * time.Minute)}},
		Event{Kind: KindSeen, Source: "test", Function: "g", Time: t0.Add(2 * time.Minute)})
	want := logs.Snapshot(SnapshotOptions{})
	got := seen.Snapshot(SnapshotOptions{})
	want.Version, got.Version = 0, 0
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if string(wj) != string(gj) {
		t.Errorf("snapshot with KindSeen:\n%s\nwant (with the log lines):\n%s", gj, wj)
	}
	if n := len(seen.Logs(LogQuery{})); n != 0 {
		t.Errorf("%d logs kept, want none", n)
	}
	if got.Window.Start != t0 || got.Window.End != t0.Add(3*time.Minute) {
		t.Errorf("window %v .. %v", got.Window.Start, got.Window.End)
	}
}

func TestRecentErrorsInTimeOrder(t *testing.T) {
	s := NewStore(Options{RecentErrors: 3})
	for _, sec := range []int{5, 1, 9, 3, 7, 2} {
		ev := inv("f", t0.Add(time.Duration(sec)*time.Second), strconv.Itoa(sec), 5, 5, 128, 10)
		ev.Invocation.Error = ErrFunction
		s.Ingest(ev)
	}
	f := s.Snapshot(SnapshotOptions{}).Functions[0]
	var got []string
	for _, e := range f.RecentErrors {
		got = append(got, e.RequestID)
	}
	if strings.Join(got, ",") != "5,7,9" || f.LastError.RequestID != "9" {
		t.Errorf("recent errors = %v, last %+v", got, f.LastError)
	}
}

func TestSeriesQuantilesOnlyWhenAsked(t *testing.T) {
	now := t0.Add(59 * time.Second)
	s := NewStore(Options{Clock: func() time.Time { return now }})
	s.Ingest(inv("f", t0.Add(5*time.Second), "a", 7, 7, 128, 10))
	f := s.Snapshot(SnapshotOptions{Window: Window1m, Series: true}).Functions[0]
	if f.Series[0].Invocations != 1 || !math.IsNaN(f.Series[0].P50) {
		t.Errorf("counts-only series: %+v", f.Series[0])
	}
}
