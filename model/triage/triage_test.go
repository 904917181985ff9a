package triage

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

var simStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func describeFlags(r *Report) string {
	var b strings.Builder
	for _, f := range r.Functions {
		for _, fl := range f.Flags {
			fmt.Fprintf(&b, "\n  %s %s sev %.2f z %.1f: %s", f.Name, fl.Kind, fl.Severity, fl.Z, fl.Text)
		}
	}
	return b.String()
}

// A steady fleet of 30 functions with Poisson noise gives no flag at any
// time of two hours, whatever the seed: neither while the baseline is
// still short (absolute rules) nor against a full hour.
func TestSteadyFleetHasNoFlags(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	switch {
	case testing.Short():
		seeds = seeds[:1]
	case raceEnabled:
		seeds = seeds[:2]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			sim := newSim(t, steadyFleet(30, seed), seed, simStart)
			sawInsufficient, sawFull := false, false
			for at := 12 * time.Minute; at <= 2*time.Hour; at += 9 * time.Minute {
				sim.run(simStart.Add(at))
				for _, w := range []time.Duration{model.Window5m, model.Window15m} {
					r := Build(sim.st, Options{Window: w})
					if r.Baseline.Kind != BaselinePrecedingHour {
						t.Errorf("at +%s: baseline %q, want the preceding hour", at, r.Baseline.Kind)
					}
					sawInsufficient = sawInsufficient || !r.Baseline.Sufficient
					sawFull = sawFull || r.Baseline.CoveredSeconds >= 3000
					if off := r.Offenders(0); len(off) > 0 {
						t.Errorf("at +%s, window %s (%s): %d functions flagged:%s", at, w, r.Baseline.Description,
							len(off), describeFlags(r))
					}
					for _, f := range r.Functions {
						if f.Score != 0 {
							t.Errorf("at +%s: %s scores %v without flags", at, f.Name, f.Score)
						}
					}
				}
			}
			if !sawInsufficient || !sawFull {
				t.Errorf("checkpoints covered insufficient=%v full=%v baselines, want both", sawInsufficient, sawFull)
			}
		})
	}
}

// pick returns the first function of the fleet that matches.
func pick(t *testing.T, specs []fnSpec, ok func(fnSpec) bool) fnSpec {
	t.Helper()
	for _, s := range specs {
		if ok(s) {
			return s
		}
	}
	t.Fatal("no function of the fleet fits")
	return fnSpec{}
}

