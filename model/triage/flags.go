package triage

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/fntop/fntop/model"
)

// Severity scale. A flag's severity starts at its kind's floor and grows
// with the size of the effect, up to the kind's ceiling; the informational
// change marker stays small.
const (
	sevChange       = 0.1
	sevChronic      = 0.05 // a condition the baseline had as well
	sigSeverityBase = 0.2
)

// analysis holds what every function's analysis shares.
type analysis struct {
	o          Options
	cur, base  *model.Snapshot
	hist       time.Time
	baseOK     bool
	baseByName map[string]*model.FunctionStats
	sigs       map[string][]model.Signature
	changes    map[string][]model.Change
}

// baseline returns the function's baseline figures and the seconds of
// data they cover, or nil when there is no sufficient baseline.
func (a *analysis) baseline(fs *model.FunctionStats) (*model.FunctionStats, float64) {
	if !a.baseOK || a.baseByName == nil {
		return nil, 0
	}
	b := a.baseByName[fs.Name]
	if b == nil {
		return nil, 0
	}
	from := a.hist
	for _, t := range []time.Time{fs.FirstSeen, b.FirstSeen} {
		if !t.IsZero() && t.After(from) {
			from = t
		}
	}
	sec := covered(a.base.Window, from)
	if sec < a.o.MinBaselineSeconds {
		return nil, 0
	}
	cp := *b
	return &cp, sec
}

func (a *analysis) function(fs model.FunctionStats) FunctionTriage {
	ft := FunctionTriage{
		Name:       fs.Name,
		Current:    fs,
		Signatures: a.sigs[fs.Name],
		Changes:    a.changes[fs.Name],
		WhatIf:     WhatIf(fs, a.o.Prices),
	}
	b, bsec := a.baseline(&fs)
	ft.Baseline = b
	cs := a.cur.Window.Seconds
	ft.Deltas = functionDeltas(&fs, cs, b, bsec)

	r := rules{o: a.o, fs: &fs, b: b, cs: cs, bs: bsec, start: a.cur.Window.Start}
	var flags []Flag
	for _, rule := range []func() (Flag, bool){
		r.errorSpike, r.latency, r.coldStarts, r.trafficDrop, r.trafficSurge,
		r.throttling, r.nearTimeout,
	} {
		if f, ok := rule(); ok {
			flags = append(flags, f)
		}
	}
	if f, ok := r.newSignature(ft.Signatures); ok {
		flags = append(flags, f)
	}
	if f, ok := changeFlag(ft.Changes); ok {
		flags = append(flags, f)
	}
	sort.SliceStable(flags, func(i, j int) bool { return flags[i].Severity > flags[j].Severity })
	ft.Flags = flags
	ft.Score = score(flags, a.o.OtherFlagsWeight)
	return ft
}

// score is the largest severity plus w times the others.
func score(flags []Flag, w float64) float64 {
	if len(flags) == 0 {
		return 0
	}
	top, rest := 0.0, 0.0
	for _, f := range flags {
		if f.Severity > top {
			rest += top
			top = f.Severity
		} else {
			rest += f.Severity
		}
	}
	return top + w*rest
}

func functionDeltas(fs *model.FunctionStats, cs float64, b *model.FunctionStats, bs float64) Deltas {
	var d Deltas
	d.RatePerS = Delta{Current: perSecond(fs.Invocations, cs), CurrentKnown: cs > 0}
	d.ErrorRate = Delta{Current: fs.ErrorRate, CurrentKnown: fs.Invocations > 0}
	if fs.Duration != nil {
		d.P99Ms = Delta{Current: fs.Duration.P99, CurrentKnown: true}
	}
	if fs.ColdStartRatio != nil {
		d.ColdStartRatio = Delta{Current: *fs.ColdStartRatio, CurrentKnown: true}
	}
	if fs.Throttles != nil && cs > 0 {
		d.ThrottlesPerMin = Delta{Current: float64(*fs.Throttles) / cs * 60, CurrentKnown: true}
	}
	if !fs.Unpriced && cs > 0 {
		d.CostPerHourUSD = Delta{Current: fs.CostUSD / cs * 3600, CurrentKnown: true}
	}
	if b == nil || bs <= 0 {
		return d
	}
	d.RatePerS.Baseline, d.RatePerS.BaselineKnown = perSecond(b.Invocations, bs), true
	d.ErrorRate.Baseline, d.ErrorRate.BaselineKnown = b.ErrorRate, b.Invocations > 0
	if b.Duration != nil {
		d.P99Ms.Baseline, d.P99Ms.BaselineKnown = b.Duration.P99, true
	}
	if b.ColdStartRatio != nil {
		d.ColdStartRatio.Baseline, d.ColdStartRatio.BaselineKnown = *b.ColdStartRatio, true
	}
	if b.Throttles != nil {
		d.ThrottlesPerMin.Baseline, d.ThrottlesPerMin.BaselineKnown = float64(*b.Throttles)/bs*60, true
	}
	if !b.Unpriced {
		d.CostPerHourUSD.Baseline, d.CostPerHourUSD.BaselineKnown = b.CostUSD/bs*3600, true
	}
	return d
}

