package common

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/triage"
)

// The view contract. Each view (tui/fleet, tui/function, tui/logs,
// tui/triage, tui/invocation) is a value type Model in its own package,
// built by New(styles, ...), stored by the root by its concrete type, and:
//
//	func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) // keys, mouse (coordinates relative to the view's top-left), own messages
//	func (m Model) View() string                        // at most Height lines, each at most Width cells
//	func (m *Model) SetSize(width, height int)          // only the root lays out
//	func (m *Model) SetSnapshot(s *model.Snapshot)      // fresh data on each tick (not while paused)
//	func (m Model) Keys() help.KeyMap                   // for the help screen and the short help line
//	func (m Model) Capturing() bool                     // a text input has focus: the root passes every key to the view
//
// Views build their rows when data or size changes (in Update/SetSnapshot),
// not in View, and render only the visible rows. Text that comes from logs
// or sources goes through termsafe before it reaches a string that is drawn.
// Views may keep the snapshots they are given (they are immutable).

// View is the part of the contract the root can check at compile time; the
// Update method returns the concrete type and so is not part of it.
type View interface {
	View() string
	SetSize(width, height int)
	SetSnapshot(*model.Snapshot)
	Keys() help.KeyMap
	Capturing() bool
}

// LogsConsumer is implemented by views that show log lines: the root asks
// LogQuery() what to fetch and hands the result to AddLogs, on each tick.
type LogsConsumer interface {
	LogQuery() model.LogQuery
	AddLogs([]model.LogEntry)
}

// ReportConsumer is implemented by views that show the triage report
// (the fleet's anomaly column, the triage view): the root builds it with
// triage.Build in a command and hands it over. A nil report means none
// could be built yet.
type ReportConsumer interface {
	SetReport(*triage.Report)
}

// InvocationConsumer is implemented by the invocation view: the root asks
// InvocationQuery() which request to read and hands the store's record to
// SetInvocation (found false when the store does not hold it).
type InvocationConsumer interface {
	InvocationQuery() (function, requestID string)
	SetInvocation(rec model.InvocationRecord, found bool)
}

// KeyMsgIsText reports whether a key message is printable text, for views
// that edit text.
func KeyMsgIsText(k tea.KeyMsg) bool { return k.Type == tea.KeyRunes || k.Type == tea.KeySpace }
