package triage

import (
	"fmt"
	"math"
	"sort"

	"github.com/fntop/fntop/model"
)

// HoursPerMonth is the month the projections use: 730 hours (365 days × 24
// hours / 12), as AWS's own calculator does.
const HoursPerMonth = 730

// FullCPUMemoryMB is the memory size at which Lambda allocates one full
// vCPU; CPU is proportional to memory.
const FullCPUMemoryMB = 1769

// WhatIfMemorySizes are the memory sizes the what-if prices, in MB (the
// function's own size is added).
var WhatIfMemorySizes = []int{128, 256, 512, 1024, 1536, 1769, 2048, 3008, 4096, 10240}

// MemoryMargin is the headroom over the observed peak memory a memory size
// needs to be feasible (10%).
const MemoryMargin = 0.10

// The assumptions of every projection, stated in the report.
const (
	AssumeMonth    = "monthly = cost per hour at the window's rate × 730 h"
	AssumeCPU      = "Lambda allocates CPU in proportion to memory (1 vCPU at 1,769 MB); duration scales inversely with CPU up to 1,769 MB (single-threaded code) and not beyond"
	AssumeArm      = "arm64 runs as long as x86_64 and is priced at arm64's rate"
	AssumeBilled   = "projected from the average billed duration observed (init included), without per-invocation rounding"
	AssumeFeasible = "a size is feasible when it holds the observed peak memory plus 10%"
	AssumeNoTiers  = "list prices, first tier, no free tier or Savings Plans"
)

// CostOption is the projected cost of one configuration.
type CostOption struct {
	MemoryMB int        `json:"memory_mb"`
	Arch     model.Arch `json:"arch"`
	// DurationMs is the projected average billed duration.
	DurationMs float64 `json:"duration_ms"`
	MonthlyUSD float64 `json:"monthly_usd"`
	// DeltaUSD is MonthlyUSD minus the current configuration's monthly
	// projection.
	DeltaUSD float64 `json:"delta_usd"`
	// Feasible is false when the memory size is below the observed peak
	// memory used plus MemoryMargin.
	Feasible bool `json:"feasible"`
	// Current marks the function's own configuration.
	Current bool `json:"current"`
}

// CostWhatIf is a function's cost now and at other memory sizes and
// architectures.
type CostWhatIf struct {
	// Available is false for functions fntop cannot price or project
	// (off Lambda, no invocation, memory size unknown): Unavailable says
	// why, and the figures are zero.
	Available   bool   `json:"available"`
	Unavailable string `json:"unavailable,omitempty"`

	PerHourUSD float64 `json:"per_hour_usd"`
	// MonthlyUSD is PerHourUSD × HoursPerMonth.
	MonthlyUSD         float64    `json:"monthly_usd"`
	MonthlyInvocations float64    `json:"monthly_invocations"`
	AvgBilledMs        float64    `json:"avg_billed_ms"`
	MemorySizeMB       int        `json:"memory_size_mb"`
	Arch               model.Arch `json:"arch"`
	// PeakMemoryMB is the observed peak memory used (0: unknown).
	PeakMemoryMB int `json:"peak_memory_mb"`

	// ColdStartShare is the share of the cost that cold starts' billed
	// init makes (ColdStartCostUSD / CostUSD), when cold starts are
	// known.
	ColdStartShare      float64 `json:"cold_start_share"`
	ColdStartShareKnown bool    `json:"cold_start_share_known"`

	// Options lists every memory size on x86_64 and arm64, by memory then
	// architecture.
	Options []CostOption `json:"options"`
	// Cheapest is the index in Options of the cheapest feasible option
	// (-1 when none).
	Cheapest    int      `json:"cheapest"`
	Assumptions []string `json:"assumptions"`
}

// CheapestOption returns the cheapest feasible option, or nil.
func (w *CostWhatIf) CheapestOption() *CostOption {
	if w.Cheapest < 0 || w.Cheapest >= len(w.Options) {
		return nil
	}
	return &w.Options[w.Cheapest]
}

// cpuShare is the share of a vCPU (capped at one: single-threaded code
// gains nothing beyond it) Lambda gives a memory size.
func cpuShare(memoryMB int) float64 {
	return math.Min(float64(memoryMB), FullCPUMemoryMB) / FullCPUMemoryMB
}

