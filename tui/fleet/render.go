package fleet

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// tone is how a cell is coloured.
type tone uint8

const (
	toneBase tone = iota
	toneSubtle
	toneAccent
	toneWarn
	toneError
	toneCold
	numTones
)

// paint wraps text in the escape sequences of a style. Styles are turned
// into a prefix and a suffix once, so drawing a cell is a concatenation
// rather than a lipgloss render.
type paint struct{ pre, suf string }

func newPaint(s lipgloss.Style) paint {
	const mark = "X"
	r := s.Render(mark)
	i := strings.Index(r, mark)
	if i < 0 {
		return paint{}
	}
	return paint{pre: r[:i], suf: r[i+len(mark):]}
}

func (p paint) apply(b *strings.Builder, s string) {
	b.WriteString(p.pre)
	b.WriteString(s)
	b.WriteString(p.suf)
}

type painters struct {
	tones    [numTones]paint
	selected paint
	header   paint
	bold     paint
}

func newPainters(st common.Styles) painters {
	var p painters
	p.tones[toneBase] = newPaint(st.Base)
	p.tones[toneSubtle] = newPaint(st.Subtle)
	p.tones[toneAccent] = newPaint(st.Accent)
	p.tones[toneWarn] = newPaint(st.Warn)
	p.tones[toneError] = newPaint(st.Error)
	p.tones[toneCold] = newPaint(st.Cold)
	p.selected = newPaint(st.Selected)
	p.header = newPaint(st.Header)
	p.bold = newPaint(st.Bold)
	return p
}

func sevTone(s common.Severity) tone {
	switch s {
	case common.SevWarn:
		return toneWarn
	case common.SevError:
		return toneError
	}
	return toneBase
}

// row is one function, formatted once per snapshot.
type row struct {
	fs *model.FunctionStats
	// score is the function's triage score when scored (a report knows
	// the function).
	score  float64
	scored bool

	cells [numColumns]string
	cellW [numColumns]int // display width of each cell
	tones [numColumns]tone
	// formatted: every cell is set; before, only the name, the source and
	// the flags are.
	formatted bool
}

// buildRows makes a row per function with the cells every row needs at
// once: the name and the source, whose widths set the layout. The other
// cells are formatted when the row is first drawn (format), so a snapshot
// of thousands of functions costs a screenful of formatting.
func buildRows(s *model.Snapshot) []row {
	if s == nil {
		return nil
	}
	rows := make([]row, len(s.Functions))
	for i := range s.Functions {
		fs := &s.Functions[i]
		r := &rows[i]
		r.fs = fs
		set := func(c Column, text string, t tone) {
			r.cells[c], r.cellW[c], r.tones[c] = text, width(text), t
		}
		set(ColName, strings.ReplaceAll(termsafe.Text(fs.Name), "\t", " "), toneBase)
		set(ColSource, strings.ReplaceAll(termsafe.Text(fs.Source), "\t", " "), toneSubtle)
	}
	return rows
}

// format fills the cells buildRows leaves for drawing time, once.
func (r *row) format() {
	if r.formatted {
		return
	}
	r.formatted = true
	fs := r.fs
	set := func(c Column, text string, t tone) {
		r.cells[c], r.cellW[c], r.tones[c] = text, width(text), t
	}
	zero := func(n int64, t tone) tone {
		if n == 0 {
			return toneSubtle
		}
		return t
	}
	rateTone := toneBase
	if fs.RatePerS == 0 {
		rateTone = toneSubtle
	}
	set(ColRate, common.Rate(fs.RatePerS), rateTone)
	errTone := zero(fs.Errors, sevTone(common.ErrorRateSeverity(fs.ErrorRate)))
	set(ColErrors, count(fs.Errors), errTone)
	set(ColErrorRate, common.Pct(fs.ErrorRate), errTone)
	set(ColTimeouts, count(fs.Timeouts), zero(fs.Timeouts, toneError))
	switch {
	case fs.Throttles == nil:
		set(ColThrottles, "-", toneSubtle)
	default:
		set(ColThrottles, count(*fs.Throttles), zero(*fs.Throttles, toneWarn))
	}
	switch {
	case fs.ColdStarts == nil:
		set(ColCold, "-", toneSubtle)
	default:
		set(ColCold, count(*fs.ColdStarts), zero(*fs.ColdStarts, toneCold))
	}
	switch {
	case fs.ColdStartRatio == nil:
		set(ColColdRatio, "-", toneSubtle)
	case *fs.ColdStartRatio == 0:
		set(ColColdRatio, common.Pct(0), toneSubtle)
	default:
		set(ColColdRatio, common.Pct(*fs.ColdStartRatio), toneCold)
	}
	if q := fs.Duration; q != nil {
		p99Tone := toneBase
		if fs.TimeoutMs > 0 && q.P99 >= 0.8*fs.TimeoutMs {
			p99Tone = toneWarn // close to the timeout
		}
		set(ColP50, common.Ms(q.P50), toneBase)
		set(ColP99, common.Ms(q.P99), p99Tone)
	} else {
		set(ColP50, "-", toneSubtle)
		set(ColP99, "-", toneSubtle)
	}
	memTone := sevTone(common.MemorySeverity(fs.MemoryUsedRatio))
	set(ColMemory, memory(fs.MaxMemoryUsedMB, fs.MemorySizeMB), memTone)
	costTone := toneBase
	if fs.CostUSD == 0 {
		costTone = toneSubtle
	}
	if !fs.Unpriced {
		set(ColCost, common.USD(fs.CostUSD), costTone)
		set(ColCostHour, common.USD(fs.CostPerHourUSD), costTone)
	} else {
		// Off Lambda fntop has no prices: unavailable, not free.
		set(ColCost, "-", toneSubtle)
		set(ColCostHour, "-", toneSubtle)
	}

	var spark [sparkPoints]float64
	series := fs.Series
	if len(series) > sparkPoints {
		series = series[len(series)-sparkPoints:]
	}
	for i, p := range series {
		spark[i] = float64(p.Invocations)
	}
	// A sparkline is sparkPoints runes of one cell each (blocks or
	// spaces): its width is known without measuring graphemes.
	r.cells[ColTraffic], r.cellW[ColTraffic], r.tones[ColTraffic] = common.Sparkline(spark[:len(series)], sparkPoints), sparkPoints, toneAccent
}

