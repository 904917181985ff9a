// Package triage is fntop's triage view: the fleet ranked by how unusual
// each function is against its baseline (model/triage's Report), the
// flagged functions first, and the selected function's flags, deltas,
// error signatures, recent changes and cost what-if.
//
// The view follows the contract of tui/common. The root builds the report
// with triage.Build in a command and hands it over with SetReport; the view
// renders its lines when the report, the selection or the size changes,
// and View only joins them. Every string that came from logs or sources
// goes through termsafe.
package triage

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
)

// wheelStep is how many rows one notch of the mouse wheel moves.
const wheelStep = 3

// Model is the triage view. It is a value; the root stores it by type.
type Model struct {
	st   common.Styles
	keys KeyMap

	width, height int

	report *analysis.Report

	cursor   int    // index into report.Functions
	offset   int    // first function row on screen
	selected string // the function under the cursor, followed across reports
	chosen   bool   // the user moved the cursor: follow selected

	inSigs    bool // the signature list has the focus
	sigCursor int
	detailOff int // first detail line on screen

	// Rendered when the report, the selection or the size changes.
	head      []string // title and baseline lines
	colHeader string
	rows      []string // the visible function rows
	detail    []string // the selected function's detail, all lines
	sigLines  []int    // detail line of each signature
}

var (
	_ common.View           = (*Model)(nil)
	_ common.ReportConsumer = (*Model)(nil)
)

// New returns an empty triage view: it shows "building the report" until
// SetReport hands it one.
func New(st common.Styles) Model {
	m := Model{st: st, keys: DefaultKeyMap()}
	m.render()
	return m
}

// SetSize implements the view contract.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.render()
}

// SetSnapshot implements the view contract; the view reads the report.
func (m *Model) SetSnapshot(*model.Snapshot) {}

// SetReport implements common.ReportConsumer. The cursor stays on the
// selected function once the user has moved it; before, on the top row.
func (m *Model) SetReport(r *analysis.Report) {
	if r == nil || r == m.report {
		return
	}
	prevSig := m.sigCursor
	m.report = r
	if m.chosen && m.selected != "" {
		if rank := r.Rank(m.selected); rank > 0 {
			m.cursor = rank - 1
		}
	}
	m.clampCursor()
	if f := m.Function(); f != nil && f.Name == m.selected {
		m.sigCursor = min(prevSig, max(len(f.Signatures)-1, 0))
	} else {
		m.sigCursor, m.detailOff = 0, 0
	}
	m.selectCurrent()
	m.render()
}

// Report is the report shown (nil before the first).
func (m Model) Report() *analysis.Report { return m.report }

// Selected is the function under the cursor ("" when none).
func (m Model) Selected() string { return m.selected }

// InSignatures reports whether the signature list has the focus.
func (m Model) InSignatures() bool { return m.inSigs }

// Function is the selected function's triage, or nil.
func (m Model) Function() *analysis.FunctionTriage {
	if m.report == nil || m.cursor < 0 || m.cursor >= len(m.report.Functions) {
		return nil
	}
	return &m.report.Functions[m.cursor]
}

// Keys implements the view contract.
func (m Model) Keys() help.KeyMap {
	f := m.Function()
	return m.keys.withState(f != nil, m.inSigs, f != nil && len(f.Signatures) > 0)
}

// Capturing implements the view contract: the view has no text input.
func (m Model) Capturing() bool { return false }

// Update handles keys and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			break
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.move(-wheelStep)
		case tea.MouseButtonWheelDown:
			m.move(wheelStep)
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys
	f := m.Function()
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-max(m.pageSize(), 1))
	case key.Matches(msg, k.PageDown):
		m.move(max(m.pageSize(), 1))
	case key.Matches(msg, k.Home):
		m.move(-1 << 30)
	case key.Matches(msg, k.End):
		m.move(1 << 30)
	case f == nil:
	case key.Matches(msg, k.Signatures):
		m.inSigs = !m.inSigs
		m.render()
	case m.inSigs && key.Matches(msg, k.Leave):
		m.inSigs = false
		m.render()
	case key.Matches(msg, k.Logs):
		name := f.Name
		return m, func() tea.Msg { return common.OpenLogsMsg{Function: name} }
	case key.Matches(msg, k.Open):
		name := f.Name
		if !m.inSigs {
			return m, func() tea.Msg { return common.OpenFunctionMsg{Name: name} }
		}
		if m.sigCursor >= len(f.Signatures) {
			return m, nil
		}
		if id := f.Signatures[m.sigCursor].Example.RequestID; id != "" {
			return m, func() tea.Msg { return common.OpenInvocationMsg{Function: name, RequestID: id} }
		}
		// No request to show: the function's logs hold the lines.
		return m, func() tea.Msg { return common.OpenLogsMsg{Function: name} }
	}
	return m, nil
}

// move moves the cursor of the focused list by delta.
func (m *Model) move(delta int) {
	if m.inSigs {
		m.moveSig(delta)
		return
	}
	if m.report == nil || len(m.report.Functions) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+delta, 0), len(m.report.Functions)-1)
	m.chosen = true
	m.sigCursor, m.detailOff = 0, 0
	m.selectCurrent()
	m.render()
}

// moveSig moves the signature cursor; without signatures it scrolls the
// detail.
func (m *Model) moveSig(delta int) {
	f := m.Function()
	if f == nil {
		return
	}
	if len(f.Signatures) == 0 {
		m.detailOff = min(max(m.detailOff+delta, 0), max(len(m.detail)-m.detailHeight(), 0))
		m.render()
		return
	}
	m.sigCursor = min(max(m.sigCursor+delta, 0), len(f.Signatures)-1)
	m.render()
}

func (m *Model) selectCurrent() {
	if f := m.Function(); f != nil {
		m.selected = f.Name
	} else {
		m.selected = ""
		m.inSigs = false
	}
}

func (m *Model) clampCursor() {
	n := 0
	if m.report != nil {
		n = len(m.report.Functions)
	}
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
}

// View implements the view contract: at most Height lines of at most Width
// cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.head...)
	if m.colHeader != "" {
		lines = append(lines, m.colHeader)
	}
	lines = append(lines, m.rows...)
	if h := m.detailHeight(); h > 0 && len(m.detail) > 0 {
		end := min(m.detailOff+h, len(m.detail))
		lines = append(lines, m.detail[min(m.detailOff, end):end]...)
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}
