// Package triage answers the first questions of an incident from the
// store's figures: what is unusual right now, compared with a baseline, and
// how unusual; which errors, deploys and costs go with it. It ranks the
// fleet by how unusual each function is (not by raw counts), builds the
// what-if of each function's cost at other memory sizes and on arm64, and
// writes an incident report in Markdown.
//
// The package is pure logic on model snapshots: Analyze compares two
// snapshots, Build takes them from a store, and the only output is the
// io.Writer that Report.Markdown writes to.
//
// # Baseline
//
// The current window (Options.Window, 5 minutes by default) ending at T0
// (Options.End, the store's now by default) is compared with the hour
// before it, or, when the store's history reaches back far enough, with
// the hour around the same time of day the day before, which follows the
// daily load curve. A baseline with less than Options.MinBaselineSeconds
// of data (10 minutes by default) is insufficient: only the absolute rules
// apply then (near timeout, throttling, errors at a high absolute rate,
// new error signatures, deploy markers).
//
// # Flags
//
// Each rule tests the current window against the baseline with a
// likelihood-ratio test (a signed root of the G statistic, which behaves
// like a z-score but stays accurate for small counts) and, so that a
// large fleet does not flag on noise, also requires a minimum count and a
// minimum effect size. Figures a source cannot supply (cold starts and
// throttles from logs or metrics, duration from some metrics) are
// unavailable, never zero, and no rule fires on them.
//
// The Score of a function is its largest flag severity plus
// Options.OtherFlagsWeight times the sum of the others; a function
// without flags scores 0.
package triage

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/fntop/fntop/model"
)

// Options configure an analysis. The zero value uses the defaults listed
// with each field.
type Options struct {
	// Window is the current window (default 5 minutes; at most an hour).
	Window time.Duration
	// End is T0, the end of the current window: an incident pins it. Zero
	// means the store's now (Build) or the current snapshot's end
	// (Analyze).
	End time.Time
	// Prices prices the what-if (default model.DefaultPrices()).
	Prices *model.PriceTable

	// BaselineWindow is the length of the baseline (default 1 hour).
	BaselineWindow time.Duration
	// MinBaselineSeconds is the least data, in seconds, a baseline needs
	// to be compared with (default 600: 10 minutes). Less is insufficient
	// and only the absolute rules apply.
	MinBaselineSeconds float64
	// Z is the significance every comparative rule needs, as a one-sided
	// z-score (default 4, p ≈ 3e-5 per test: a fleet of hundreds of
	// functions with half a dozen tests each stays quiet).
	Z float64

	// MinErrors is the least number of failed invocations in the window
	// for an error flag (default 5).
	MinErrors int64
	// ErrorRateRatio is how many times the baseline's error rate the
	// current one must be (default 2).
	ErrorRateRatio float64
	// MinErrorRateDelta is the least rise of the error rate, as a fraction
	// (default 0.02: two percentage points).
	MinErrorRateDelta float64
	// AbsErrorRate is the error rate that flags without a baseline
	// (default 0.10), when it is also significantly (Z) above half of it.
	AbsErrorRate float64

	// MinLatencyInvocations is the least number of invocations in each
	// window for a latency flag (default 30 in the current window; the
	// baseline needs three times as many).
	MinLatencyInvocations int64
	// LatencyRatio is how many times the baseline's p99 the current one
	// must be (default 1.5).
	LatencyRatio float64
	// MinLatencyDeltaMs is the least rise of the p99 in milliseconds
	// (default 50).
	MinLatencyDeltaMs float64

	// MinColdStarts is the least number of cold starts in the window for
	// a cold-start storm (default 5).
	MinColdStarts int64
	// ColdStartRatio is how many times the baseline's cold-start ratio
	// (cold starts per invocation) the current one must be (default 2).
	ColdStartRatio float64
	// MinColdStartDelta is the least rise of the cold-start ratio
	// (default 0.01: one percentage point).
	MinColdStartDelta float64

	// MinDropExpected is how many invocations the baseline's rate must
	// predict for the window before no invocation at all is a traffic
	// drop (default 10: the chance of none by luck is below 5e-5).
	MinDropExpected float64
	// SurgeRatio is how many times the baseline's rate the current rate
	// must be for a traffic surge (default 3), with at least MinSurge
	// invocations in the window (default 20).
	SurgeRatio float64
	MinSurge   int64

	// ThrottleRatio is how many times the baseline's rate of throttles
	// the current one must be when the baseline was throttled too
	// (default 2). Without throttles in the baseline any throttle flags.
	ThrottleRatio float64

	// NearTimeout is the share of the configured timeout at which the p99
	// or the longest duration is near it (default 0.8).
	NearTimeout float64

	// MinNewSignature is the least number of occurrences of a new error
	// signature for a flag (default 2: one occurrence of a message never
	// seen before is noise more often than news).
	MinNewSignature int64

	// ChangeLookback is how long before the window a deploy or
	// configuration change is still shown and flagged (default 15
	// minutes): deploys explain spikes that follow them.
	ChangeLookback time.Duration

	// OtherFlagsWeight is the share of every flag but the strongest that
	// adds to the score (default 0.3).
	OtherFlagsWeight float64
}