// width is the display width of s, with a fast path for ASCII.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// slot is a column placed in the current layout.
type slot struct {
	col   Column
	width int
}

// relayout chooses the columns that fit the width: the least important go
// first; name, rate, errors and p99 always stay.
func (m *Model) relayout() {
	nameW, srcW := width(columns[ColName].title)+1, width(columns[ColSource].title)+1
	for i := range m.rows {
		nameW = max(nameW, m.rows[i].cellW[ColName])
		srcW = max(srcW, m.rows[i].cellW[ColSource])
	}
	nameW, srcW = min(nameW, maxNameW), min(srcW, maxSourceW)
	minName := min(nameW, columns[ColName].width)

	widths := [numColumns]int{}
	shown := [numColumns]bool{}
	total := 0
	for c := range numColumns {
		w := columns[c].width
		switch c {
		case ColName:
			w = minName
		case ColSource:
			w = srcW
		}
		widths[c], shown[c] = w, true
		total += w + gap
	}
	total -= gap
	for total > m.width {
		worst := Column(-1)
		for c := range numColumns {
			if shown[c] && columns[c].drop > 0 && (worst < 0 || columns[c].drop > columns[worst].drop) {
				worst = c
			}
		}
		if worst < 0 {
			break
		}
		shown[worst] = false         //nolint:gosec // G602: worst is a column index found above
		total -= widths[worst] + gap //nolint:gosec // G602: the same
	}
	// The name takes what is left, up to its longest value; below its
	// minimum only when the columns that always stay do not fit.
	others := total - minName
	widths[ColName] = min(nameW, max(m.width-others, min(nameW, 5)))
	total = others + widths[ColName]

	m.slots = m.slots[:0:0]
	for c := range numColumns {
		if shown[c] {
			m.slots = append(m.slots, slot{col: c, width: widths[c]})
		}
	}
	m.tableW = total
}

// render rebuilds every cached line.
func (m *Model) render() {
	m.renderHeader()
	m.renderFilter()
	m.renderColHeader()
	m.renderBody()
}

// fit cuts a line to the view's width.
func (m *Model) fit(s string) string {
	if ansi.StringWidth(s) <= m.width {
		return s
	}
	return ansi.Truncate(s, m.width, "…")
}

