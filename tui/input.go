package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
)

// onKey handles the global keys and hands the rest to the active view. A
// view that is capturing text gets every key but ctrl+c.
func (m Model) onKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.ForceQuit):
		return m.quit()
	case !m.ready || m.tooSmall():
		if key.Matches(msg, m.keys.Quit) {
			return m.quit()
		}
		return m, nil
	case m.showHelp:
		return m.onHelpKey(msg)
	case m.active().Capturing():
		return m.updateView(m.top().kind, msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, m.keys.Back) && len(m.stack) > 1 && !m.viewBinds(msg):
		// A view that binds esc itself (to clear a filter, say) sends
		// BackMsg when it has nothing left to clear.
		return m.back()
	case key.Matches(msg, m.keys.Window1m):
		return m.setWindow(model.Window1m)
	case key.Matches(msg, m.keys.Window5m):
		return m.setWindow(model.Window5m)
	case key.Matches(msg, m.keys.Window15m):
		return m.setWindow(model.Window15m)
	case key.Matches(msg, m.keys.Window1h):
		return m.setWindow(model.Window1h)
	case key.Matches(msg, m.keys.PrevWindow):
		return m.stepWindow(-1)
	case key.Matches(msg, m.keys.NextWindow):
		return m.stepWindow(+1)
	case key.Matches(msg, m.keys.Pause):
		return m.togglePause()
	case key.Matches(msg, m.keys.FleetLogs):
		return m.open(kindLogs, "")
	case key.Matches(msg, m.keys.Triage):
		return m.open(kindTriage, "")
	case key.Matches(msg, m.keys.Incident):
		return m.toggleIncident()
	case key.Matches(msg, m.keys.Export):
		return m.exportReport()
	}
	// esc on the fleet, and every key the root does not own.
	return m.updateView(m.top().kind, msg)
}

// onHelpKey: on the help screen, ? and esc close it, q quits, other keys
// do nothing.
func (m Model) onHelpKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help), key.Matches(msg, m.keys.Back):
		m.showHelp = false
	}
	return m, nil
}

func (m Model) quit() (Model, tea.Cmd) {
	m.quitting = true
	return m, tea.Quit
}

// onMouse hands mouse events inside the view's rectangle to the view, with
// coordinates relative to its top-left corner.
func (m Model) onMouse(msg tea.MouseMsg) (Model, tea.Cmd) {
	if !m.ready || m.tooSmall() || m.showHelp {
		return m, nil
	}
	msg.Y -= headerHeight
	if msg.Y < 0 || msg.Y >= m.viewHeight() || msg.X < 0 || msg.X >= m.width {
		return m, nil
	}
	return m.updateView(m.top().kind, msg)
}

// viewBinds reports whether the active view has an enabled binding for k.
func (m Model) viewBinds(k tea.KeyMsg) bool {
	for _, g := range m.active().Keys().FullHelp() {
		if key.Matches(k, g...) {
			return true
		}
	}
	return false
}
