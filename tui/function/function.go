// Package function is fntop's view of one function: its key figures over
// the window, time-series charts of traffic, errors, cold starts and
// latency, its recent errors and its latest log lines.
//
// The view follows the contract of tui/common: the root owns layout and
// data, and hands the view its size, snapshots and log lines. Everything
// drawn is built when data or size changes; View only assembles the
// visible lines.
package function

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
)

const (
	// logCapacity bounds the log lines the view keeps.
	logCapacity = 200
	// logFetch is how many of the newest lines the view asks for per tick.
	logFetch = 50
	// wheelStep is how many lines a mouse wheel notch scrolls.
	wheelStep = 3
)

// Option configures a Model.
type Option func(*Model)

// WithPrices sets the price table of the cost what-if (default
// model.DefaultPrices()).
func WithPrices(p *model.PriceTable) Option {
	return func(m *Model) {
		if p != nil {
			m.prices = p
		}
	}
}

// Model is the function view. It is a value; the root stores it by its
// concrete type.
type Model struct {
	st   common.Styles
	keys KeyMap
	name string

	width, height int

	snap *model.Snapshot
	fn   *model.FunctionStats // the function in snap; nil when absent

	prices *model.PriceTable
	whatIf *analysis.CostWhatIf // of fn; nil without fn

	// errs are the recent errors shown, newest first; errCursor marks
	// the one enter opens.
	errs      []model.ErrorSample
	errCursor int

	logs    []model.LogEntry // oldest first, at most logCapacity
	lastSeq uint64

	// Rendered when data or size changes.
	top     []string // title, figures and charts: always shown
	logRows []string // log lines, newest first, rendered as they arrive
	lower   []string // recent errors and logs: scrolled
	scroll  int      // first visible line of lower
}

// New returns the view of the function called name.
func New(st common.Styles, name string, opts ...Option) Model {
	m := Model{st: st, keys: DefaultKeyMap(), name: name}
	for _, o := range opts {
		o(&m)
	}
	if m.prices == nil {
		m.prices = model.DefaultPrices()
	}
	m.rebuild()
	return m
}

// Name is the function the view shows.
func (m Model) Name() string { return m.name }

// Keys implements the view contract.
func (m Model) Keys() help.KeyMap { return m.keys }

// Capturing implements the view contract: the view has no text input.
func (m Model) Capturing() bool { return false }

// SetSize implements the view contract.
func (m *Model) SetSize(width, height int) {
	width, height = max(width, 0), max(height, 0)
	if width == m.width && height == m.height {
		return
	}
	m.width, m.height = width, height
	m.renderLogs()
	m.rebuild()
}

// SetSnapshot implements the view contract. The snapshot should be taken
// with SnapshotOptions{Function: name, Series: true}; a snapshot of the
// whole fleet works too.
func (m *Model) SetSnapshot(s *model.Snapshot) {
	if s == m.snap {
		return
	}
	m.snap = s
	m.fn, m.whatIf = nil, nil
	if s != nil {
		for i := range s.Functions {
			if s.Functions[i].Name == m.name {
				m.fn = &s.Functions[i]
				break
			}
		}
	}
	if m.fn != nil {
		w := analysis.WhatIf(*m.fn, m.prices)
		m.whatIf = &w
	}
	m.rebuild()
}

// LogQuery implements common.LogsConsumer: this function's newest lines
// after the last one the view has.
func (m Model) LogQuery() model.LogQuery {
	return model.LogQuery{Function: m.name, AfterSeq: m.lastSeq, Limit: logFetch}
}

// AddLogs implements common.LogsConsumer. Lines of other functions and
// lines already seen are ignored.
func (m *Model) AddLogs(entries []model.LogEntry) {
	from := len(m.logs)
	for _, e := range entries {
		if e.Function != m.name || e.Seq <= m.lastSeq {
			continue
		}
		m.logs = append(m.logs, e)
		m.lastSeq = e.Seq
	}
	added := len(m.logs) - from
	if added == 0 {
		return
	}
	if n := len(m.logs) - logCapacity; n > 0 {
		m.logs = append(m.logs[:0:0], m.logs[n:]...)
	}
	// Render only the new lines; the others are drawn already.
	added = min(added, len(m.logs))
	rows := make([]string, 0, min(len(m.logRows)+added, logCapacity))
	for i := len(m.logs) - 1; i >= len(m.logs)-added; i-- {
		rows = append(rows, m.logLine(&m.logs[i]))
	}
	m.logRows = append(rows, m.logRows[:min(len(m.logRows), logCapacity-added)]...)
	m.rebuildLower()
}

// Update handles keys and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Logs):
			name := m.name
			return m, func() tea.Msg { return common.OpenLogsMsg{Function: name} }
		case key.Matches(msg, m.keys.Back):
			return m, func() tea.Msg { return common.BackMsg{} }
		case key.Matches(msg, m.keys.NextError):
			m.moveError(1)
		case key.Matches(msg, m.keys.PrevError):
			m.moveError(-1)
		case key.Matches(msg, m.keys.OpenError):
			if m.errCursor < len(m.errs) && m.errs[m.errCursor].RequestID != "" {
				name, id := m.name, m.errs[m.errCursor].RequestID
				return m, func() tea.Msg { return common.OpenInvocationMsg{Function: name, RequestID: id} }
			}
		case key.Matches(msg, m.keys.Up):
			m.scrollBy(-1)
		case key.Matches(msg, m.keys.Down):
			m.scrollBy(1)
		case key.Matches(msg, m.keys.PageUp):
			m.scrollBy(-max(m.lowerHeight()-1, 1))
		case key.Matches(msg, m.keys.PageDown):
			m.scrollBy(max(m.lowerHeight()-1, 1))
		case key.Matches(msg, m.keys.Top):
			m.scroll = 0
		case key.Matches(msg, m.keys.Bottom):
			m.scroll = m.maxScroll()
		}
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			break
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.scrollBy(-wheelStep)
		case tea.MouseButtonWheelDown:
			m.scrollBy(wheelStep)
		}
	}
	return m, nil
}

// moveError marks the next older (+1) or newer (-1) recent error.
func (m *Model) moveError(d int) {
	if len(m.errs) == 0 {
		return
	}
	m.errCursor = min(max(m.errCursor+d, 0), len(m.errs)-1)
	m.rebuildLower()
}

// Scroll is the first visible line of the lower panes.
func (m Model) Scroll() int { return m.scroll }

func (m *Model) scrollBy(n int) {
	m.scroll = min(max(m.scroll+n, 0), m.maxScroll())
}

// lowerHeight is how many lines the lower panes get.
func (m Model) lowerHeight() int { return max(m.height-len(m.top), 0) }

func (m Model) maxScroll() int { return max(len(m.lower)-m.lowerHeight(), 0) }

// View implements the view contract: at most Height lines of at most Width
// cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.top[:min(len(m.top), m.height)]...)
	if h := m.lowerHeight(); h > 0 && len(m.lower) > 0 {
		end := min(m.scroll+h, len(m.lower))
		vis := m.lower[m.scroll:end]
		if m.maxScroll() > 0 {
			first := overlayRight(vis[0], m.scrollIndicator(end), m.width, m.st)
			lines = append(lines, first)
			vis = vis[1:]
		}
		lines = append(lines, vis...)
	}
	return joinLines(lines)
}