func (m *Model) renderHeader() {
	if m.width <= 0 {
		m.header = ""
		return
	}
	label, tot := "", model.Totals{}
	if m.snap != nil {
		label, tot = m.snap.Window.Label, m.snap.Totals
	}
	if label == "" {
		label = "all"
	}
	label = termsafe.Text(label)

	// Segments in display order; drop says which go first when the line
	// is too long (0: always kept).
	type segment struct {
		text string
		t    tone
		drop int
	}
	errTone := toneBase
	if tot.Errors > 0 {
		errTone = sevTone(common.ErrorRateSeverity(tot.ErrorRate))
	}
	cold := count(tot.ColdStarts) + " cold"
	if tot.ColdStartRatio != nil {
		cold += " " + common.Pct(*tot.ColdStartRatio)
	}
	thrTone := toneBase
	if tot.Throttles != nil && *tot.Throttles > 0 {
		thrTone = toneWarn
	}
	segs := []segment{
		{count(int64(tot.Functions)) + " functions", toneBase, 3},
		{common.Rate(tot.RatePerS) + " inv/s", toneBase, 0},
		{count(tot.Errors) + " err " + common.Pct(tot.ErrorRate), errTone, 0},
		{cold, toneCold, 4},
		{countPtr(tot.Throttles) + " throttled", thrTone, 5},
		{common.USD(tot.CostUSD) + "/" + label, toneBase, 1},
		{common.USD(tot.CostPerHourUSD) + "/h", toneBase, 2},
	}
	const sep = " · "
	lead := "Fleet " + label
	total := width(lead)
	for _, s := range segs {
		total += len(sep) - 1 + width(s.text) // "·" is one cell
	}
	for total > m.width {
		worst := -1
		for i, s := range segs {
			if s.drop > 0 && (worst < 0 || s.drop > segs[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		total -= len(sep) - 1 + width(segs[worst].text)
		segs = slices.Delete(segs, worst, worst+1)
	}

	p := &m.paint
	var b strings.Builder
	p.bold.apply(&b, "Fleet")
	b.WriteString(" ")
	p.tones[toneAccent].apply(&b, label)
	for _, s := range segs {
		p.tones[toneSubtle].apply(&b, sep)
		p.tones[s.t].apply(&b, s.text)
	}
	m.header = m.fit(b.String())
}

func (m *Model) renderFilter() {
	m.filterLine = ""
	if m.width <= 0 {
		return
	}
	p := &m.paint
	var b strings.Builder
	switch {
	case m.capturing:
		// Leave room for the error after the input, which pads itself to
		// its width.
		errW := 0
		if e := m.match.errText(); e != "" {
			errW = width(e) + 2
		}
		m.input.Width = max(m.width-width(m.input.Prompt)-1-errW, 1)
		b.WriteString(m.input.View())
	case m.filter != "":
		p.tones[toneSubtle].apply(&b, "filter ")
		p.tones[toneAccent].apply(&b, termsafe.Text(m.filter))
		p.tones[toneSubtle].apply(&b, "  "+count(int64(len(m.view)))+" of "+count(int64(len(m.rows)))+"  esc clears")
	default:
		return
	}
	if e := m.match.errText(); e != "" {
		b.WriteString("  ")
		p.tones[toneError].apply(&b, e)
	}
	m.filterLine = m.fit(b.String())
}

func (m *Model) renderColHeader() {
	if m.width <= 0 {
		m.colHeader = ""
		return
	}
	var b strings.Builder
	for i, s := range m.slots {
		if i > 0 {
			b.WriteString(strings.Repeat(" ", gap))
		}
		title := columns[s.col].title
		if s.col == m.sortCol {
			if m.sortDesc {
				title += "↓"
			} else {
				title += "↑"
			}
		}
		tw := width(title)
		if tw > s.width {
			title = ansi.Truncate(title, s.width, "")
			tw = width(title)
		}
		writeCell(&b, title, tw, s.width, columns[s.col].right)
	}
	line := b.String()
	if w := width(line); w < m.width {
		line += strings.Repeat(" ", m.width-w)
	}
	var out strings.Builder
	m.paint.header.apply(&out, m.fit(line))
	m.colHeader = out.String()
}

// renderBody draws the visible rows only.
func (m *Model) renderBody() {
	n := m.bodyRows()
	m.body = m.body[:0:0]
	if n == 0 || m.width <= 0 {
		return
	}
	if len(m.view) == 0 {
		msg := "no functions yet: waiting for data"
		if len(m.rows) > 0 {
			msg = "no function matches the filter"
		}
		var b strings.Builder
		m.paint.tones[toneSubtle].apply(&b, msg)
		m.body = append(m.body, m.fit(b.String()))
		return
	}
	end := min(m.offset+n, len(m.view))
	for i := m.offset; i < end; i++ {
		m.body = append(m.body, m.renderRow(&m.rows[m.view[i]], i == m.cursor))
	}
}

func (m *Model) renderRow(r *row, selected bool) string {
	r.format()
	var b strings.Builder
	b.Grow(m.tableW + 16*len(m.slots))
	for i, s := range m.slots {
		if i > 0 {
			b.WriteString(strings.Repeat(" ", gap))
		}
		text, w := r.cells[s.col], r.cellW[s.col]
		if w > s.width {
			text = ansi.Truncate(text, s.width, "…")
			w = width(text)
		}
		if selected {
			writeCell(&b, text, w, s.width, columns[s.col].right)
			continue
		}
		p := m.paint.tones[r.tones[s.col]]
		pad := strings.Repeat(" ", s.width-w)
		if columns[s.col].right {
			b.WriteString(pad)
			p.apply(&b, text)
		} else {
			p.apply(&b, text)
			b.WriteString(pad)
		}
	}
	line := b.String()
	if m.tableW > m.width {
		line = ansi.Truncate(line, m.width, "")
	}
	if !selected {
		return line
	}
	if m.tableW < m.width {
		line += strings.Repeat(" ", m.width-m.tableW)
	}
	var out strings.Builder
	m.paint.selected.apply(&out, line)
	return out.String()
}

func writeCell(b *strings.Builder, text string, w, cellW int, right bool) {
	pad := strings.Repeat(" ", max(cellW-w, 0))
	if right {
		b.WriteString(pad)
		b.WriteString(text)
	} else {
		b.WriteString(text)
		b.WriteString(pad)
	}
}
