package triage

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// Column widths of the function table.
const (
	markW  = 1
	rankW  = 3
	scoreW = 5
	minNam = 8
	maxNam = 40
)

// tableRows is how many function rows the table shows: up to two fifths
// of the height (at least three rows), fewer when the fleet is smaller.
func (m *Model) tableRows() int {
	if m.report == nil || len(m.report.Functions) == 0 {
		return 0
	}
	avail := m.height - len(m.head) - 1 // the column header
	if avail <= 0 {
		return 0
	}
	n := max(avail*2/5, min(3, avail))
	return min(n, len(m.report.Functions))
}

func (m *Model) pageSize() int {
	if m.inSigs {
		return m.detailHeight()
	}
	return m.tableRows()
}

// detailHeight is what is left below the table.
func (m Model) detailHeight() int {
	used := len(m.head) + len(m.rows)
	if m.colHeader != "" {
		used++
	}
	return max(m.height-used, 0)
}

// render rebuilds every line from the report, the selection and the size.
func (m *Model) render() {
	m.head, m.colHeader, m.rows, m.detail, m.sigLines = nil, "", nil, nil, nil
	if m.width <= 0 || m.height <= 0 {
		return
	}
	m.renderHead()
	n := m.tableRows()
	if n > 0 {
		m.colHeader = m.renderColHeader()
		if m.cursor < m.offset {
			m.offset = m.cursor
		}
		if m.cursor >= m.offset+n {
			m.offset = m.cursor - n + 1
		}
		m.offset = min(max(m.offset, 0), max(len(m.report.Functions)-n, 0))
		for i := m.offset; i < m.offset+n; i++ {
			m.rows = append(m.rows, m.renderRow(i))
		}
	}
	m.renderDetail()
	// Keep the selected signature on screen.
	h := m.detailHeight()
	if m.inSigs && m.sigCursor < len(m.sigLines) && h > 0 {
		at := m.sigLines[m.sigCursor]
		if at < m.detailOff {
			m.detailOff = at
		}
		if at+1 >= m.detailOff+h {
			m.detailOff = at + 2 - h // the signature and its example line
		}
	}
	m.detailOff = min(max(m.detailOff, 0), max(len(m.detail)-h, 0))
}

func (m *Model) fit(s string) string {
	if ansi.StringWidth(s) <= m.width {
		return s
	}
	return ansi.Truncate(s, m.width, "…")
}

func utc(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.UTC().Format("15:04:05")
}

// renderHead is the title line (window, T0, how many are flagged) and the
// baseline line.
func (m *Model) renderHead() {
	st := m.st
	r := m.report
	if r == nil {
		m.head = []string{m.fit(st.Bold.Render("Triage") + st.Subtle.Render("  building the report…"))}
		return
	}
	flagged := len(r.Offenders(0))
	title := st.Bold.Render("Triage") + " " + st.Accent.Render(termsafe.Text(r.Window.Label)) +
		st.Subtle.Render(" "+utc(r.Window.Start)+"–"+utc(r.Window.End)+" UTC") +
		st.Subtle.Render(" · T0 ") + st.Base.Render(utc(r.T0)+" UTC") + st.Subtle.Render(" · ")
	if flagged > 0 {
		title += st.Error.Render(fmt.Sprintf("%d flagged", flagged))
	} else {
		title += st.OK.Render("nothing unusual")
	}
	title += st.Subtle.Render(fmt.Sprintf(" of %d functions", len(r.Functions)))
	base := st.Subtle.Render("baseline ") + st.Base.Render(termsafe.Text(r.Baseline.Description))
	if !r.Baseline.Sufficient {
		base = st.Warn.Bold(true).Render("insufficient baseline") + st.Subtle.Render(": "+termsafe.Text(r.Baseline.Description))
	}
	m.head = []string{m.fit(title), m.fit(base)}
	if m.height < 6 {
		m.head = m.head[:1] // room for the table first
	}
}

// nameWidth is the width of the name column for the current width.
func (m *Model) nameWidth() int {
	w := minNam
	if m.report != nil {
		for i := range m.report.Functions {
			w = max(w, ansi.StringWidth(termsafe.Text(m.report.Functions[i].Name)))
		}
	}
	w = min(w, maxNam)
	// Leave the flags at least 20 cells when the width allows.
	fixed := markW + 1 + rankW + 1 + 1 + scoreW + 1
	return max(min(w, m.width-fixed-20), min(w, 5))
}

