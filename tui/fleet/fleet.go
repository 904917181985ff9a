// Package fleet is fntop's home view: one row per function of the fleet
// with its live figures, fleet totals above, sorting by any column and a
// regex filter. It follows the view contract of tui/common.
package fleet

import (
	"cmp"
	"errors"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// wheelStep is how many rows one notch of the mouse wheel moves.
const wheelStep = 3

// Option configures a Model.
type Option func(*Model)

// WithKeyMap replaces the default bindings.
func WithKeyMap(km KeyMap) Option { return func(m *Model) { m.keys = km } }

// WithSort sets the initial sort column and direction (the default is
// ColRate, descending).
func WithSort(c Column, descending bool) Option {
	return func(m *Model) {
		if c >= 0 && c < numColumns && columns[c].sortKey != "" {
			m.sortCol, m.sortDesc = c, descending
		}
	}
}

// WithFilter sets an initial filter, as typed after "/".
func WithFilter(f string) Option { return func(m *Model) { m.setFilter(f) } }

// Model is the fleet view. The zero value is not usable; call New.
type Model struct {
	st    common.Styles
	keys  KeyMap
	paint painters

	width, height int

	snap   *model.Snapshot
	report *analysis.Report // the latest triage report (nil: none yet)
	rows   []row            // every function, in sort order
	view   []int            // indexes into rows of the functions that pass the filter

	sortCol  Column
	sortDesc bool

	cursor   int    // index into view
	offset   int    // first visible index into view
	selected string // name under the cursor, followed across refreshes
	// chosen is set once the user moves the cursor: from then on it
	// follows the selected function; before, it stays on the top row, so
	// the busiest function is under it at start however the first, partial
	// snapshots were ordered.
	chosen bool

	input      textinput.Model
	capturing  bool
	filter     string // the filter in effect (previewed while typing)
	prevFilter string // restored when typing is cancelled
	match      matcher

	slots  []slot // visible columns for the current width
	tableW int

	// Rendered lines, rebuilt in Update/SetSnapshot/SetSize; View only
	// joins them.
	header     string
	filterLine string
	colHeader  string
	body       []string
}

var (
	_ common.View           = (*Model)(nil)
	_ common.ReportConsumer = (*Model)(nil)
)

// New returns a fleet view drawn with st.
func New(st common.Styles, opts ...Option) Model {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "regex on name, !inverts"
	ti.PromptStyle = st.Accent
	ti.TextStyle = st.Base
	ti.PlaceholderStyle = st.Subtle
	ti.Cursor.Style = st.Accent
	ti.Cursor.TextStyle = st.Base
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink messages to route
	ti.CharLimit = 256

	m := Model{
		st:       st,
		keys:     DefaultKeyMap(),
		paint:    newPainters(st),
		sortCol:  ColRate,
		sortDesc: true,
		input:    ti,
	}
	for _, o := range opts {
		o(&m)
	}
	m.rebuild()
	return m
}

// SetSize gives the view its rectangle.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.relayout()
	m.render()
}

// SetSnapshot hands the view fresh data; the cursor stays on the same
// function.
func (m *Model) SetSnapshot(s *model.Snapshot) {
	m.snap = s
	m.rows = buildRows(s)
	m.scoreRows()
	m.rebuild()
}

// SetReport hands the view a triage report: the anomaly column shows each
// function's flags, and the anomaly sort orders by score. Reports come
// less often than snapshots; the latest is kept.
func (m *Model) SetReport(r *analysis.Report) {
	if r == nil || r == m.report {
		return
	}
	m.report = r
	m.scoreRows()
	m.rebuild()
}

// scoreRows fills the anomaly column from the report: the number of flags,
// coloured by the score; "-" for a function the report does not know.
func (m *Model) scoreRows() {
	for i := range m.rows {
		r := &m.rows[i]
		f := m.report.Function(r.fs.Name)
		r.score, r.scored = 0, f != nil
		set := func(text string, t tone) {
			r.cells[ColFlags], r.cellW[ColFlags], r.tones[ColFlags] = text, width(text), t
		}
		switch {
		case f == nil:
			set("-", toneSubtle)
		case !f.Flagged():
			set("0", toneSubtle)
		default:
			r.score = f.Score
			t := toneAccent
			switch {
			case f.ChronicOnly():
				t = toneSubtle
			case f.Score >= 1:
				t = toneError
			case f.Score >= 0.3:
				t = toneWarn
			}
			set(strconv.Itoa(len(f.Flags)), t)
		}
	}
}