func perSecond(n int64, sec float64) float64 {
	if sec <= 0 {
		return 0
	}
	return float64(n) / sec
}

// rules are the flag rules for one function. b is nil without a
// sufficient baseline: then only the absolute rules fire.
type rules struct {
	o      Options
	fs, b  *model.FunctionStats
	cs, bs float64 // seconds of data now and in the baseline
	start  time.Time
}

// onset is the start of the first series point of the window where the
// figure (num/den, or num when den is nil) reaches the level; the
// window's start when there is no series.
func (r *rules) onset(level float64, num func(p *model.SeriesPoint) float64, den func(p *model.SeriesPoint) float64) time.Time {
	for i := range r.fs.Series {
		p := &r.fs.Series[i]
		if p.Start.Before(r.start.Truncate(time.Minute)) {
			continue
		}
		v := num(p)
		if den != nil {
			d := den(p)
			if d <= 0 {
				continue
			}
			v /= d
		}
		if v >= level {
			if p.Start.Before(r.start) {
				return r.start
			}
			return p.Start
		}
	}
	return r.start
}

// logSpread estimates the standard deviation of log durations for the
// standard error of a quantile: the larger of a log-normal's fitted to
// the p50 and p99 and to the p90 and p99, so that a heavy tail (a few slow
// calls) counts as the noise it is. At least 0.1.
func logSpread(q *model.Quantiles) float64 {
	s := 0.1
	if q.P50 > 0 && q.P99 > q.P50 {
		s = max(s, math.Log(q.P99/q.P50)/z99)
	}
	if q.P90 > 0 && q.P99 > q.P90 {
		s = max(s, math.Log(q.P99/q.P90)/(z99-z90))
	}
	return s
}

// span is a part of the current window a rule tests: the whole window,
// its most recent buckets (an incident in progress, tested from its
// onset) or a single bucket (a wave that is over). x of n invocations
// have the figure tested.
type span struct {
	from  time.Time
	x, n  int64
	label string // "", " since 10:25 UTC", " at 10:40 UTC"
	// z is the significance the span needs: Z for the whole window,
	// more for the parts, so that testing many of them is no more likely
	// to flag noise (Bonferroni: Z's one-sided p divided by their number).
	z float64
}

// spans returns the whole window (x of n), then, when the snapshot has a
// series, every suffix of its buckets and every single bucket.
func (r *rules) spans(x, n int64, get func(p *model.SeriesPoint) int64) []span {
	out := []span{{from: r.start, x: x, n: n, z: r.o.Z}}
	step := time.Duration(seriesStep(r.fs.Series) * float64(time.Second))
	var pts []*model.SeriesPoint
	for i := range r.fs.Series {
		if p := &r.fs.Series[i]; p.Start.Add(step).After(r.start) {
			pts = append(pts, p)
		}
	}
	if len(pts) < 2 {
		return out
	}
	from := func(p *model.SeriesPoint) time.Time {
		if p.Start.Before(r.start) {
			return r.start
		}
		return p.Start
	}
	// Suffixes, the longest first: of equally strong ones the earliest
	// onset wins.
	suffixes := make([]span, 0, len(pts)-1)
	var sx, sn int64
	for i := len(pts) - 1; i >= 1; i-- {
		sx += get(pts[i])
		sn += pts[i].Invocations
		suffixes = append(suffixes, span{from: from(pts[i]), x: sx, n: sn, label: " since " + hhmm(from(pts[i])) + " UTC"})
	}
	slices.Reverse(suffixes)
	out = append(out, suffixes...)
	for _, p := range pts[:len(pts)-1] {
		out = append(out, span{from: from(p), x: get(p), n: p.Invocations, label: " at " + hhmm(from(p)) + " UTC"})
	}
	zk := bonferroniZ(r.o.Z, len(out)-1)
	for i := range out[1:] {
		out[i+1].z = zk
	}
	return out
}

