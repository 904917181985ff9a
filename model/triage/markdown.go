package triage

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/fntop/fntop/model"
)

// Limits of the Markdown report.
const (
	mdOffenders     = 10  // top offenders listed
	mdSummary       = 3   // offenders named in the one-line summary
	mdSignatures    = 3   // signatures per offender
	mdSampleLines   = 5   // log lines of an example failed request
	mdLineRunes     = 160 // longest log line shown
	mdTextRunes     = 100 // longest signature or error text shown
	mdSampleRequest = 20  // lines asked for per request
)

// Markdown writes the report for an incident channel or ticket: readable
// pasted into Slack, Teams or GitHub. logs, when not nil, supplies the
// sample lines of an example failed request of each offender; without it
// (or without lines) the signature's example message stands in.
//
// Every string that came from logs or sources is made safe: invisible
// characters are shown as escapes, Markdown metacharacters are escaped
// outside code, and nothing can end a code block early.
func (r *Report) Markdown(w io.Writer, logs func(model.LogQuery) []model.LogEntry) error {
	bw := bufio.NewWriter(w)
	m := mdWriter{w: bw, r: r, logs: logs}
	m.write()
	return bw.Flush()
}

type mdWriter struct {
	w    *bufio.Writer
	r    *Report
	logs func(model.LogQuery) []model.LogEntry
}

func (m *mdWriter) line(format string, args ...any) {
	_, _ = fmt.Fprintf(m.w, format, args...) // m.w keeps the first error; Flush returns it
	m.w.WriteByte('\n')
}

func hhmm(t time.Time) string   { return t.UTC().Format("15:04") }
func hhmmss(t time.Time) string { return t.UTC().Format("15:04:05") }

func (m *mdWriter) write() {
	r := m.r
	m.line("# fntop incident report: %s UTC", r.T0.UTC().Format("2006-01-02 15:04"))
	m.line("")
	m.line("- **T0** %s UTC", r.T0.UTC().Format("2006-01-02 15:04:05"))
	m.line("- **Window** %s, %s-%s UTC", text(r.Window.Label, 20), hhmmss(r.Window.Start), hhmmss(r.Window.End))
	m.line("- **Baseline** %s", text(r.Baseline.Description, 200))
	m.line("")

	// Offenders in detail; functions whose only flags are chronic (the
	// baseline had them too) in one line.
	var off, chronic []*FunctionTriage
	for _, f := range r.Offenders(0) {
		switch {
		case f.ChronicOnly():
			chronic = append(chronic, f)
		case len(off) < mdOffenders:
			off = append(off, f)
		}
	}
	if len(off) == 0 {
		m.line("**Summary:** nothing unusual, no function is flagged.")
	} else {
		var parts []string
		for i, f := range off {
			if i == mdSummary {
				parts = append(parts, fmt.Sprintf("%d more flagged", len(off)-mdSummary))
				break
			}
			parts = append(parts, code(f.Name, 64)+": "+summaryOf(&f.Flags[0]))
		}
		m.line("**Summary:** %s", strings.Join(parts, "; "))
	}
	m.line("")

	if len(off) > 0 {
		m.line("## Top offenders")
		for i, f := range off {
			m.line("")
			m.function(i+1, f)
		}
		m.line("")
	}
	if len(chronic) > 0 {
		var parts []string
		for _, f := range chronic {
			parts = append(parts, code(f.Name, 64)+" "+f.Flags[0].Kind.Label())
		}
		m.line("Chronic, as in the baseline: %s.", strings.Join(parts, ", "))
		m.line("")
	}
	m.fleet()
	m.sources()
	m.method()
}

// summaryOf is a flag for the one-line summary: its text and onset.
func summaryOf(f *Flag) string {
	s := text(f.Text, mdTextRunes)
	if !f.Since.IsZero() && f.Kind != FlagChange && f.Kind != FlagNewSignature &&
		!strings.Contains(f.Text, " since ") && !strings.Contains(f.Text, " at ") {
		s += " since " + hhmm(f.Since) + " UTC"
	}
	return s
}

