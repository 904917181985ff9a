package function

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
	triageview "github.com/fntop/fntop/tui/triage"
)

// Layout thresholds: below either, the view uses its compact layout
// (sparklines instead of charts).
const (
	wideMinWidth  = 100
	wideMinHeight = 30
	maxChartH     = 14
	minChartH     = 5
	gap           = 2 // columns between charts
)

// rebuild renders everything that depends on data and size.
func (m *Model) rebuild() {
	if m.width <= 0 || m.height <= 0 {
		m.top, m.lower, m.logRows, m.scroll = nil, nil, nil, 0
		m.keys.setScrollable(false)
		return
	}
	top := []string{m.titleLine()}
	top = append(top, m.figureLines()...)
	if m.fn != nil && len(m.fn.Series) > 0 {
		top = append(top, m.chartLines(m.height-len(top))...)
	}
	m.top = top
	m.rebuildLower()
}

// renderLogs renders every kept log line for the current width.
func (m *Model) renderLogs() {
	m.logRows = make([]string, 0, len(m.logs))
	for i := len(m.logs) - 1; i >= 0; i-- {
		m.logRows = append(m.logRows, m.logLine(&m.logs[i]))
	}
}

// chartLines renders the charts in the space left by the lines above,
// keeping room for the lower panes.
func (m *Model) chartLines(avail int) []string {
	pts := m.fn.Series
	specs := m.chartSpecs()
	wide := m.width >= wideMinWidth && m.height >= wideMinHeight
	if wide {
		const minLower = 8
		h := min((avail-minLower)/2-1, maxChartH)
		if h >= minChartH {
			return m.chartGrid(specs, pts, h)
		}
	}
	// Compact: one sparkline per chart, if there is room for them and a
	// few lines below.
	if avail-len(specs) < 3 {
		return nil
	}
	out := make([]string, 0, len(specs))
	for _, c := range specs {
		out = append(out, m.sparkRow(c, pts, m.width))
	}
	return out
}

// chartGrid lays the charts out two by two, each under its caption.
func (m *Model) chartGrid(specs []chartSpec, pts []model.SeriesPoint, h int) []string {
	lw := (m.width - gap) / 2
	rw := m.width - gap - lw
	var out []string
	for i := 0; i < len(specs); i += 2 {
		left := append([]string{m.caption(specs[i], pts, lw)}, m.drawChart(specs[i], pts, lw, h)...)
		right := []string{}
		if i+1 < len(specs) {
			right = append([]string{m.caption(specs[i+1], pts, rw)}, m.drawChart(specs[i+1], pts, rw, h)...)
		}
		for j := range left {
			line := padRight(left[j], lw)
			if j < len(right) {
				line += strings.Repeat(" ", gap) + right[j]
			}
			out = append(out, common.Fit(line, m.width))
		}
	}
	return out
}

// titleLine names the function and what is known of its configuration.
func (m *Model) titleLine() string {
	parts := []string{"λ " + termsafe.Text(m.name)}
	if f := m.fn; f != nil {
		add := func(s string) {
			if s != "" {
				parts = append(parts, termsafe.Text(s))
			}
		}
		add(f.Runtime)
		if f.Architecture != "" && f.Architecture != "unknown" {
			add(f.Architecture)
		}
		if f.MemorySizeMB > 0 {
			add(fmt.Sprintf("%d MB", f.MemorySizeMB))
		}
		add(f.Platform)
		if f.Replicas != nil {
			add(fmt.Sprintf("%d replicas", *f.Replicas))
		}
		if f.TimeoutMs > 0 {
			add("timeout " + common.Ms(f.TimeoutMs))
		}
		switch {
		case f.Region != "" && f.Account != "":
			add(f.Region + "/" + f.Account)
		default:
			add(f.Region + f.Account)
		}
		if v := f.Version; v != "" {
			if strings.Trim(v, "0123456789") == "" {
				v = "v" + v
			}
			add(v)
		}
		add(f.Source)
	}
	if m.snap != nil {
		parts = append(parts, "window "+m.snap.Window.Label)
	}
	text := " " + strings.Join(parts, " · ") + " "
	return m.st.Header.Render(padRight(common.Fit(text, m.width), m.width))
}

// item is one labelled figure.
func (m *Model) item(label, value string) string {
	return m.st.Subtle.Render(label+" ") + value
}