// withDefaults fills in every zero field.
func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	defN := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Window <= 0 {
		o.Window = model.Window5m
	}
	if o.Window > model.MaxWindow {
		o.Window = model.MaxWindow
	}
	if o.Prices == nil {
		o.Prices = model.DefaultPrices()
	}
	if o.BaselineWindow <= 0 {
		o.BaselineWindow = time.Hour
	}
	if o.BaselineWindow > model.MaxWindow {
		o.BaselineWindow = model.MaxWindow
	}
	def(&o.MinBaselineSeconds, 600)
	def(&o.Z, 4)
	defN(&o.MinErrors, 5)
	def(&o.ErrorRateRatio, 2)
	def(&o.MinErrorRateDelta, 0.02)
	def(&o.AbsErrorRate, 0.10)
	defN(&o.MinLatencyInvocations, 30)
	def(&o.LatencyRatio, 1.5)
	def(&o.MinLatencyDeltaMs, 50)
	defN(&o.MinColdStarts, 5)
	def(&o.ColdStartRatio, 2)
	def(&o.MinColdStartDelta, 0.01)
	def(&o.MinDropExpected, 10)
	def(&o.SurgeRatio, 3)
	defN(&o.MinSurge, 20)
	def(&o.ThrottleRatio, 2)
	def(&o.NearTimeout, 0.8)
	defN(&o.MinNewSignature, 2)
	if o.ChangeLookback <= 0 {
		o.ChangeLookback = 15 * time.Minute
	}
	def(&o.OtherFlagsWeight, 0.3)
	return o
}

// FlagKind names what a flag says.
type FlagKind string

// Kinds of flags.
const (
	// FlagErrorSpike: the error rate rose against the baseline, or, without
	// a baseline, is at a high absolute rate.
	FlagErrorSpike FlagKind = "error-spike"
	// FlagLatency: the p99 duration (p90 where there are too few
	// invocations for the p99) regressed.
	FlagLatency FlagKind = "latency"
	// FlagColdStarts: a cold-start storm, more cold starts per invocation
	// than the baseline (a deploy or a scale-out).
	FlagColdStarts FlagKind = "cold-start-storm"
	// FlagTrafficDrop: the baseline had steady traffic, the window has
	// none.
	FlagTrafficDrop FlagKind = "traffic-drop"
	// FlagTrafficSurge: invocations per second several times the
	// baseline's.
	FlagTrafficSurge FlagKind = "traffic-surge"
	// FlagThrottling: throttled requests, more than the baseline had.
	FlagThrottling FlagKind = "throttling"
	// FlagNearTimeout: timeouts, or the p99 or the longest duration at
	// 80% of the configured timeout or more.
	FlagNearTimeout FlagKind = "near-timeout"
	// FlagNewSignature: an error signature first seen in the window.
	FlagNewSignature FlagKind = "new-signature"
	// FlagChange: a deploy or configuration change in the window or
	// shortly before it (informational: it explains what follows).
	FlagChange FlagKind = "change"
)

// Label is the kind for people ("error-rate spike").
func (k FlagKind) Label() string {
	switch k {
	case FlagErrorSpike:
		return "error-rate spike"
	case FlagLatency:
		return "latency regression"
	case FlagColdStarts:
		return "cold-start storm"
	case FlagTrafficDrop:
		return "traffic dropped to zero"
	case FlagTrafficSurge:
		return "traffic surge"
	case FlagThrottling:
		return "throttling"
	case FlagNearTimeout:
		return "near timeout"
	case FlagNewSignature:
		return "new error signature"
	case FlagChange:
		return "deploy/config change"
	}
	return string(k)
}

