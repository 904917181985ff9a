package triage

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// TestMain renders without any colour or attribute: an escape sequence in
// a frame can only come from text that was not made safe.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

var t0 = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

const hostile = "boom \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \u202eevil\u202c \u009b2J \xff end"

func styles(t *testing.T) common.Styles {
	t.Helper()
	th, err := themes.Load("dark", "", false)
	if err != nil {
		t.Fatal(err)
	}
	return common.NewStyles(th)
}

func stats(name string, inv, errs int64, seconds float64) model.FunctionStats {
	fs := model.FunctionStats{
		Name: name, Source: "demo", Region: "us-east-1", Architecture: "x86_64",
		Invocations: inv, Errors: errs, RatePerS: float64(inv) / seconds,
		ErrorRate:    float64(errs) / float64(inv),
		ErrorsByKind: model.ErrorsByKind{FunctionError: errs},
		MemorySizeMB: 1024, MaxMemoryUsedMB: 200, TimeoutMs: 20000,
		Duration:      &model.Quantiles{P50: 100, P90: 200, P99: 300, Max: 400, Avg: 120},
		BilledMsTotal: float64(inv) * 120,
		FirstSeen:     t0.Add(-3 * time.Hour),
	}
	fs.CostUSD = float64(inv) * 0.000002
	fs.CostPerHourUSD = fs.CostUSD / seconds * 3600
	return fs
}

// report is a fleet of three: checkout fails a third of its invocations
// since 10:27 (baseline 1%), with a hostile signature example and a
// deploy; quiet and idle are as usual.
func report(t *testing.T, withBaseline bool) *analysis.Report {
	t.Helper()
	cur := &model.Snapshot{
		Window:       model.WindowInfo{Label: "5m", Start: t0.Add(-5 * time.Minute), End: t0, Seconds: 300},
		HistoryStart: t0.Add(-3 * time.Hour),
		Functions: []model.FunctionStats{
			stats("checkout", 1500, 500, 300),
			stats("quiet", 1500, 3, 300),
			stats("idle", 300, 0, 300),
		},
		Signatures: []model.Signature{
			{Function: "checkout", ID: "aa", Kind: "function_error", ErrorType: "GatewayError", Text: "upstream returned <n>", Count: 480, New: true,
				FirstSeen: t0.Add(-3 * time.Minute), LastSeen: t0.Add(-time.Second),
				Example: model.SignatureExample{Time: t0.Add(-time.Second), RequestID: "req-42", Message: hostile}},
			{Function: "checkout", ID: "bb", Kind: "log", Text: "payment failed \x1b[2J", Count: 20,
				Example: model.SignatureExample{Time: t0.Add(-2 * time.Second), Message: "no request here"}},
		},
		Changes: []model.Change{
			{Time: t0.Add(-4 * time.Minute), Function: "checkout", Source: "demo", Field: model.ChangeVersion, From: "41", To: "42"},
			{Time: t0.Add(-4 * time.Minute), Function: "checkout", Source: "demo", Field: model.ChangeTimeout, From: "15000", To: "20000"},
		},
	}
	// The error spike starts at 10:27 in the series.
	for i := range 5 {
		p := model.SeriesPoint{Start: t0.Add(time.Duration(i-5) * time.Minute), Invocations: 300}
		if i >= 2 {
			p.Errors = 166
		}
		cur.Functions[0].Series = append(cur.Functions[0].Series, p)
	}
	if !withBaseline {
		return analysis.Analyze(cur, nil, analysis.Options{})
	}
	base := &model.Snapshot{
		Window:       model.WindowInfo{Label: "1h", Start: t0.Add(-66 * time.Minute), End: t0.Add(-6 * time.Minute), Seconds: 3600},
		HistoryStart: t0.Add(-3 * time.Hour),
		Functions: []model.FunctionStats{
			stats("checkout", 18000, 180, 3600),
			stats("quiet", 18000, 36, 3600),
			stats("idle", 3600, 0, 3600),
		},
	}
	return analysis.Analyze(cur, base, analysis.Options{})
}

func view(t *testing.T, r *analysis.Report, w, h int) Model {
	t.Helper()
	m := New(styles(t))
	m.SetSize(w, h)
	m.SetReport(r)
	return m
}

func press(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func checkFits(t *testing.T, v string, w, h int) {
	t.Helper()
	if w <= 0 || h <= 0 {
		if v != "" {
			t.Errorf("%dx%d: %q", w, h, v)
		}
		return
	}
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells: %q", w, h, i, lw, l)
		}
	}
}

