// Package tui is fntop's terminal UI: the root model that lays out the
// views (tui/fleet, tui/function, tui/logs, tui/triage, tui/invocation),
// keeps the view stack, owns the global keys, pulls snapshots (and the
// triage report) from the store on a tick and draws the title line and the
// status bar. Only the root implements tea.Model.
//
// Incident mode pins T0: every snapshot, log query and report the UI asks
// for ends at T0 while the sources go on collecting, and the status bar
// says how much has come in since; the Markdown report of the incident is
// written to Options.ReportDir.
package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// Minimum terminal size; below it the UI shows a "terminal too small"
// screen instead of the views.
const (
	MinWidth  = 40
	MinHeight = 10
)

// Rows the root keeps for itself: the title line above the view and the
// two status lines below it.
const (
	headerHeight = 1
	statusHeight = 2
)

// Defaults of Options.
const (
	DefaultWindow  = model.Window5m
	DefaultRefresh = time.Second
)

// windows are the windows offered by the keys, shortest first.
var windows = [...]time.Duration{model.Window1m, model.Window5m, model.Window15m, model.Window1h}

// Options configure the UI. The zero value is usable.
type Options struct {
	// Styles are built from the theme; zero means the default theme.
	Styles common.Styles
	// Window is the initial window (default 5m).
	Window time.Duration
	// Refresh is how often the UI pulls a snapshot (default 1s).
	Refresh time.Duration
	// Clock gives "now" for freshness ("updated 2s ago"); default time.Now.
	Clock func() time.Time
	// Sources name the sources shown in the status bar before the first
	// snapshot arrives.
	Sources []string
	// Function opens that function's view at start (on top of the fleet).
	Function string
	// Logs opens the logs view at start: of Function, or of the whole
	// fleet when Function is empty.
	Logs bool
	// Location is the time zone of log times (default local time).
	Location *time.Location
	// CrashDir is where a panic's stack is written. Run defaults it to
	// CrashDir(); empty in New means panics are not logged.
	CrashDir string
	// ReportDir is where incident reports are written (default ".").
	ReportDir string
	// Warning is shown in the status bar from the start (a secret file
	// other users can read), until the next notice replaces it.
	Warning string
	// Prices price the triage report's cost what-if (default
	// model.DefaultPrices()).
	Prices *model.PriceTable
	// ProgramOptions are added to the program's options in Run (tests use
	// them for input and output).
	ProgramOptions []tea.ProgramOption
}

// viewKind names the views the root can stack.
type viewKind int

const (
	kindFleet viewKind = iota
	kindFunction
	kindLogs
	kindTriage
	kindInvocation
)

// frame is one entry of the view stack. id is unique per opened view, so
// data fetched for a view that has since been closed is recognised.
type frame struct {
	kind viewKind
	id   uint64
	name string // the function of a function, logs or invocation view ("" = the fleet)
	req  string // the request of an invocation view
}

// Model is the root of the UI.
type Model struct {
	data      common.Data
	styles    common.Styles
	keys      KeyMap
	help      help.Model
	clock     func() time.Time
	refresh   time.Duration
	crashDir  string
	location  *time.Location
	reportDir string
	prices    *model.PriceTable

	width, height int
	ready         bool // a size has arrived

	window   time.Duration
	paused   bool
	showHelp bool
	quitting bool

	stack    []frame
	nextID   uint64
	fleet    fleetView
	function functionView
	logs     logsView
	triage   triageView
	inv      invocationView

	incident incidentState
	// reportAt is when the fleet last got a report (the fleet asks for
	// one every reportEvery; the triage view on every fetch).
	reportAt time.Time

	seq      uint64   // the newest fetch asked for
	inflight bool     // it has not answered yet
	held     *dataMsg // the newest data received while paused
	status   statusInfo

	// stopped is closed when Run returns: a pending refresh tick then
	// ends at once instead of outliving the program by up to refresh.
	stopped <-chan struct{}
}

// statusInfo is what the status bar shows of the store.
type statusInfo struct {
	sources  []model.SourceInfo
	pricing  string
	version  uint64
	fetchErr string
	// notice is the outcome of the last export ("report written to ...").
	notice    string
	noticeErr bool
}

