package fleet

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// TestMain forces a true-colour profile on lipgloss's default renderer, so
// the escape sequences in golden files do not depend on the terminal (or
// the lack of one) the tests run in.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	os.Exit(m.Run())
}

func i64(v int64) *int64        { return &v }
func f64(v float64) *float64    { return &v }
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var (
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyEsc   = tea.KeyMsg{Type: tea.KeyEsc}
	keyDown  = tea.KeyMsg{Type: tea.KeyDown}
	keyUp    = tea.KeyMsg{Type: tea.KeyUp}
	keyPgDn  = tea.KeyMsg{Type: tea.KeyPgDown}
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fn builds a function's figures from a rate over a five minute window.
func fn(name, source string, rate float64, errs int64) model.FunctionStats {
	inv := int64(rate * 300)
	f := model.FunctionStats{
		Name: name, Source: source, Invocations: inv, Errors: errs, RatePerS: rate,
		MemorySizeMB: 512, MaxMemoryUsedMB: 128, TimeoutMs: 3000,
		Duration: &model.Quantiles{P50: 40, P90: 90, P99: 120, Max: 300, Avg: 50},
	}
	if inv > 0 {
		f.ErrorRate = float64(errs) / float64(inv)
	}
	r := float64(f.MaxMemoryUsedMB) / float64(f.MemorySizeMB)
	f.MemoryUsedRatio = &r
	f.CostUSD = float64(inv) * 0.0000004
	f.CostPerHourUSD = f.CostUSD * 12
	for i := range 30 {
		f.Series = append(f.Series, model.SeriesPoint{
			Start:       t0.Add(time.Duration(i) * 10 * time.Second),
			Invocations: int64((i*7+len(name))%11) * int64(rate+1),
		})
	}
	return f
}

// fixture is a small fleet that exercises every colour and edge case.
func fixture() *model.Snapshot {
	checkout := fn("checkout-api", "demo", 120.5, 3)
	checkout.ColdStarts, checkout.ColdStartRatio = i64(4), f64(4.0/36150)
	checkout.Throttles = i64(0)

	pay := fn("payments-worker", "aws:us-east-1", 35.2, 800)
	pay.Timeouts, pay.Throttles = 5, i64(12)
	pay.ColdStarts, pay.ColdStartRatio = i64(60), f64(60.0/10560)
	pay.MaxMemoryUsedMB, pay.MemorySizeMB = 1000, 1024
	pay.MemoryUsedRatio = f64(1000.0 / 1024)
	pay.Duration = &model.Quantiles{P50: 900, P99: 2900}

	img := fn("image-resize", "file:lambda.log", 8.1, 0)
	img.MaxMemoryUsedMB, img.MemorySizeMB = 1700, 2048
	img.MemoryUsedRatio = f64(1700.0 / 2048)

	idle := fn("idle-cron", "demo", 0, 0)
	idle.Duration, idle.MemoryUsedRatio, idle.MaxMemoryUsedMB = nil, nil, 0
	idle.Series = nil

	fns := []model.FunctionStats{
		checkout, pay, img, idle,
		fn("evil\x1b]0;pwn\x07name", "demo", 2, 0),
		fn("a-very-long-function-name-that-goes-on-and-on-for-ever-and-ever-and-ever", "demo", 1.5, 1),
		fn("支払い-処理", "demo", 8.1, 0),
		fn("tab\tname", "demo", 0.05, 0),
		fn("legacy[v1]", "demo", 0.5, 0),
	}
	tot := model.Totals{Functions: len(fns), Throttles: i64(12), ColdStartRatio: f64(64.0 / 53000)}
	for _, f := range fns {
		tot.Invocations += f.Invocations
		tot.Errors += f.Errors
		tot.RatePerS += f.RatePerS
		tot.CostUSD += f.CostUSD
		tot.CostPerHourUSD += f.CostPerHourUSD
	}
	tot.ColdStarts = 64
	tot.ErrorRate = float64(tot.Errors) / float64(tot.Invocations)
	return &model.Snapshot{
		Version:   1,
		Window:    model.WindowInfo{Label: "5m", Start: t0, End: t0.Add(5 * time.Minute), Seconds: 300},
		Functions: fns,
		Totals:    tot,
	}
}

// bigFleet is n functions with varied figures.
func bigFleet(n int) *model.Snapshot {
	s := &model.Snapshot{Window: model.WindowInfo{Label: "5m", Seconds: 300}}
	for i := range n {
		f := fn(fmt.Sprintf("svc-%04d-handler", i), "demo", float64((i*37)%500)/3, int64(i%13))
		if i%3 == 0 {
			f.ColdStarts, f.ColdStartRatio = i64(int64(i%7)), f64(float64(i%7)/1000)
		}
		s.Functions = append(s.Functions, f)
	}
	s.Totals.Functions = n
	return s
}

func styles(t testing.TB, theme string, noColor bool) common.Styles {
	t.Helper()
	th, err := themes.Builtin(theme)
	if err != nil {
		t.Fatal(err)
	}
	th.NoColor = noColor
	return common.NewStyles(th)
}

func newModel(t testing.TB, w, h int, s *model.Snapshot, opts ...Option) Model {
	t.Helper()
	m := New(styles(t, "dark", false), opts...)
	m.SetSize(w, h)
	m.SetSnapshot(s)
	return m
}

// order lists the names of the rows that pass the filter, in order.
func order(m Model) []string {
	var out []string
	for _, i := range m.view {
		out = append(out, m.rows[i].fs.Name)
	}
	return out
}

func send(t *testing.T, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m, _ = m.Update(runes(string(r)))
	}
	return m
}