func (m *Model) renderColHeader() string {
	nw := m.nameWidth()
	line := strings.Repeat(" ", markW) + " " + padLeft("#", rankW) + " " + padRight("NAME", nw) + " " + padLeft("SCORE", scoreW) + " FLAGS"
	return m.st.Header.Render(padRight(m.fit(line), m.width))
}

// sevStyle is the style of a function's mark by its score.
func (m *Model) sevStyle(f *analysis.FunctionTriage) (string, lipgloss.Style) {
	switch {
	case !f.Flagged():
		return " ", m.st.Subtle
	case f.ChronicOnly():
		return "○", m.st.Subtle
	case f.Score >= 1:
		return "●", m.st.Error
	case f.Score >= 0.3:
		return "●", m.st.Warn
	}
	return "○", m.st.Accent
}

func (m *Model) renderRow(i int) string {
	f := &m.report.Functions[i]
	nw := m.nameWidth()
	mark, sev := m.sevStyle(f)
	name := padRight(clip(termsafe.Text(f.Name), nw), nw)
	score := "-"
	if f.Flagged() {
		score = fmt.Sprintf("%.2f", f.Score)
	}
	var flags []string
	for j := range f.Flags {
		fl := &f.Flags[j]
		s := fl.Kind.Label()
		if j == 0 && !fl.Since.IsZero() {
			s += " since " + fl.Since.UTC().Format("15:04")
		}
		flags = append(flags, s)
	}
	flagText := strings.Join(flags, ", ")
	if flagText == "" {
		flagText = "-"
	}
	if i == m.cursor {
		line := mark + " " + padLeft(fmt.Sprint(i+1), rankW) + " " + name + " " + padLeft(score, scoreW) + " " + termsafe.Text(flagText)
		style := m.st.Selected
		if m.inSigs {
			style = m.st.Bold.Reverse(true)
		}
		return style.Render(padRight(m.fit(line), m.width))
	}
	line := sev.Render(mark) + " " + m.st.Subtle.Render(padLeft(fmt.Sprint(i+1), rankW)) + " " + m.st.Base.Render(name) + " " +
		sev.Render(padLeft(score, scoreW)) + " " + sev.Render(termsafe.Text(flagText))
	return m.fit(line)
}