// figureLines renders the key figures, each group flowed over as many
// lines as the width needs.
func (m *Model) figureLines() []string {
	f := m.fn
	if f == nil {
		msg := "no data for this function in the window"
		if m.snap == nil {
			msg = "waiting for data…"
		}
		return []string{common.Fit(m.st.Subtle.Render(msg), m.width)}
	}
	st := m.st
	val := st.Base.Render
	var groups [][]string

	errSev := common.ErrorRateSeverity(f.ErrorRate)
	errs := st.Style(errSev).Render(fmt.Sprintf("%s (%s)", count(f.Errors), common.Pct(f.ErrorRate)))
	kinds := f.ErrorsByKind
	kind := func(label string, n int64) string {
		s := val(count(n))
		if n > 0 {
			s = st.Style(errSev).Render(count(n))
		}
		return m.item(label, s)
	}
	groups = append(groups, []string{
		m.item("invocations", st.Bold.Render(count(f.Invocations))),
		m.item("rate", val(common.Rate(f.RatePerS)+"/s")),
		m.item("errors", errs),
		kind("timeout", kinds.Timeout),
		kind("oom", kinds.OutOfMemory),
		kind("runtime exit", kinds.RuntimeExit),
		kind("function error", kinds.FunctionError),
		m.item("throttles", val(common.Count(f.Throttles))),
	})

	cold := "-"
	if f.ColdStarts != nil {
		cold = count(*f.ColdStarts)
		if f.ColdStartRatio != nil {
			cold += " (" + common.Pct(*f.ColdStartRatio) + ")"
		}
	}
	initQ := "-"
	if q := f.InitDuration; q != nil {
		initQ = fmt.Sprintf("p50 %s p99 %s", common.Ms(q.P50), common.Ms(q.P99))
	}
	dur := "-"
	if q := f.Duration; q != nil {
		dur = fmt.Sprintf("p50 %s p90 %s p99 %s max %s avg %s",
			common.Ms(q.P50), common.Ms(q.P90), common.Ms(q.P99), common.Ms(q.Max), common.Ms(q.Avg))
	}
	groups = append(groups, []string{
		m.item("cold starts", st.Cold.Render(cold)),
		m.item("init", val(initQ)),
		m.item("duration", val(dur)),
	})

	groups = append(groups, []string{
		m.item("memory", m.memory(f)),
		m.item("billed", val(common.Ms(f.BilledMsTotal))),
		m.item("GB-s", val(strconv.FormatFloat(f.GBSeconds, 'f', 2, 64))),
	})

	cost := []string{
		m.item("cost", st.Bold.Render(common.USD(f.CostUSD))),
		m.item("requests", val(common.USD(f.Cost.RequestsUSD))),
		m.item("compute", val(common.USD(f.Cost.ComputeUSD))),
		m.item("per hour", val(common.USD(f.CostPerHourUSD))),
	}
	if f.Unpriced {
		cost = []string{m.item("cost", st.Subtle.Render("unavailable: no price table for "+termsafe.Text(cmpOr(f.Platform, "this platform"))))}
	}
	if p := m.snap.Pricing; p.Table != "" && !f.Unpriced {
		cost = append(cost, m.item("prices", val(termsafe.Text(p.Table))))
	}
	if len(f.PriceAssumptions) > 0 {
		as := make([]string, len(f.PriceAssumptions))
		for i, a := range f.PriceAssumptions {
			as[i] = termsafe.Text(a)
		}
		cost = append(cost, m.item("assuming", st.Subtle.Render(strings.Join(as, "; "))))
	}
	groups = append(groups, cost)

	var out []string
	for _, g := range groups {
		out = append(out, common.Flow(g, m.width)...)
	}
	return out
}

// memory renders used against configured memory with a bar.
func (m *Model) memory(f *model.FunctionStats) string {
	if f.MemorySizeMB <= 0 && f.MaxMemoryUsedMB <= 0 {
		return m.st.Base.Render("-")
	}
	size := "?"
	if f.MemorySizeMB > 0 {
		size = strconv.Itoa(f.MemorySizeMB)
	}
	used := "-"
	if f.MaxMemoryUsedMB > 0 {
		used = strconv.Itoa(f.MaxMemoryUsedMB)
	}
	text := fmt.Sprintf("%s/%s MB", used, size)
	sev := common.MemorySeverity(f.MemoryUsedRatio)
	if f.MemoryUsedRatio == nil {
		return m.st.Base.Render(text)
	}
	r := *f.MemoryUsedRatio
	const barW = 12
	filled := min(max(int(math.Round(r*barW)), 0), barW)
	bar := m.st.Style(sev).Render(strings.Repeat("█", filled)) + m.st.Subtle.Render(strings.Repeat("░", barW-filled))
	return bar + " " + m.st.Style(sev).Render(text+" "+common.Pct(r))
}