// Each kind of flag fires when injected into one function of the steady
// fleet during the current window, and that function ranks first while
// no other is flagged.
func TestInjectedFlagsRankFirst(t *testing.T) {
	specs := steadyFleet(30, 1)
	t0 := simStart.Add(70 * time.Minute)
	// The 5-minute window ending on a minute boundary starts 4 minutes
	// earlier (the store's window is whole buckets and the one in
	// progress).
	from := t0.Add(-4 * time.Minute)
	busy := func(s fnSpec) bool { return s.rate >= 2 }
	tests := []struct {
		name string
		kind FlagKind
		pick func(fnSpec) bool
		inj  injection
		// needs says which model figures the rule needs ("signatures",
		// "changes"): the case is skipped while the store lacks them.
		needs string
	}{
		{"error spike", FlagErrorSpike, busy, injection{errP: 0.3}, ""},
		{"latency", FlagLatency, busy, injection{durX: 3}, ""},
		{"cold-start storm", FlagColdStarts, busy, injection{coldP: 0.4}, ""},
		{"traffic drop", FlagTrafficDrop, busy, injection{rateX: -1}, ""},
		{"traffic surge", FlagTrafficSurge, func(s fnSpec) bool { return s.rate <= 1 }, injection{rateX: 8}, ""},
		{"throttling", FlagThrottling, func(s fnSpec) bool { return s.throttles }, injection{throttlesPerMin: 30}, ""},
		{"near timeout", FlagNearTimeout, busy, injection{timeoutP: 0.05}, ""},
		{"new signature", FlagNewSignature, func(s fnSpec) bool { return s.errP*s.rate >= 0.02 },
			injection{errMsg: "TypeError: Cannot read properties of undefined (reading 'id')"}, "signatures"},
		{"deploy", FlagChange, busy, injection{version: "2"}, "changes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := pick(t, specs, tc.pick)
			inj := tc.inj
			inj.fn, inj.from, inj.to = target.name, from, t0
			if inj.version != "" {
				inj.from = t0.Add(-3 * time.Minute)
			}
			sim := newSim(t, specs, 1, simStart, inj)
			sim.run(t0)
			r := Build(sim.st, Options{})
			cur := sim.st.Snapshot(model.SnapshotOptions{Window: model.Window5m})
			switch {
			case tc.needs == "signatures" && len(cur.Signatures) == 0:
				t.Skip("the store does not compute error signatures yet")
			case tc.needs == "changes" && len(cur.Changes) == 0:
				t.Skip("the store does not record changes yet")
			}
			if !r.Baseline.Sufficient {
				t.Fatalf("baseline insufficient: %s", r.Baseline.Description)
			}
			top := r.Functions[0]
			if top.Name != target.name || !top.Has(tc.kind) {
				t.Fatalf("top = %s (score %.2f), want %s with a %s flag:%s", top.Name, top.Score, target.name, tc.kind,
					describeFlags(r))
			}
			if r.Rank(target.name) != 1 || r.Score(target.name) <= 0 {
				t.Errorf("Rank = %d, Score = %v", r.Rank(target.name), r.Score(target.name))
			}
			for _, f := range r.Functions[1:] {
				if f.Flagged() {
					t.Errorf("%s flagged too:%s", f.Name, describeFlags(r))
					break
				}
			}
		})
	}
}

// stats builds a function's figures for struct-literal snapshots.
func stats(name string, inv, errs int64, seconds float64) model.FunctionStats {
	fs := model.FunctionStats{
		Name: name, Source: "test", Region: "us-east-1", Architecture: "x86_64",
		Invocations: inv, Errors: errs, ErrorsByKind: model.ErrorsByKind{FunctionError: errs},
		RatePerS: float64(inv) / seconds, MemorySizeMB: 512, TimeoutMs: 10000,
		Duration: &model.Quantiles{P50: 100, P90: 150, P99: 250, Max: 400, Avg: 110},
	}
	if inv > 0 {
		fs.ErrorRate = float64(errs) / float64(inv)
	}
	return fs
}

func ptr[T any](v T) *T { return &v }

func snap(end time.Time, w time.Duration, fns ...model.FunctionStats) *model.Snapshot {
	s := &model.Snapshot{
		Window:       model.WindowInfo{Label: model.WindowLabel(w), Start: end.Add(-w), End: end, Seconds: w.Seconds()},
		Functions:    fns,
		HistoryStart: end.Add(-2 * time.Hour),
	}
	for _, f := range fns {
		s.Totals.Functions++
		s.Totals.Invocations += f.Invocations
		s.Totals.Errors += f.Errors
	}
	return s
}

