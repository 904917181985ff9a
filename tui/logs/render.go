package logs

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// Style slots: spans carry a slot, and styles are applied only to the
// spans on screen.
const (
	stPlain uint8 = iota
	stBase
	stSubtle
	stWarn
	stErrLine
	stFailure
	stMatch
	stSelected
	stHeader
	stOK
	stCold
	stAccent
	stFunc // first of the function colours
)

type styleEntry struct {
	style lipgloss.Style
	plain bool // renders text unchanged
}

func buildStyles(st common.Styles) []styleEntry {
	s := []lipgloss.Style{
		stPlain:    lipgloss.NewStyle(),
		stBase:     st.Base,
		stSubtle:   st.Subtle,
		stWarn:     st.Warn,
		stErrLine:  lipgloss.NewStyle().Foreground(st.ErrorColor),
		stFailure:  st.Error,
		stMatch:    st.Match,
		stSelected: st.Selected,
		stHeader:   st.Header,
		stOK:       st.OK.Bold(true),
		stCold:     st.Cold.Bold(true),
		stAccent:   st.Accent,
	}
	for _, c := range []lipgloss.Color{st.Chart1, st.Chart2, st.Chart3, st.ColdColor, st.OKColor} {
		s = append(s, lipgloss.NewStyle().Foreground(c))
	}
	s = append(s, st.Accent)
	out := make([]styleEntry, len(s))
	for i, x := range s {
		out[i] = styleEntry{style: x, plain: x.Render("x") == "x"}
	}
	return out
}

// funcStyle picks a function's colour, the same on every frame.
func (m *Model) funcStyle(name string) uint8 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return stFunc + uint8(h.Sum32()%uint32(len(m.styles)-int(stFunc)))
}

// span is a run of text in one style; text is terminal-safe and tab-free.
type span struct {
	text string
	st   uint8
}

// vline is one screen line.
type vline []span

// levelStyle is the style of an entry's message.
func levelStyle(e *entry) uint8 {
	switch {
	case e.Kind == model.LineFailure, e.rep != nil && e.failed, e.Level == model.LevelFatal:
		return stFailure
	case e.Level == model.LevelError:
		return stErrLine
	case e.Level == model.LevelWarn:
		return stWarn
	case e.Level == model.LevelDebug, e.Level == model.LevelTrace, e.Kind == model.LinePlatform:
		return stSubtle
	}
	return stBase
}

// expandTabs replaces tabs with spaces to the next multiple of 4 cells.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for len(s) > 0 {
		if s[0] == '\t' {
			n := 4 - col%4
			b.WriteString("    "[:n])
			col += n
			s = s[1:]
			continue
		}
		c, w := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		b.WriteString(c)
		col += w
		s = s[len(c):]
	}
	return b.String()
}

// messageLines are the logical lines of a message as the settings show it:
// one line with \r and \n made visible, or (wrap or pretty) one per inner
// line, or (pretty) an embedded JSON object indented.
func (m *Model) messageLines(msg string) []string {
	var lines []string
	switch {
	case m.pretty:
		if head, obj, ok := prettyJSON(msg); ok {
			if strings.TrimSpace(head) != "" {
				lines = append(lines, termsafe.Lines(head)...)
			}
			for _, l := range strings.Split(obj, "\n") {
				lines = append(lines, termsafe.Text(l))
			}
			break
		}
		lines = termsafe.Lines(msg)
	case m.wrap:
		lines = termsafe.Lines(msg)
	default:
		lines = []string{termsafe.Text(strings.TrimRight(msg, "\r\n"))}
	}
	for i, l := range lines {
		lines[i] = expandTabs(l)
	}
	return lines
}

// highlight splits a logical line into spans, marking search matches.
func (m *Model) highlight(text string, st uint8) vline {
	if m.search == nil || text == "" {
		return vline{{text, st}}
	}
	locs := m.search.re.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return vline{{text, st}}
	}
	var out vline
	at := 0
	for _, l := range locs {
		if l[1] == l[0] {
			continue
		}
		if l[0] > at {
			out = append(out, span{text[at:l[0]], st})
		}
		out = append(out, span{text[l[0]:l[1]], stMatch})
		at = l[1]
	}
	if at < len(text) {
		out = append(out, span{text[at:], st})
	}
	return out
}

// cells walks s cluster by cluster.
func nextCluster(s string) (string, int) {
	if c := s[0]; c >= 0x20 && c < 0x7f {
		return s[:1], 1
	}
	return ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
}

// slice returns the cells [from, from+n) of l, and whether l goes on
// beyond them.
func slice(l vline, from, n int) (vline, bool) {
	var out vline
	col := 0
	for _, sp := range l {
		s := sp.text
		start := -1
		for len(s) > 0 {
			c, w := nextCluster(s)
			if col >= from+n || col+w > from+n {
				if start >= 0 {
					out = append(out, span{sp.text[start : len(sp.text)-len(s)], sp.st})
				}
				return out, true
			}
			if col >= from && start < 0 {
				start = len(sp.text) - len(s)
			}
			col += w
			s = s[len(c):]
		}
		if start >= 0 {
			out = append(out, span{sp.text[start:], sp.st})
		}
	}
	return out, false
}

