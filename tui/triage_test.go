package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/demo"
	"github.com/fntop/fntop/tui/common"
)

// spikeAt is inside the demo fleet's error spike (minute 25-30 of every
// hour): order-processor fails about one invocation in three.
var spikeAt = time.Date(2026, 11, 25, 12, 28, 0, 0, time.UTC)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// spikeStore is the demo fleet (seed 1) over the hour before spikeAt, on a
// clock the test can move.
func spikeStore(t *testing.T) (*model.Store, *testClock) {
	t.Helper()
	c := &testClock{t: spikeAt}
	st := model.NewStore(model.Options{Clock: c.now})
	if err := demo.New(demo.Seed(1), demo.Clock(c.now)).Backfill(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st, c
}

func spikeModel(t *testing.T, st *model.Store, c *testClock, opts Options) Model {
	t.Helper()
	opts.Clock, opts.Location = c.now, time.UTC
	m := New(st, opts)
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return refresh(t, m)
}

// refresh runs a fetch for the active view and applies its answer.
func refresh(t *testing.T, m Model) Model {
	t.Helper()
	m, cmd := m.refreshNow()
	return run(t, m, cmd)
}

// run runs a command and feeds back every message it yields that the
// root handles (data, pins, exports, navigation), as the program would.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			m = run(t, m, c)
		}
	case dataMsg, pinMsg, exportMsg, common.OpenFunctionMsg, common.OpenLogsMsg, common.OpenInvocationMsg, common.OpenTriageMsg, common.BackMsg:
		var next tea.Cmd
		m, next = updateCmd(t, m, msg)
		m = run(t, m, next)
	}
	return m
}

// hit presses a key and runs what it starts.
func hit(t *testing.T, m Model, k string) Model {
	t.Helper()
	m, cmd := updateCmd(t, m, keyMsg(k))
	return run(t, m, cmd)
}

// body is the frame without the title line and the status bar.
func body(m Model) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	return strings.Join(lines[headerHeight:len(lines)-statusHeight], "\n")
}

func screen(m Model) string { return ansi.Strip(m.View()) }