// With less than ten minutes of baseline only the absolute rules apply:
// errors at a high absolute rate, throttling, near timeout; a tripled p99,
// a cold-start storm and a surge against a short baseline do not flag.
func TestInsufficientBaselineOnlyAbsolute(t *testing.T) {
	end := simStart.Add(time.Hour)
	cur := stats("bad", 600, 200, 300)
	cur.Duration = &model.Quantiles{P50: 300, P90: 600, P99: 9000, Max: 9900, Avg: 400}
	cur.ColdStarts, cur.ColdStartRatio = ptr(int64(300)), ptr(0.5)
	cur.Throttles = ptr(int64(40))
	quiet := stats("quiet", 600, 1, 300)
	quiet.ColdStarts, quiet.ColdStartRatio = ptr(int64(300)), ptr(0.5)
	b := stats("bad", 60, 0, 300)
	b.ColdStarts, b.ColdStartRatio, b.Throttles = ptr(int64(0)), ptr(0.0), ptr(int64(0))
	bq := stats("quiet", 6, 0, 300)
	bq.ColdStarts, bq.ColdStartRatio = ptr(int64(0)), ptr(0.0)

	for _, tc := range []struct {
		name string
		base *model.Snapshot
	}{
		{"none", nil},
		{"five minutes", func() *model.Snapshot {
			s := snap(end.Add(-5*time.Minute), 5*time.Minute, b, bq)
			return s
		}()},
		{"an hour window with 8 minutes of history", func() *model.Snapshot {
			s := snap(end.Add(-5*time.Minute), time.Hour, b, bq)
			s.HistoryStart = end.Add(-13 * time.Minute)
			return s
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := snap(end, 5*time.Minute, cur, quiet)
			c.HistoryStart = time.Time{}
			if tc.base != nil {
				c.HistoryStart = tc.base.HistoryStart
			}
			r := Analyze(c, tc.base, Options{})
			if r.Baseline.Sufficient {
				t.Fatalf("baseline %q judged sufficient", r.Baseline.Description)
			}
			if !strings.Contains(r.Baseline.Description, "insufficient") && tc.base != nil {
				t.Errorf("description %q does not say insufficient", r.Baseline.Description)
			}
			f := r.Function("bad")
			got := map[FlagKind]bool{}
			for _, fl := range f.Flags {
				got[fl.Kind] = true
				if !fl.Absolute {
					t.Errorf("flag %s not marked absolute", fl.Kind)
				}
			}
			for _, k := range []FlagKind{FlagErrorSpike, FlagThrottling, FlagNearTimeout} {
				if !got[k] {
					t.Errorf("no %s flag: %+v", k, f.Flags)
				}
			}
			for _, k := range []FlagKind{FlagLatency, FlagColdStarts, FlagTrafficSurge} {
				if got[k] {
					t.Errorf("%s flagged without a baseline", k)
				}
			}
			if f.Baseline != nil {
				t.Errorf("Baseline = %+v, want nil", f.Baseline)
			}
			if q := r.Function("quiet"); q.Flagged() {
				t.Errorf("quiet flagged: %+v", q.Flags)
			}
			if r.Rank("bad") != 1 || r.Rank("quiet") != 2 || r.Rank("missing") != 0 {
				t.Errorf("ranks %d %d %d", r.Rank("bad"), r.Rank("quiet"), r.Rank("missing"))
			}
		})
	}
}

// The same checks through the store: eight minutes of history, then a
// surge and errors. Only the absolute error flag fires.
func TestInsufficientBaselineThroughStore(t *testing.T) {
	specs := steadyFleet(10, 3)
	target := pick(t, specs, func(s fnSpec) bool { return s.errP > 0 })
	t0 := simStart.Add(8 * time.Minute)
	sim := newSim(t, specs, 3, simStart, injection{fn: target.name, from: t0.Add(-4 * time.Minute), to: t0,
		rateX: 5, errP: 0.4, durX: 4})
	sim.run(t0)
	r := Build(sim.st, Options{})
	if r.Baseline.Sufficient {
		t.Fatalf("baseline sufficient after 8 minutes: %s", r.Baseline.Description)
	}
	f := r.Functions[0]
	if f.Name != target.name || len(f.Flags) != 1 || f.Flags[0].Kind != FlagErrorSpike || !f.Flags[0].Absolute {
		t.Fatalf("top %s flags %+v, want %s with one absolute error flag:%s", f.Name, f.Flags, target.name, describeFlags(r))
	}
}