// Flag is one unusual thing about a function.
type Flag struct {
	Kind FlagKind `json:"kind"`
	// Severity is how unusual, from 0 up; 1 is an outage-grade anomaly.
	Severity float64 `json:"severity"`
	// Text says it in one line with the figures, e.g. "errors 34%
	// (baseline 0.4%), 210 of 612". It holds no control characters.
	Text string `json:"text"`
	// Since is when it began as far as the window shows (zero: unknown).
	Since time.Time `json:"since,omitzero"`
	// Current and Baseline are the figures compared, in the kind's unit
	// (a rate, a ratio, milliseconds, a count).
	Current  float64 `json:"current"`
	Baseline float64 `json:"baseline"`
	// Z is the test statistic where a test was made.
	Z float64 `json:"z,omitempty"`
	// Absolute is set when the flag fired on an absolute rule, without
	// a baseline to compare with.
	Absolute bool `json:"absolute,omitempty"`
	// Chronic is set when the baseline had the same condition: shown,
	// but hardly unusual.
	Chronic bool `json:"chronic,omitempty"`
}

// Delta is one figure now and in the baseline. A figure the source cannot
// supply is unknown (its Known field false), never zero.
type Delta struct {
	Current       float64 `json:"current"`
	Baseline      float64 `json:"baseline"`
	CurrentKnown  bool    `json:"current_known"`
	BaselineKnown bool    `json:"baseline_known"`
}

// Known reports whether both sides are known.
func (d Delta) Known() bool { return d.CurrentKnown && d.BaselineKnown }

// Diff is Current - Baseline (NaN unless both are known).
func (d Delta) Diff() float64 {
	if !d.Known() {
		return math.NaN()
	}
	return d.Current - d.Baseline
}

// Ratio is Current / Baseline (NaN unless both are known and the baseline
// is not zero).
func (d Delta) Ratio() float64 {
	if !d.Known() || d.Baseline == 0 {
		return math.NaN()
	}
	return d.Current / d.Baseline
}

// Deltas compare a function (or the fleet) now with its baseline.
type Deltas struct {
	// RatePerS: invocations per second.
	RatePerS Delta `json:"rate_per_s"`
	// ErrorRate: failed invocations per invocation.
	ErrorRate Delta `json:"error_rate"`
	// P99Ms: the 99th percentile duration (unknown for the fleet).
	P99Ms Delta `json:"p99_ms"`
	// ColdStartRatio: cold starts per invocation.
	ColdStartRatio Delta `json:"cold_start_ratio"`
	// ThrottlesPerMin: throttled requests per minute.
	ThrottlesPerMin Delta `json:"throttles_per_min"`
	// CostPerHourUSD: list-price cost per hour.
	CostPerHourUSD Delta `json:"cost_per_hour_usd"`
}

// FunctionTriage is one function's part of a report.
type FunctionTriage struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Flags, strongest first.
	Flags   []Flag              `json:"flags"`
	Current model.FunctionStats `json:"current"`
	// Baseline is nil when there is none to compare with (a new
	// function, an insufficient baseline).
	Baseline *model.FunctionStats `json:"baseline"`
	Deltas   Deltas               `json:"deltas"`
	// Signatures are the function's error signatures in the window, the
	// most frequent first.
	Signatures []model.Signature `json:"signatures"`
	// Changes are the function's changes in the window or within
	// ChangeLookback before it, oldest first.
	Changes []model.Change `json:"changes"`
	WhatIf  CostWhatIf     `json:"what_if"`
}

// Flagged reports whether anything about the function is unusual.
func (f *FunctionTriage) Flagged() bool { return len(f.Flags) > 0 }

// ChronicOnly reports whether every flag of the function is chronic.
func (f *FunctionTriage) ChronicOnly() bool {
	for _, fl := range f.Flags {
		if !fl.Chronic {
			return false
		}
	}
	return len(f.Flags) > 0
}