// renderDetail renders the selected function's flags, deltas, signatures,
// changes and cost what-if.
func (m *Model) renderDetail() {
	f := m.Function()
	if f == nil {
		if m.report != nil {
			m.detail = []string{m.fit(m.st.Subtle.Render("no function in the window"))}
		}
		return
	}
	st := m.st
	var out []string
	add := func(s string) { out = append(out, m.fit(s)) }
	section := func(title string, n int) {
		s := st.Accent.Bold(true).Render(title)
		if n >= 0 {
			s += st.Subtle.Render(fmt.Sprintf(" (%d)", n))
		}
		add(s)
	}

	_, sev := m.sevStyle(f)
	head := st.Bold.Render("λ "+termsafe.Text(f.Name)) + st.Subtle.Render(fmt.Sprintf("  rank %d of %d", m.cursor+1, len(m.report.Functions)))
	if f.Flagged() {
		head += st.Subtle.Render("  score ") + sev.Render(fmt.Sprintf("%.2f", f.Score))
	}
	add(head)

	section("Flags", len(f.Flags))
	if len(f.Flags) == 0 {
		add(st.Subtle.Render("  nothing unusual against the baseline"))
	}
	for i := range f.Flags {
		fl := &f.Flags[i]
		style := st.Warn
		switch {
		case fl.Chronic:
			style = st.Subtle
		case fl.Severity >= 1:
			style = st.Error
		}
		s := "  " + style.Render("● "+fl.Kind.Label())
		if !fl.Since.IsZero() {
			s += st.Subtle.Render(" since " + utc(fl.Since))
		}
		s += "  " + st.Base.Render(termsafe.Text(fl.Text))
		if fl.Chronic {
			s += st.Subtle.Render(" (chronic: the baseline had it too)")
		}
		add(s)
	}

	base := "baseline"
	if f.Baseline == nil {
		base = "no baseline"
	}
	section("Now vs "+base, -1)
	d := f.Deltas
	items := []string{
		m.delta("rate", d.RatePerS, common.Rate, "/s"),
		m.delta("errors", d.ErrorRate, common.Pct, ""),
		m.delta("p99", d.P99Ms, common.Ms, ""),
		m.delta("cold starts", d.ColdStartRatio, common.Pct, ""),
		m.delta("throttles", d.ThrottlesPerMin, perMin, "/min"),
		m.delta("cost", d.CostPerHourUSD, common.USD, "/h"),
	}
	for _, l := range common.Flow(items, m.width-2) {
		add("  " + l)
	}

	section("Error signatures", len(f.Signatures))
	if len(f.Signatures) == 0 {
		add(st.Subtle.Render("  none in the window"))
	}
	for i := range f.Signatures {
		s := &f.Signatures[i]
		m.sigLines = append(m.sigLines, len(out))
		cur := m.inSigs && i == m.sigCursor
		pointer := "  "
		if cur {
			pointer = "▸ "
		}
		line := fmt.Sprintf("%s%5d× ", pointer, s.Count)
		if s.New {
			line += "NEW "
		}
		line += termsafe.Text(s.Kind)
		if s.ErrorType != "" {
			line += " " + termsafe.Text(s.ErrorType)
		}
		line += "  " + oneLine(s.Text)
		if cur {
			out = append(out, st.Selected.Render(padRight(m.fit(line), m.width)))
		} else {
			styled := st.Base.Render(fmt.Sprintf("  %5d× ", s.Count))
			if s.New {
				styled += st.Error.Render("NEW ")
			}
			styled += st.Error.Render(termsafe.Text(s.Kind))
			if s.ErrorType != "" {
				styled += " " + st.Warn.Render(termsafe.Text(s.ErrorType))
			}
			styled += "  " + st.Base.Render(oneLine(s.Text))
			add(styled)
		}
		ex := s.Example
		eg := "         e.g. " + utc(ex.Time)
		if ex.RequestID != "" {
			eg += " request " + termsafe.Text(ex.RequestID)
		} else {
			eg += " (no request id: enter opens the logs)"
		}
		if ex.Message != "" {
			eg += "  " + oneLine(ex.Message)
		}
		add(st.Subtle.Render(eg))
	}

	section("Changes", len(f.Changes))
	if len(f.Changes) == 0 {
		add(st.Subtle.Render("  no deploy or configuration change"))
	}
	for _, c := range f.Changes {
		add("  " + st.Warn.Render("┆ "+c.Time.UTC().Format("15:04")) + " " + st.Base.Render(common.ChangeText(c)))
	}

	section("Cost what-if", -1)
	for _, l := range WhatIfLines(st, &f.WhatIf, m.width-2, false) {
		add("  " + l)
	}
	m.detail = out
}

// delta is "label now (baseline)" with the change's direction.
func (m *Model) delta(label string, d analysis.Delta, format func(float64) string, unit string) string {
	st := m.st
	now := "-"
	if d.CurrentKnown {
		now = format(d.Current) + unit
	}
	s := st.Subtle.Render(label+" ") + st.Bold.Render(now)
	if !d.BaselineKnown {
		return s
	}
	s += st.Subtle.Render(" (" + format(d.Baseline) + unit + ")")
	if r := d.Ratio(); !math.IsNaN(r) && d.CurrentKnown {
		switch {
		case r >= 1.5:
			s += st.Warn.Render(fmt.Sprintf(" ×%.1f", r))
		case r <= 0.5:
			s += st.Accent.Render(fmt.Sprintf(" ×%.2f", r))
		}
	}
	return s
}