// New builds the root model. It shows the fleet, then Options.Function
// and Options.Logs on top when set.
func New(data common.Data, opts Options) Model {
	if opts.Styles.Theme.Name == "" {
		t, _ := themes.Builtin(themes.Default) // embedded: cannot fail
		opts.Styles = common.NewStyles(t)
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.ReportDir == "" {
		opts.ReportDir = "."
	}
	if opts.Prices == nil {
		opts.Prices = model.DefaultPrices()
	}
	m := Model{
		data:      data,
		styles:    opts.Styles,
		keys:      DefaultKeyMap(),
		help:      newHelp(opts.Styles),
		clock:     opts.Clock,
		refresh:   opts.Refresh,
		crashDir:  opts.CrashDir,
		location:  opts.Location,
		window:    opts.Window,
		reportDir: opts.ReportDir,
		prices:    opts.Prices,
		inflight:  true, // Init's first fetch
	}
	if opts.Warning != "" {
		m.status.notice, m.status.noticeErr = "warning: "+opts.Warning, true
	}
	for _, n := range opts.Sources {
		m.status.sources = append(m.status.sources, model.SourceInfo{Name: n, State: model.StateStarting})
	}
	m.push(kindFleet, "")
	if opts.Function != "" {
		m.push(kindFunction, opts.Function)
	}
	if opts.Logs {
		m.push(kindLogs, opts.Function)
	}
	m.tellFocus()
	return m
}

func newHelp(st common.Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       st.Subtle,
		ShortKey:       st.Accent,
		ShortDesc:      st.Subtle,
		ShortSeparator: st.Subtle,
		FullKey:        st.Accent,
		FullDesc:       st.Base,
		FullSeparator:  st.Subtle,
	}
	return h
}

// Init starts the refresh tick and the first fetch.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.tick(), m.fetch())
}