// WhatIf projects a function's monthly cost at the rate of the window and
// what it would cost at other memory sizes and on arm64, from the observed
// average billed duration and peak memory (see the Assume* constants).
func WhatIf(fs model.FunctionStats, prices *model.PriceTable) CostWhatIf {
	w := CostWhatIf{Cheapest: -1}
	if prices == nil {
		prices = model.DefaultPrices()
	}
	switch {
	case fs.Unpriced:
		w.Unavailable = "no prices for " + plain(fs.Platform)
		if fs.Platform == "" {
			w.Unavailable = "no prices for this platform"
		}
		return w
	case fs.Invocations <= 0:
		w.Unavailable = "no invocations in the window"
		return w
	case fs.MemorySizeMB <= 0:
		w.Unavailable = "memory size unknown"
		return w
	case fs.RatePerS <= 0:
		w.Unavailable = "the window has no measured length"
		return w
	}
	w.Available = true
	w.PerHourUSD = fs.CostPerHourUSD
	w.MonthlyUSD = fs.CostPerHourUSD * HoursPerMonth
	w.MonthlyInvocations = fs.RatePerS * 3600 * HoursPerMonth
	w.MemorySizeMB = fs.MemorySizeMB
	w.Arch = model.Arch(fs.Architecture)
	if w.Arch == model.ArchUnknown {
		w.Arch = model.ArchX86
	}
	w.PeakMemoryMB = fs.MaxMemoryUsedMB
	w.Assumptions = []string{AssumeMonth, AssumeCPU, AssumeArm, AssumeBilled, AssumeFeasible, AssumeNoTiers}
	w.Assumptions = append(w.Assumptions, fs.PriceAssumptions...)
	if fs.ColdStarts != nil && fs.CostUSD > 0 {
		w.ColdStartShare, w.ColdStartShareKnown = fs.ColdStartCostUSD/fs.CostUSD, true
	}
	w.AvgBilledMs = fs.BilledMsTotal / float64(fs.Invocations)
	if fs.BilledMsTotal <= 0 {
		if fs.Duration == nil || fs.Duration.Avg <= 0 {
			// Requests only: no duration to scale.
			w.Available, w.Unavailable = false, "no billed durations observed"
			w.Assumptions = nil
			return w
		}
		w.AvgBilledMs = math.Ceil(fs.Duration.Avg)
		w.Assumptions = append(w.Assumptions, "no billed duration reported: the average duration rounded up to 1 ms stands for it")
	}
	if w.PeakMemoryMB <= 0 {
		w.Assumptions = append(w.Assumptions, "peak memory unknown: only sizes at least the current one count as feasible")
	}

	sizes := append([]int(nil), WhatIfMemorySizes...)
	if !containsInt(sizes, fs.MemorySizeMB) {
		sizes = append(sizes, fs.MemorySizeMB)
		sort.Ints(sizes)
	}
	need := float64(w.PeakMemoryMB) * (1 + MemoryMargin)
	var current float64
	for _, m := range sizes {
		dur := w.AvgBilledMs * cpuShare(fs.MemorySizeMB) / cpuShare(m)
		for _, arch := range []model.Arch{model.ArchX86, model.ArchARM} {
			p := prices.Lookup(fs.Region, arch)
			perInv := p.RequestUSD + model.GBSeconds(dur, m)*p.GBSecondUSD
			opt := CostOption{
				MemoryMB: m, Arch: arch, DurationMs: dur,
				MonthlyUSD: perInv * w.MonthlyInvocations,
				Current:    m == fs.MemorySizeMB && arch == w.Arch,
			}
			if w.PeakMemoryMB > 0 {
				opt.Feasible = float64(m) >= need
			} else {
				opt.Feasible = m >= fs.MemorySizeMB
			}
			if opt.Current {
				current = opt.MonthlyUSD
			}
			w.Options = append(w.Options, opt)
		}
	}
	// The cheapest feasible option; of options that cost the same (below
	// 1,769 MB a smaller size runs longer for the same GB-seconds), the
	// one nearest the current size.
	dist := func(o *CostOption) int { return abs(o.MemoryMB - fs.MemorySizeMB) }
	for i := range w.Options {
		o := &w.Options[i]
		o.DeltaUSD = o.MonthlyUSD - current
		if !o.Feasible {
			continue
		}
		if w.Cheapest < 0 {
			w.Cheapest = i
			continue
		}
		best := &w.Options[w.Cheapest]
		tol := 1e-9 * best.MonthlyUSD
		if o.MonthlyUSD < best.MonthlyUSD-tol || (o.MonthlyUSD <= best.MonthlyUSD+tol && dist(o) < dist(best)) {
			w.Cheapest = i
		}
	}
	return w
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// summary is the what-if in one line for people.
func (w *CostWhatIf) summary() string {
	if !w.Available {
		return "cost: unavailable (" + w.Unavailable + ")"
	}
	s := fmt.Sprintf("%s/h now, %s/month at this rate (× %d h)", usd(w.PerHourUSD), usd(w.MonthlyUSD), HoursPerMonth)
	if w.ColdStartShareKnown {
		s += fmt.Sprintf("; cold starts %s of the cost", pct(w.ColdStartShare))
	}
	if c := w.CheapestOption(); c != nil && !c.Current && c.DeltaUSD < 0 {
		s += fmt.Sprintf("; cheapest feasible: %d MB %s at %s/month (%s)", c.MemoryMB, c.Arch, usd(c.MonthlyUSD), usd(c.DeltaUSD))
	}
	return s
}