func perMin(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// WhatIfLines renders a cost what-if: the monthly projection and the
// cold-start share, the cheapest feasible option, and with table the
// feasible memory sizes × architectures (the current one marked), then the
// assumptions, each line at most width cells. The function view uses it
// too.
func WhatIfLines(st common.Styles, w *analysis.CostWhatIf, width int, table bool) []string {
	fitW := func(s string) string {
		if width <= 0 {
			return ""
		}
		if ansi.StringWidth(s) <= width {
			return s
		}
		return ansi.Truncate(s, width, "…")
	}
	if !w.Available {
		return []string{fitW(st.Subtle.Render("unavailable: " + termsafe.Text(w.Unavailable)))}
	}
	var out []string
	head := st.Bold.Render(common.USD(w.MonthlyUSD)+"/month") + st.Subtle.Render(fmt.Sprintf(" at this rate (%s/h × %d h)", common.USD(w.PerHourUSD), analysis.HoursPerMonth))
	if w.ColdStartShareKnown {
		head += st.Subtle.Render(" · cold starts ") + st.Cold.Render(common.Pct(w.ColdStartShare)) + st.Subtle.Render(" of the cost")
	}
	out = append(out, fitW(head))
	if c := w.CheapestOption(); c != nil {
		if c.Current {
			out = append(out, fitW(st.OK.Render("the current configuration is the cheapest feasible")))
		} else {
			out = append(out, fitW(st.Subtle.Render("cheapest feasible ")+st.Bold.Render(fmt.Sprintf("%d MB %s", c.MemoryMB, c.Arch))+
				st.Base.Render(" "+common.USD(c.MonthlyUSD)+"/month")+st.OK.Render(" ("+signedUSD(c.DeltaUSD)+")")))
		}
	} else {
		out = append(out, fitW(st.Subtle.Render("no feasible option")))
	}
	if table {
		out = append(out, whatIfTable(st, w, fitW)...)
	}
	if len(w.Assumptions) > 0 {
		as := make([]string, len(w.Assumptions))
		for i, a := range w.Assumptions {
			as[i] = termsafe.Text(a)
		}
		out = append(out, fitW(st.Subtle.Render("assuming "+strings.Join(as, "; "))))
	}
	return out
}

// whatIfTable is one row per feasible memory size: the monthly cost on
// x86_64 and on arm64; "●" marks the current configuration, "←" the
// cheapest.
func whatIfTable(st common.Styles, w *analysis.CostWhatIf, fitW func(string) string) []string {
	type cell struct {
		opt   *analysis.CostOption
		index int
	}
	byMem := map[int][2]cell{}
	var mems []int
	for i := range w.Options {
		o := &w.Options[i]
		if !o.Feasible && !o.Current {
			continue
		}
		c, ok := byMem[o.MemoryMB]
		if !ok {
			mems = append(mems, o.MemoryMB)
		}
		col := 0
		if o.Arch == "arm64" {
			col = 1
		}
		c[col] = cell{opt: o, index: i}
		byMem[o.MemoryMB] = c
	}
	const colW = 14
	out := []string{fitW(st.Subtle.Render(padLeft("MEMORY", 9) + padLeft("x86_64", colW) + padLeft("arm64", colW)))}
	for _, mem := range mems {
		line := st.Base.Render(padLeft(fmt.Sprintf("%d MB", mem), 9))
		for _, c := range byMem[mem] {
			if c.opt == nil {
				line += st.Subtle.Render(padLeft("-", colW))
				continue
			}
			text := common.USD(c.opt.MonthlyUSD)
			switch {
			case c.opt.Current:
				line += st.Bold.Render(padLeft("● "+text, colW))
			case c.index == w.Cheapest:
				line += st.OK.Render(padLeft("← "+text, colW))
			case !c.opt.Feasible:
				line += st.Subtle.Render(padLeft(text, colW))
			default:
				line += st.Base.Render(padLeft(text, colW))
			}
		}
		out = append(out, fitW(line))
	}
	out = append(out, fitW(st.Subtle.Render("● current  ← cheapest feasible  (per month, sizes that hold the peak memory +10%)")))
	return out
}

func signedUSD(v float64) string {
	if v < 0 {
		return "−" + common.USD(-v)
	}
	return "+" + common.USD(v)
}

// oneLine makes text from logs safe and flat: the message's own lines are
// joined with a visible mark and tabs become spaces.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.Join(termsafe.Lines(s), " ↵ "), "\t", " ")
}

func clip(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func padRight(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

func padLeft(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}