func TestDefaultSortIsRateDescendingTiesByName(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	got := order(m)
	want := []string{
		"checkout-api", "payments-worker", "image-resize", "支払い-処理", // tie at 8.1: by name
		"evil\x1b]0;pwn\x07name",
		"a-very-long-function-name-that-goes-on-and-on-for-ever-and-ever-and-ever",
		"legacy[v1]", "tab\tname", "idle-cron",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %q, want %q", got, want)
	}
	if c, desc := m.Sort(); c != ColRate || !desc {
		t.Fatalf("sort = %v %v", c, desc)
	}
	if m.Selected() != "checkout-api" {
		t.Fatalf("selected %q", m.Selected())
	}
}

func TestSortKeys(t *testing.T) {
	m := newModel(t, 160, 30, fixture())

	m = send(t, m, runes("N"))
	if got := order(m); got[0] != "a-very-long-function-name-that-goes-on-and-on-for-ever-and-ever-and-ever" || got[len(got)-1] != "支払い-処理" {
		t.Fatalf("N: %q", got)
	}
	if c, desc := m.Sort(); c != ColName || desc {
		t.Fatalf("N sorts ascending first: %v %v", c, desc)
	}
	m = send(t, m, runes("N"))
	if got := order(m); got[0] != "支払い-処理" {
		t.Fatalf("N again reverses: %q", got)
	}

	m = send(t, m, runes("E"))
	if got := order(m); got[0] != "payments-worker" || got[1] != "checkout-api" {
		t.Fatalf("E: %q", got)
	}

	// Unknown throttles sort last in both directions.
	m = send(t, m, runes("T"))
	got := order(m)
	if got[0] != "payments-worker" || got[1] != "checkout-api" {
		t.Fatalf("T: %q", got)
	}
	m = send(t, m, runes("T"))
	got = order(m)
	if got[0] != "checkout-api" || got[1] != "payments-worker" {
		t.Fatalf("T reversed: %q", got)
	}

	m = send(t, m, runes("M"))
	if got := order(m); got[0] != "payments-worker" || got[1] != "image-resize" || got[len(got)-1] != "idle-cron" {
		t.Fatalf("M: %q", got)
	}
	m = send(t, m, runes("P"))
	if got := order(m); got[0] != "payments-worker" || got[len(got)-1] != "idle-cron" {
		t.Fatalf("P: %q", got)
	}
	m = send(t, m, runes("O"))
	if got := order(m); got[0] != "payments-worker" || got[1] != "checkout-api" {
		t.Fatalf("O: %q", got)
	}
	// The header shows the sort column and direction.
	if !strings.Contains(ansi.Strip(m.View()), "COLD↓") {
		t.Fatalf("no sort indicator:\n%s", ansi.Strip(m.View()))
	}
}