// TestTriageViewAtTheDemoSpike: a opens the triage view from the fleet;
// at minute 28 order-processor, failing a third of its invocations, heads
// it, flagged, with its signatures; enter on its first signature opens
// the example request; enter in the list opens the function.
func TestTriageViewAtTheDemoSpike(t *testing.T) {
	st, c := spikeStore(t)
	m := spikeModel(t, st, c, Options{})
	m = hit(t, m, "a")
	if got := strings.Join(m.Stack(), " "); got != "fleet triage" {
		t.Fatalf("stack %q", got)
	}
	v := screen(m)
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[1], "Triage 5m") || !strings.Contains(lines[1], "T0 12:28:00 UTC") || !strings.Contains(lines[2], "baseline the preceding hour") {
		t.Errorf("header:\n%s", strings.Join(lines[:3], "\n"))
	}
	if f := strings.Fields(lines[4]); len(f) < 3 || f[0] != "●" || f[1] != "1" || f[2] != "order-processor" || !strings.Contains(lines[4], "error-rate spike") {
		t.Fatalf("first row %q:\n%s", lines[4], v)
	}
	for _, want := range []string{"Error signatures", "PaymentGatewayError", "Cost what-if"} {
		if !strings.Contains(v, want) {
			t.Errorf("triage view lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, m.View(), 120, 40)

	// The signature's example request, then back, then the function.
	sig := m.triage.Function().Signatures[0]
	m = hit(t, m, "tab")
	m = hit(t, m, "enter")
	if got := m.Stack(); len(got) != 3 || got[2] != "invocation:order-processor/"+sig.Example.RequestID {
		t.Fatalf("stack %v, want the invocation of %q", got, sig.Example.RequestID)
	}
	v = screen(m)
	for _, want := range []string{"invocation " + sig.Example.RequestID, "duration", "Log lines", "START RequestId: " + sig.Example.RequestID, "REPORT RequestId"} {
		if !strings.Contains(v, want) {
			t.Errorf("invocation view lacks %q:\n%s", want, v)
		}
	}
	if !m.inv.Found() {
		t.Error("the store's record of the request was not found")
	}
	m = hit(t, m, "esc")
	m = hit(t, m, "esc") // leaves the signature list
	m = hit(t, m, "enter")
	if got := strings.Join(m.Stack(), " "); got != "fleet triage function:order-processor" {
		t.Fatalf("stack %q", got)
	}
	// The fleet's anomaly column came from the same kind of report.
	m = hit(t, m, "esc")
	m = hit(t, m, "esc")
	m = hit(t, m, "!")
	if got := m.fleet.Selected(); got != "order-processor" {
		t.Errorf("sorted by anomaly, the top row is %q", got)
	}
}

// TestIncidentModeFreezesAtT0: i pins T0; data that arrives afterwards
// (new errors, a new function, log lines) does not change the views, while
// the status bar counts it; i again resumes and shows it.
func TestIncidentModeFreezesAtT0(t *testing.T) {
	st, c := spikeStore(t)
	m := spikeModel(t, st, c, Options{})
	m = hit(t, m, "i")
	if !m.Incident().Equal(spikeAt) {
		t.Fatalf("T0 %v, want %v", m.Incident(), spikeAt)
	}
	fleet := body(m)
	if v := screen(m); !strings.Contains(strings.Split(v, "\n")[0], "INCIDENT T0 12:28:00 UTC") || !strings.Contains(v, "collected since: 0s, 0 invocations") {
		t.Errorf("incident mode not shown:\n%s", v)
	}
	m = hit(t, m, "a")
	tri := body(m)
	m = hit(t, m, "esc")

	// Three minutes on: a burst of failures and a new function.
	c.set(spikeAt.Add(3 * time.Minute))
	var evs []model.Event
	for i := range 120 {
		at := spikeAt.Add(time.Duration(i+1) * time.Second)
		evs = append(evs,
			model.Event{Kind: model.KindInvocation, Source: "demo", Function: "zz-late-fn", Time: at,
				Invocation: model.Invocation{RequestID: fmt.Sprintf("late-%d", i), DurationMs: 10, BilledMs: 10, MemorySizeMB: 128, Error: model.ErrFunction, Status: "error"}},
			model.Event{Kind: model.KindLog, Source: "demo", Function: "order-processor", Time: at,
				Log: model.LogLine{Message: fmt.Sprintf("AFTER-T0 line %d", i), Level: model.LevelError}},
		)
	}
	st.Ingest(evs...)
	m, cmd := m.onTick()
	m = run(t, m, cmd)
	if got := body(m); got != fleet {
		t.Errorf("the fleet changed after T0:\n%s\n--- was:\n%s", got, fleet)
	}
	if v := screen(m); !strings.Contains(v, "collected since: 3m00s, 120 invocations") {
		t.Errorf("the status bar does not count what came in:\n%s", v)
	}
	m = hit(t, m, "a")
	if got := body(m); got != tri {
		t.Errorf("the triage view changed after T0:\n%s\n--- was:\n%s", got, tri)
	}
	m = hit(t, m, "esc")
	m = update(t, m, common.OpenLogsMsg{Function: "order-processor"})
	m = refresh(t, m)
	if v := screen(m); strings.Contains(v, "AFTER-T0") || m.logs.Len() == 0 {
		t.Errorf("log lines after T0 are shown (or none at all: %d):\n%s", m.logs.Len(), v)
	}
	// The window keys still work, ending at T0.
	m = hit(t, m, "esc")
	m = hit(t, m, "1")
	if v := screen(m); !strings.Contains(v, "Fleet 1m") || strings.Contains(v, "zz-late-fn") {
		t.Errorf("window 1m at T0:\n%s", v)
	}

	// Leaving incident mode shows what came in.
	m = hit(t, m, "i")
	if !m.Incident().IsZero() || strings.Contains(screen(m), "INCIDENT") {
		t.Fatal("i did not leave incident mode")
	}
	if v := screen(m); !strings.Contains(v, "zz-late-fn") {
		t.Errorf("after leaving, the new function is not shown:\n%s", v)
	}
	m = update(t, m, common.OpenLogsMsg{Function: "order-processor"})
	m = refresh(t, m)
	if v := screen(m); !strings.Contains(v, "AFTER-T0") {
		t.Errorf("after leaving, the new log lines are not shown:\n%s", v)
	}
}

// TestIncidentExport: W writes the Markdown report of the incident at T0
// to the report directory, named after T0, with the offender in it, and
// the status bar says where.
func TestIncidentExport(t *testing.T) {
	st, c := spikeStore(t)
	dir := t.TempDir()
	m := spikeModel(t, st, c, Options{ReportDir: dir})
	m = hit(t, m, "i")
	c.set(spikeAt.Add(time.Minute))
	m = hit(t, m, "W")
	want := filepath.Join(dir, "fntop-incident-20261125-122800Z.md")
	if v := screen(m); m.status.notice != "report written to "+want || !strings.Contains(v, "report written to /") {
		t.Fatalf("notice %q; status bar:\n%s", m.status.notice, v)
	}
	body, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	md := string(body)
	for _, w := range []string{"# fntop incident report: 2026-11-25 12:28 UTC", "order-processor", "error-rate spike", "PaymentGatewayError"} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q:\n%s", w, md)
		}
	}
	if i, j := strings.Index(md, "order-processor"), strings.Index(md, "### 2."); i < 0 || j >= 0 && j < i {
		t.Errorf("order-processor is not the first offender:\n%s", md)
	}
	// A second export keeps the first file.
	m = hit(t, m, "W")
	if files, _ := filepath.Glob(filepath.Join(dir, "fntop-incident-*.md")); len(files) != 2 {
		t.Errorf("files after two exports: %v", files)
	}
	// A directory that cannot be written is reported.
	m.reportDir = filepath.Join(dir, "missing", "dir")
	m = hit(t, m, "W")
	if v := screen(m); !strings.Contains(v, "report not written") || !strings.Contains(m.status.notice, "no such file or directory") {
		t.Errorf("no error in the status bar:\n%s", v)
	}
}