// Update routes a message to its handler.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer m.guard()
	if testPanic != nil {
		testPanic(msg)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg.Width, msg.Height), nil
	case tickMsg:
		return m.onTick()
	case dataMsg:
		return m.onData(msg), nil
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	case common.OpenFunctionMsg:
		return m.open(kindFunction, msg.Name)
	case common.OpenLogsMsg:
		return m.open(kindLogs, msg.Function)
	case common.BackMsg:
		return m.back()
	case common.OpenTriageMsg:
		return m.open(kindTriage, "")
	case common.OpenInvocationMsg:
		return m.openInvocation(msg.Function, msg.RequestID)
	case pinMsg:
		return m.onPin(msg)
	case exportMsg:
		return m.onExport(msg), nil
	}
	// A view's own message (a blink, an async result): every stacked view
	// sees it, and each ignores what is not its own.
	var cmds []tea.Cmd
	for _, f := range m.stack {
		var cmd tea.Cmd
		m, cmd = m.updateView(f.kind, msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// View draws the title line, the active view (or the help) and the status
// bar, never more than the terminal's size.
func (m Model) View() string {
	defer m.guard()
	switch {
	case m.quitting || !m.ready:
		return ""
	case m.tooSmall():
		return tooSmallView(m.width, m.height)
	}
	var body string
	if m.showHelp {
		body = m.helpView()
	} else {
		body = m.active().View()
	}
	return m.headerView() + "\n" + fit(body, m.width, m.viewHeight()) + "\n" + m.statusView()
}

// Window is the window the figures cover.
func (m Model) Window() time.Duration { return m.window }

// Paused reports whether new data is held back.
func (m Model) Paused() bool { return m.paused }

// Stack names the views from the bottom (always "fleet") to the active
// one: "fleet", "function:NAME", "logs" (the fleet's) or "logs:NAME".
func (m Model) Stack() []string {
	out := make([]string, len(m.stack))
	for i, f := range m.stack {
		out[i] = f.String()
	}
	return out
}

// HelpShown reports whether the help screen is up.
func (m Model) HelpShown() bool { return m.showHelp }

// Incident is incident mode's T0 (zero when not in incident mode).
func (m Model) Incident() time.Time { return m.incident.t0 }

func (f frame) String() string {
	s := [...]string{kindFleet: "fleet", kindFunction: "function", kindLogs: "logs", kindTriage: "triage", kindInvocation: "invocation"}[f.kind]
	if f.name != "" {
		s += ":" + f.name
	}
	if f.req != "" {
		s += "/" + f.req
	}
	return s
}

// --- layout

func (m Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

func (m Model) viewHeight() int { return max(m.height-headerHeight-statusHeight, 0) }

func (m Model) resize(w, h int) Model {
	m.width, m.height, m.ready = max(w, 0), max(h, 0), true
	m.help.Width = m.width
	if !m.tooSmall() {
		for _, f := range m.stack {
			m.view(f.kind).SetSize(m.width, m.viewHeight())
		}
	}
	return m
}

// --- the view stack

func (m Model) top() frame { return m.stack[len(m.stack)-1] }

// active is the view on top of the stack.
func (m *Model) active() common.View { return m.view(m.top().kind) }

func (m *Model) view(k viewKind) common.View {
	switch k {
	case kindFunction:
		return &m.function
	case kindLogs:
		return &m.logs
	case kindTriage:
		return &m.triage
	case kindInvocation:
		return &m.inv
	}
	return &m.fleet
}

// updateView hands a message to one view by its concrete type.
func (m Model) updateView(k viewKind, msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch k {
	case kindFleet:
		m.fleet, cmd = m.fleet.Update(msg)
	case kindFunction:
		m.function, cmd = m.function.Update(msg)
	case kindLogs:
		m.logs, cmd = m.logs.Update(msg)
	case kindTriage:
		m.triage, cmd = m.triage.Update(msg)
	case kindInvocation:
		m.inv, cmd = m.inv.Update(msg)
	}
	return m, cmd
}

// push builds a view of kind k on top of the stack. A kind appears once in
// the stack: opening one that is already there closes it and what is above.
func (m *Model) push(k viewKind, name string) { m.pushFrame(frame{kind: k, name: name}) }

// pushFrame is push with the whole frame (an invocation view names its
// request too).
func (m *Model) pushFrame(fr frame) {
	k, name := fr.kind, fr.name
	for i, f := range m.stack {
		if f.kind == k {
			m.stack = m.stack[:i]
			break
		}
	}
	fr.id = m.nextID
	m.stack = append(m.stack[:len(m.stack):len(m.stack)], fr)
	m.nextID++
	switch k {
	case kindFleet:
		m.fleet = m.newFleet()
	case kindFunction:
		m.function = m.newFunction(name)
	case kindLogs:
		m.logs = m.newLogs(name)
	case kindTriage:
		m.triage = m.newTriage()
	case kindInvocation:
		m.inv = m.newInvocation(name, fr.req)
	}
	if m.ready && !m.tooSmall() {
		m.view(k).SetSize(m.width, m.viewHeight())
	}
}

// open shows a new view and fetches its data at once.
func (m Model) open(k viewKind, name string) (Model, tea.Cmd) {
	m.showHelp = false
	m.push(k, name)
	m.held = nil
	m.tellFocus()
	return m.refreshNow()
}

// openInvocation shows the invocation view of one request.
func (m Model) openInvocation(function, requestID string) (Model, tea.Cmd) {
	if requestID == "" {
		return m, nil
	}
	m.showHelp = false
	m.pushFrame(frame{kind: kindInvocation, name: function, req: requestID})
	m.held = nil
	m.tellFocus()
	return m.refreshNow()
}

// Focuser is implemented by data that wants to know which functions the
// user is looking at (model.Store: sources follow them more closely).
type Focuser interface {
	SetFocus(names ...string)
}

// tellFocus tells the data the functions of the open views.
func (m Model) tellFocus() {
	f, ok := m.data.(Focuser)
	if !ok {
		return
	}
	var names []string
	for _, fr := range m.stack {
		if fr.name != "" {
			names = append(names, fr.name)
		}
	}
	f.SetFocus(names...)
}

// back closes the active view; the fleet is never closed.
func (m Model) back() (Model, tea.Cmd) {
	if len(m.stack) <= 1 {
		return m, nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.held = nil
	m.tellFocus()
	return m.refreshNow()
}

// --- window and pause

func (m Model) setWindow(w time.Duration) (Model, tea.Cmd) {
	if w == m.window {
		return m, nil
	}
	m.window = w
	return m.refreshNow()
}

// stepWindow moves to the next shorter (-1) or longer (+1) window.
func (m Model) stepWindow(dir int) (Model, tea.Cmd) {
	i := -1
	for j, w := range windows {
		if w == m.window {
			i = j
		}
	}
	switch {
	case i < 0 && dir > 0:
		i = 0
	case i < 0:
		i = len(windows) - 1
	default:
		i = min(max(i+dir, 0), len(windows)-1)
	}
	return m.setWindow(windows[i])
}

func (m Model) togglePause() (Model, tea.Cmd) {
	m.paused = !m.paused
	if m.paused {
		return m, nil
	}
	if m.held != nil {
		m = m.apply(*m.held)
		m.held = nil
	}
	return m.refreshNow()
}