// strongest returns the flag of the highest severity (the first of
// equals) that test makes of the spans.
func strongest(spans []span, test func(sp span) (Flag, bool)) (Flag, bool) {
	var best Flag
	found := false
	for _, sp := range spans {
		if f, ok := test(sp); ok && (!found || f.Severity > best.Severity) {
			best, found = f, true
		}
	}
	return best, found
}

// errorSpike: the error rate rose against the baseline (a likelihood-ratio
// test of the two proportions, z >= Z, at least MinErrors failures, a rate
// ErrorRateRatio times the baseline's and MinErrorRateDelta above it);
// without a baseline, errors at AbsErrorRate or more and significantly
// above half of it (z >= Z). Tested over the window and its spans: the
// strongest counts, so that a spike shows from its first minute.
func (r *rules) errorSpike() (Flag, bool) {
	fs, b := r.fs, r.b
	spans := r.spans(fs.Errors, fs.Invocations, func(p *model.SeriesPoint) int64 { return p.Errors })
	if b == nil || b.Invocations == 0 {
		return strongest(spans, func(sp span) (Flag, bool) {
			if sp.x < r.o.MinErrors || sp.n == 0 {
				return Flag{}, false
			}
			p1 := float64(sp.x) / float64(sp.n)
			z := binomZ(float64(sp.x), float64(sp.n), r.o.AbsErrorRate/2)
			if p1 < r.o.AbsErrorRate || z < sp.z {
				return Flag{}, false
			}
			return Flag{
				Kind: FlagErrorSpike, Absolute: true, Current: p1, Z: z,
				Severity: 0.3 + 0.5*clamp(p1, 0, 1),
				Text:     fmt.Sprintf("errors %s, %d of %d%s (no baseline)", pct(p1), sp.x, sp.n, sp.label),
				Since:    sp.from,
			}, true
		})
	}
	e0, n0 := float64(b.Errors), float64(b.Invocations)
	p0 := e0 / n0
	return strongest(spans, func(sp span) (Flag, bool) {
		if sp.x < r.o.MinErrors || sp.n == 0 {
			return Flag{}, false
		}
		p1 := float64(sp.x) / float64(sp.n)
		if p1 < r.o.ErrorRateRatio*p0 || p1-p0 < r.o.MinErrorRateDelta {
			return Flag{}, false
		}
		z := twoPropZ(float64(sp.x), float64(sp.n), e0, n0)
		if z < sp.z {
			return Flag{}, false
		}
		return Flag{
			Kind: FlagErrorSpike, Current: p1, Baseline: p0, Z: z,
			Severity: 0.4 + 0.6*clamp((p1-p0)/0.2, 0, 1.5),
			Text:     fmt.Sprintf("errors %s (baseline %s), %d of %d%s", pct(p1), pct(p0), sp.x, sp.n, sp.label),
			Since:    sp.from,
		}, true
	})
}

// latency: the p99 (or, when it is not significant, the p90) rose to
// LatencyRatio times the baseline's and MinLatencyDeltaMs above it, with
// MinLatencyInvocations invocations now and three times as many in the
// baseline. Significance: the difference of the log quantiles over their
// standard errors, from each window's spread of log durations (see
// logSpread).
func (r *rules) latency() (Flag, bool) {
	fs, b := r.fs, r.b
	if b == nil || fs.Duration == nil || b.Duration == nil ||
		fs.Invocations < r.o.MinLatencyInvocations || b.Invocations < 3*r.o.MinLatencyInvocations {
		return Flag{}, false
	}
	n1, n0 := float64(fs.Invocations), float64(b.Invocations)
	s1, s0 := logSpread(fs.Duration), logSpread(b.Duration)
	for _, q := range []struct {
		name   string
		p, zq  float64
		c, old float64
	}{
		{"p99", 0.99, z99, fs.Duration.P99, b.Duration.P99},
		{"p90", 0.90, z90, fs.Duration.P90, b.Duration.P90},
	} {
		if q.c <= 0 || q.old <= 0 {
			continue
		}
		ratio := q.c / q.old
		if ratio < r.o.LatencyRatio || q.c-q.old < r.o.MinLatencyDeltaMs {
			continue
		}
		se := math.Hypot(logQuantileSE(q.p, q.zq, s1, n1), logQuantileSE(q.p, q.zq, s0, n0))
		z := math.Log(ratio) / se
		if z < r.o.Z {
			continue
		}
		return Flag{
			Kind: FlagLatency, Current: q.c, Baseline: q.old, Z: z,
			Severity: 0.3 + 0.4*clamp(math.Log2(ratio)/2, 0, 1.5),
			Text:     fmt.Sprintf("%s %s (baseline %s), x%.1f", q.name, ms(q.c), ms(q.old), ratio),
		}, true
	}
	return Flag{}, false
}