// rebuildLower renders the recent errors and log lines, newest first, and
// keeps the scroll position in range.
func (m *Model) rebuildLower() {
	if m.width <= 0 || m.height <= 0 {
		m.lower, m.scroll = nil, 0
		m.keys.setScrollable(false)
		return
	}
	w := m.width
	var errs []model.ErrorSample
	if m.fn != nil {
		// The store keeps the newest failures of all time; show the
		// window's, so the count agrees with the figures above (and, in
		// incident mode, none after T0).
		all := m.fn.RecentErrors
		for i := range all {
			t := all[i].Time
			if m.snap != nil && m.snap.Window.Label != "all" && t.Before(m.snap.Window.Start) {
				continue
			}
			if m.snap != nil && !m.snap.Window.End.IsZero() && t.After(m.snap.Window.End) {
				continue
			}
			errs = append(errs, all[i])
		}
	}
	// Newest first; the mark stays on the same error when it can.
	marked := ""
	if m.errCursor < len(m.errs) {
		marked = m.errs[m.errCursor].RequestID
	}
	m.errs = m.errs[:0:0]
	for i := len(errs) - 1; i >= 0; i-- {
		m.errs = append(m.errs, errs[i])
	}
	m.errCursor = min(m.errCursor, max(len(m.errs)-1, 0))
	for i := range m.errs {
		if marked != "" && m.errs[i].RequestID == marked {
			m.errCursor = i
		}
	}
	m.keys.setErrors(len(m.errs) > 0)

	var changes []model.Change
	if m.snap != nil {
		for _, c := range m.snap.Changes {
			if c.Function == "" || c.Function == m.name {
				changes = append(changes, c)
			}
		}
	}
	out := make([]string, 0, len(errs)+len(m.logRows)+len(changes)+24)
	if len(changes) > 0 {
		out = append(out, m.sectionTitle("Changes", len(changes)))
		for _, c := range changes {
			out = append(out, common.Fit("  "+m.st.Warn.Render(markerRune+" "+c.Time.UTC().Format("15:04:05"))+" "+m.st.Base.Render(common.ChangeText(c))+
				m.st.Subtle.Render(" ("+termsafe.Text(c.Source)+")"), w))
		}
	}
	out = append(out, m.sectionTitle("Recent errors", len(errs)))
	if len(errs) == 0 {
		out = append(out, common.Fit(m.st.Subtle.Render("  none in this window"), w))
	}
	for i := range m.errs {
		e := &m.errs[i]
		pointer := "  "
		if i == m.errCursor {
			pointer = m.st.Accent.Render("▸ ")
		}
		line := pointer + m.st.Subtle.Render(clock(e.Time)) + " " + m.st.Error.Render(termsafe.Text(e.Kind))
		if e.ErrorType != "" {
			line += " " + m.st.Warn.Render(termsafe.Text(e.ErrorType))
		}
		if e.Message != "" {
			line += " " + m.st.Base.Render(oneLine(e.Message))
		}
		out = append(out, common.Fit(line, w))
	}
	if m.whatIf != nil && !(m.fn != nil && m.fn.Unpriced) {
		out = append(out, m.sectionTitle("Cost what-if", -1))
		for _, l := range triageview.WhatIfLines(m.st, m.whatIf, w-2, true) {
			out = append(out, "  "+l)
		}
	}
	out = append(out, m.sectionTitle("Latest logs", len(m.logs)))
	if len(m.logs) == 0 {
		out = append(out, common.Fit(m.st.Subtle.Render("  no log lines yet"), w))
	}
	out = append(out, m.logRows...)
	m.lower = out
	m.scroll = min(m.scroll, m.maxScroll())
	m.keys.setScrollable(m.maxScroll() > 0)
}

func (m *Model) sectionTitle(title string, n int) string {
	s := m.st.Accent.Bold(true).Render(title)
	if n >= 0 {
		s += m.st.Subtle.Render(fmt.Sprintf(" (%d)", n))
	}
	return common.Fit(s, m.width)
}

func (m *Model) logLine(e *model.LogEntry) string {
	level := e.Level.String()
	lvl := m.st.Subtle
	msg := m.st.Base
	switch {
	case e.Level >= model.LevelError || e.Kind == model.LineFailure:
		lvl, msg = m.st.Error, m.st.Error
	case e.Level == model.LevelWarn:
		lvl = m.st.Warn
	case e.Kind == model.LinePlatform:
		msg = m.st.Subtle
	}
	line := "  " + m.st.Subtle.Render(clockMs(e.Time))
	if level != "" {
		line += " " + lvl.Render(padRight(level, 5))
	}
	line += " " + msg.Render(oneLine(e.Message))
	return common.Fit(line, m.width)
}

func (m Model) scrollIndicator(end int) string {
	return fmt.Sprintf(" %d-%d/%d ", m.scroll+1, end, len(m.lower))
}

// oneLine makes text from a source safe and flat: control characters are
// shown escaped (termsafe), the message's own lines are joined with a
// visible mark, and tabs become spaces so widths stay exact.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.Join(termsafe.Lines(s), " ↵ "), "\t", " ")
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.UTC().Format("15:04:05")
}

func clockMs(t time.Time) string {
	if t.IsZero() {
		return "--:--:--.---"
	}
	return t.UTC().Format("15:04:05.000")
}

// padRight pads s with spaces to width cells.
func padRight(s string, width int) string {
	if n := width - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// overlayRight puts tag at the right end of line, width cells wide.
func overlayRight(line, tag string, width int, st common.Styles) string {
	tw := ansi.StringWidth(tag)
	if tw >= width {
		return common.Fit(line, width)
	}
	return padRight(common.Fit(line, width-tw), width-tw) + st.Subtle.Reverse(true).Render(tag)
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }

// count formats an integer with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// compact formats a number for an axis: 950, 1.2k, 3.4M.
func compact(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64)[:min(len(strconv.FormatFloat(v/1e6, 'f', 1, 64)), 4)] + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	case a == math.Trunc(a):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%gs", d.Seconds())
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