// fit lays a logical line out in avail cells: wrapped into several screen
// lines, or cut at the horizontal offset with an ellipsis.
func (m *Model) fit(l vline, avail int) []vline {
	if avail <= 0 {
		return []vline{nil}
	}
	if !m.wrap {
		out, more := slice(l, m.xOff, avail)
		if more {
			out, _ = slice(out, 0, avail-1)
			out = append(out, span{"…", stSubtle})
		}
		return []vline{out}
	}
	var lines []vline
	for from := 0; ; from += avail {
		out, more := slice(l, from, avail)
		if len(out) == 0 && from > 0 {
			break
		}
		lines = append(lines, out)
		if !more {
			break
		}
	}
	return lines
}

// prefix is what precedes a line: its time and, for the fleet, its
// function. The blank prefix of continuation lines has the same width.
func (m *Model) prefix(e *entry) (vline, int) {
	var p vline
	w := 0
	if m.timestamps {
		loc := m.loc
		if m.utc {
			loc = time.UTC
		}
		ts := e.Time.In(loc).Format("15:04:05.000") + " "
		p = append(p, span{ts, stSubtle})
		w += len(ts)
	}
	if m.function == "" {
		name := termsafe.Text(e.Function)
		if nw := ansi.StringWidth(name); nw > fnWidth {
			name = ansi.Truncate(name, fnWidth, "…")
		}
		name += strings.Repeat(" ", max(fnWidth-ansi.StringWidth(name), 0)) + " "
		p = append(p, span{name, m.funcStyle(e.Function)})
		w += fnWidth + 1
	}
	if m.width-w < minMessageWidth {
		return nil, 0
	}
	return p, w
}

// fnWidth is the width of the function column in fleet mode.
const fnWidth = 18

// minMessageWidth is the least room a message keeps: narrower screens drop
// the prefix.
const minMessageWidth = 16

// entryLines lays out one line of the buffer, indented by indent cells.
func (m *Model) entryLines(e *entry, indent int) []vline {
	p, pw := m.prefix(e)
	pad := span{strings.Repeat(" ", pw+indent), stPlain}
	avail := m.width - pw - indent
	if avail < 1 {
		pad, avail = span{}, m.width
	}
	st := levelStyle(e)
	var out []vline
	for i, text := range m.messageLines(e.Message) {
		for j, l := range m.fit(m.highlight(text, st), avail) {
			var lead vline
			if i == 0 && j == 0 {
				lead = append(append(lead, p...), span{strings.Repeat(" ", indent), stPlain})
			} else {
				lead = vline{pad}
			}
			out = append(out, append(lead, l...))
		}
	}
	return out
}

// rowLines lays out a row: a line, or a group's summary and, unfolded, its
// lines.
func (m *Model) rowLines(r int) []vline {
	rw := m.rows[r]
	if rw.g < 0 {
		return m.entryLines(&m.buf[rw.e], 0)
	}
	g := &m.groups[rw.g]
	open := m.unfolded(g.key)
	first := &m.buf[g.members[0]]
	p, pw := m.prefix(first)
	avail := max(m.width-pw, 1)
	if pw == 0 {
		avail = m.width
	}
	sum := append(p, m.summary(g, open)...)
	out := []vline{}
	for _, l := range m.fit(sum[len(p):], avail) {
		out = append(out, append(append(vline{}, p...), l...))
		p = vline{{strings.Repeat(" ", pw), stPlain}}
	}
	if open {
		for _, i := range g.members {
			out = append(out, m.entryLines(&m.buf[i], 2)...)
		}
	}
	return out
}

// summary is a group's one-line description.
func (m *Model) summary(g *group, open bool) vline {
	mark := "▸ "
	if open {
		mark = "▾ "
	}
	id := termsafe.Text(g.key.id)
	if len(id) > 8 {
		id = id[:8]
	}
	l := vline{{mark, stAccent}, {id, stBase}}
	add := func(s string, st uint8) { l = append(l, span{"  ", stPlain}, span{s, st}) }
	timeout, oom, failed := false, false, false
	for _, k := range g.fails {
		timeout = timeout || k == model.ErrTimeout
		oom = oom || k == model.ErrOutOfMemory
		failed = failed || k == model.ErrFunction || k == model.ErrRuntimeExit
	}
	if r := g.rep; r != nil {
		add(common.Ms(r.durationMs), stBase)
		add(fmt.Sprintf("billed %.0fms", r.billedMs), stSubtle)
		add(fmt.Sprintf("mem %d/%dMB", r.memUsedMB, r.memSizeMB), stSubtle)
		timeout = timeout || r.kind == model.ErrTimeout || r.status == "timeout"
		oom = oom || r.kind == model.ErrOutOfMemory
		failed = failed || r.kind == model.ErrFunction || r.kind == model.ErrRuntimeExit
		if r.initMs > 0 {
			add("COLD", stCold)
		}
	} else {
		add("running", stSubtle)
	}
	if timeout {
		add("TIMEOUT", stFailure)
	}
	if oom {
		add("OOM", stFailure)
	}
	if failed {
		add("ERROR", stFailure)
	}
	n := fmt.Sprintf("(%d lines)", len(g.members))
	if len(g.members) != g.total {
		n = fmt.Sprintf("(%d of %d lines)", len(g.members), g.total)
	}
	add(n, stSubtle)
	return l
}