func TestSortKeysInHelp(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	var keys []string
	for _, col := range m.Keys().FullHelp() {
		for _, b := range col {
			if b.Enabled() {
				keys = append(keys, b.Help().Key)
			}
		}
	}
	for _, k := range []string{"N", "R", "E", "X", "U", "T", "O", "I", "D", "P", "M", "C", "H", "S", "/", "enter", "l"} {
		if !slices.Contains(keys, k) {
			t.Errorf("help lacks %q (has %q)", k, keys)
		}
	}
	if slices.Contains(keys, "esc") {
		t.Errorf("esc shown without a filter to clear")
	}
}

func TestCursorFollowsFunctionAcrossRefreshAndSort(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	m = send(t, m, keyDown, keyDown)
	if m.Selected() != "image-resize" || m.cursor != 2 {
		t.Fatalf("selected %q at %d", m.Selected(), m.cursor)
	}

	// The next tick makes image-resize the busiest function.
	s := fixture()
	s.Functions[2].RatePerS = 500
	m.SetSnapshot(s)
	if m.Selected() != "image-resize" || m.cursor != 0 {
		t.Fatalf("after refresh: selected %q at %d", m.Selected(), m.cursor)
	}

	m = send(t, m, runes("N"))
	if m.Selected() != "image-resize" {
		t.Fatalf("after sort: selected %q", m.Selected())
	}
	if got := order(m)[m.cursor]; got != "image-resize" {
		t.Fatalf("cursor on %q", got)
	}

	// When the function goes away the cursor stays in place, on its
	// neighbour.
	s = fixture()
	s.Functions = slices.DeleteFunc(s.Functions, func(f model.FunctionStats) bool { return f.Name == "image-resize" })
	at := m.cursor
	m.SetSnapshot(s)
	if m.cursor != at || m.Selected() == "" || m.Selected() == "image-resize" {
		t.Fatalf("after removal: selected %q at %d (was %d)", m.Selected(), m.cursor, at)
	}
}

func TestFilter(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	var cmd tea.Cmd
	m, _ = m.Update(runes("/"))
	if !m.Capturing() {
		t.Fatal("/ does not capture")
	}
	m = typeText(t, m, "PAY")
	if got := order(m); !slices.Equal(got, []string{"payments-worker"}) {
		t.Fatalf("live preview, case-insensitive: %q", got)
	}
	// While typing, "j" is text, not a cursor move.
	if k := m.Keys().(KeyMap); k.Down.Enabled() || !k.Apply.Enabled() {
		t.Fatal("navigation keys enabled while typing")
	}
	m, cmd = m.Update(keyEnter)
	if m.Capturing() || m.Filter() != "PAY" || cmd != nil {
		t.Fatalf("enter: capturing %v filter %q cmd %v", m.Capturing(), m.Filter(), cmd)
	}
	if !strings.Contains(ansi.Strip(m.View()), "filter PAY  1 of 9") {
		t.Fatalf("active filter not shown:\n%s", ansi.Strip(m.View()))
	}
	if k := m.Keys().(KeyMap); !k.ClearFilter.Enabled() {
		t.Fatal("esc clear filter not in help")
	}

	// esc clears the filter; it yields no command.
	m, cmd = m.Update(keyEsc)
	if m.Filter() != "" || len(order(m)) != 9 || cmd != nil {
		t.Fatalf("esc: filter %q, %d rows, cmd %v", m.Filter(), len(order(m)), cmd)
	}
	// Without a filter esc does nothing.
	if _, cmd = m.Update(keyEsc); cmd != nil {
		t.Fatal("esc without a filter returned a command")
	}

	// "!" inverts; regex syntax works.
	m = send(t, m, runes("/"))
	m = typeText(t, m, "!^(checkout|payments)-")
	m = send(t, m, keyEnter)
	got := order(m)
	if len(got) != 7 || slices.Contains(got, "checkout-api") || slices.Contains(got, "payments-worker") {
		t.Fatalf("inverted: %q", got)
	}

	// "/" edits the filter in effect; esc while typing restores it.
	m = send(t, m, runes("/"))
	if m.input.Value() != "!^(checkout|payments)-" {
		t.Fatalf("input starts with %q", m.input.Value())
	}
	m = typeText(t, m, "zzz")
	m = send(t, m, keyEsc)
	if m.Capturing() || m.Filter() != "!^(checkout|payments)-" || len(order(m)) != 7 {
		t.Fatalf("cancel: filter %q, %d rows", m.Filter(), len(order(m)))
	}
}