func (m *mdWriter) function(rank int, f *FunctionTriage) {
	fs := &f.Current
	m.line("### %d. %s (score %.2f)", rank, code(f.Name, 64), f.Score)
	m.line("")
	for i := range f.Flags {
		fl := &f.Flags[i]
		m.line("- **%s**: %s", fl.Kind.Label(), summaryOf(fl))
	}
	d := f.Deltas
	base := "baseline"
	if f.Baseline == nil {
		base = "no baseline"
	}
	m.line("- Now (%s): rate %s · errors %s · p99 %s", base,
		fmtDelta(d.RatePerS, perS), fmtDelta(d.ErrorRate, pct), fmtDelta(d.P99Ms, ms))
	m.line("- cold starts %s · throttles %s · cost %s",
		fmtDelta(d.ColdStartRatio, pct), fmtDelta(d.ThrottlesPerMin, perMin), fmtDelta(d.CostPerHourUSD, perHour))
	if fs.Errors > 0 || fs.Invocations > 0 {
		k := fs.ErrorsByKind
		m.line("- %d invocations, %d errors (%d timeouts, %d out of memory, %d runtime exits, %d function errors)",
			fs.Invocations, fs.Errors, k.Timeout, k.OutOfMemory, k.RuntimeExit, k.FunctionError)
	}

	if len(f.Signatures) > 0 {
		m.line("")
		m.line("Error signatures:")
		for i, s := range f.Signatures {
			if i == mdSignatures {
				m.line("- and %d more", len(f.Signatures)-mdSignatures)
				break
			}
			mark := ""
			if s.New {
				mark = " **NEW**"
			}
			m.line("- %d× %s%s %s (sig %s)", s.Count, text(strings.ReplaceAll(s.Kind, "_", " "), 20), mark, code(s.Text, mdTextRunes), text(s.ID, 16))
		}
		m.sample(f)
	} else if fs.LastError != nil && fs.Errors > 0 {
		m.line("")
		e := fs.LastError
		m.line("Last error %s at %s UTC:", code(e.RequestID, 40), hhmmss(e.Time))
		m.fence(m.requestLines(f.Name, e.RequestID), e.Message)
	}

	if len(f.Changes) > 0 {
		m.line("")
		m.line("Changes:")
		for _, c := range f.Changes {
			m.line("- %s (%s)", text(describeChange(c), 120), text(c.Source, 40))
		}
	}
	m.line("")
	m.line("Cost: %s", mdEscape(f.WhatIf.summary()))
}

// sample writes a few log lines of an example failed request of the
// function's most frequent signature.
func (m *mdWriter) sample(f *FunctionTriage) {
	s := f.Signatures[0]
	ex := s.Example
	m.line("")
	if ex.RequestID != "" {
		m.line("Example failed request %s at %s UTC:", code(ex.RequestID, 40), hhmmss(ex.Time))
	} else {
		m.line("Example at %s UTC:", hhmmss(ex.Time))
	}
	m.fence(m.requestLines(f.Name, ex.RequestID), ex.Message)
}

// requestLines picks up to mdSampleLines lines of a request: failures and
// error-level lines first, then application lines, the REPORT, the rest;
// shown in time order.
func (m *mdWriter) requestLines(fn, reqID string) []model.LogEntry {
	if m.logs == nil || reqID == "" {
		return nil
	}
	got := m.logs(model.LogQuery{Function: fn, RequestID: reqID, Limit: mdSampleRequest})
	// A store that does not filter by request: keep the request's lines.
	var lines []model.LogEntry
	for _, e := range got {
		if e.RequestID == "" || e.RequestID == reqID {
			lines = append(lines, e)
		}
	}
	if len(lines) != len(got) {
		lines = lines[:0]
		for _, e := range got {
			if e.RequestID == reqID {
				lines = append(lines, e)
			}
		}
	}
	if len(lines) <= mdSampleLines {
		return lines
	}
	rank := func(e *model.LogEntry) int {
		switch {
		case e.Kind == model.LineFailure || e.Level >= model.LevelError:
			return 0
		case e.Kind == model.LineApp || e.Kind == model.LinePlain:
			return 1
		case e.Kind == model.LinePlatform && strings.HasPrefix(e.Message, "REPORT"):
			return 2
		}
		return 3
	}
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rank(&lines[idx[a]]) < rank(&lines[idx[b]]) })
	idx = idx[:mdSampleLines]
	sort.Ints(idx)
	out := make([]model.LogEntry, 0, len(idx))
	for _, i := range idx {
		out = append(out, lines[i])
	}
	return out
}