// Has reports whether the function carries a flag of kind k.
func (f *FunctionTriage) Has(k FlagKind) bool {
	for _, fl := range f.Flags {
		if fl.Kind == k {
			return true
		}
	}
	return false
}

// Baseline kinds.
const (
	BaselineNone          = "none"
	BaselinePrecedingHour = "preceding"
	BaselineDayBefore     = "day-before"
)

// BaselineInfo says what the current window was compared with.
type BaselineInfo struct {
	// Kind is BaselinePrecedingHour, BaselineDayBefore or BaselineNone.
	Kind string `json:"kind"`
	// Description says it for people ("the preceding hour, 09:24-10:24
	// UTC (58 min of data)").
	Description string           `json:"description"`
	Window      model.WindowInfo `json:"window"`
	// CoveredSeconds is how much of the baseline window the store really
	// holds data for.
	CoveredSeconds float64 `json:"covered_seconds"`
	// Sufficient is false when there is less than MinBaselineSeconds of
	// data: only the absolute rules applied.
	Sufficient bool `json:"sufficient"`
}

// Report is the analysis of a fleet at T0.
type Report struct {
	// T0 is the end of the current window.
	T0       time.Time        `json:"t0"`
	Window   model.WindowInfo `json:"window"`
	Baseline BaselineInfo     `json:"baseline"`
	// Functions holds every function, ranked: Score descending, then
	// name.
	Functions []FunctionTriage `json:"functions"`
	// Totals are the fleet's figures now; BaselineTotals in the baseline
	// (nil without one).
	Totals         model.Totals       `json:"totals"`
	BaselineTotals *model.Totals      `json:"baseline_totals"`
	TotalDeltas    Deltas             `json:"total_deltas"`
	Sources        []model.SourceInfo `json:"sources"`
	SkippedLines   int64              `json:"skipped_lines"`
	SkippedBy      map[string]int64   `json:"skipped_by_reason,omitempty"`
	Pricing        model.PricingInfo  `json:"pricing"`
	// Options are the options the analysis ran with, defaults filled in.
	Options Options `json:"-"`

	index map[string]int
}

// Rank returns the 1-based position of a function in the ranking, or 0
// when the report does not know it.
func (r *Report) Rank(name string) int {
	if r == nil {
		return 0
	}
	if i, ok := r.index[name]; ok {
		return i + 1
	}
	return 0
}

// Score returns a function's score (0 when it has no flag or is unknown).
func (r *Report) Score(name string) float64 {
	if f := r.Function(name); f != nil {
		return f.Score
	}
	return 0
}

// Function returns a function's triage, or nil.
func (r *Report) Function(name string) *FunctionTriage {
	if r == nil {
		return nil
	}
	if i, ok := r.index[name]; ok {
		return &r.Functions[i]
	}
	return nil
}

// Offenders returns up to n flagged functions, the most unusual first
// (all of them when n <= 0).
func (r *Report) Offenders(n int) []*FunctionTriage {
	var out []*FunctionTriage
	for i := range r.Functions {
		if !r.Functions[i].Flagged() || (n > 0 && len(out) == n) {
			break // ranked: the flagged ones come first
		}
		out = append(out, &r.Functions[i])
	}
	return out
}

// Snapshotter is what Build reads: *model.Store, or the UI's view of it.
type Snapshotter interface {
	Snapshot(model.SnapshotOptions) *model.Snapshot
}

// Build analyses a store at T0 (Options.End, or the store's now): it takes
// the current window's snapshot and a baseline snapshot and calls Analyze.
// The baseline is the same period the day before (the hour around the
// same time of day) when the store's history reaches back that far and
// the store still holds data for it, the hour before the current window
// otherwise.
func Build(st Snapshotter, o Options) *Report {
	o = o.withDefaults()
	cur := st.Snapshot(model.SnapshotOptions{Window: o.Window, End: o.End, Series: true})
	if o.End.IsZero() {
		o.End = cur.Window.End
	}
	hist := historyStart(cur)
	// The hour ending just before the current window's first minute.
	end := cur.Window.Start.Truncate(time.Minute).Add(-time.Nanosecond)
	base := st.Snapshot(model.SnapshotOptions{Window: o.BaselineWindow, End: end})
	// The hour around the same time the day before, when the history
	// reaches back to it and the store still holds it (its rings may
	// keep less than its history: then the day before is empty).
	dayBefore := cur.Window.End.Add(-24*time.Hour + o.BaselineWindow/2).Truncate(time.Minute).Add(-time.Nanosecond)
	if !hist.IsZero() && !hist.After(dayBefore.Add(-o.BaselineWindow)) {
		day := st.Snapshot(model.SnapshotOptions{Window: o.BaselineWindow, End: dayBefore})
		if day.Totals.Invocations > 0 || base.Totals.Invocations == 0 {
			base = day
		}
	}
	return Analyze(cur, base, o)
}