// coldStarts: cold starts per invocation ColdStartRatio times the
// baseline's and MinColdStartDelta above it, at least MinColdStarts of
// them, z >= Z: over the window or one of its spans (a deploy's wave of
// new environments lasts a minute or two, and would drown in a longer
// window). Never fires when the source cannot see cold starts. The
// severity grows with the ratio and with the share of invocations that
// started cold.
func (r *rules) coldStarts() (Flag, bool) {
	fs, b := r.fs, r.b
	if b == nil || fs.ColdStarts == nil || b.ColdStarts == nil || fs.Invocations == 0 || b.Invocations == 0 {
		return Flag{}, false
	}
	c0, n0 := float64(*b.ColdStarts), float64(b.Invocations)
	r0 := c0 / n0
	spans := r.spans(*fs.ColdStarts, fs.Invocations, func(p *model.SeriesPoint) int64 { return p.ColdStarts })
	return strongest(spans, func(sp span) (Flag, bool) {
		if sp.x < r.o.MinColdStarts || sp.n <= 0 {
			return Flag{}, false
		}
		r1 := float64(sp.x) / float64(sp.n)
		if r1 < r.o.ColdStartRatio*r0 || r1-r0 < r.o.MinColdStartDelta {
			return Flag{}, false
		}
		z := twoPropZ(float64(sp.x), float64(sp.n), c0, n0)
		if z < sp.z {
			return Flag{}, false
		}
		ratio := r1 / max(r0, 0.5/n0)
		return Flag{
			Kind: FlagColdStarts, Current: r1, Baseline: r0, Z: z,
			Severity: 0.3 + 0.2*clamp(math.Log2(ratio)/4, 0, 1) + 0.2*clamp((r1-r0)/0.2, 0, 1),
			Text:     fmt.Sprintf("cold starts %s (baseline %s), %d of %d%s", pct(r1), pct(r0), sp.x, sp.n, sp.label),
			Since:    sp.from,
		}, true
	})
}

// trafficDrop: no invocation in the window, where the baseline's rate
// predicts MinDropExpected or more (and the drop is significant).
func (r *rules) trafficDrop() (Flag, bool) {
	fs, b := r.fs, r.b
	if b == nil || fs.Invocations != 0 || r.cs <= 0 {
		return Flag{}, false
	}
	rate := float64(b.Invocations) / r.bs
	expected := rate * r.cs
	if expected < r.o.MinDropExpected {
		return Flag{}, false
	}
	z := -rateZ(0, r.cs, float64(b.Invocations), r.bs)
	if z < r.o.Z {
		return Flag{}, false
	}
	since := r.start
	if !fs.LastSeen.IsZero() && fs.LastSeen.Before(r.start) {
		since = fs.LastSeen
	}
	return Flag{
		Kind: FlagTrafficDrop, Current: 0, Baseline: rate, Z: z,
		Severity: 0.6 + 0.1*clamp(math.Log10(expected/r.o.MinDropExpected), 0, 3),
		Text:     fmt.Sprintf("no invocations (baseline %s, %.0f expected)", perS(rate), expected),
		Since:    since,
	}, true
}