// Unavailable figures never flag: a function whose source cannot see cold
// starts or throttles has none of those flags, and its deltas say unknown.
func TestUnavailableFiguresNeverFlag(t *testing.T) {
	end := simStart.Add(2 * time.Hour)
	c := stats("metrics", 3000, 3, 300)
	b := stats("metrics", 36000, 36, 3600)
	r := Analyze(snap(end, 5*time.Minute, c), snap(end.Add(-5*time.Minute), time.Hour, b), Options{})
	f := r.Function("metrics")
	if f.Flagged() {
		t.Errorf("flags %+v", f.Flags)
	}
	if f.Deltas.ColdStartRatio.CurrentKnown || f.Deltas.ThrottlesPerMin.CurrentKnown {
		t.Errorf("unknown figures marked known: %+v", f.Deltas)
	}
	if !f.Deltas.RatePerS.Known() || math.Abs(f.Deltas.RatePerS.Ratio()-1) > 1e-9 {
		t.Errorf("rate delta %+v", f.Deltas.RatePerS)
	}
	if !math.IsNaN(f.Deltas.ColdStartRatio.Diff()) {
		t.Errorf("Diff of an unknown delta = %v, want NaN", f.Deltas.ColdStartRatio.Diff())
	}
}

// Signatures and changes come from the snapshots: a new signature flags,
// a deploy just before the window is shown and flagged (weakly), an old
// one is not; figures of each flag are in its text.
func TestSignaturesAndChanges(t *testing.T) {
	end := simStart.Add(2 * time.Hour)
	start := end.Add(-5 * time.Minute)
	c := stats("orders", 600, 204, 300)
	b := stats("orders", 7200, 29, 3600)
	other := stats("other", 600, 0, 300)
	cur := snap(end, 5*time.Minute, c, other)
	cur.Signatures = []model.Signature{
		{Function: "orders", ID: "3f2a9c01", Kind: "function_error", ErrorType: "Error", Text: "Error: payment gateway returned <n>",
			Count: 200, New: true, FirstSeen: start.Add(30 * time.Second), LastSeen: end,
			Example: model.SignatureExample{Time: end.Add(-time.Minute), RequestID: "req-1", Message: "Error: payment gateway returned 502"}},
		{Function: "orders", ID: "00aa", Kind: "timeout", Text: "Task timed out after <n> seconds", Count: 4,
			FirstSeen: end.Add(-3 * time.Hour)},
		{Function: "other", ID: "77", Kind: "log", Text: "retrying", Count: 1, New: true},
	}
	cur.Changes = []model.Change{{Time: start.Add(time.Minute), Function: "other", Source: "test", Field: model.ChangeMemory, From: "256", To: "512"}}
	base := snap(start.Add(-time.Nanosecond), time.Hour, b, stats("other", 7200, 0, 3600))
	base.Changes = []model.Change{
		{Time: start.Add(-10 * time.Minute), Function: "orders", Source: "test", Field: model.ChangeVersion, From: "41", To: "42"},
		{Time: start.Add(-40 * time.Minute), Function: "orders", Source: "test", Field: model.ChangeVersion, From: "40", To: "41"},
	}
	r := Analyze(cur, base, Options{})
	o := r.Function("orders")
	if r.Rank("orders") != 1 {
		t.Fatalf("orders ranks %d:%s", r.Rank("orders"), describeFlags(r))
	}
	want := map[FlagKind]string{
		FlagErrorSpike:   "errors 34% (baseline 0.4%), 204 of 600",
		FlagNewSignature: "Error: payment gateway returned <n> (200×",
		FlagChange:       "deploy: version 41 → 42",
	}
	for k, text := range want {
		found := false
		for _, f := range o.Flags {
			if f.Kind == k {
				found = true
				if !strings.Contains(f.Text, text) {
					t.Errorf("%s text %q, want %q in it", k, f.Text, text)
				}
			}
		}
		if !found {
			t.Errorf("no %s flag in %+v", k, o.Flags)
		}
	}
	if len(o.Changes) != 1 || o.Changes[0].To != "42" {
		t.Errorf("changes %+v, want only the deploy 10 minutes before the window", o.Changes)
	}
	if len(o.Signatures) != 2 {
		t.Errorf("signatures %+v", o.Signatures)
	}
	if o.Flags[0].Kind != FlagErrorSpike {
		t.Errorf("strongest flag %s, want the error spike", o.Flags[0].Kind)
	}
	// A single new log signature stays below MinNewSignature; the memory
	// change flags informationally.
	ot := r.Function("other")
	if ot.Has(FlagNewSignature) || !ot.Has(FlagChange) || ot.Score != sevChange {
		t.Errorf("other: score %v flags %+v", ot.Score, ot.Flags)
	}
	if r.Rank("other") != 2 {
		t.Errorf("other ranks %d", r.Rank("other"))
	}
}