// render applies the styles to a screen line.
func (m *Model) render(l vline, selected bool) string {
	var b strings.Builder
	for _, sp := range l {
		if sp.text == "" {
			continue
		}
		st := sp.st
		if selected && st != stMatch {
			st = stSelected
		}
		se := &m.styles[st]
		if se.plain {
			b.WriteString(sp.text)
		} else {
			b.WriteString(se.style.Render(sp.text))
		}
	}
	return b.String()
}

// bodyHeight is the number of screen lines for log rows.
func (m *Model) bodyHeight() int {
	h := m.height - 1
	if m.mode != inputNone {
		h--
	}
	return max(h, 0)
}

// screen is a laid out body: lines and the row each belongs to.
type screen struct {
	lines []vline
	rows  []int
}

// layout lays out the body from the current position.
func (m *Model) layout(h int) screen {
	var s screen
	if h <= 0 || len(m.rows) == 0 || m.width <= 0 {
		return s
	}
	if m.following {
		// Walk back from the newest row until the screen is full.
		var chunks [][]vline
		n := 0
		r := len(m.rows) - 1
		for ; r >= 0 && n < h; r-- {
			ls := m.rowLines(r)
			chunks = append(chunks, ls)
			n += len(ls)
		}
		skip := n - h
		row := r + len(chunks)
		for i := len(chunks) - 1; i >= 0; i-- {
			ls := chunks[i]
			if skip > 0 {
				d := min(skip, len(ls))
				ls, skip = ls[d:], skip-d
			}
			for _, l := range ls {
				s.lines = append(s.lines, l)
				s.rows = append(s.rows, row-i)
			}
		}
		return s
	}
	skip := m.topSkip
	for r := m.top; r < len(m.rows) && len(s.lines) < h; r++ {
		ls := m.rowLines(r)
		if skip > 0 {
			d := min(skip, len(ls))
			ls, skip = ls[d:], 0
		}
		for _, l := range ls {
			if len(s.lines) == h {
				break
			}
			s.lines = append(s.lines, l)
			s.rows = append(s.rows, r)
		}
	}
	return s
}

// View renders the header, the visible lines and, while typing, the input.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	out := make([]string, 0, m.height)
	out = append(out, m.render(m.header(), false))
	h := m.bodyHeight()
	s := m.layout(h)
	showCursor := !m.following || m.grouped
	for i, l := range s.lines {
		out = append(out, m.render(l, showCursor && s.rows[i] == m.cursor))
	}
	if m.mode != inputNone && m.height > 1 {
		for len(out) < m.height-1 {
			out = append(out, "")
		}
		out = append(out, m.input.view(m.width, m.styles[stSelected].style.Render(" ")))
	}
	return strings.Join(out, "\n")
}

// header is the title line: scope, follow state, filter, search, settings
// and the last message.
func (m *Model) header() vline {
	scope := " Logs: fleet "
	if m.function != "" {
		scope = " Logs: " + termsafe.Text(m.function) + " "
	}
	l := vline{{scope, stHeader}}
	add := func(s string, st uint8) { l = append(l, span{" ", stPlain}, span{s, st}) }
	if m.following {
		add("FOLLOWING", stOK)
	} else {
		add("PAUSED", stWarn)
		if m.newLines > 0 {
			add(fmt.Sprintf("+%d new", m.newLines), stWarn)
		}
	}
	add(fmt.Sprintf("%d lines", len(m.buf)), stSubtle)
	if m.filter != nil {
		add("filter:"+termsafe.Text(m.filter.src), stAccent)
	}
	if m.search != nil {
		add("search:"+termsafe.Text(m.search.src), stAccent)
	}
	var flags []string
	if m.utc {
		flags = append(flags, "UTC")
	}
	if m.wrap {
		flags = append(flags, "wrap")
	}
	if m.pretty {
		flags = append(flags, "json")
	}
	if m.grouped {
		flags = append(flags, "grouped")
	}
	if !m.wrap && m.xOff > 0 {
		flags = append(flags, fmt.Sprintf("→%d", m.xOff))
	}
	if len(flags) > 0 {
		add("["+strings.Join(flags, " ")+"]", stSubtle)
	}
	if n := len(m.buf); n > 0 {
		add("newest "+common.Ago(m.now(), m.buf[n-1].Time), stSubtle)
	}
	if m.status != "" {
		add(termsafe.Text(m.status), stWarn)
	}
	out, more := slice(l, 0, m.width)
	if more && m.width > 1 {
		out, _ = slice(out, 0, m.width-1)
		out = append(out, span{"…", stSubtle})
	}
	return out
}