// trafficSurge: invocations per second SurgeRatio times the baseline's,
// at least MinSurge of them, z >= Z.
func (r *rules) trafficSurge() (Flag, bool) {
	fs, b := r.fs, r.b
	if b == nil || fs.Invocations < r.o.MinSurge || r.cs <= 0 {
		return Flag{}, false
	}
	r1 := float64(fs.Invocations) / r.cs
	r0 := float64(b.Invocations) / r.bs
	if r1 < r.o.SurgeRatio*r0 {
		return Flag{}, false
	}
	z := rateZ(float64(fs.Invocations), r.cs, float64(b.Invocations), r.bs)
	if z < r.o.Z {
		return Flag{}, false
	}
	ratio := r1 / max(r0, 0.5/r.bs)
	text := fmt.Sprintf("traffic %s (baseline %s), x%.1f", perS(r1), perS(r0), ratio)
	if b.Invocations == 0 {
		text = fmt.Sprintf("traffic %s (none in the baseline)", perS(r1))
	}
	return Flag{
		Kind: FlagTrafficSurge, Current: r1, Baseline: r0, Z: z,
		Severity: 0.3 + 0.3*clamp(math.Log2(ratio/r.o.SurgeRatio+1)/2, 0, 1.5),
		Text:     text,
		// Onset: the first point at twice the baseline's rate per bucket.
		Since: r.onset(2*r0, func(p *model.SeriesPoint) float64 { return float64(p.Invocations) / seriesStep(fs.Series) }, nil),
	}, true
}

// seriesStep is the length in seconds of a series' points.
func seriesStep(s []model.SeriesPoint) float64 {
	if len(s) >= 2 {
		if d := s[1].Start.Sub(s[0].Start).Seconds(); d > 0 {
			return d
		}
	}
	return 60
}

// throttling: throttled requests, where the baseline had none, or a rate
// ThrottleRatio times the baseline's and significant (z >= Z); without a
// baseline any throttle. Never fires when the source cannot see throttles.
func (r *rules) throttling() (Flag, bool) {
	fs, b := r.fs, r.b
	if fs.Throttles == nil || *fs.Throttles <= 0 {
		return Flag{}, false
	}
	t1 := float64(*fs.Throttles)
	share := t1 / (t1 + float64(fs.Invocations))
	f := Flag{
		Kind: FlagThrottling, Current: t1,
		Severity: 0.25 + 0.7*clamp(share/0.25, 0, 1),
		Since:    r.onset(1, func(p *model.SeriesPoint) float64 { return float64(p.Throttles) }, nil),
	}
	if b == nil || b.Throttles == nil {
		f.Absolute = true
		f.Text = fmt.Sprintf("%d throttled, %s of requests", *fs.Throttles, pct(share))
		return f, true
	}
	t0 := float64(*b.Throttles)
	perMin0 := t0 / r.bs * 60
	f.Baseline = perMin0
	f.Text = fmt.Sprintf("%d throttled, %s of requests (baseline %.1f/min)", *fs.Throttles, pct(share), perMin0)
	if t0 == 0 {
		f.Text = fmt.Sprintf("%d throttled, %s of requests (none in the baseline)", *fs.Throttles, pct(share))
		return f, true
	}
	if t1/r.cs < r.o.ThrottleRatio*t0/r.bs {
		return Flag{}, false
	}
	f.Z = rateZ(t1, r.cs, t0, r.bs)
	if f.Z < r.o.Z {
		return Flag{}, false
	}
	return f, true
}

