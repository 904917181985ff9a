package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fakeData answers snapshots naming one function, fn, and records what
// was asked.
type fakeData struct {
	mu    sync.Mutex
	fn    string
	asked []model.SnapshotOptions
	logQ  []model.LogQuery
	panic bool
	state model.SourceState // of the source "demo" (default ok)
}

func (d *fakeData) Snapshot(o model.SnapshotOptions) *model.Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.panic {
		panic("store exploded")
	}
	d.asked = append(d.asked, o)
	s := snapWith(d.fn)
	if d.state != "" {
		s.Sources[0].State = d.state
	}
	return s
}

func (d *fakeData) Logs(q model.LogQuery) []model.LogEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.logQ = append(d.logQ, q)
	return []model.LogEntry{{Seq: q.AfterSeq + 1, Time: t0, Function: d.fn, LogLine: model.LogLine{Message: "hello from " + d.fn}}}
}

func (d *fakeData) Invocation(function, requestID string) (model.InvocationRecord, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if function != d.fn || requestID != "req-1" {
		return model.InvocationRecord{}, false
	}
	return model.InvocationRecord{Time: t0, Function: function, Source: "demo", Invocation: model.Invocation{RequestID: requestID, DurationMs: 12}}, true
}

func (d *fakeData) RecentInvocations(function string, limit int) []model.InvocationRecord {
	if rec, ok := d.Invocation(function, "req-1"); ok {
		return []model.InvocationRecord{rec}
	}
	return nil
}

func snapWith(names ...string) *model.Snapshot {
	s := &model.Snapshot{
		Version: 7,
		Window:  model.WindowInfo{Label: "5m", Start: t0.Add(-5 * time.Minute), End: t0, Seconds: 300},
		Sources: []model.SourceInfo{{Name: "demo", State: model.StateOK, Updated: t0.Add(-2 * time.Second)}},
		Pricing: model.PricingInfo{Table: "test-prices"},
	}
	for _, n := range names {
		s.Functions = append(s.Functions, model.FunctionStats{Name: n, Source: "demo", Invocations: 42, FirstSeen: t0.Add(-time.Hour), LastSeen: t0})
	}
	s.Totals.Functions = len(names)
	return s
}

func newTest(t *testing.T, d common.Data, w, h int) Model {
	t.Helper()
	m := New(d, Options{Clock: func() time.Time { return t0 }, Refresh: time.Millisecond})
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	m2, _ := updateCmd(t, m, msg)
	return m2
}

func updateCmd(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	tm, cmd := m.Update(msg)
	m2, ok := tm.(Model)
	if !ok {
		t.Fatalf("Update returned %T", tm)
	}
	return m2, cmd
}

// press sends a key and then the navigation messages its command yields,
// as the program would.
func press(t *testing.T, m Model, k string) Model {
	t.Helper()
	m, cmd := updateCmd(t, m, keyMsg(k))
	for _, msg := range navOf(cmd) {
		m = update(t, m, msg)
	}
	return m
}

func navOf(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case common.OpenFunctionMsg, common.OpenLogsMsg, common.BackMsg:
		return []tea.Msg{msg}
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, navOf(c)...)
		}
		return out
	}
	return nil
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// dataOf runs a command and returns the dataMsg it yields (through
// batches; ticks fire at once with Refresh 1ms).
func dataOf(t *testing.T, cmd tea.Cmd) (dataMsg, bool) {
	t.Helper()
	if cmd == nil {
		return dataMsg{}, false
	}
	switch msg := cmd().(type) {
	case dataMsg:
		return msg, true
	case tea.BatchMsg:
		for _, c := range msg {
			if d, ok := dataOf(t, c); ok {
				return d, true
			}
		}
	}
	return dataMsg{}, false
}

// checkFits fails when a frame has more lines or wider lines than the
// terminal.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	if h == 0 || w == 0 {
		if view != "" {
			t.Errorf("%dx%d: %q", w, h, view)
		}
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells: %q", w, h, i, lw, ansi.Strip(l))
		}
	}
}

func TestNewDefaults(t *testing.T) {
	m := New(&fakeData{}, Options{})
	if m.Window() != model.Window5m || m.refresh != time.Second || m.Paused() {
		t.Errorf("defaults: window %v refresh %v paused %v", m.Window(), m.refresh, m.Paused())
	}
	if got := m.Stack(); len(got) != 1 || got[0] != "fleet" {
		t.Errorf("stack %v", got)
	}
	if m.View() != "" {
		t.Error("a frame was drawn before the terminal's size is known")
	}
	m = New(&fakeData{}, Options{Function: "checkout", Logs: true, Window: time.Hour})
	if got := strings.Join(m.Stack(), " "); got != "fleet function:checkout logs:checkout" {
		t.Errorf("initial stack %q", got)
	}
	if m.Window() != time.Hour {
		t.Errorf("window %v", m.Window())
	}
}