func TestFilterBadRegexFallsBackToSubstring(t *testing.T) {
	m := newModel(t, 160, 30, fixture(), WithFilter("[v1"))
	if got := order(m); !slices.Equal(got, []string{"legacy[v1]"}) {
		t.Fatalf("substring fallback: %q", got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "invalid regex (missing closing ]): substring match") {
		t.Fatalf("no error shown:\n%s", v)
	}
	m = newModel(t, 160, 30, fixture(), WithFilter("![v1"))
	if got := order(m); len(got) != 8 || slices.Contains(got, "legacy[v1]") {
		t.Fatalf("inverted substring fallback: %q", got)
	}
	m = newModel(t, 160, 30, fixture(), WithFilter("nothing-matches"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "no function matches the filter") || m.Selected() != "" {
		t.Fatalf("empty result:\n%s", v)
	}
	if _, cmd := m.Update(keyEnter); cmd != nil {
		t.Fatal("enter with no row returned a command")
	}
}

func TestOpenCommands(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	m = send(t, m, keyDown)
	_, cmd := m.Update(keyEnter)
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	if msg := cmd(); msg != (common.OpenFunctionMsg{Name: "payments-worker"}) {
		t.Fatalf("enter: %#v", msg)
	}
	_, cmd = m.Update(runes("l"))
	if cmd == nil {
		t.Fatal("l returned no command")
	}
	if msg := cmd(); msg != (common.OpenLogsMsg{Function: "payments-worker"}) {
		t.Fatalf("l: %#v", msg)
	}
}

func TestNavigation(t *testing.T) {
	// 10 lines: totals, column header and 8 rows of a 9-function fleet.
	m := newModel(t, 160, 10, fixture())
	m = send(t, m, runes("G"))
	if m.cursor != 8 || m.offset != 1 || m.Selected() != "idle-cron" {
		t.Fatalf("G: cursor %d offset %d", m.cursor, m.offset)
	}
	m = send(t, m, runes("g"))
	if m.cursor != 0 || m.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", m.cursor, m.offset)
	}
	m = send(t, m, keyPgDn)
	if m.cursor != 8 {
		t.Fatalf("pgdown: cursor %d", m.cursor)
	}
	m = send(t, m, keyUp, runes("k"), runes("j"))
	if m.cursor != 7 {
		t.Fatalf("up,k,j: cursor %d", m.cursor)
	}
	m = send(t, m, keyUp, keyUp, keyUp, keyUp, keyUp, keyUp, keyUp, keyUp, keyUp)
	if m.cursor != 0 || m.offset != 0 {
		t.Fatalf("clamped: cursor %d offset %d", m.cursor, m.offset)
	}
	// The selected row is the highlighted one.
	lines := strings.Split(m.View(), "\n")
	sel := newPaint(m.st.Selected).pre
	if !strings.HasPrefix(lines[2], sel) || strings.HasPrefix(lines[3], sel) {
		t.Fatalf("highlight not on the cursor row: %q", lines[2:4])
	}
}

func TestMouse(t *testing.T) {
	m := newModel(t, 160, 10, fixture())
	press := func(b tea.MouseButton, x, y int) tea.MouseMsg {
		return tea.MouseMsg{X: x, Y: y, Button: b, Action: tea.MouseActionPress}
	}
	// Rows start on line 2, below the totals and the column header.
	m = send(t, m, press(tea.MouseButtonLeft, 5, 4))
	if m.Selected() != "image-resize" {
		t.Fatalf("click: %q", m.Selected())
	}
	m = send(t, m, press(tea.MouseButtonWheelDown, 0, 0))
	if m.cursor != 5 {
		t.Fatalf("wheel down: cursor %d", m.cursor)
	}
	m = send(t, m, press(tea.MouseButtonWheelUp, 0, 0), press(tea.MouseButtonWheelUp, 0, 0))
	if m.cursor != 0 {
		t.Fatalf("wheel up: cursor %d", m.cursor)
	}
	// Releases and clicks below the rows do nothing.
	m = send(t, m, tea.MouseMsg{X: 5, Y: 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionRelease}, press(tea.MouseButtonLeft, 5, 40))
	if m.cursor != 0 {
		t.Fatalf("release moved the cursor to %d", m.cursor)
	}
	// A click on a column title sorts by it.
	m = send(t, m, press(tea.MouseButtonLeft, 2, 1))
	if c, desc := m.Sort(); c != ColName || desc {
		t.Fatalf("header click: %v %v", c, desc)
	}
	// With a filter line the rows start one line lower.
	m = newModel(t, 160, 10, fixture(), WithFilter("-"))
	m = send(t, m, press(tea.MouseButtonLeft, 5, 4))
	if want := order(m)[1]; m.Selected() != want {
		t.Fatalf("click under filter line: %q, want %q", m.Selected(), want)
	}
}

func TestNamesAreSanitized(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	v := m.View()
	if strings.Contains(v, "\x07") || strings.Contains(v, "\t") || strings.Contains(v, "\x1b]") {
		t.Fatalf("raw control characters reached the view: %q", v)
	}
	if !strings.Contains(ansi.Strip(v), `evil\x1b]0;pwn\x07name`) {
		t.Fatalf("escaped name not shown:\n%s", ansi.Strip(v))
	}
}

var themeCases = []struct {
	name, theme string
	noColor     bool
}{
	{"dark", "dark", false},
	{"light", "light", false},
	{"high-contrast", "high-contrast", false},
	{"nocolor", "dark", true},
}

func TestViewGolden(t *testing.T) {
	for _, w := range []int{60, 100, 160} {
		for _, tc := range themeCases {
			t.Run(fmt.Sprintf("%s_w%d", tc.name, w), func(t *testing.T) {
				m := New(styles(t, tc.theme, tc.noColor))
				m.SetSize(w, 14)
				m.SetSnapshot(fixture())
				m = send(t, m, keyDown)
				view := m.View()
				checkSize(t, view, w, 14)
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

func TestViewGoldenStates(t *testing.T) {
	cases := map[string]func(t *testing.T) Model{
		"empty": func(t *testing.T) Model { return newModel(t, 100, 8, &model.Snapshot{}) },
		"nil":   func(t *testing.T) Model { return newModel(t, 100, 8, nil) },
		"typing": func(t *testing.T) Model {
			m := newModel(t, 100, 10, fixture())
			return typeText(t, send(t, m, runes("/")), "pay(")
		},
		"filtered": func(t *testing.T) Model { return newModel(t, 100, 10, fixture(), WithFilter("!api")) },
		"scrolled": func(t *testing.T) Model { return send(t, newModel(t, 100, 6, fixture()), runes("G")) },
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			m := build(t)
			view := m.View()
			checkSize(t, view, m.width, m.height)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

// checkSize fails when the view has more lines than h or a line wider
// than w.
func checkSize(t testing.TB, view string, w, h int) {
	t.Helper()
	if view == "" {
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d lines, height %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells wide: %q", w, h, i, lw, ansi.Strip(l))
		}
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells wide (lipgloss): %q", w, h, i, lw, ansi.Strip(l))
		}
	}
}

func TestEveryLineFits(t *testing.T) {
	for _, tc := range themeCases {
		for _, w := range []int{0, 1, 2, 5, 10, 20, 33, 40, 47, 60, 80, 99, 100, 120, 160, 240} {
			for _, h := range []int{0, 1, 2, 3, 5, 14} {
				m := New(styles(t, tc.theme, tc.noColor))
				m.SetSize(w, h)
				m.SetSnapshot(fixture())
				checkSize(t, m.View(), w, h)
				for _, msg := range []tea.Msg{keyDown, runes("G"), runes("/"), runes("x("), keyEnter, runes("N")} {
					m, _ = m.Update(msg)
					checkSize(t, m.View(), w, h)
				}
			}
		}
	}
}

func TestColumnsDropOnNarrowTerminals(t *testing.T) {
	titles := func(w int) string {
		m := newModel(t, w, 10, fixture())
		return ansi.Strip(strings.Split(m.View(), "\n")[1])
	}
	wide := titles(240)
	for _, c := range columns {
		if !strings.Contains(wide, c.title) {
			t.Errorf("240 cells: %q missing from %q", c.title, wide)
		}
	}
	for _, w := range []int{20, 40, 60} {
		got := titles(w)
		for _, must := range []string{"NAME", "INV/S", "ERR", "P99"} {
			if w >= 40 && !strings.Contains(got, must) {
				t.Errorf("%d cells: %q missing from %q", w, must, got)
			}
		}
		if strings.Contains(got, "SOURCE") || strings.Contains(got, "TRAFFIC") {
			t.Errorf("%d cells: low-priority columns kept: %q", w, got)
		}
	}
}

func TestTinyTerminalDoesNotPanic(t *testing.T) {
	m := newModel(t, 20, 5, bigFleet(50))
	for _, msg := range []tea.Msg{keyDown, keyPgDn, runes("G"), runes("/"), runes("x"), keyEnter, keyEsc,
		tea.MouseMsg{X: 3, Y: 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress}} {
		m, _ = m.Update(msg)
		checkSize(t, m.View(), 20, 5)
	}
}

func BenchmarkFleetView2000(b *testing.B) {
	m := New(styles(b, "dark", false))
	m.SetSize(160, 50)
	m.SetSnapshot(bigFleet(2000))
	m, _ = m.Update(keyPgDn)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkFleetScrollFrame2000 is a frame after a key press: Update
// (which re-renders the visible rows) and View.
func BenchmarkFleetScrollFrame2000(b *testing.B) {
	m := New(styles(b, "dark", false))
	m.SetSize(160, 50)
	m.SetSnapshot(bigFleet(2000))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := keyDown
		if i++; i%2000 > 1000 {
			k = keyUp
		}
		m, _ = m.Update(k)
		_ = m.View()
	}
}

func BenchmarkFleetSetSnapshot2000(b *testing.B) {
	m := New(styles(b, "dark", false))
	m.SetSize(160, 50)
	s := bigFleet(2000)
	b.ReportAllocs()
	for b.Loop() {
		m.SetSnapshot(s)
	}
}

// Before the user moves the cursor it stays on the top row, so at start the
// busiest function is selected however the first (partial) snapshots were
// ordered; after a move it follows its function.
func TestCursorStaysOnTopUntilMoved(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	top := order(m)[0]
	s := fixture()
	s.Functions[2].RatePerS = 500 // another function becomes the busiest
	m.SetSnapshot(s)
	if m.cursor != 0 || m.Selected() == top || m.Selected() != order(m)[0] {
		t.Fatalf("before any move: cursor %d on %q, top was %q, now %q", m.cursor, m.Selected(), top, order(m)[0])
	}
	m = send(t, m, keyDown, keyUp)
	chosen := m.Selected()
	s = fixture()
	for i := range s.Functions {
		if s.Functions[i].Name != chosen {
			s.Functions[i].RatePerS += 1000 // everything else overtakes it
		}
	}
	m.SetSnapshot(s)
	if m.Selected() != chosen || m.cursor == 0 {
		t.Fatalf("after a move: cursor %d on %q, want it to follow %q", m.cursor, m.Selected(), chosen)
	}
}

// A function off Lambda shows its cost as unavailable ("-"), not $0.
func TestUnpricedCostIsADash(t *testing.T) {
	snap := fixture()
	for i := range snap.Functions {
		if snap.Functions[i].Name == "checkout-api" {
			snap.Functions[i].Unpriced = true
			snap.Functions[i].CostUSD, snap.Functions[i].CostPerHourUSD = 0, 0
		}
	}
	m := newModel(t, 200, 30, snap)
	var row string
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if strings.Contains(l, "checkout-api") {
			row = l
		}
	}
	f := strings.Fields(row)
	mem := slices.IndexFunc(f, func(s string) bool { return strings.Contains(s, "/") && s[0] >= '0' && s[0] <= '9' })
	if mem < 0 || mem+2 >= len(f) || f[mem+1] != "-" || f[mem+2] != "-" {
		t.Errorf("cost cells (after the memory cell) of an unpriced function: %q", row)
	}
	if strings.Contains(row, "$") {
		t.Errorf("an unpriced function shows a price: %q", row)
	}
}

// anomalyReport ranks the fixture's fleet: payments-worker's error rate
// jumped against the baseline, checkout-api was deployed (a small flag);
// legacy[v1] is unknown to the report.
func anomalyReport(t *testing.T) *analysis.Report {
	t.Helper()
	cur := fixture()
	cur.HistoryStart = t0.Add(-3 * time.Hour)
	cur.Functions = slices.DeleteFunc(slices.Clone(cur.Functions), func(f model.FunctionStats) bool { return f.Name == "legacy[v1]" })
	cur.Changes = []model.Change{{Time: t0.Add(time.Minute), Function: "checkout-api", Source: "demo", Field: model.ChangeVersion, From: "1", To: "2"}}
	base := &model.Snapshot{
		Window:       model.WindowInfo{Label: "1h", Start: t0.Add(-61 * time.Minute), End: t0.Add(-time.Minute), Seconds: 3600},
		HistoryStart: t0.Add(-3 * time.Hour),
	}
	for _, f := range cur.Functions {
		b := f
		b.Invocations *= 12
		b.Errors = b.Invocations / 1000
		b.ErrorRate = 0.001
		b.Series = nil
		base.Functions = append(base.Functions, b)
	}
	r := analysis.Analyze(cur, base, analysis.Options{})
	if r.Functions[0].Name != "payments-worker" || !r.Function("checkout-api").Flagged() {
		t.Fatalf("fixture: ranking %s first, checkout-api flags %v", r.Functions[0].Name, r.Function("checkout-api").Flags)
	}
	return r
}

// TestSortByAnomalyScore: ! sorts by the triage score, highest first, and
// functions the report does not know last; the column counts the flags.
func TestSortByAnomalyScore(t *testing.T) {
	m := newModel(t, 160, 30, fixture())
	r := anomalyReport(t)
	m.SetReport(r)
	if got := order(m); got[0] != "checkout-api" {
		t.Fatalf("a report changed the rate order: %q", got)
	}
	m = send(t, m, runes("!"))
	got := order(m)
	if got[0] != "payments-worker" || got[1] != "checkout-api" || got[len(got)-1] != "legacy[v1]" {
		t.Fatalf("! order: %q", got)
	}
	if c, desc := m.Sort(); c != ColFlags || !desc {
		t.Fatalf("sort = %v %v", c, desc)
	}
	v := ansi.Strip(m.View())
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[1], "!↓") {
		t.Errorf("no sort indicator on the anomaly column: %q", lines[1])
	}
	cell := func(name string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), name) {
				f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), name))
				return f[0]
			}
		}
		t.Fatalf("no row %q:\n%s", name, v)
		return ""
	}
	if want := fmt.Sprint(len(r.Function("payments-worker").Flags)); cell("payments-worker") != want {
		t.Errorf("payments-worker's cell %q, want %s flags", cell("payments-worker"), want)
	}
	if cell("idle-cron") != "0" || cell("legacy[v1]") != "-" {
		t.Errorf("idle-cron %q (want 0), legacy[v1] %q (want -)", cell("idle-cron"), cell("legacy[v1]"))
	}
	// A new snapshot keeps the scores of the last report.
	m.SetSnapshot(fixture())
	if got := order(m); got[0] != "payments-worker" {
		t.Errorf("after a snapshot: %q", got)
	}
	// Without a report every function is unknown: the order is by name.
	m2 := newModel(t, 160, 30, fixture())
	m2 = send(t, m2, runes("!"))
	if got := order(m2); !slices.IsSorted(got) {
		t.Errorf("! without a report: %q", got)
	}
}
