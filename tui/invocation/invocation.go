// Package invocation is fntop's view of one invocation as a unit: the
// figures of its platform report (duration, billed time, memory, cold start
// or restore, status and error, trace ID, version, stream) and its log
// lines from START to REPORT.
//
// The view follows the contract of tui/common. The root reads the store's
// record of the request (common.InvocationConsumer) and its log lines
// (common.LogsConsumer, LogQuery.RequestID) in a command. A request the
// store no longer holds (evicted) is said so, and the log lines still kept
// are shown. Every string from logs or sources goes through termsafe.
package invocation

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// maxLines bounds the log lines kept for one request.
const maxLines = 2000

// wheelStep is how many lines a mouse wheel notch scrolls.
const wheelStep = 3

// KeyMap are the invocation view's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Logs                                    key.Binding
	Function                                key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Logs:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "function logs")),
		Function: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open function")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Function, k.Logs, k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Function, k.Logs}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Model is the invocation view. It is a value; the root stores it by type.
type Model struct {
	st        common.Styles
	keys      KeyMap
	function  string
	requestID string

	width, height int

	rec     model.InvocationRecord
	known   bool // the store answered
	found   bool // and holds the record
	lines   []model.LogEntry
	lastSeq uint64

	// Rendered when data or size changes.
	top    []string // title and figures: always shown
	body   []string // log lines: scrolled
	scroll int
}

var (
	_ common.View               = (*Model)(nil)
	_ common.LogsConsumer       = (*Model)(nil)
	_ common.InvocationConsumer = (*Model)(nil)
)

// New returns the view of one request of a function.
func New(st common.Styles, function, requestID string) Model {
	m := Model{st: st, keys: DefaultKeyMap(), function: function, requestID: requestID}
	m.render()
	return m
}

// Function and RequestID name the invocation shown.
func (m Model) Function() string { return m.function }

// RequestID is the request shown.
func (m Model) RequestID() string { return m.requestID }

// Found reports whether the store held the request's record when last
// asked.
func (m Model) Found() bool { return m.found }

// SetSize implements the view contract.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.render()
}

// SetSnapshot implements the view contract; the view reads the record.
func (m *Model) SetSnapshot(*model.Snapshot) {}

// Keys implements the view contract.
func (m Model) Keys() help.KeyMap {
	k := m.keys
	scrollable := m.maxScroll() > 0
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(scrollable)
	}
	return k
}

// Capturing implements the view contract.
func (m Model) Capturing() bool { return false }

// InvocationQuery implements common.InvocationConsumer.
func (m Model) InvocationQuery() (string, string) { return m.function, m.requestID }

// SetInvocation implements common.InvocationConsumer.
func (m *Model) SetInvocation(rec model.InvocationRecord, found bool) {
	if m.known && found == m.found && rec == m.rec {
		return
	}
	m.rec, m.found, m.known = rec, found, true
	m.render()
}

// LogQuery implements common.LogsConsumer: the request's lines newer than
// those held.
func (m Model) LogQuery() model.LogQuery {
	return model.LogQuery{Function: m.function, RequestID: m.requestID, AfterSeq: m.lastSeq}
}

// AddLogs implements common.LogsConsumer; lines of other requests are
// ignored.
func (m *Model) AddLogs(in []model.LogEntry) {
	added := false
	for _, e := range in {
		if e.Seq <= m.lastSeq || e.RequestID != m.requestID || (e.Function != "" && e.Function != m.function) {
			continue
		}
		m.lines = append(m.lines, e)
		m.lastSeq = e.Seq
		added = true
	}
	if !added {
		return
	}
	if n := len(m.lines) - maxLines; n > 0 {
		m.lines = append(m.lines[:0:0], m.lines[n:]...)
	}
	m.render()
}

// Update handles keys and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Function):
			name := m.function
			return m, func() tea.Msg { return common.OpenFunctionMsg{Name: name} }
		case key.Matches(msg, k.Logs):
			name := m.function
			return m, func() tea.Msg { return common.OpenLogsMsg{Function: name} }
		case key.Matches(msg, k.Up):
			m.scrollBy(-1)
		case key.Matches(msg, k.Down):
			m.scrollBy(1)
		case key.Matches(msg, k.PageUp):
			m.scrollBy(-max(m.bodyHeight()-1, 1))
		case key.Matches(msg, k.PageDown):
			m.scrollBy(max(m.bodyHeight()-1, 1))
		case key.Matches(msg, k.Top):
			m.scroll = 0
		case key.Matches(msg, k.Bottom):
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

func (m *Model) scrollBy(n int) { m.scroll = min(max(m.scroll+n, 0), m.maxScroll()) }

func (m Model) bodyHeight() int { return max(m.height-len(m.top), 0) }

func (m Model) maxScroll() int { return max(len(m.body)-m.bodyHeight(), 0) }