func TestLayoutFitsTheTerminal(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	for _, size := range [][2]int{{120, 40}, {80, 24}, {40, 10}, {200, 60}} {
		w, h := size[0], size[1]
		m := newTest(t, d, w, h)
		m = update(t, m, dataMsg{seq: m.seq, view: m.top(), snap: snapWith("alpha")})
		for _, step := range []tea.Msg{nil, common.OpenFunctionMsg{Name: "alpha"}, common.OpenLogsMsg{Function: "alpha"}, keyMsg("?"), keyMsg("?"),
			common.OpenTriageMsg{}, common.OpenInvocationMsg{Function: "alpha", RequestID: "req-1"}} {
			if step != nil {
				m = update(t, m, step)
			}
			v := m.View()
			checkFits(t, v, w, h)
			if n := strings.Count(v, "\n") + 1; n != h {
				t.Errorf("%dx%d %v: %d lines, want the full height", w, h, m.Stack(), n)
			}
			plain := ansi.Strip(v)
			if !strings.HasPrefix(plain, "fntop") {
				t.Errorf("%dx%d: no title line: %q", w, h, strings.SplitN(plain, "\n", 2)[0])
			}
		}
	}
}

func TestTooSmall(t *testing.T) {
	for _, size := range [][2]int{{20, 5}, {39, 10}, {40, 9}, {1, 1}, {0, 0}, {10, 2}} {
		w, h := size[0], size[1]
		m := newTest(t, &fakeData{fn: "alpha"}, w, h)
		v := m.View()
		checkFits(t, v, w, h)
		if w >= 20 && h >= 3 {
			flat := strings.Join(strings.Fields(ansi.Strip(v)), " ")
			want := fmt.Sprintf("terminal too small (need 40x10, have %dx%d)", w, h)
			if flat != want {
				t.Errorf("%dx%d: %q, want %q", w, h, flat, want)
			}
		}
		// Keys other than quitting do nothing there.
		m = update(t, m, keyMsg("4"))
		m = update(t, m, keyMsg("L"))
		if m.Window() != model.Window5m || len(m.Stack()) != 1 {
			t.Errorf("%dx%d: keys acted on a hidden view: %v %v", w, h, m.Window(), m.Stack())
		}
		if _, cmd := updateCmd(t, m, keyMsg("q")); cmd == nil || cmd() != tea.Quit() {
			t.Errorf("%dx%d: q does not quit", w, h)
		}
	}
	// Growing again shows the views.
	m := newTest(t, &fakeData{}, 20, 5)
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(m.View(), "too small") {
		t.Error("still too small at 80x24")
	}
}

func TestWindowKeys(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	steps := []struct {
		key  string
		want time.Duration
		cmd  bool
	}{
		{"1", model.Window1m, true},
		{"1", model.Window1m, false}, // no change, no fetch
		{"4", model.Window1h, true},
		{"]", model.Window1h, false},
		{"[", model.Window15m, true},
		{"3", model.Window15m, false},
		{"2", model.Window5m, true},
		{"[", model.Window1m, true},
		{"[", model.Window1m, false},
	}
	for i, s := range steps {
		seq := m.seq
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, keyMsg(s.key))
		if m.Window() != s.want {
			t.Fatalf("step %d (%s): window %v, want %v", i, s.key, m.Window(), s.want)
		}
		if (cmd != nil) != s.cmd {
			t.Fatalf("step %d (%s): command %v, want one: %v", i, s.key, cmd != nil, s.cmd)
		}
		if s.cmd {
			asked := len(d.asked)
			msg, ok := dataOf(t, cmd)
			if !ok || msg.seq != seq+1 || m.seq != seq+1 {
				t.Fatalf("step %d: fetch seq %d (model %d), want %d", i, msg.seq, m.seq, seq+1)
			}
			// The view's snapshot comes first; the triage report's
			// baseline follows.
			if first := d.asked[asked]; first.Window != s.want || !first.Series {
				t.Errorf("step %d: fetched %+v", i, first)
			}
			if msg.report == nil || msg.report.Options.Window != s.want {
				t.Errorf("step %d: the fleet got no report for the window", i)
			}
		}
	}
	if !strings.Contains(ansi.Strip(m.View()), "window 1m") {
		t.Error("status bar does not show the window")
	}
}