func TestScoreCombinesFlags(t *testing.T) {
	for _, tc := range []struct {
		sev  []float64
		want float64
	}{
		{nil, 0},
		{[]float64{0.5}, 0.5},
		{[]float64{0.2, 0.8, 0.1}, 0.8 + 0.3*0.3},
	} {
		var flags []Flag
		for _, s := range tc.sev {
			flags = append(flags, Flag{Severity: s})
		}
		if got := score(flags, 0.3); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("score(%v) = %v, want %v", tc.sev, got, tc.want)
		}
	}
}

func TestStatistics(t *testing.T) {
	for _, tc := range []struct {
		name     string
		got      float64
		min, max float64
	}{
		// 34% of 600 against 0.4% of 7200: overwhelming.
		{"two proportions, spike", twoPropZ(204, 600, 29, 7200), 20, 100},
		{"two proportions, equal", twoPropZ(6, 600, 72, 7200), -0.01, 0.01},
		{"two proportions, lower", twoPropZ(1, 600, 72, 7200), -100, -1},
		// Poisson: 12 where 3 are expected is about 3.9 sigma.
		{"rate 12 vs 3 expected", rateZ(12, 300, 360, 36000), 3.5, 4.3},
		{"rate equal", rateZ(30, 300, 360, 3600), -0.01, 0.01},
		{"binomial none of p", binomZ(0, 100, 0.5), -100, -5},
	} {
		if tc.got < tc.min || tc.got > tc.max {
			t.Errorf("%s: z = %v, want in [%v, %v]", tc.name, tc.got, tc.min, tc.max)
		}
	}
}

// The baseline is the preceding hour, ending where the current window
// starts; a store whose history reaches back over a day but whose rings
// no longer hold the day before falls back to it. A day-before baseline
// is described as such.
func TestBaselineChoice(t *testing.T) {
	specs := steadyFleet(3, 5)
	t0 := simStart.Add(70 * time.Minute)
	sim := newSim(t, specs, 5, simStart)
	// One invocation a day and a half earlier: history reaches back.
	sim.st.Ingest(model.Event{Kind: model.KindInvocation, Source: "synthetic", Function: specs[0].name,
		Time: simStart.Add(-36 * time.Hour), Invocation: model.Invocation{RequestID: "old", DurationMs: 5, BilledMs: 5}})
	sim.run(t0)
	r := Build(sim.st, Options{End: t0.Add(-10 * time.Second)})
	if r.Baseline.Kind != BaselinePrecedingHour || !r.Baseline.Sufficient {
		t.Errorf("baseline %+v, want the preceding hour", r.Baseline)
	}
	if !r.Baseline.Window.End.Before(r.Window.Start) || r.Window.Start.Sub(r.Baseline.Window.End) > time.Minute {
		t.Errorf("baseline ends %s, current window starts %s", r.Baseline.Window.End, r.Window.Start)
	}
	if got := r.Baseline.Window.End.Sub(r.Baseline.Window.Start); got < 59*time.Minute || got > time.Hour {
		t.Errorf("baseline spans %s", got)
	}
	if !r.T0.Equal(t0.Add(-10 * time.Second)) {
		t.Errorf("T0 = %s", r.T0)
	}

	end := simStart.Add(48 * time.Hour)
	cur := snap(end, 5*time.Minute, stats("a", 300, 0, 300))
	day := snap(end.Add(-24*time.Hour+30*time.Minute), time.Hour, stats("a", 3600, 0, 3600))
	day.HistoryStart = end.Add(-30 * time.Hour)
	rd := Analyze(cur, day, Options{})
	if rd.Baseline.Kind != BaselineDayBefore || !strings.Contains(rd.Baseline.Description, "the day before") ||
		rd.Baseline.CoveredSeconds != 3600 {
		t.Errorf("day-before baseline %+v", rd.Baseline)
	}
}