// TestRankedFlaggedFirst: the flagged function heads the table, the header
// says the window, T0 and the baseline, and the detail shows its flags,
// deltas, signatures, changes and what-if.
func TestRankedFlaggedFirst(t *testing.T) {
	r := report(t, true)
	if r.Functions[0].Name != "checkout" || !r.Functions[0].Flagged() {
		t.Fatalf("fixture: checkout is not the top offender: %+v", r.Functions[0].Flags)
	}
	m := view(t, r, 120, 50)
	v := m.View()
	checkFits(t, v, 120, 50)
	lines := strings.Split(v, "\n")
	for _, want := range []string{"5m", "10:25:00–10:30:00 UTC", "T0 10:30:00 UTC", "1 flagged of 3"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("title lacks %q: %q", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], "baseline the preceding hour") || strings.Contains(lines[1], "insufficient") {
		t.Errorf("baseline line: %q", lines[1])
	}
	if f := strings.Fields(lines[3]); len(f) < 3 || f[0] != "●" || f[1] != "1" || f[2] != "checkout" || !strings.Contains(lines[3], "error-rate spike since 10:") {
		t.Errorf("first row: %q", lines[3])
	}
	if m.Selected() != "checkout" {
		t.Errorf("selected %q", m.Selected())
	}
	for _, want := range []string{
		"Flags (", "error-rate spike", "errors 33.3% (1.0%)", "rate 5.0/s (5.0/s)",
		"Error signatures (2)", "480× NEW function_error GatewayError", "request req-42",
		"Changes (2)", "10:26 version 41 → 42", "timeout 15 s → 20 s",
		"Cost what-if", "/month at this rate",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestInsufficientBaseline(t *testing.T) {
	r := report(t, false)
	v := view(t, r, 100, 30).View()
	if !strings.Contains(strings.Split(v, "\n")[1], "insufficient baseline") {
		t.Errorf("no insufficient baseline in the header:\n%s", v)
	}
	if !strings.Contains(v, "Now vs no baseline") {
		t.Errorf("deltas do not say there is no baseline:\n%s", v)
	}
}

func TestBeforeTheFirstReport(t *testing.T) {
	m := New(styles(t))
	m.SetSize(80, 20)
	if v := m.View(); !strings.Contains(v, "building the report") {
		t.Errorf("%q", v)
	}
	if _, cmd := m.Update(press("enter")); cmd != nil {
		t.Error("enter without a report gave a command")
	}
}

func cmdMsg(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

// TestKeys: enter opens the function; tab moves into the signatures, where
// enter opens the example request (or the logs without one); l opens the
// logs; esc goes back to the functions.
func TestKeys(t *testing.T) {
	m := view(t, report(t, true), 120, 50)
	if got := cmdMsg(second(m.Update(press("enter")))); got != (common.OpenFunctionMsg{Name: "checkout"}) {
		t.Errorf("enter: %#v", got)
	}
	if got := cmdMsg(second(m.Update(press("l")))); got != (common.OpenLogsMsg{Function: "checkout"}) {
		t.Errorf("l: %#v", got)
	}
	m, _ = m.Update(press("tab"))
	if !m.InSignatures() {
		t.Fatal("tab did not move into the signatures")
	}
	if !strings.Contains(m.View(), "▸   480×") {
		t.Errorf("the first signature is not marked:\n%s", m.View())
	}
	if got := cmdMsg(second(m.Update(press("enter")))); got != (common.OpenInvocationMsg{Function: "checkout", RequestID: "req-42"}) {
		t.Errorf("enter on a signature: %#v", got)
	}
	m, _ = m.Update(press("down"))
	if got := cmdMsg(second(m.Update(press("enter")))); got != (common.OpenLogsMsg{Function: "checkout"}) {
		t.Errorf("enter on a signature without a request: %#v", got)
	}
	// The help names what enter does now, and esc is the view's.
	if k := m.Keys().(KeyMap); !k.Leave.Enabled() || k.Open.Help().Desc != "open the signature's request" {
		t.Errorf("keys in the signatures: %+v", k.Open.Help())
	}
	m, cmd := m.Update(press("esc"))
	if m.InSignatures() || cmd != nil {
		t.Error("esc did not leave the signatures")
	}
	if m.Keys().(KeyMap).Leave.Enabled() {
		t.Error("esc still bound on the function list: the root could not go back")
	}
	// Down moves to the next function; the cursor follows it across
	// reports.
	m, _ = m.Update(press("j"))
	sel := m.Selected()
	if sel == "checkout" {
		t.Fatal("j did not move")
	}
	m.SetReport(report(t, true))
	if m.Selected() != sel {
		t.Errorf("selection moved to %q across reports, want %q", m.Selected(), sel)
	}
}

func second(m Model, c tea.Cmd) tea.Cmd { return c }

// TestHostileSignatureExample: escape sequences, C1, bidi and invalid
// UTF-8 in a signature's text and example reach the screen escaped.
func TestHostileSignatureExample(t *testing.T) {
	m := view(t, report(t, true), 200, 60)
	m, _ = m.Update(press("tab"))
	for _, v := range []string{m.View(), view(t, report(t, true), 200, 60).View()} {
		if strings.ContainsAny(v, "\x1b\x07\u202e\u009b") || strings.Contains(v, "\xff") {
			t.Fatalf("raw control text in the frame: %q", v)
		}
		for _, want := range []string{`\x1b]0;pwned\x07`, `\u202eevil`, `\x9b2J`, `\xff end`, `payment failed \x1b[2J`} {
			if !strings.Contains(v, want) {
				t.Errorf("frame lacks the escaped %q:\n%s", want, v)
			}
		}
	}
}

// TestTinySizes: nothing panics and every frame fits, in both focuses.
func TestTinySizes(t *testing.T) {
	r := report(t, true)
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {20, 5}, {5, 20}, {40, 10}, {80, 3}, {120, 50}} {
		m := view(t, r, sz[0], sz[1])
		checkFits(t, m.View(), sz[0], sz[1])
		for _, k := range []string{"tab", "down", "down", "down", "G", "esc", "G", "g"} {
			m, _ = m.Update(press(k))
			checkFits(t, m.View(), sz[0], sz[1])
		}
	}
}