func TestDataIsAppliedAndStaleDataDropped(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	first := m.seq
	m, _ = m.refreshNow() // a key asked for fresher data: first is stale
	if m.seq != first+1 || !m.inflight {
		t.Fatalf("seq %d inflight %v", m.seq, m.inflight)
	}
	m = update(t, m, dataMsg{seq: first, view: m.top(), snap: snapWith("stale-fn")})
	if strings.Contains(m.View(), "stale-fn") || !m.inflight {
		t.Fatal("an answer to an older fetch was applied")
	}
	m = update(t, m, dataMsg{seq: m.seq, view: m.top(), snap: snapWith("fresh-fn")})
	if !strings.Contains(m.View(), "fresh-fn") || m.inflight {
		t.Fatalf("the current answer was not applied:\n%s", ansi.Strip(m.View()))
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "demo ok") || !strings.Contains(v, "updated 2s ago") || !strings.Contains(v, "test-prices") {
		t.Errorf("status bar lacks source health, freshness or prices:\n%s", v)
	}

	// An answer for a view that was closed meanwhile is dropped.
	fleetFrame := m.top()
	m = update(t, m, common.OpenFunctionMsg{Name: "alpha"})
	m = update(t, m, dataMsg{seq: m.seq, view: fleetFrame, snap: snapWith("for-the-fleet")})
	if strings.Contains(m.View(), "for-the-fleet") {
		t.Error("data for the fleet was applied to the function view")
	}
	// And so is one for an earlier view of the same kind.
	old := m.top()
	m = update(t, m, common.BackMsg{})
	m = update(t, m, common.OpenFunctionMsg{Name: "alpha"})
	if m.top() == old {
		t.Fatal("reopened view has the same id")
	}
	m = update(t, m, dataMsg{seq: m.seq, view: old, snap: snapWith("alpha")})
	if m.inflight {
		t.Error("the fetch was not marked answered")
	}
}

func TestTickFetchesOnlyWhenIdle(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	// The first fetch (Init's) is still out: a tick only re-arms.
	m2, cmd := updateCmd(t, m, tickMsg{})
	if m2.seq != m.seq {
		t.Error("a tick fetched while a fetch was out")
	}
	if msg := cmd(); msg != (tickMsg{}) {
		t.Errorf("tick re-armed with %T", msg)
	}
	m = update(t, m2, dataMsg{seq: m2.seq, view: m2.top(), snap: snapWith("alpha")})
	m2, cmd = updateCmd(t, m, tickMsg{})
	if m2.seq != m.seq+1 {
		t.Fatal("an idle tick did not fetch")
	}
	if _, ok := dataOf(t, cmd); !ok {
		t.Error("the tick's command yields no data")
	}
}

func TestPause(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	m = update(t, m, dataMsg{seq: m.seq, view: m.top(), snap: snapWith("alpha")})
	m, cmd := updateCmd(t, m, keyMsg("p"))
	if !m.Paused() || cmd != nil {
		t.Fatalf("paused %v cmd %v", m.Paused(), cmd != nil)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "PAUSED") {
		t.Error("PAUSED not shown")
	}
	// Ticks keep fetching (collection goes on) but nothing is shown.
	d.mu.Lock()
	d.fn, d.state = "beta", model.StateLagging
	d.mu.Unlock()
	m, cmd = updateCmd(t, m, tickMsg{})
	msg, ok := dataOf(t, cmd)
	if !ok || msg.explicit {
		t.Fatalf("tick fetch: %+v", msg)
	}
	if msg.withLogs {
		t.Error("logs fetched while paused")
	}
	m = update(t, m, msg)
	if v := ansi.Strip(m.View()); strings.Contains(v, "beta") {
		t.Error("data applied while paused")
	} else if !strings.Contains(v, "demo lagging") {
		t.Error("source health froze while paused")
	}
	// Resume applies the held data at once and fetches.
	m, cmd = updateCmd(t, m, keyMsg("p"))
	if m.Paused() || !strings.Contains(m.View(), "beta") {
		t.Fatal("resume did not apply the held data")
	}
	if _, ok := dataOf(t, cmd); !ok {
		t.Error("resume did not fetch")
	}

	// A key that changes what is shown applies its data even while paused.
	m = update(t, m, keyMsg("p"))
	d.mu.Lock()
	d.fn = "gamma"
	d.mu.Unlock()
	m, cmd = updateCmd(t, m, keyMsg("1"))
	msg, _ = dataOf(t, cmd)
	m = update(t, m, msg)
	if !m.Paused() || !strings.Contains(m.View(), "gamma") {
		t.Error("a window switch while paused did not show its window")
	}
}

