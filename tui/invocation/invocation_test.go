package invocation

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// TestMain renders without colours or attributes: an escape sequence in a
// frame can only come from text that was not made safe.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

var t0 = time.Date(2026, 3, 4, 10, 27, 1, 250_000_000, time.UTC)

const req = "7a3c0de1-0000-4000-8000-00000000beef"

func newView(t *testing.T, w, h int) Model {
	t.Helper()
	th, err := themes.Load("dark", "", false)
	if err != nil {
		t.Fatal(err)
	}
	m := New(common.NewStyles(th), "checkout", req)
	m.SetSize(w, h)
	return m
}

func record() model.InvocationRecord {
	return model.InvocationRecord{
		Time: t0, Function: "checkout", Source: "demo",
		Invocation: model.Invocation{
			RequestID: req, Stream: "2026/03/04/[42]abcdef", Version: "42",
			DurationMs: 1234.5, BilledMs: 1600, MemorySizeMB: 1024, MaxMemoryUsedMB: 211,
			InitDurationMs: 340, Error: model.ErrFunction, Status: "error",
			ErrorType: "PaymentGatewayError", ErrorMessage: "upstream returned 502 \x1b]8;;http://x\x07link",
			TraceID: "Root=1-5e1b4151-5ac6c58f5b5d6ee5c4d8e0a1",
		},
	}
}

func lines() []model.LogEntry {
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return []model.LogEntry{
		{Seq: 10, Time: at(-1234), Function: "checkout", LogLine: model.LogLine{RequestID: req, Kind: model.LinePlatform, Message: "START RequestId: " + req + " Version: 42"}},
		{Seq: 11, Time: at(-1200), Function: "checkout", LogLine: model.LogLine{RequestID: "other", Message: "not this request"}},
		{Seq: 12, Time: at(-600), Function: "checkout", LogLine: model.LogLine{RequestID: req, Level: model.LevelError, Kind: model.LineApp,
			Message: "charge failed \x1b[2J\x1b]0;owned\x07 \u202etxt\u202c \u0085 \xfe\nsecond line"}},
		{Seq: 13, Time: at(0), Function: "checkout", LogLine: model.LogLine{RequestID: req, Kind: model.LinePlatform, Message: "END RequestId: " + req}},
		{Seq: 14, Time: at(0), Function: "checkout", LogLine: model.LogLine{RequestID: req, Kind: model.LinePlatform,
			Message: "REPORT RequestId: " + req + "\tDuration: 1234.50 ms\tBilled Duration: 1600 ms"}},
	}
}

func checkSafe(t *testing.T, v string) {
	t.Helper()
	if strings.ContainsAny(v, "\x1b\x07\u202e\u0085") || strings.Contains(v, "\xfe") {
		t.Fatalf("raw control text in the frame: %q", v)
	}
}

func checkFits(t *testing.T, v string, w, h int) {
	t.Helper()
	if w <= 0 || h <= 0 {
		if v != "" {
			t.Errorf("%dx%d: %q", w, h, v)
		}
		return
	}
	ls := strings.Split(v, "\n")
	if len(ls) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(ls))
	}
	for i, l := range ls {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells: %q", w, h, i, lw, l)
		}
	}
}

// TestShowsTheInvocation: the report's figures, the error, and the
// request's own lines from START to REPORT, hostile text escaped.
func TestShowsTheInvocation(t *testing.T) {
	m := newView(t, 160, 40)
	if fn, id := m.InvocationQuery(); fn != "checkout" || id != req {
		t.Errorf("query %q %q", fn, id)
	}
	if q := m.LogQuery(); q.Function != "checkout" || q.RequestID != req || q.AfterSeq != 0 {
		t.Errorf("log query %+v", q)
	}
	m.SetInvocation(record(), true)
	m.AddLogs(lines())
	v := m.View()
	checkFits(t, v, 160, 40)
	checkSafe(t, v)
	for _, want := range []string{
		"invocation " + req, "2026-03-04 10:27:01.250 UTC", "function_error (error)", "cold start, init 340ms",
		"duration 1.2s", "billed 1.6s", "memory used 211/1024 MB", "version 42", "stream 2026/03/04/[42]abcdef",
		"trace Root=1-5e1b4151", "PaymentGatewayError", `upstream returned 502 \x1b]8;;http://x\x07link`,
		"Log lines (4)", "START RequestId", `charge failed \x1b[2J\x1b]0;owned\x07 \u202etxt\u202c \x85 \xfe`, "second line", "REPORT RequestId",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "not this request") {
		t.Error("a line of another request is shown")
	}
	if q := m.LogQuery(); q.AfterSeq != 14 {
		t.Errorf("after the lines, the query asks after %d", q.AfterSeq)
	}
	// Lines already held are not added twice.
	m.AddLogs(lines())
	if strings.Count(m.View(), "START RequestId") != 1 {
		t.Error("a line was added twice")
	}
}

// TestEvictedRequest: a request the store no longer holds is said so, and
// the log lines still kept are shown.
func TestEvictedRequest(t *testing.T) {
	m := newView(t, 120, 30)
	if !strings.Contains(m.View(), "reading the store") {
		t.Errorf("before the answer:\n%s", m.View())
	}
	m.SetInvocation(model.InvocationRecord{}, false)
	m.AddLogs(lines())
	v := m.View()
	checkSafe(t, v)
	if m.Found() || !strings.Contains(v, "no longer in the store (evicted)") || !strings.Contains(v, "REPORT RequestId") {
		t.Errorf("evicted request:\n%s", v)
	}
	m2 := newView(t, 120, 30)
	m2.SetInvocation(model.InvocationRecord{}, false)
	if !strings.Contains(m2.View(), "no log lines of this request are kept") {
		t.Errorf("no lines:\n%s", m2.View())
	}
}

func TestKeysAndScroll(t *testing.T) {
	m := newView(t, 80, 12)
	m.SetInvocation(record(), true)
	var many []model.LogEntry
	for i := range 50 {
		many = append(many, model.LogEntry{Seq: uint64(i + 1), Time: t0, Function: "checkout", LogLine: model.LogLine{RequestID: req, Message: fmt.Sprintf("line %d", i)}})
	}
	m.AddLogs(many)
	if !m.Keys().(KeyMap).Down.Enabled() {
		t.Fatal("scroll keys disabled with 50 lines in 12 rows")
	}
	before := m.View()
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if m.View() == before {
		t.Error("G did not scroll")
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("l")})
	if cmd == nil || cmd() != (common.OpenLogsMsg{Function: "checkout"}) {
		t.Error("l does not open the function's logs")
	}
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil || cmd() != (common.OpenFunctionMsg{Name: "checkout"}) {
		t.Error("enter does not open the function")
	}
}

func TestTinySizes(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {20, 5}, {3, 30}, {40, 10}, {200, 60}} {
		m := newView(t, sz[0], sz[1])
		checkFits(t, m.View(), sz[0], sz[1])
		m.SetInvocation(record(), true)
		m.AddLogs(lines())
		checkFits(t, m.View(), sz[0], sz[1])
		checkSafe(t, m.View())
		for _, k := range []tea.KeyMsg{{Type: tea.KeyDown}, {Type: tea.KeyPgDown}, {Type: tea.KeyEnd}, {Type: tea.KeyUp}} {
			m, _ = m.Update(k)
			checkFits(t, m.View(), sz[0], sz[1])
		}
	}
}