// historyStart is the oldest time the store holds data for: the
// snapshot's HistoryStart, or, from a store that does not say, the first
// sighting of its oldest function.
func historyStart(s *model.Snapshot) time.Time {
	if s == nil {
		return time.Time{}
	}
	if !s.HistoryStart.IsZero() {
		return s.HistoryStart
	}
	var t time.Time
	for i := range s.Functions {
		if fs := s.Functions[i].FirstSeen; !fs.IsZero() && (t.IsZero() || fs.Before(t)) {
			t = fs
		}
	}
	return t
}

// Analyze compares the current snapshot with a baseline snapshot (nil for
// none) and ranks the fleet. It reads both and keeps references to their
// slices; it changes neither.
func Analyze(cur, base *model.Snapshot, o Options) *Report {
	o = o.withDefaults()
	if cur == nil {
		cur = &model.Snapshot{}
	}
	r := &Report{
		T0:           cur.Window.End,
		Window:       cur.Window,
		Totals:       cur.Totals,
		Sources:      cur.Sources,
		SkippedLines: cur.SkippedLines,
		SkippedBy:    cur.SkippedBy,
		Pricing:      cur.Pricing,
		Options:      o,
	}
	if r.T0.IsZero() {
		r.T0 = o.End
	}
	hist := historyStart(cur)
	if h := historyStart(base); !h.IsZero() && (hist.IsZero() || h.Before(hist)) {
		hist = h
	}
	r.Baseline = describeBaseline(cur, base, hist, o)

	a := analysis{o: o, cur: cur, base: base, hist: hist, baseOK: r.Baseline.Sufficient}
	if base != nil {
		a.baseByName = make(map[string]*model.FunctionStats, len(base.Functions))
		for i := range base.Functions {
			a.baseByName[base.Functions[i].Name] = &base.Functions[i]
		}
	}
	a.sigs = make(map[string][]model.Signature)
	for _, s := range cur.Signatures {
		a.sigs[s.Function] = append(a.sigs[s.Function], s)
	}
	a.changes = make(map[string][]model.Change)
	from := cur.Window.Start.Add(-o.ChangeLookback)
	seen := make(map[model.Change]bool)
	var all []model.Change
	if base != nil {
		all = append(all, base.Changes...)
	}
	all = append(all, cur.Changes...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time.Before(all[j].Time) })
	for _, c := range all {
		if c.Time.Before(from) || (!cur.Window.End.IsZero() && c.Time.After(cur.Window.End)) || seen[c] {
			continue
		}
		seen[c] = true
		a.changes[c.Function] = append(a.changes[c.Function], c)
	}

	names := make(map[string]bool)
	for i := range cur.Functions {
		fs := cur.Functions[i]
		names[fs.Name] = true
		r.Functions = append(r.Functions, a.function(fs))
	}
	// A function the baseline knows and the current snapshot does not
	// (another store, a source that forgot it) has had no traffic.
	if base != nil {
		for i := range base.Functions {
			b := base.Functions[i]
			if names[b.Name] {
				continue
			}
			fs := model.FunctionStats{
				Name: b.Name, Source: b.Source, Region: b.Region, Account: b.Account,
				Architecture: b.Architecture, Runtime: b.Runtime, Version: b.Version,
				MemorySizeMB: b.MemorySizeMB, TimeoutMs: b.TimeoutMs, Unpriced: b.Unpriced,
				Platform: b.Platform, FirstSeen: b.FirstSeen, LastSeen: b.LastSeen,
			}
			if b.ColdStarts != nil {
				fs.ColdStarts = new(int64)
			}
			if b.Throttles != nil {
				fs.Throttles = new(int64)
			}
			r.Functions = append(r.Functions, a.function(fs))
		}
	}
	sort.SliceStable(r.Functions, func(i, j int) bool {
		fi, fj := &r.Functions[i], &r.Functions[j]
		if fi.Score != fj.Score {
			return fi.Score > fj.Score
		}
		return fi.Name < fj.Name
	})
	r.index = make(map[string]int, len(r.Functions))
	for i := range r.Functions {
		r.index[r.Functions[i].Name] = i
	}

	// Fleet totals.
	cs := cur.Window.Seconds
	r.TotalDeltas.RatePerS = Delta{Current: cur.Totals.RatePerS, CurrentKnown: cs > 0}
	r.TotalDeltas.ErrorRate = Delta{Current: cur.Totals.ErrorRate, CurrentKnown: cur.Totals.Invocations > 0}
	if cur.Totals.ColdStartRatio != nil {
		r.TotalDeltas.ColdStartRatio = Delta{Current: *cur.Totals.ColdStartRatio, CurrentKnown: true}
	}
	if cur.Totals.Throttles != nil && cs > 0 {
		r.TotalDeltas.ThrottlesPerMin = Delta{Current: float64(*cur.Totals.Throttles) / cs * 60, CurrentKnown: true}
	}
	r.TotalDeltas.CostPerHourUSD = Delta{Current: cur.Totals.CostPerHourUSD, CurrentKnown: cs > 0}
	if base != nil && r.Baseline.Sufficient {
		bt := base.Totals
		r.BaselineTotals = &bt
		bs := r.Baseline.CoveredSeconds
		d := &r.TotalDeltas
		d.RatePerS.Baseline, d.RatePerS.BaselineKnown = float64(bt.Invocations)/bs, true
		d.ErrorRate.Baseline, d.ErrorRate.BaselineKnown = bt.ErrorRate, bt.Invocations > 0
		if bt.ColdStartRatio != nil {
			d.ColdStartRatio.Baseline, d.ColdStartRatio.BaselineKnown = *bt.ColdStartRatio, true
		}
		if bt.Throttles != nil {
			d.ThrottlesPerMin.Baseline, d.ThrottlesPerMin.BaselineKnown = float64(*bt.Throttles)/bs*60, true
		}
		d.CostPerHourUSD.Baseline, d.CostPerHourUSD.BaselineKnown = bt.CostUSD/bs*3600, true
	}
	return r
}

