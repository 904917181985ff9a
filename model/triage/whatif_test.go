package triage

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fntop/fntop/model"
)

// A function at one million invocations a month (1,024 MB, x86_64,
// us-east-1, 200 ms billed on average, 300 MB peak), priced by hand:
//
//	per request   $0.0000002
//	1,024 MB      0.2 GB-s x $0.0000166667 = $0.00000333334
//	monthly       1e6 x $0.00000353334     = $3.53334
func TestWhatIfHandComputed(t *testing.T) {
	rate := 1e6 / (HoursPerMonth * 3600) // invocations per second
	seconds := 1000 / rate               // the window that saw 1,000 of them
	perInv := 0.0000002 + 0.2*0.0000166667
	fs := model.FunctionStats{
		Name: "api", Region: "us-east-1", Architecture: "x86_64", MemorySizeMB: 1024, MaxMemoryUsedMB: 300,
		Invocations: 1000, RatePerS: rate, BilledMsTotal: 200 * 1000,
		CostUSD: 1000 * perInv, CostPerHourUSD: 1000 * perInv / seconds * 3600,
		ColdStarts: ptr(int64(10)), ColdStartCostUSD: 100 * perInv,
	}
	w := WhatIf(fs, nil)
	if !w.Available {
		t.Fatalf("unavailable: %s", w.Unavailable)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.7f, want %.7f", what, got, want)
		}
	}
	near("monthly", w.MonthlyUSD, 3.53334)
	near("monthly invocations", w.MonthlyInvocations, 1e6)
	near("average billed", w.AvgBilledMs, 200)
	near("cold-start share", w.ColdStartShare, 0.1)
	if !w.ColdStartShareKnown {
		t.Error("cold-start share unknown")
	}
	opt := func(mem int, arch model.Arch) CostOption {
		for _, o := range w.Options {
			if o.MemoryMB == mem && o.Arch == arch {
				return o
			}
		}
		t.Fatalf("no option %d MB %s", mem, arch)
		return CostOption{}
	}
	for _, tc := range []struct {
		mem      int
		arch     model.Arch
		durMs    float64
		monthly  float64
		feasible bool
	}{
		{1024, model.ArchX86, 200, 3.53334, true},                     // the current configuration
		{512, model.ArchX86, 400, 3.53334, true},                      // half the CPU, twice as long
		{256, model.ArchX86, 800, 3.53334, false},                     // below 300 MB + 10%
		{128, model.ArchX86, 1600, 3.53334, false},                    //
		{1769, model.ArchX86, 200 * 1024.0 / 1769, 3.53334, true},     // one full vCPU
		{2048, model.ArchX86, 200 * 1024.0 / 1769, 4.0590618, true},   // no faster beyond 1,769 MB: 0.2315432 GB-s
		{10240, model.ArchX86, 200 * 1024.0 / 1769, 19.4953090, true}, // 1.1577162 GB-s
		{1024, model.ArchARM, 200, 2.86668, true},                     // 0.2 GB-s x $0.0000133334 + $0.2
	} {
		o := opt(tc.mem, tc.arch)
		near("duration at "+strconv.Itoa(tc.mem)+" "+string(tc.arch), o.DurationMs, tc.durMs)
		near("monthly at "+strconv.Itoa(tc.mem)+" "+string(tc.arch), o.MonthlyUSD, tc.monthly)
		near("delta at "+strconv.Itoa(tc.mem)+" "+string(tc.arch), o.DeltaUSD, tc.monthly-3.53334)
		if o.Feasible != tc.feasible {
			t.Errorf("%d MB %s feasible = %v", tc.mem, tc.arch, o.Feasible)
		}
		if o.Current != (tc.mem == 1024 && tc.arch == model.ArchX86) {
			t.Errorf("%d MB %s current = %v", tc.mem, tc.arch, o.Current)
		}
	}
	if len(w.Options) != 2*len(WhatIfMemorySizes) {
		t.Errorf("%d options", len(w.Options))
	}
	// Every arm64 size from 512 to 1,769 MB costs the same; the nearest
	// to the current size wins.
	if c := w.CheapestOption(); c == nil || c.MemoryMB != 1024 || c.Arch != model.ArchARM {
		t.Errorf("cheapest = %+v, want 1024 MB arm64", c)
	}
	joined := strings.Join(w.Assumptions, "\n")
	for _, want := range []string{"1,769 MB", "730 h", "arm64"} {
		if !strings.Contains(joined, want) {
			t.Errorf("assumptions do not state %q: %s", want, joined)
		}
	}
	if s := w.summary(); !strings.Contains(s, "$3.53/month") || !strings.Contains(s, "cold starts 10%") ||
		!strings.Contains(s, "1024 MB arm64") {
		t.Errorf("summary %q", s)
	}
}

// A size that is not in the list is added; an unknown peak memory lets
// only sizes at least the current one be feasible.
func TestWhatIfOwnSizeAndUnknownPeak(t *testing.T) {
	fs := model.FunctionStats{Region: "eu-west-1", MemorySizeMB: 640, Invocations: 10, RatePerS: 1, BilledMsTotal: 1000,
		CostUSD: 1, CostPerHourUSD: 1}
	w := WhatIf(fs, model.DefaultPrices())
	found := false
	for _, o := range w.Options {
		if o.MemoryMB == 640 && o.Arch == model.ArchX86 {
			found = o.Current
		}
		if o.Feasible != (o.MemoryMB >= 640) {
			t.Errorf("%d MB feasible = %v with the peak unknown", o.MemoryMB, o.Feasible)
		}
	}
	if !found {
		t.Error("the function's own 640 MB is not the current option")
	}
	if w.ColdStartShareKnown {
		t.Error("cold-start share known without cold starts")
	}
}

func TestWhatIfUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   model.FunctionStats
		want string
	}{
		{"off Lambda", model.FunctionStats{Unpriced: true, Platform: "openfaas", Invocations: 5, MemorySizeMB: 128, RatePerS: 1}, "no prices"},
		{"idle", model.FunctionStats{MemorySizeMB: 128}, "no invocations"},
		{"memory unknown", model.FunctionStats{Invocations: 5, RatePerS: 1, BilledMsTotal: 5}, "memory size unknown"},
		{"requests only", model.FunctionStats{Invocations: 5, RatePerS: 1, MemorySizeMB: 128}, "no billed durations"},
	} {
		w := WhatIf(tc.fs, nil)
		if w.Available || !strings.Contains(w.Unavailable, tc.want) || len(w.Options) != 0 {
			t.Errorf("%s: available %v, %q, %d options", tc.name, w.Available, w.Unavailable, len(w.Options))
		}
		if !strings.Contains(w.summary(), "unavailable") {
			t.Errorf("%s: summary %q", tc.name, w.summary())
		}
	}
}