// Keys are the bindings for help; those the current state cannot use are
// disabled.
func (m Model) Keys() help.KeyMap {
	return m.keys.withState(m.capturing, m.filter != "", len(m.view) > 0)
}

// Capturing reports whether the filter input has focus.
func (m Model) Capturing() bool { return m.capturing }

// Selected is the name of the function under the cursor ("" when none).
func (m Model) Selected() string {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return ""
	}
	return m.rows[m.view[m.cursor]].fs.Name
}

// Filter is the filter in effect, as typed ("" when none).
func (m Model) Filter() string { return m.filter }

// Sort is the sort column and direction.
func (m Model) Sort() (Column, bool) { return m.sortCol, m.sortDesc }

// Update handles keys, the mouse and the filter input's own messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.capturing {
			return m.updateInput(msg)
		}
		return m.updateKey(msg)
	case tea.MouseMsg:
		m.updateMouse(msg)
		return m, nil
	}
	if m.capturing {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		m.sanitizeInput()
		m.renderFilter()
		return m, cmd
	}
	return m, nil
}

// sanitizeInput drops from the filter input what must not reach the
// terminal (a paste can carry escapes, bidi and zero-width characters):
// the input component draws its value raw. A regex can still match them
// (\x{202e}).
func (m *Model) sanitizeInput() {
	if v := m.input.Value(); !termsafe.Safe(v) {
		m.input.SetValue(termsafe.Strip(v))
	}
}

func (m Model) updateKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-max(m.bodyRows(), 1))
	case key.Matches(msg, k.PageDown):
		m.move(max(m.bodyRows(), 1))
	case key.Matches(msg, k.Home):
		m.move(-len(m.view))
	case key.Matches(msg, k.End):
		m.move(len(m.view))
	case key.Matches(msg, k.Open):
		if name := m.Selected(); name != "" {
			return m, func() tea.Msg { return common.OpenFunctionMsg{Name: name} }
		}
	case key.Matches(msg, k.Logs):
		name := m.Selected()
		return m, func() tea.Msg { return common.OpenLogsMsg{Function: name} }
	case key.Matches(msg, k.Filter):
		m.capturing = true
		m.prevFilter = m.filter
		m.input.SetValue(m.filter)
		m.input.CursorEnd()
		cmd := m.input.Focus()
		m.scroll() // the filter line takes a row
		m.render()
		return m, cmd
	case key.Matches(msg, k.ClearFilter):
		if m.filter != "" {
			m.setFilter("")
			m.rebuild()
		}
	default:
		for c := range numColumns {
			if key.Matches(msg, k.Sort[c]) {
				m.sortBy(c)
				break
			}
		}
	}
	return m, nil
}

func (m Model) updateInput(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Apply):
		m.capturing = false
		m.input.Blur()
		m.setFilter(m.input.Value())
		m.rebuild()
		return m, nil
	case key.Matches(msg, m.keys.Cancel):
		m.capturing = false
		m.input.Blur()
		m.setFilter(m.prevFilter)
		m.rebuild()
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.sanitizeInput()
	if v := m.input.Value(); v != m.filter {
		m.setFilter(v) // live preview; esc restores the previous filter
		m.applyFilter()
		m.render()
	} else {
		m.renderFilter()
	}
	return m, cmd
}

func (m *Model) updateMouse(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.move(-wheelStep)
	case tea.MouseButtonWheelDown:
		m.move(wheelStep)
	case tea.MouseButtonLeft:
		top := m.bodyTop()
		switch {
		case msg.Y == top-1:
			if c, ok := m.columnAt(msg.X); ok && columns[c].sortKey != "" {
				m.sortBy(c)
			}
		case msg.Y >= top && msg.Y-top < len(m.body):
			if i := m.offset + msg.Y - top; i < len(m.view) {
				m.move(i - m.cursor)
			}
		}
	}
}

// columnAt is the column drawn at x in the column header.
func (m *Model) columnAt(x int) (Column, bool) {
	pos := 0
	for _, s := range m.slots {
		if x >= pos && x < pos+s.width {
			return s.col, true
		}
		pos += s.width + gap
	}
	return 0, false
}

// move moves the cursor by delta rows, clamped, and scrolls to keep it
// visible.
func (m *Model) move(delta int) {
	if len(m.view) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+delta, 0), len(m.view)-1)
	m.selected = m.rows[m.view[m.cursor]].fs.Name
	m.chosen = true
	m.scroll()
	m.renderBody()
}

