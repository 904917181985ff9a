package model

import (
	"encoding/json"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Standard windows, as the UI offers them. WindowAll (0) means everything
// the store has seen.
const (
	WindowAll time.Duration = 0
	Window1m                = time.Minute
	Window5m                = 5 * time.Minute
	Window15m               = 15 * time.Minute
	Window1h                = time.Hour
)

// ParseWindow reads "1m", "5m", "15m", "1h" or "all".
func ParseWindow(s string) (time.Duration, bool) {
	switch s {
	case "1m":
		return Window1m, true
	case "5m":
		return Window5m, true
	case "15m":
		return Window15m, true
	case "1h":
		return Window1h, true
	case "all", "":
		return WindowAll, true
	}
	return 0, false
}

// WindowLabel names a window for display ("1m", ..., "all").
func WindowLabel(w time.Duration) string {
	switch w {
	case WindowAll:
		return "all"
	case Window1m:
		return "1m"
	case Window5m:
		return "5m"
	case Window15m:
		return "15m"
	case Window1h:
		return "1h"
	}
	return w.String()
}

// SnapshotOptions select what a snapshot covers.
type SnapshotOptions struct {
	// Window is the span that ends at End; WindowAll (0) covers everything.
	Window time.Duration
	// End is the end of the window; zero means now (the store's clock, or
	// in replay mode the newest event).
	End time.Time
	// Function limits the snapshot to one function when not empty.
	Function string
	// Series adds per-bucket series to each function (for sparklines).
	Series bool
	// SeriesQuantiles also fills each series point's duration quantiles
	// (for charts); without it they are NaN, which saves the fleet view a
	// quantile query per bucket and function every refresh.
	SeriesQuantiles bool
}

// Snapshot is an immutable view of the store. Readers may keep it and read
// it from any goroutine without locks. Its JSON form is fntop's headless
// contract (`fntop snapshot --json`): fields are added, never renamed.
type Snapshot struct {
	Version   uint64          `json:"version"`
	Window    WindowInfo      `json:"window"`
	Functions []FunctionStats `json:"functions"`
	Totals    Totals          `json:"totals"`
	Sources   []SourceInfo    `json:"sources"`
	// SkippedLines counts input that sources could not understand.
	SkippedLines int64            `json:"skipped_lines"`
	SkippedBy    map[string]int64 `json:"skipped_by_reason,omitempty"`
	Pricing      PricingInfo      `json:"pricing"`
	// Changes lists the configuration changes inside the window, oldest
	// first (deploy markers).
	Changes []Change `json:"changes"`
	// Signatures lists the error signatures with occurrences inside the
	// window, the most frequent first.
	Signatures []Signature `json:"signatures"`
	// HistoryStart is the time of the oldest data the store holds: a
	// baseline before it cannot be known.
	HistoryStart time.Time `json:"history_start"`
}

// WindowInfo is the span a snapshot covers.
type WindowInfo struct {
	Label   string    `json:"label"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds float64   `json:"seconds"`
}

// Quantiles of a duration distribution, in milliseconds.
type Quantiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
	Avg float64 `json:"avg"`
}

// InitQuantiles summarise init durations of cold starts, in milliseconds.
type InitQuantiles struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// ErrorsByKind splits errors by kind.
type ErrorsByKind struct {
	Timeout       int64 `json:"timeout"`
	OutOfMemory   int64 `json:"out_of_memory"`
	RuntimeExit   int64 `json:"runtime_exit"`
	FunctionError int64 `json:"function_error"`
}

// FunctionStats are one function's figures over the window. Pointer fields
// are null in JSON when the source cannot know them (throttles from logs,
// cold starts from most metrics) or when there is nothing to summarise.
type FunctionStats struct {
	Name         string `json:"name"`
	Source       string `json:"source"`
	Region       string `json:"region,omitempty"`
	Account      string `json:"account,omitempty"`
	Architecture string `json:"architecture"`
	Runtime      string `json:"runtime,omitempty"`
	Version      string `json:"version,omitempty"`

	Invocations    int64        `json:"invocations"`
	Errors         int64        `json:"errors"`
	ErrorsByKind   ErrorsByKind `json:"errors_by_kind"`
	Timeouts       int64        `json:"timeouts"`
	ColdStarts     *int64       `json:"cold_starts"`
	Restores       int64        `json:"restores"`
	Throttles      *int64       `json:"throttles"`
	RatePerS       float64      `json:"rate_per_s"`
	ErrorRate      float64      `json:"error_rate"`
	ColdStartRatio *float64     `json:"cold_start_ratio"`

	Duration     *Quantiles     `json:"duration_ms"`
	InitDuration *InitQuantiles `json:"init_duration_ms"`

	BilledMsTotal   float64  `json:"billed_ms_total"`
	MemorySizeMB    int      `json:"memory_size_mb"`
	MaxMemoryUsedMB int      `json:"max_memory_used_mb"`
	MemoryUsedRatio *float64 `json:"memory_used_ratio"`
	TimeoutMs       float64  `json:"timeout_ms,omitempty"`
	GBSeconds       float64  `json:"gb_seconds"`
	CostUSD         float64  `json:"cost_usd"`
	Cost            Cost     `json:"cost"`
	CostPerHourUSD  float64  `json:"cost_per_hour_usd"`
	// ColdStartBilledMs is the billed time of cold starts' init:
	// min(init, billed - duration) summed over cold invocations (billed
	// duration includes init since 2025-08-01). ColdStartCostUSD prices
	// it (compute only); both are zero without cold starts.
	ColdStartBilledMs float64 `json:"cold_start_billed_ms"`
	ColdStartCostUSD  float64 `json:"cold_start_cost_usd"`
	// ReservedConcurrency is the function's reserved concurrency when
	// the source knows it.
	ReservedConcurrency *int `json:"reserved_concurrency,omitempty"`
	// Unpriced is set for functions off AWS Lambda, which fntop has no
	// prices for: the cost fields are then null in JSON and unavailable
	// in the UI.
	Unpriced bool `json:"-"`
	// PriceAssumptions lists how missing facts were filled in for pricing.
	PriceAssumptions []string `json:"price_assumptions,omitempty"`
	// Platform is where the function runs ("" for AWS Lambda).
	Platform string `json:"platform,omitempty"`
	// Replicas is the platform's count of running instances (null when
	// unknown, as for Lambda).
	Replicas *int `json:"replicas"`

	FirstSeen time.Time    `json:"first_seen"`
	LastSeen  time.Time    `json:"last_seen"`
	LastError *ErrorSample `json:"last_error"`

	// RecentErrors are the newest failed invocations, oldest first (for the
	// function view; not part of the JSON contract).
	RecentErrors []ErrorSample `json:"-"`
	// Series holds one point per ring bucket across the window, oldest
	// first, when asked for with SnapshotOptions.Series.
	Series []SeriesPoint `json:"-"`
}

// SeriesPoint is one time bucket's figures.
type SeriesPoint struct {
	Start       time.Time
	Invocations int64
	Errors      int64
	ColdStarts  int64
	Throttles   int64
	// P50 and P99 durations (ms); NaN without invocations or when not
	// asked for (SnapshotOptions.SeriesQuantiles).
	P50, P99 float64
	// InitP50 (ms); NaN without cold starts.
	InitP50      float64
	MaxMemUsedMB int
	CostUSD      float64
}

// Totals are the fleet's figures over the window.
type Totals struct {
	Functions      int      `json:"functions"`
	Invocations    int64    `json:"invocations"`
	Errors         int64    `json:"errors"`
	Timeouts       int64    `json:"timeouts"`
	ColdStarts     int64    `json:"cold_starts"`
	Throttles      *int64   `json:"throttles"`
	RatePerS       float64  `json:"rate_per_s"`
	ErrorRate      float64  `json:"error_rate"`
	ColdStartRatio *float64 `json:"cold_start_ratio"`
	BilledMsTotal  float64  `json:"billed_ms_total"`
	GBSeconds      float64  `json:"gb_seconds"`
	CostUSD        float64  `json:"cost_usd"`
	Cost           Cost     `json:"cost"`
	CostPerHourUSD float64  `json:"cost_per_hour_usd"`
}

// SourceInfo is a source's health as of the snapshot.
type SourceInfo struct {
	Name      string      `json:"name"`
	State     SourceState `json:"state"`
	LastError string      `json:"last_error"`
	Detail    string      `json:"detail,omitempty"`
	LagS      float64     `json:"lag_s,omitempty"`
	Updated   time.Time   `json:"updated"`
}

// PricingInfo says which prices and assumptions the costs use.
type PricingInfo struct {
	Table         string   `json:"table"`
	Checked       string   `json:"checked"`
	DefaultRegion string   `json:"default_region"`
	Notes         []string `json:"notes"`
}

// Snapshot returns an immutable view of the store over a window.
func (s *Store) Snapshot(o SnapshotOptions) *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	end := o.End
	if end.IsZero() {
		end = s.now()
	}
	snap := &Snapshot{
		Version:      s.version,
		SkippedLines: s.skipSum,
		Pricing: PricingInfo{
			Table:         s.opts.Prices.Name,
			Checked:       s.opts.Prices.Checked,
			DefaultRegion: s.opts.Prices.DefaultRegion,
			Notes:         append([]string(nil), s.opts.Prices.Notes...),
		},
	}
	if len(s.skipped) > 0 {
		snap.SkippedBy = make(map[string]int64, len(s.skipped))
		for k, v := range s.skipped {
			snap.SkippedBy[k] = v
		}
	}
	for _, name := range s.srcOrder {
		st := s.sources[name]
		snap.Sources = append(snap.Sources, SourceInfo{
			Name: st.Name, State: st.State, LastError: st.LastError, Detail: st.Detail,
			LagS: st.Lag.Seconds(), Updated: st.Updated,
		})
	}

	w := o.Window
	if w > MaxWindow {
		w = WindowAll
	}
	var sel func(f *fnState) *ring
	var firstIdx, lastIdx int64
	var from, to time.Time // the range the rings answer (zero for "all")
	// hourly: the window is older than the coarse ring holds, and so are
	// the signatures' counts.
	hourly := false
	if w == WindowAll {
		// Without any event that carried a time (raw emulator output) the
		// window has no measured length: rates stay zero rather than
		// dividing by the time it took to read the input.
		start := s.first
		if start.IsZero() || start.After(end) {
			start = end
		}
		snap.Window = WindowInfo{Label: "all", Start: start, End: end, Seconds: end.Sub(start).Seconds()}
	} else {
		var res time.Duration
		sel, res, firstIdx, lastIdx = s.pickRing(w, end)
		rs := int64(res / time.Second)
		from = time.Unix((firstIdx-1)*rs, 0).UTC()
		to = end
		if res == HourlyResolution {
			// Hourly buckets: the window widens to whole hours.
			to = time.Unix(lastIdx*rs, 0).UTC()
			hourly = true
		}
		start := from
		seconds := to.Sub(start).Seconds()
		switch {
		case !s.first.IsZero() && !s.first.Before(to):
			seconds = 0 // nothing seen in the window: all came after it
		case !s.first.IsZero() && s.first.After(start):
			// A source that has observed for less than the window (a
			// scrape that started seconds ago has no history): rates are
			// over the time it has data for.
			start = s.first
			seconds = to.Sub(start).Seconds()
		}
		snap.Window = WindowInfo{Label: WindowLabel(w), Start: start, End: to, Seconds: seconds}
	}
	if snap.Window.Seconds <= 0 {
		snap.Window.Seconds = 0
	}
	snap.HistoryStart = s.first
	snap.Changes = s.changesIn(o.Function, from, to)

	s.sortNames()
	fns := s.order
	if o.Function != "" {
		fns = nil
		if f := s.funcs[o.Function]; f != nil {
			fns = []*fnState{f}
		}
	}
	if len(fns) > 0 {
		snap.Functions = make([]FunctionStats, len(fns))
	}
	if cap(s.snapC) < len(fns) {
		s.snapC = make([]counters, len(fns))
	}
	cs := s.snapC[:len(fns)]
	job := snapJob{s: s, o: &o, sel: sel, first: firstIdx, last: lastIdx, from: from, to: to,
		sigs: !hourly, seconds: snap.Window.Seconds, fns: fns, out: snap.Functions, cs: cs}
	// Functions are independent: chunks of them are done in parallel
	// (the store is only read), each with its own merger, and their
	// results are put together in name order, so the snapshot does not
	// depend on how many there were.
	chunks := (len(fns) + snapChunk - 1) / snapChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	for len(s.mergers) < max(workers, 1) {
		s.mergers = append(s.mergers, newMerger(s.mapping))
	}
	sigs := make([][]Signature, chunks)
	if workers <= 1 {
		for c := range chunks {
			sigs[c] = job.run(c, s.mergers[0])
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func(g *merger) {
				defer wg.Done()
				for c := int(next.Add(1) - 1); c < chunks; c = int(next.Add(1) - 1) {
					sigs[c] = job.run(c, g)
				}
			}(s.mergers[w])
		}
		wg.Wait()
	}
	for _, sg := range sigs {
		snap.Signatures = append(snap.Signatures, sg...)
	}
	var tot counters
	throttlesKnown, coldKnown := false, false
	for i, f := range fns {
		tot.merge(&cs[i])
		throttlesKnown = throttlesKnown || f.throttlesKnown
		coldKnown = coldKnown || f.coldKnown
	}
	snap.Totals = Totals{
		Functions:     len(snap.Functions),
		Invocations:   tot.invocations,
		Errors:        tot.errors,
		Timeouts:      tot.timeouts,
		ColdStarts:    tot.coldStarts,
		RatePerS:      rate(tot.invocations, snap.Window.Seconds),
		ErrorRate:     ratio(tot.errors, tot.invocations),
		BilledMsTotal: tot.billedMs,
		GBSeconds:     tot.gbSeconds,
		Cost:          Cost{RequestsUSD: tot.requestUSD, ComputeUSD: tot.computeUSD},
	}
	snap.Totals.CostUSD = snap.Totals.Cost.Total()
	snap.Totals.CostPerHourUSD = perHour(snap.Totals.CostUSD, snap.Window.Seconds)
	if throttlesKnown {
		v := tot.throttles
		snap.Totals.Throttles = &v
	}
	if coldKnown && tot.invocations > 0 {
		v := ratio(tot.coldStarts, tot.invocations)
		snap.Totals.ColdStartRatio = &v
	}
	snap.Signatures = sortSignatures(snap.Signatures)
	return snap
}

// snapChunk is how many functions a snapshot worker takes at a time.
const snapChunk = 512

// snapJob is the per-function part of a snapshot.
type snapJob struct {
	s           *Store
	o           *SnapshotOptions
	sel         func(*fnState) *ring // nil: the running totals
	first, last int64                // the buckets of the window
	from, to    time.Time
	sigs        bool // count signatures (not in hourly windows)
	seconds     float64
	fns         []*fnState
	out         []FunctionStats // by function
	cs          []counters      // by function, for the totals
}

// run fills the figures of chunk c with merger g and returns its
// signatures.
func (j *snapJob) run(c int, g *merger) []Signature {
	lo, hi := c*snapChunk, min((c+1)*snapChunk, len(j.fns))
	boxes := make([]statsBox, hi-lo)
	var sigs []Signature
	for i := lo; i < hi; i++ {
		f := j.fns[i]
		g.reset()
		var sum counters // on the stack while buckets are added
		c := &sum
		var series []SeriesPoint
		if j.sel == nil {
			*c = f.total
			g.addBins(f.totalSk)
		} else {
			rg := j.sel(f)
			if j.o.Series {
				series = make([]SeriesPoint, 0, j.last-j.first+1)
				for idx := j.first; idx <= j.last; idx++ {
					series = append(series, seriesPoint(g, rg, rg.find(idx), idx, j.o.SeriesQuantiles))
				}
			}
			p, _ := rg.pos(j.first)
			for ; p < rg.count; p++ {
				b := rg.at(p)
				if b.idx > j.last {
					break
				}
				c.merge(&b.c)
				rg.mergeSketches(g, b)
			}
		}
		fs := &j.out[i]
		j.s.stats(fs, f, c, g, j.seconds, &boxes[i-lo])
		fs.Series = series
		if j.sigs {
			sigs = f.signaturesIn(sigs, j.from, j.to, j.s.first)
		}
		if fs.Unpriced {
			c.requestUSD, c.computeUSD = 0, 0 // no price: out of the cost totals
		}
		j.cs[i] = sum
	}
	return sigs
}

// statsBox holds what a function's figures point to, so that a snapshot
// allocates them a chunk at a time.
type statsBox struct {
	dur                 Quantiles
	init                InitQuantiles
	cold, throttles     int64
	coldRatio, memRatio float64
	replicas, reserved  int
}

// pickRing chooses the ring that answers a window of w ending at end, and
// the absolute numbers of its first and last buckets. Windows up to 2
// minutes use the fine ring, longer ones the coarse ring; a window older
// than a ring holds falls back to the next coarser one, and one older than
// the coarse ring holds is answered from the hourly ring, widened to whole
// hours. A ring holds its last n buckets up to the newest time seen (or
// now, when later): what lies before may have been overwritten.
func (s *Store) pickRing(w time.Duration, end time.Time) (func(*fnState) *ring, time.Duration, int64, int64) {
	frontier := s.latest
	if n := s.now(); n.After(frontier) {
		frontier = n
	}
	if end.After(frontier) {
		frontier = end
	}
	type choice struct {
		res time.Duration
		n   int64
		sel func(*fnState) *ring
	}
	choices := []choice{
		{CoarseResolution, coarseBuckets, func(f *fnState) *ring { return &f.coarse }},
		{HourlyResolution, hourlyBuckets, func(f *fnState) *ring { return &f.hourly }},
	}
	if w <= 2*time.Minute {
		choices = append([]choice{{FineResolution, fineBuckets, func(f *fnState) *ring { return &f.fine }}}, choices...)
	}
	var c choice
	var first, last int64
	for _, c = range choices {
		rs := int64(c.res / time.Second)
		last = floorDiv(end.Unix(), rs) + 1
		if c.res == HourlyResolution {
			// Every hour the window overlaps.
			first = floorDiv(end.Add(-w).Unix(), rs) + 1
			if end.Unix()%rs == 0 && last > first {
				last--
			}
		} else {
			first = last - max(int64(w/c.res), 1) + 1
		}
		if first > floorDiv(frontier.Unix(), rs)+1-c.n {
			break
		}
	}
	return c.sel, c.res, first, last
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// changesIn returns the changes in [from, to] (all when from is zero),
// the fleet's or one function's, oldest first.
func (s *Store) changesIn(function string, from, to time.Time) []Change {
	r := &s.changes
	if function != "" {
		f := s.funcs[function]
		if f == nil {
			return nil
		}
		r = &f.changes
	}
	out := r.appendTo(nil, from, to)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// seriesPoint is bucket b's point (b is nil for a bucket without data);
// its quantiles use g, which it leaves empty.
func seriesPoint(g *merger, rg *ring, b *bucket, idx int64, quantiles bool) SeriesPoint {
	p := SeriesPoint{Start: time.Unix((idx-1)*rg.res, 0).UTC(), P50: math.NaN(), P99: math.NaN(), InitP50: math.NaN()}
	if b == nil {
		return p
	}
	p.Invocations = b.c.invocations
	p.Errors = b.c.errors
	p.ColdStarts = b.c.coldStarts
	p.Throttles = b.c.throttles
	p.MaxMemUsedMB = b.c.maxMemUsedMB
	p.CostUSD = b.c.requestUSD + b.c.computeUSD
	if !quantiles {
		return p
	}
	rg.mergeSketches(g, b)
	if !g.empty(kindDuration) {
		p.P50, p.P99 = g.quantile(kindDuration, 0.5), g.quantile(kindDuration, 0.99)
	}
	if !g.empty(kindInit) {
		p.InitP50 = g.quantile(kindInit, 0.5)
	}
	g.reset()
	return p
}

// stats are a function's figures from its counters c and sketches g over
// a window of seconds.
func (s *Store) stats(out *FunctionStats, f *fnState, c *counters, g *merger, seconds float64, box *statsBox) {
	*out = FunctionStats{
		Name:              f.name,
		Source:            f.source,
		Region:            f.meta.Region,
		Account:           f.meta.Account,
		Architecture:      string(f.price.Arch),
		Runtime:           f.meta.Runtime,
		Version:           f.meta.Version,
		Invocations:       c.invocations,
		Errors:            c.errors,
		Timeouts:          c.timeouts,
		Restores:          c.restores,
		ErrorsByKind:      ErrorsByKind{Timeout: c.timeouts, OutOfMemory: c.ooms, RuntimeExit: c.runtimeExits, FunctionError: c.funcErrors},
		RatePerS:          rate(c.invocations, seconds),
		ErrorRate:         ratio(c.errors, c.invocations),
		BilledMsTotal:     c.billedMs,
		MemorySizeMB:      f.meta.MemorySizeMB,
		ColdStartBilledMs: c.coldBilledMs,
		ColdStartCostUSD:  c.coldComputeUSD,
		MaxMemoryUsedMB:   c.maxMemUsedMB,
		TimeoutMs:         f.meta.TimeoutMs,
		GBSeconds:         c.gbSeconds,
		Cost:              Cost{RequestsUSD: c.requestUSD, ComputeUSD: c.computeUSD},
		FirstSeen:         f.firstSeen,
		LastSeen:          f.lastSeen,
	}
	fs := out
	if a := f.price.Assumptions; len(a) > 0 {
		fs.PriceAssumptions = append([]string(nil), a...)
	}
	fs.CostUSD = fs.Cost.Total()
	fs.CostPerHourUSD = perHour(fs.CostUSD, seconds)
	fs.Platform = f.meta.Platform
	fs.Unpriced = f.meta.Platform != "" && f.meta.Platform != PlatformLambda
	if fs.Unpriced {
		fs.Cost, fs.CostUSD, fs.CostPerHourUSD, fs.PriceAssumptions = Cost{}, 0, 0, nil
		fs.ColdStartCostUSD = 0
		fs.Architecture = ""
	}
	if f.meta.ReplicasKnown {
		box.replicas = f.meta.Replicas
		fs.Replicas = &box.replicas
	}
	if f.meta.ReservedConcurrencyKnown {
		box.reserved = f.meta.ReservedConcurrency
		fs.ReservedConcurrency = &box.reserved
	}
	if f.coldKnown {
		box.cold = c.coldStarts
		fs.ColdStarts = &box.cold
		if c.invocations > 0 {
			box.coldRatio = ratio(c.coldStarts, c.invocations)
			fs.ColdStartRatio = &box.coldRatio
		}
	}
	if f.throttlesKnown {
		box.throttles = c.throttles
		fs.Throttles = &box.throttles
	}
	if fs.MemorySizeMB > 0 && c.maxMemUsedMB > 0 {
		box.memRatio = float64(c.maxMemUsedMB) / float64(fs.MemorySizeMB)
		fs.MemoryUsedRatio = &box.memRatio
	}
	if c.durationN > 0 {
		q := &box.dur
		*q = Quantiles{Max: c.durationMax, Avg: c.durationSum / float64(c.durationN)}
		if !g.empty(kindDuration) {
			q.P50 = g.quantile(kindDuration, 0.5)
			q.P90 = g.quantile(kindDuration, 0.9)
			q.P99 = g.quantile(kindDuration, 0.99)
		}
		fs.Duration = q
	}
	if !g.empty(kindInit) {
		box.init = InitQuantiles{
			P50: g.quantile(kindInit, 0.5),
			P99: g.quantile(kindInit, 0.99),
			Max: g.maxValue(kindInit),
		}
		fs.InitDuration = &box.init
	}
	if n := len(f.recentErr); n > 0 {
		fs.RecentErrors = append([]ErrorSample(nil), f.recentErr...)
		fs.LastError = &fs.RecentErrors[n-1]
	}
}

func rate(n int64, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(n) / seconds
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func perHour(usd, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return usd / seconds * 3600
}

// MarshalJSON writes the cost fields as null for functions fntop has no
// prices for.
func (f FunctionStats) MarshalJSON() ([]byte, error) {
	type plain FunctionStats
	out := struct {
		plain
		CostUSD        *float64 `json:"cost_usd"`
		Cost           *Cost    `json:"cost"`
		CostPerHourUSD *float64 `json:"cost_per_hour_usd"`
		Architecture   *string  `json:"architecture"`
		ColdStartCost  *float64 `json:"cold_start_cost_usd"`
	}{plain: plain(f)}
	if !f.Unpriced {
		out.CostUSD, out.Cost, out.CostPerHourUSD, out.Architecture = &f.CostUSD, &f.Cost, &f.CostPerHourUSD, &f.Architecture
		out.ColdStartCost = &f.ColdStartCostUSD
	}
	return json.Marshal(out)
}