// describeBaseline says which baseline base is and how much data it holds.
func describeBaseline(cur, base *model.Snapshot, hist time.Time, o Options) BaselineInfo {
	if base == nil {
		return BaselineInfo{Kind: BaselineNone, Description: "none: only absolute rules applied"}
	}
	bi := BaselineInfo{Kind: BaselinePrecedingHour, Window: base.Window}
	if !cur.Window.Start.IsZero() && cur.Window.Start.Sub(base.Window.End) > 12*time.Hour {
		bi.Kind = BaselineDayBefore
	}
	bi.CoveredSeconds = covered(base.Window, hist)
	bi.Sufficient = bi.CoveredSeconds >= o.MinBaselineSeconds
	what := "the preceding hour"
	if bi.Kind == BaselineDayBefore {
		what = "the same period the day before"
	}
	span := base.Window.Start.UTC().Format("15:04") + "-" + base.Window.End.UTC().Add(time.Nanosecond).Format("15:04") + " UTC"
	if bi.Kind == BaselineDayBefore {
		span = base.Window.Start.UTC().Format("Jan 2 15:04") + "-" + base.Window.End.UTC().Add(time.Nanosecond).Format("15:04") + " UTC"
	}
	bi.Description = what + ", " + span + " (" + fmtDuration(bi.CoveredSeconds) + " of data)"
	if !bi.Sufficient {
		bi.Description += ": insufficient, only absolute rules applied"
	}
	return bi
}

// covered is how many seconds of a window the store holds data for.
func covered(w model.WindowInfo, hist time.Time) float64 {
	s := w.Seconds
	if !hist.IsZero() && hist.After(w.Start) {
		s = min(s, w.End.Sub(hist).Seconds())
	}
	return max(s, 0)
}

func fmtDuration(sec float64) string {
	switch {
	case sec < 60:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 3600-30:
		return fmt.Sprintf("%.0f min", math.Round(sec/60))
	}
	m := int(math.Round(sec / 60))
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}