func (m *Model) sortBy(c Column) {
	if m.sortCol == c {
		m.sortDesc = !m.sortDesc
	} else {
		m.sortCol, m.sortDesc = c, columns[c].desc
	}
	m.rebuild()
}

// rebuild sorts, filters, lays out and renders after data, sort or filter
// changed.
func (m *Model) rebuild() {
	m.sortRows()
	m.applyFilter()
	m.relayout()
	m.render()
}

// sortRows sorts an index of the rows, then moves each row once: a row
// holds every formatted cell, too large to swap at each comparison.
func (m *Model) sortRows() {
	c, desc := m.sortCol, m.sortDesc
	order := make([]int, len(m.rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &m.rows[i], &m.rows[j]
		r, am, bm := compareBy(c, a.fs, b.fs)
		if c == ColFlags {
			r, am, bm = cmp.Compare(a.score, b.score), !a.scored, !b.scored
		}
		switch {
		case am && !bm:
			return 1
		case bm && !am:
			return -1
		}
		if desc {
			r = -r
		}
		if r != 0 {
			return r
		}
		if r = cmp.Compare(a.fs.Name, b.fs.Name); r != 0 {
			return r
		}
		return cmp.Compare(a.fs.Source, b.fs.Source)
	})
	sorted := make([]row, len(m.rows))
	for k, i := range order {
		sorted[k] = m.rows[i]
	}
	m.rows = sorted
}

// applyFilter recomputes the visible functions and puts the cursor back
// on the selected one (or as near its old position as the list allows).
func (m *Model) applyFilter() {
	view := m.view[:0:0]
	for i := range m.rows {
		if m.match.match(m.rows[i].fs.Name) {
			view = append(view, i)
		}
	}
	m.view = view
	if m.selected != "" && m.chosen {
		for i, r := range view {
			if m.rows[r].fs.Name == m.selected {
				m.cursor = i
				break
			}
		}
	}
	m.cursor = min(max(m.cursor, 0), max(len(view)-1, 0))
	if len(view) > 0 {
		m.selected = m.rows[view[m.cursor]].fs.Name
	}
	m.scroll()
}

// scroll keeps the cursor inside the visible rows, moving the window as
// little as it can.
func (m *Model) scroll() {
	n := m.bodyRows()
	if n <= 0 {
		m.offset = m.cursor
		return
	}
	m.offset = min(m.offset, max(len(m.view)-n, 0))
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(m.offset, 0)
}

// bodyTop is the line of the first row: the totals, the filter line when
// shown, then the column header.
func (m *Model) bodyTop() int {
	if m.capturing || m.filter != "" {
		return 3
	}
	return 2
}

func (m *Model) bodyRows() int { return max(m.height-m.bodyTop(), 0) }

// setFilter compiles a filter: a case-insensitive regex on the name, a
// leading "!" inverts it, and an invalid regex falls back to a substring
// match.
func (m *Model) setFilter(f string) {
	m.filter = f
	m.match = newMatcher(f)
}

type matcher struct {
	active bool
	invert bool
	re     *regexp.Regexp
	sub    string // lower case; used when the regex does not compile
	err    error
}

func newMatcher(f string) matcher {
	mt := matcher{}
	if strings.HasPrefix(f, "!") {
		mt.invert = true
		f = f[1:]
	}
	if f == "" {
		return matcher{}
	}
	mt.active = true
	re, err := regexp.Compile("(?i)" + f)
	if err != nil {
		mt.err = err
		mt.sub = strings.ToLower(f)
	} else {
		mt.re = re
	}
	return mt
}

func (mt *matcher) match(name string) bool {
	if !mt.active {
		return true
	}
	var ok bool
	if mt.re != nil {
		ok = mt.re.MatchString(name)
	} else {
		ok = strings.Contains(strings.ToLower(name), mt.sub)
	}
	return ok != mt.invert
}

// errText is the short form of a regex error shown in the filter line.
func (mt *matcher) errText() string {
	if mt.err == nil {
		return ""
	}
	msg := mt.err.Error()
	var se *syntax.Error
	if errors.As(mt.err, &se) {
		msg = string(se.Code)
	}
	return "invalid regex (" + termsafe.Text(msg) + "): substring match"
}

// View draws the view: at most Height lines, each at most Width cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header)
	if m.capturing || m.filter != "" {
		lines = append(lines, m.filterLine)
	}
	lines = append(lines, m.colHeader)
	lines = append(lines, m.body...)
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}