func TestNavigation(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	stack := func() string { return strings.Join(m.Stack(), " ") }

	var cmd tea.Cmd
	m, cmd = updateCmd(t, m, common.OpenFunctionMsg{Name: "alpha"})
	if stack() != "fleet function:alpha" {
		t.Fatalf("stack %q", stack())
	}
	if _, ok := dataOf(t, cmd); !ok {
		t.Fatal("opening a view did not fetch at once")
	}
	if last := d.asked[len(d.asked)-1]; last.Function != "alpha" || !last.Series {
		t.Errorf("function view fetched %+v", last)
	}
	m, cmd = updateCmd(t, m, common.OpenLogsMsg{Function: "alpha"})
	if stack() != "fleet function:alpha logs:alpha" {
		t.Fatalf("stack %q", stack())
	}
	msg, _ := dataOf(t, cmd)
	if q := d.logQ[len(d.logQ)-1]; q.Function != "alpha" || !msg.withLogs {
		t.Errorf("logs view asked for %+v (withLogs %v)", q, msg.withLogs)
	}
	m = update(t, m, msg)
	if !strings.Contains(ansi.Strip(m.View()), "hello from alpha") {
		t.Errorf("log lines not handed to the logs view:\n%s", ansi.Strip(m.View()))
	}
	// L replaces a function's logs with the fleet's.
	m = update(t, m, keyMsg("L"))
	if stack() != "fleet function:alpha logs" {
		t.Fatalf("stack %q", stack())
	}
	m = press(t, m, "esc")
	if stack() != "fleet function:alpha" {
		t.Fatalf("after esc: %q", stack())
	}
	m = update(t, m, common.BackMsg{})
	if stack() != "fleet" {
		t.Fatalf("after back: %q", stack())
	}
	m = update(t, m, common.BackMsg{})
	m = press(t, m, "esc")
	if stack() != "fleet" {
		t.Fatalf("the fleet was closed: %q", stack())
	}
	// Opening a function from the fleet's logs keeps the logs below it.
	m = update(t, m, keyMsg("L"))
	m = update(t, m, common.OpenFunctionMsg{Name: "beta"})
	if stack() != "fleet logs function:beta" {
		t.Errorf("stack %q", stack())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(strings.SplitN(v, "\n", 2)[0], "beta") {
		t.Errorf("title line does not show the view: %q", strings.SplitN(v, "\n", 2)[0])
	}
}

func TestHelpAndQuit(t *testing.T) {
	m := newTest(t, &fakeData{fn: "alpha"}, 120, 40)
	m = update(t, m, keyMsg("?"))
	if !m.HelpShown() {
		t.Fatal("? did not open the help")
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"window 1h", "fleet logs", "pause/resume", "quit", "shorter window",
		"a triage (anomalies)", "i incident mode: pin T0 / leave", "W write incident report (.md)", "! sort anomaly score (triage)"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	// Keys other than closing ones do nothing on the help screen.
	m = update(t, m, keyMsg("4"))
	if m.Window() != model.Window5m || !m.HelpShown() {
		t.Error("a key acted behind the help")
	}
	m = update(t, m, keyMsg("esc"))
	if m.HelpShown() {
		t.Fatal("esc did not close the help")
	}
	m = update(t, m, keyMsg("?"))
	m = update(t, m, keyMsg("?"))
	if m.HelpShown() {
		t.Fatal("? did not close the help")
	}
	for _, k := range []string{"q", "ctrl+c"} {
		m2, cmd := updateCmd(t, m, keyMsg(k))
		if cmd == nil || cmd() != tea.Quit() {
			t.Errorf("%s does not quit", k)
		}
		if m2.View() != "" {
			t.Errorf("%s: a frame is drawn after quitting", k)
		}
	}
}

func TestMouseOutsideTheViewIsDropped(t *testing.T) {
	m := newTest(t, &fakeData{fn: "alpha"}, 120, 40)
	for _, y := range []int{0, 38, 39} {
		m2, cmd := updateCmd(t, m, tea.MouseMsg{X: 3, Y: y, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
		if cmd != nil || m2.View() != m.View() {
			t.Errorf("a click on row %d (title or status bar) reached the view", y)
		}
	}
}

func TestFetchPanicIsReported(t *testing.T) {
	dir := t.TempDir()
	d := &fakeData{fn: "alpha", panic: true}
	m := New(d, Options{CrashDir: dir, Clock: func() time.Time { return t0 }})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	msg, ok := dataOf(t, m.fetch())
	if !ok || msg.err == nil {
		t.Fatalf("a panicking store gave %+v", msg)
	}
	m = update(t, m, msg)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "store exploded") {
		t.Errorf("status bar does not show the failure:\n%s", v)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if len(files) != 1 {
		t.Fatalf("crash files: %v", files)
	}
	body, _ := os.ReadFile(files[0])
	if !strings.Contains(string(body), "store exploded") || !strings.Contains(string(body), "goroutine") {
		t.Errorf("crash file lacks the panic or its stack:\n%s", body)
	}
}

func TestGuardLogsPanicsAndPanicsOn(t *testing.T) {
	dir := t.TempDir()
	m := Model{crashDir: dir}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "boom") {
				t.Errorf("guard swallowed or changed the panic: %v", r)
			}
		}()
		defer m.guard()
		panic("boom")
	}()
	if files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log")); len(files) != 1 {
		t.Errorf("crash files: %v", files)
	}
}