// View implements the view contract.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.top...)
	if h := m.bodyHeight(); h > 0 {
		end := min(m.scroll+h, len(m.body))
		lines = append(lines, m.body[min(m.scroll, end):end]...)
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

// render builds the figures and the log lines for the current size.
func (m *Model) render() {
	m.top, m.body = nil, nil
	if m.width <= 0 || m.height <= 0 {
		m.scroll = 0
		return
	}
	st := m.st
	fit := func(s string) string {
		if ansi.StringWidth(s) <= m.width {
			return s
		}
		return ansi.Truncate(s, m.width, "…")
	}
	title := " invocation " + termsafe.Text(m.requestID) + " · λ " + termsafe.Text(m.function) + " "
	top := []string{st.Header.Render(padRight(fit(title), m.width))}

	r := &m.rec
	switch {
	case !m.known:
		top = append(top, fit(st.Subtle.Render("reading the store…")))
	case !m.found:
		top = append(top, fit(st.Warn.Render("this request is no longer in the store (evicted) or was never reported:")+
			st.Subtle.Render(" showing the log lines still kept")))
	default:
		item := func(label, value string) string { return st.Subtle.Render(label+" ") + value }
		status := st.OK.Render("success")
		if r.Error != model.ErrNone || r.Status != "" {
			s := r.Error.String()
			if r.Status != "" && r.Status != s {
				s += " (" + termsafe.Text(r.Status) + ")"
			}
			status = st.Error.Render(s)
		}
		cold := st.Subtle.Render("warm")
		switch {
		case r.RestoreDurationMs > 0:
			cold = st.Cold.Render("restore " + common.Ms(r.RestoreDurationMs))
			if r.BilledRestoreMs > 0 {
				cold += st.Subtle.Render(" (billed " + common.Ms(r.BilledRestoreMs) + ")")
			}
		case r.InitDurationMs > 0:
			cold = st.Cold.Render("cold start, init " + common.Ms(r.InitDurationMs))
		}
		mem := "-"
		if r.MemorySizeMB > 0 || r.MaxMemoryUsedMB > 0 {
			mem = fmt.Sprintf("%d/%d MB", r.MaxMemoryUsedMB, r.MemorySizeMB)
		}
		groups := [][]string{
			{item("at", st.Base.Render(r.Time.UTC().Format("2006-01-02 15:04:05.000")+" UTC")), item("status", status), cold},
			{item("duration", st.Bold.Render(common.Ms(r.DurationMs))), item("billed", st.Base.Render(common.Ms(r.BilledMs))), item("memory used", st.Base.Render(mem))},
		}
		var where []string
		if r.Version != "" {
			where = append(where, item("version", st.Base.Render(termsafe.Text(r.Version))))
		}
		if r.Stream != "" {
			where = append(where, item("stream", st.Base.Render(termsafe.Text(r.Stream))))
		}
		if r.TraceID != "" {
			where = append(where, item("trace", st.Base.Render(termsafe.Text(r.TraceID))))
		}
		if r.Source != "" {
			where = append(where, item("source", st.Subtle.Render(termsafe.Text(r.Source))))
		}
		if len(where) > 0 {
			groups = append(groups, where)
		}
		for _, g := range groups {
			top = append(top, flow(g, m.width)...)
		}
		if r.ErrorType != "" || r.ErrorMessage != "" {
			e := st.Subtle.Render("error ")
			if r.ErrorType != "" {
				e += st.Warn.Render(termsafe.Text(r.ErrorType)) + " "
			}
			e += st.Error.Render(oneLine(r.ErrorMessage))
			top = append(top, fit(e))
		}
	}
	top = append(top, fit(st.Accent.Bold(true).Render("Log lines")+st.Subtle.Render(fmt.Sprintf(" (%d)", len(m.lines)))))
	// The figures never take the whole view: the log lines keep a few rows.
	if keep := max(m.height-3, 1); len(top) > keep {
		top = top[:keep]
	}
	m.top = top

	body := make([]string, 0, len(m.lines))
	if len(m.lines) == 0 && m.known {
		body = append(body, fit(st.Subtle.Render("  no log lines of this request are kept")))
	}
	for i := range m.lines {
		body = append(body, m.logLines(&m.lines[i], fit)...)
	}
	m.body = body
	m.scroll = min(m.scroll, m.maxScroll())
}

// logLines renders one log line: its time, level and message, the
// message's own lines indented below the first.
func (m *Model) logLines(e *model.LogEntry, fit func(string) string) []string {
	st := m.st
	msg := st.Base
	switch {
	case e.Level >= model.LevelError || e.Kind == model.LineFailure:
		msg = st.Error
	case e.Level == model.LevelWarn:
		msg = st.Warn
	case e.Kind == model.LinePlatform:
		msg = st.Subtle
	}
	prefix := "  " + clockMs(e.Time) + " "
	if lv := e.Level.String(); lv != "" {
		prefix += padRight(lv, 5) + " "
	}
	parts := termsafe.Lines(e.Message)
	out := make([]string, 0, len(parts))
	indent := strings.Repeat(" ", ansi.StringWidth(prefix))
	for i, p := range parts {
		p = strings.ReplaceAll(p, "\t", "    ")
		if i == 0 {
			out = append(out, fit(st.Subtle.Render(prefix)+msg.Render(p)))
		} else {
			out = append(out, fit(indent+msg.Render(p)))
		}
	}
	return out
}

func clockMs(t time.Time) string {
	if t.IsZero() {
		return "--:--:--.---"
	}
	return t.UTC().Format("15:04:05.000")
}

// oneLine makes text from logs safe and flat.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.Join(termsafe.Lines(s), " ↵ "), "\t", " ")
}

func padRight(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// flow joins items with two spaces, wrapping to width; an item wider than
// the width is truncated.
func flow(items []string, width int) []string {
	var out []string
	cur, curW := "", 0
	cut := func(s string) string {
		if ansi.StringWidth(s) <= width {
			return s
		}
		return ansi.Truncate(s, width, "…")
	}
	for _, it := range items {
		iw := ansi.StringWidth(it)
		switch {
		case curW == 0:
		case curW+2+iw <= width:
			cur += "  " + it
			curW += 2 + iw
			continue
		default:
			out = append(out, cut(cur))
		}
		cur, curW = it, iw
	}
	if curW > 0 {
		out = append(out, cut(cur))
	}
	return out
}
