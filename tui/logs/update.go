package logs

import (
	"maps"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// wheelLines is how far one mouse wheel step scrolls.
const wheelLines = 3

// horizontalStep is how far left/right scroll when not wrapping.
const horizontalStep = 8

// Update handles keys and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.mode != inputNone {
			return m.updateInput(msg)
		}
		return m.updateKey(msg)
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			return m, nil
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			for range wheelLines {
				m.up()
			}
		case tea.MouseButtonWheelDown:
			for range wheelLines {
				m.down()
			}
		}
		return m, nil
	}
	return m, nil
}

func (m Model) updateInput(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.mode = inputNone
		return m, nil
	case key.Matches(msg, m.keys.Apply):
		mode := m.mode
		m.mode = inputNone
		m.status = ""
		if mode == inputSearch {
			m.setSearch(m.input.text())
		} else {
			m.setFilter(m.input.text())
		}
		return m, nil
	}
	m.input.update(msg)
	return m, nil
}

func (m Model) updateKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys
	m.status = ""
	switch {
	case key.Matches(msg, k.Up):
		m.up()
	case key.Matches(msg, k.Down):
		m.down()
	case key.Matches(msg, k.PageUp):
		for range max(m.bodyHeight()-1, 1) {
			m.up()
		}
	case key.Matches(msg, k.PageDown):
		for range max(m.bodyHeight()-1, 1) {
			m.down()
		}
	case key.Matches(msg, k.Home):
		m.pause()
		m.cursor, m.top, m.topSkip = 0, 0, 0
	case key.Matches(msg, k.End):
		m.follow()
	case key.Matches(msg, k.Left) && !m.wrap:
		m.xOff = max(m.xOff-horizontalStep, 0)
	case key.Matches(msg, k.Right) && !m.wrap:
		m.xOff += horizontalStep
	case key.Matches(msg, k.Follow):
		if m.following {
			m.pause()
		} else {
			m.follow()
		}
	case key.Matches(msg, k.Search):
		return m.startInput(inputSearch, "/", m.search)
	case key.Matches(msg, k.Filter):
		return m.startInput(inputFilter, "&", m.filter)
	case key.Matches(msg, k.Next):
		m.jump(+1)
	case key.Matches(msg, k.Prev):
		m.jump(-1)
	case key.Matches(msg, k.Clear):
		if m.search == nil && m.filter == nil {
			return m, func() tea.Msg { return common.BackMsg{} }
		}
		m.search = nil
		if m.filter != nil {
			m.filter = nil
			m.refilter()
		}
	case key.Matches(msg, k.JSON):
		m.relayout(func() { m.pretty = !m.pretty })
	case key.Matches(msg, k.Timestamps):
		m.relayout(func() { m.timestamps = !m.timestamps })
	case key.Matches(msg, k.UTC):
		m.utc = !m.utc
	case key.Matches(msg, k.Wrap):
		m.relayout(func() { m.wrap, m.xOff = !m.wrap, 0 })
	case key.Matches(msg, k.Group):
		a := m.saveAnchor()
		m.grouped = !m.grouped
		m.rebuild(a)
		m.topSkip = 0
		m.ensureVisible()
	case m.grouped && key.Matches(msg, k.Fold):
		m.toggleFold()
	case m.grouped && key.Matches(msg, k.UnfoldAll):
		m.relayout(func() { m.unfoldAll, m.folds = true, map[groupKey]bool{} })
	case m.grouped && key.Matches(msg, k.FoldAll):
		m.relayout(func() { m.unfoldAll, m.folds = false, map[groupKey]bool{} })
	case key.Matches(msg, k.Request):
		fn, id := m.CursorRequest()
		if id == "" {
			m.status = "this line names no request"
			return m, nil
		}
		return m, func() tea.Msg { return common.OpenInvocationMsg{Function: fn, RequestID: id} }
	}
	return m, nil
}

// startInput opens the text input for a search or a filter.
func (m Model) startInput(mode inputMode, prompt string, cur *matcher) (Model, tea.Cmd) {
	m.mode = mode
	m.input.prompt = prompt
	m.input.set("")
	if cur != nil {
		m.input.set(cur.src)
	}
	return m, nil
}

// setSearch applies a search and moves to the newest match at or before
// the cursor.
func (m *Model) setSearch(src string) {
	m.search = newMatcher(src, false)
	if m.search == nil {
		return
	}
	if m.search.err != "" {
		m.status = m.search.err
	}
	m.jumpFrom(m.cursor, -1, true)
	if m.search.err != "" && m.status != m.search.err {
		m.status = m.search.err + "; " + m.status
	}
}

// setFilter applies a filter ("!" inverts) and re-evaluates the buffer.
func (m *Model) setFilter(src string) {
	m.filter = newMatcher(src, true)
	if m.filter != nil && m.filter.err != "" {
		m.status = m.filter.err
	}
	m.refilter()
	m.topSkip = 0
	m.ensureVisible()
}

// relayout changes a setting that changes row heights, keeping the cursor
// row in view.
func (m *Model) relayout(change func()) {
	change()
	if !m.following {
		m.top, m.topSkip = m.cursor, 0
		m.ensureVisible()
	}
}

// toggleFold folds or unfolds the group under the cursor.
func (m *Model) toggleFold() {
	if m.cursor >= len(m.rows) || m.rows[m.cursor].g < 0 {
		return
	}
	k := m.groups[m.rows[m.cursor].g].key
	folds := maps.Clone(m.folds)
	folds[k] = !m.unfolded(k)
	m.folds = folds
	if !m.following {
		m.ensureVisible()
	}
}