// fence writes log lines (or, without any, the fallback message) in a
// code block.
func (m *mdWriter) fence(lines []model.LogEntry, fallback string) {
	var out []string
	for _, e := range lines {
		ls := codeLines(e.Message, mdLineRunes)
		if len(ls) > 3 {
			ls = append(ls[:3], moreLines(len(ls)-3))
		}
		for j, l := range ls {
			if j == 0 && !e.Time.IsZero() {
				l = hhmmss(e.Time) + " " + l
			} else if j > 0 {
				l = "         " + l
			}
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = codeLines(fallback, mdLineRunes)
		if len(out) > mdSampleLines {
			out = append(out[:mdSampleLines], moreLines(len(out)-mdSampleLines))
		}
	}
	m.line("```")
	for _, l := range out {
		m.line("%s", l)
	}
	m.line("```")
}

func (m *mdWriter) fleet() {
	r := m.r
	t := r.Totals
	d := r.TotalDeltas
	m.line("## Fleet")
	m.line("")
	m.line("- %d functions, %d flagged; %d invocations, %d errors, %d timeouts", t.Functions, len(r.Offenders(0)),
		t.Invocations, t.Errors, t.Timeouts)
	base := "baseline"
	if r.BaselineTotals == nil {
		base = "no baseline"
	}
	m.line("- Now (%s): rate %s · errors %s · cold starts %s", base,
		fmtDelta(d.RatePerS, perS), fmtDelta(d.ErrorRate, pct), fmtDelta(d.ColdStartRatio, pct))
	m.line("- throttles %s · cost %s, %s/month at this rate", fmtDelta(d.ThrottlesPerMin, perMin),
		fmtDelta(d.CostPerHourUSD, perHour), mdEscape(usd(t.CostPerHourUSD*HoursPerMonth)))
	m.line("")
}

func (m *mdWriter) sources() {
	r := m.r
	m.line("## Sources")
	m.line("")
	if len(r.Sources) == 0 {
		m.line("- none reported")
	}
	for _, s := range r.Sources {
		l := fmt.Sprintf("- %s: %s", code(s.Name, 64), text(string(s.State), 20))
		if s.Detail != "" {
			l += ", " + text(s.Detail, 80)
		}
		if !s.Updated.IsZero() {
			l += ", updated " + hhmmss(s.Updated) + " UTC"
		}
		if s.LagS > 0 {
			l += fmt.Sprintf(", %.0f s behind", s.LagS)
		}
		m.line("%s", l)
		if s.LastError != "" {
			m.line("  - last error: %s", text(s.LastError, mdLineRunes))
		}
	}
	skipped := fmt.Sprintf("- %d input lines skipped", r.SkippedLines)
	if len(r.SkippedBy) > 0 {
		reasons := make([]string, 0, len(r.SkippedBy))
		for k := range r.SkippedBy {
			reasons = append(reasons, k)
		}
		sort.Strings(reasons)
		var parts []string
		for _, k := range reasons {
			parts = append(parts, fmt.Sprintf("%s %d", text(k, 40), r.SkippedBy[k]))
		}
		skipped += " (" + strings.Join(parts, ", ") + ")"
	}
	m.line("%s", skipped)
	m.line("")
}

func (m *mdWriter) method() {
	r := m.r
	o := r.Options
	m.line("## Method")
	m.line("")
	m.line("- Window %s ending at T0, compared with %s.", text(r.Window.Label, 20), text(r.Baseline.Description, 200))
	m.line("- Flags need a likelihood-ratio z of %.1f or more, a minimum count and a minimum effect "+
		"(errors x%.1f and +%s; p99 x%.1f and +%.0f ms; cold starts x%.1f; traffic x%.1f).",
		o.Z, o.ErrorRateRatio, pct(o.MinErrorRateDelta), o.LatencyRatio, o.MinLatencyDeltaMs,
		o.ColdStartRatio, o.SurgeRatio)
	m.line("- Score: the strongest flag's severity plus %.0f%% of the others'.", 100*o.OtherFlagsWeight)
	prices := "list prices"
	if r.Pricing.Table != "" {
		prices += " (" + text(r.Pricing.Table, 60)
		if r.Pricing.Checked != "" {
			prices += ", checked " + text(r.Pricing.Checked, 20)
		}
		prices += ")"
	}
	m.line("- Costs at %s; monthly = per hour × %d h.", prices, HoursPerMonth)
	m.line("- n/a: the source cannot supply the figure.")
}

// fmtDelta shows a figure now and in the baseline: "34% (0.4%)", "n/a".
func fmtDelta(d Delta, f func(float64) string) string {
	if !d.CurrentKnown {
		return "n/a"
	}
	s := mdEscape(f(d.Current))
	if d.BaselineKnown {
		s += " (" + mdEscape(f(d.Baseline)) + ")"
	}
	return s
}

func moreLines(n int) string {
	if n == 1 {
		return "… 1 more line"
	}
	return fmt.Sprintf("… %d more lines", n)
}

func perMin(v float64) string {
	if v == 0 {
		return "0/min"
	}
	if v >= 10 {
		return fmt.Sprintf("%.0f/min", v)
	}
	return fmt.Sprintf("%.1f/min", v)
}

func perHour(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return usd(v) + "/h"
}