// nearTimeout: timeouts, or the p99 or the longest duration at NearTimeout
// of the configured timeout or more. When the baseline was as close to its
// timeout and timeouts did not rise significantly, the condition is
// chronic and the flag weak.
func (r *rules) nearTimeout() (Flag, bool) {
	fs, b := r.fs, r.b
	limit := fs.TimeoutMs
	if limit <= 0 {
		return Flag{}, false
	}
	near := func(s *model.FunctionStats) bool {
		return s.Duration != nil && (s.Duration.P99 >= r.o.NearTimeout*limit || s.Duration.Max >= r.o.NearTimeout*limit)
	}
	if fs.Timeouts == 0 && !near(fs) {
		return Flag{}, false
	}
	text := ""
	if fs.Timeouts > 0 {
		text = fmt.Sprintf("%d timeouts of %d", fs.Timeouts, fs.Invocations)
	}
	if fs.Duration != nil {
		if text != "" {
			text += "; "
		}
		text += fmt.Sprintf("p99 %s, max %s of %s timeout (%.0f%%)", ms(fs.Duration.P99), ms(fs.Duration.Max),
			ms(limit), 100*fs.Duration.Max/limit)
	}
	f := Flag{Kind: FlagNearTimeout, Current: float64(fs.Timeouts)}
	share := 0.0
	if fs.Invocations > 0 {
		share = float64(fs.Timeouts) / float64(fs.Invocations)
	}
	sev := 0.3
	if fs.Timeouts > 0 {
		sev = 0.4 + 0.4*clamp(share/0.2, 0, 1)
	}
	if b == nil {
		f.Absolute, f.Severity, f.Text = true, sev, text
		return f, true
	}
	f.Baseline = float64(b.Timeouts)
	chronic := b.Timeouts > 0 || near(b)
	if chronic && fs.Timeouts > 0 && b.Invocations > 0 {
		// Timeouts per invocation rose significantly: not chronic.
		t1, n1 := float64(fs.Timeouts), float64(fs.Invocations)
		t0, n0 := float64(b.Timeouts), float64(b.Invocations)
		z := twoPropZ(t1, n1, t0, n0)
		if fs.Timeouts >= r.o.MinErrors && t1/n1 >= 2*t0/n0 && z >= r.o.Z {
			chronic, f.Z = false, z
		}
	}
	if chronic {
		f.Severity, f.Chronic = sevChronic, true
		f.Text = text + fmt.Sprintf(" (baseline: %d timeouts of %d)", b.Timeouts, b.Invocations)
		return f, true
	}
	f.Severity = sev
	f.Text = text + fmt.Sprintf(" (baseline: %d timeouts of %d)", b.Timeouts, b.Invocations)
	return f, true
}

// newSignature: error signatures first seen in the window, with
// MinNewSignature occurrences or more. Signatures of failed invocations
// weigh more than application ERROR lines.
func (r *rules) newSignature(sigs []model.Signature) (Flag, bool) {
	var top *model.Signature
	n := 0
	for i := range sigs {
		s := &sigs[i]
		if !s.New || s.Count < r.o.MinNewSignature {
			continue
		}
		n++
		if top == nil || weightOf(s) > weightOf(top) || (weightOf(s) == weightOf(top) && s.Count > top.Count) {
			top = s
		}
	}
	if top == nil {
		return Flag{}, false
	}
	sev := (sigSeverityBase + 0.2*clamp(float64(top.Count)/20, 0, 1)) * weightOf(top)
	text := fmt.Sprintf("new %s: %s (%d×, first %s UTC)", top.Kind, clip(plain(top.Text), 80), top.Count,
		top.FirstSeen.UTC().Format("15:04:05"))
	if n > 1 {
		text += fmt.Sprintf(", %d more new", n-1)
	}
	return Flag{Kind: FlagNewSignature, Severity: sev, Current: float64(top.Count), Text: text, Since: top.FirstSeen}, true
}

// weightOf is 1 for failed invocations' signatures, 0.5 for log lines'.
func weightOf(s *model.Signature) float64 {
	if s.Kind == "log" {
		return 0.5
	}
	return 1
}

// changeFlag marks deploys and configuration changes (informational).
func changeFlag(changes []model.Change) (Flag, bool) {
	if len(changes) == 0 {
		return Flag{}, false
	}
	last := changes[len(changes)-1]
	for _, c := range changes {
		if c.Field == model.ChangeVersion {
			last = c // a deploy says the most
		}
	}
	text := describeChange(last)
	if len(changes) > 1 {
		text += fmt.Sprintf(" (%d changes)", len(changes))
	}
	return Flag{Kind: FlagChange, Severity: sevChange, Text: text, Since: last.Time}, true
}

// describeChange says a change in one line: "deploy: version 41 → 42 at
// 10:40 UTC".
func describeChange(c model.Change) string {
	what := map[string]string{
		model.ChangeVersion:     "deploy: version",
		model.ChangeMemory:      "memory (MB)",
		model.ChangeTimeout:     "timeout (ms)",
		model.ChangeConcurrency: "reserved concurrency",
		model.ChangeReplicas:    "replicas",
		model.ChangeRuntime:     "runtime",
		model.ChangeArch:        "architecture",
	}[c.Field]
	if what == "" {
		what = plain(c.Field)
	}
	from := plain(c.From)
	if from == "" {
		from = "?"
	}
	return fmt.Sprintf("%s %s → %s at %s UTC", what, clip(from, 40), clip(plain(c.To), 40), c.Time.UTC().Format("15:04:05"))
}