// pause stops following and fixes the position where the screen is.
func (m *Model) pause() {
	if !m.following {
		return
	}
	s := m.layout(m.bodyHeight())
	m.following = false
	m.newLines = 0
	m.cursor = max(len(m.rows)-1, 0)
	if len(s.rows) == 0 {
		m.top, m.topSkip = m.cursor, 0
		return
	}
	m.top = s.rows[0]
	// Count the lines of the top row that are above the screen.
	n := 0
	for _, r := range s.rows {
		if r == m.top {
			n++
		}
	}
	m.topSkip = len(m.rowLines(m.top)) - n
}

// follow resumes following the newest line.
func (m *Model) follow() {
	m.following = true
	m.newLines = 0
	m.clampPosition()
}

// linesBetween counts screen lines from the top of the screen to the end of
// row r (r >= top).
func (m *Model) linesTo(r int) int {
	n := -m.topSkip
	for i := m.top; i <= r && i < len(m.rows); i++ {
		n += len(m.rowLines(i))
	}
	return n
}

// down moves one screen line down: within a row taller than the screen,
// else to the next row.
func (m *Model) down() {
	if m.following || len(m.rows) == 0 {
		return
	}
	h := max(m.bodyHeight(), 1)
	if m.linesTo(m.cursor) > h {
		m.scrollLine()
		return
	}
	if m.cursor < len(m.rows)-1 {
		m.cursor++
		m.ensureVisible()
	}
}

// scrollLine scrolls the screen one line down.
func (m *Model) scrollLine() {
	m.topSkip++
	if m.topSkip >= len(m.rowLines(m.top)) {
		m.top++
		m.topSkip = 0
	}
}

// up moves one screen line up, pausing first.
func (m *Model) up() {
	if len(m.rows) == 0 {
		return
	}
	m.pause()
	if m.cursor == m.top && m.topSkip > 0 {
		m.topSkip--
		return
	}
	if m.cursor > 0 {
		m.cursor--
		if m.cursor < m.top {
			m.top = m.cursor
			m.topSkip = max(len(m.rowLines(m.cursor))-max(m.bodyHeight(), 1), 0)
		}
	}
}

// ensureVisible scrolls so that the cursor row is on screen: its start
// when it is taller than the screen, else all of it.
func (m *Model) ensureVisible() {
	m.clampPosition()
	if m.following || len(m.rows) == 0 {
		return
	}
	h := max(m.bodyHeight(), 1)
	if m.cursor < m.top || m.cursor == m.top && m.topSkip > 0 {
		m.top, m.topSkip = m.cursor, 0
		return
	}
	if m.linesTo(m.cursor) <= h {
		return
	}
	// Put the end of the cursor row at the bottom of the screen.
	n := 0
	for r := m.cursor; r >= m.top; r-- {
		n += len(m.rowLines(r))
		if r == m.cursor && n >= h {
			m.top, m.topSkip = m.cursor, 0
			return
		}
		if n >= h {
			m.top, m.topSkip = r, n-h
			return
		}
	}
}

// jump moves to the next (dir > 0) or previous search match, or failure
// when there is no search, wrapping around the ends.
func (m *Model) jump(dir int) {
	from := m.cursor
	if m.following && dir < 0 {
		from = len(m.rows) // past the newest row
	}
	m.jumpFrom(from, dir, false)
}

// jumpFrom searches rows from start in direction dir (start itself only if
// inclusive) and moves the cursor to the first hit.
func (m *Model) jumpFrom(start, dir int, inclusive bool) {
	n := len(m.rows)
	what := "failure"
	if m.search != nil {
		what = "match"
	}
	if n == 0 {
		m.status = "no " + what
		return
	}
	first := 1
	if inclusive {
		first = 0
	}
	for step := first; step <= n; step++ {
		r := ((start+dir*step)%n + n) % n
		if member, ok := m.rowHit(r); ok {
			if step > 0 && (dir > 0 && r <= start || dir < 0 && r >= start) {
				m.status = "wrapped"
			}
			m.pause()
			m.cursor = r
			if member && !m.unfolded(m.groups[m.rows[r].g].key) {
				k := m.groups[m.rows[r].g].key
				folds := maps.Clone(m.folds)
				folds[k] = true
				m.folds = folds
			}
			m.top, m.topSkip = r, 0
			m.center()
			return
		}
	}
	m.status = "no " + what
}

// center puts the cursor row about a third down the screen when the rows
// above allow it.
func (m *Model) center() {
	want := max(m.bodyHeight()/3, 0)
	n := 0
	for m.top > 0 {
		h := len(m.rowLines(m.top - 1))
		if n+h > want {
			break
		}
		n += h
		m.top--
	}
}

// rowHit reports whether row r holds a search match (or, without a search,
// a failure); member is true when the hit is inside a group.
func (m *Model) rowHit(r int) (member, ok bool) {
	rw := m.rows[r]
	if rw.g < 0 {
		return false, m.hit(&m.buf[rw.e])
	}
	g := &m.groups[rw.g]
	if m.search != nil && m.search.re.MatchString(termsafe.Text(g.key.id)) {
		return false, true
	}
	for _, i := range g.members {
		if m.hit(&m.buf[i]) {
			return m.search != nil, true
		}
	}
	return false, false
}

func (m *Model) hit(e *entry) bool {
	if m.search != nil {
		return m.search.re.MatchString(termsafe.Text(e.Message))
	}
	return e.failed
}