// TestLogsEnterOpensTheInvocation: enter on a line of a request opens the
// invocation view of that request; an unknown request says so and still
// shows its lines.
func TestLogsEnterOpensTheInvocation(t *testing.T) {
	d := &fakeData{fn: "alpha"}
	m := newTest(t, d, 120, 40)
	m = update(t, m, common.OpenLogsMsg{Function: "alpha"})
	m.logs.AddLogs([]model.LogEntry{{Seq: 99, Time: t0, Function: "alpha", LogLine: model.LogLine{RequestID: "req-1", Message: "in req-1"}}})
	m = hit(t, m, "enter")
	if got := strings.Join(m.Stack(), " "); got != "fleet logs:alpha invocation:alpha/req-1" {
		t.Fatalf("stack %q", got)
	}
	m = refresh(t, m)
	if v := screen(m); !strings.Contains(v, "duration 12ms") || !strings.Contains(strings.Split(v, "\n")[0], "request req-1") {
		t.Errorf("invocation view:\n%s", v)
	}
	last := d.logQ[len(d.logQ)-1]
	if last.Function != "alpha" || last.RequestID != "req-1" {
		t.Errorf("the view asked for %+v", last)
	}
	m = update(t, m, common.OpenInvocationMsg{Function: "alpha", RequestID: "gone"})
	m = refresh(t, m)
	if v := screen(m); !strings.Contains(v, "no longer in the store") {
		t.Errorf("evicted request:\n%s", v)
	}
}

var reportName = regexp.MustCompile(`^fntop-incident-\d{8}-\d{6}Z\.md$`)

func TestReportName(t *testing.T) {
	got := ReportName(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)))
	if got != "fntop-incident-20260102-020405Z.md" || !reportName.MatchString(got) {
		t.Errorf("%q", got)
	}
}

// TestNewViewsAtTinySizes: the triage and invocation views with data, at
// sizes down to the too-small screen.
func TestNewViewsAtTinySizes(t *testing.T) {
	st, c := spikeStore(t)
	m := spikeModel(t, st, c, Options{})
	m = hit(t, m, "a")
	m = hit(t, m, "tab")
	for _, k := range []string{"", "enter"} {
		if k != "" {
			m = hit(t, m, k)
		}
		for _, sz := range [][2]int{{20, 5}, {40, 10}, {41, 11}, {60, 12}, {200, 60}, {120, 40}} {
			m = update(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			checkFits(t, m.View(), sz[0], sz[1])
			m2 := hit(t, m, "j")
			checkFits(t, m2.View(), sz[0], sz[1])
		}
	}
}
