package function

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// TestMain forces a true-colour profile on lipgloss's default renderer, so
// the golden files hold the same escape sequences whatever terminal (or
// none) runs the tests. The no-colour goldens come from the NoColor theme,
// whose styles carry attributes only.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	os.Exit(m.Run())
}

const fnName = "checkout-api"

var t0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// fixture is a deterministic snapshot: checkout-api over a 15m window of
// one-minute buckets, with a gap (no invocations) in the middle.
func fixture() *model.Snapshot {
	var series []model.SeriesPoint
	for i := range 15 {
		p := model.SeriesPoint{Start: t0.Add(time.Duration(i) * time.Minute), P50: math.NaN(), P99: math.NaN(), InitP50: math.NaN()}
		if i != 7 && i != 8 {
			p.Invocations = int64(600 + 300*math.Sin(float64(i)/2))
			p.Errors = int64(i % 4 * 3)
			p.ColdStarts = int64(i % 3)
			p.P50 = 40 + 5*float64(i%5)
			p.P99 = 300 + 40*float64(i%6)
			p.MaxMemUsedMB = 300 + i
			if p.ColdStarts > 0 {
				p.InitP50 = 350 + 10*float64(i)
			}
		}
		series = append(series, p)
	}
	return &model.Snapshot{
		Version: 7,
		Window:  model.WindowInfo{Label: "15m", Start: t0, End: t0.Add(15 * time.Minute), Seconds: 900},
		Pricing: model.PricingInfo{Table: "aws-lambda-2026", Checked: "2026-01-01", DefaultRegion: "us-east-1"},
		Functions: []model.FunctionStats{{
			Name: fnName, Source: "demo", Region: "eu-west-1", Account: "123456789012",
			Architecture: "arm64", Runtime: "nodejs22.x", Version: "42",
			Invocations: 8123, Errors: 84, Timeouts: 3,
			ErrorsByKind: model.ErrorsByKind{Timeout: 3, OutOfMemory: 1, RuntimeExit: 2, FunctionError: 78},
			ColdStarts:   ptr(int64(13)), Throttles: nil,
			RatePerS: 9.03, ErrorRate: 84.0 / 8123, ColdStartRatio: ptr(13.0 / 8123),
			Duration:        &model.Quantiles{P50: 42.5, P90: 180, P99: 512, Max: 2890, Avg: 71.2},
			InitDuration:    &model.InitQuantiles{P50: 380, P99: 910, Max: 1200},
			BilledMsTotal:   612345,
			MemorySizeMB:    512,
			MaxMemoryUsedMB: 431,
			MemoryUsedRatio: ptr(431.0 / 512),
			TimeoutMs:       6000,
			GBSeconds:       306.17,
			Cost:            model.Cost{RequestsUSD: 0.0016, ComputeUSD: 0.0041},
			CostUSD:         0.0057, CostPerHourUSD: 0.0228,
			PriceAssumptions: []string{"region eu-west-1 priced as us-east-1"},
			RecentErrors: []model.ErrorSample{
				{Time: t0.Add(3 * time.Minute), Kind: "timeout", ErrorType: "Sandbox.Timedout", Message: "Task timed out after 6.00 seconds"},
				{Time: t0.Add(9 * time.Minute), Kind: "function_error", ErrorType: "TypeError", Message: "Cannot read properties of undefined (reading 'id')\n    at handler (/var/task/index.js:12:3)"},
				{Time: t0.Add(14 * time.Minute), Kind: "out_of_memory", ErrorType: "Runtime.OutOfMemory", Message: "Runtime exited with error: signal: killed"},
			},
			Series: series,
		}},
	}
}

func fixtureLogs(n int) []model.LogEntry {
	out := make([]model.LogEntry, n)
	for i := range out {
		out[i] = model.LogEntry{
			Seq: uint64(i + 1), Time: t0.Add(time.Duration(i) * 1500 * time.Millisecond), Function: fnName, Source: "demo",
			LogLine: model.LogLine{Level: model.LevelInfo, Kind: model.LineApp, Message: fmt.Sprintf("order %d processed\tin %d ms", 1000+i, 20+i%40)},
		}
		if i%7 == 3 {
			out[i].Level = model.LevelError
			out[i].Message = "payment provider returned 502"
		}
	}
	return out
}

func styles(t testing.TB, name string) common.Styles {
	t.Helper()
	th, err := themes.Builtin(strings.TrimSuffix(name, "-nocolor"))
	if err != nil {
		t.Fatal(err)
	}
	th.NoColor = strings.HasSuffix(name, "-nocolor")
	return common.NewStyles(th)
}

func newView(t testing.TB, theme string, w, h int) Model {
	t.Helper()
	m := New(styles(t, theme), fnName)
	m.SetSize(w, h)
	m.SetSnapshot(fixture())
	m.AddLogs(fixtureLogs(30))
	return m
}

// checkBounds fails when the view is taller or wider than its size.
func checkBounds(t *testing.T, out string, w, h int) {
	t.Helper()
	if out == "" {
		return
	}
	lines := strings.Split(out, "\n")
	if len(lines) > h {
		t.Errorf("%d lines, want at most %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells, want at most %d: %q", i, lw, w, l)
		}
		if strings.ContainsRune(l, '\t') {
			t.Errorf("line %d holds a tab: %q", i, l)
		}
	}
}

func TestViewGolden(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}, {200, 60}}
	for _, theme := range []string{"dark", "light", "high-contrast", "dark-nocolor"} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", theme, sz[0], sz[1]), func(t *testing.T) {
				m := newView(t, theme, sz[0], sz[1])
				out := m.View()
				checkBounds(t, out, sz[0], sz[1])
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

func TestViewShowsFigures(t *testing.T) {
	m := newView(t, "dark-nocolor", 160, 80) // room for the what-if above the logs
	out := ansi.Strip(m.View())
	for _, want := range []string{
		"checkout-api", "nodejs22.x", "arm64", "512 MB", "eu-west-1/123456789012", "v42", "window 15m",
		"invocations 8,123", "rate 9.0/s", "errors 84 (1.0%)", "timeout 3", "oom 1", "runtime exit 2",
		"function error 78", "throttles -", "cold starts 13 (0.2%)", "init p50 380ms p99 910ms",
		"p50 42ms p90 180ms p99 512ms max 2.9s avg 71ms", "431/512 MB", "GB-s 306.17",
		"requests $0.0016", "compute $0.0041", "per hour $0.02", "region eu-west-1 priced as us-east-1",
		"invocations per 1m", "duration per 1m", "Recent errors (3)", "Sandbox.Timedout", "Latest logs (30)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	// Newest error first.
	if strings.Index(out, "Runtime.OutOfMemory") > strings.Index(out, "Sandbox.Timedout") {
		t.Error("recent errors are not newest first")
	}
}

func TestTinySizes(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {20, 5}, {1, 1}, {5, 40}, {300, 3}, {99, 29}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newView(t, "dark", sz[0], sz[1])
			for range 3 {
				m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown})
			}
			out := m.View()
			checkBounds(t, out, sz[0], sz[1])
			if sz[0] == 0 && out != "" {
				t.Errorf("0x0 view = %q, want empty", out)
			}
		})
	}
}

func TestNoData(t *testing.T) {
	snap := &model.Snapshot{Version: 1, Window: model.WindowInfo{Label: "5m", Start: t0, End: t0.Add(5 * time.Minute)}}
	var series []model.SeriesPoint
	for i := range 5 {
		series = append(series, model.SeriesPoint{Start: t0.Add(time.Duration(i) * time.Minute), P50: math.NaN(), P99: math.NaN(), InitP50: math.NaN()})
	}
	snap.Functions = []model.FunctionStats{{Name: fnName, Architecture: "unknown", Series: series}}
	for _, sz := range [][2]int{{80, 24}, {160, 50}} {
		m := New(styles(t, "dark-nocolor"), fnName)
		m.SetSize(sz[0], sz[1])
		m.SetSnapshot(snap)
		out := m.View()
		checkBounds(t, out, sz[0], sz[1])
		plain := ansi.Strip(out)
		for _, want := range []string{"invocations 0", "throttles -", "cold starts -", "duration -", "no data", "none in this window", "no log lines yet"} {
			if !strings.Contains(plain, want) {
				t.Errorf("%dx%d: no-data view lacks %q:\n%s", sz[0], sz[1], want, plain)
			}
		}
		if strings.Contains(plain, "NaN") {
			t.Errorf("%dx%d: NaN drawn:\n%s", sz[0], sz[1], plain)
		}
	}

	// A snapshot without the function at all, and no snapshot yet.
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(80, 24)
	if out := m.View(); !strings.Contains(out, "waiting for data") {
		t.Errorf("view before any snapshot:\n%s", out)
	}
	m.SetSnapshot(&model.Snapshot{Window: model.WindowInfo{Label: "1m"}})
	if out := m.View(); !strings.Contains(out, "no data for this function") {
		t.Errorf("view without the function:\n%s", out)
	}
}

func TestHostileText(t *testing.T) {
	hostile := []string{
		"\x1b[2J\x1b[31mred\x1b[0m",               // CSI: clear screen, colour
		"\x1b]0;pwned\x07title",                   // OSC title
		"\x1b]52;c;ZXZpbA==\x1b\\clipboard",       // OSC 52 clipboard write
		"\u202egnp.exe",                           // bidi override
		"\u2066isolate\u2069 \x9b31m c1 \xff end", // isolates, C1 CSI, invalid UTF-8
	}
	snap := fixture()
	f := &snap.Functions[0]
	for _, h := range hostile {
		f.RecentErrors = append(f.RecentErrors, model.ErrorSample{Time: t0, Kind: "function_error", ErrorType: h, Message: h})
	}
	f.Runtime = "\x1b]0;rt\x07"
	var logs []model.LogEntry
	for i, h := range hostile {
		logs = append(logs, model.LogEntry{Seq: uint64(i + 1), Time: t0, Function: fnName, LogLine: model.LogLine{Message: h}})
	}
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(200, 80)
	m.SetSnapshot(snap)
	m.AddLogs(logs)
	out := m.View()
	// With NoColor the only escapes lipgloss writes are SGR attributes;
	// strip those and no control or bidi character may be left.
	plain := ansi.Strip(out)
	for _, r := range plain {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0xfffd {
			t.Fatalf("raw control %U in view:\n%s", r, plain)
		}
	}
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("view carries %q raw", bad)
		}
	}
	for _, want := range []string{`\x1b[2J`, `\x1b]0;pwned\x07title`, `\u202egnp.exe`, `\xff`} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks the visible escape %s", want)
		}
	}
}

func TestKeys(t *testing.T) {
	m := newView(t, "dark", 120, 40)
	tests := []struct {
		key  tea.KeyMsg
		want tea.Msg
	}{
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("l")}, common.OpenLogsMsg{Function: fnName}},
		{tea.KeyMsg{Type: tea.KeyEsc}, common.BackMsg{}},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}, nil},
	}
	for _, tt := range tests {
		_, cmd := m.Update(tt.key)
		switch {
		case tt.want == nil && cmd != nil:
			t.Errorf("%s: got a command, want none", tt.key)
		case tt.want != nil && cmd == nil:
			t.Errorf("%s: no command, want %#v", tt.key, tt.want)
		case tt.want != nil:
			if got := cmd(); got != tt.want {
				t.Errorf("%s: command yields %#v, want %#v", tt.key, got, tt.want)
			}
		}
	}
	if m.Capturing() {
		t.Error("Capturing() = true, want false")
	}
	if m.Name() != fnName {
		t.Errorf("Name() = %q", m.Name())
	}
}

func TestScroll(t *testing.T) {
	m := newView(t, "dark-nocolor", 120, 40)
	maxS := m.maxScroll()
	if maxS <= 0 {
		t.Fatalf("lower panes fit (%d lines in %d): the fixture must overflow", len(m.lower), m.lowerHeight())
	}
	if !m.Keys().(KeyMap).Down.Enabled() {
		t.Error("scroll keys disabled while the panes overflow")
	}
	key := func(k tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: k} }
	steps := []struct {
		msg  tea.Msg
		want int
	}{
		{key(tea.KeyUp), 0},
		{key(tea.KeyDown), 1},
		{key(tea.KeyDown), 2},
		{key(tea.KeyUp), 1},
		{tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown}, 4},
		{tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp}, 1},
		{key(tea.KeyPgDown), min(1+m.lowerHeight()-1, maxS)},
		{key(tea.KeyEnd), maxS},
		{key(tea.KeyDown), maxS},
		{key(tea.KeyPgDown), maxS},
		{key(tea.KeyHome), 0},
		{key(tea.KeyPgUp), 0},
	}
	for i, s := range steps {
		m, _ = m.Update(s.msg)
		if m.Scroll() != s.want {
			t.Fatalf("step %d (%v): scroll %d, want %d", i, s.msg, m.Scroll(), s.want)
		}
		checkBounds(t, m.View(), 120, 40)
	}

	// Scrolled to the end, the last log line is on screen.
	m, _ = m.Update(key(tea.KeyEnd))
	if out := m.View(); !strings.Contains(out, "order 1000 processed") {
		t.Errorf("oldest log line not visible at the end:\n%s", out)
	}
	// Growing the view clamps the scroll position.
	m.SetSize(120, 200)
	if m.Scroll() != 0 || m.Keys().(KeyMap).Down.Enabled() {
		t.Errorf("after growing: scroll %d, down enabled %v", m.Scroll(), m.Keys().(KeyMap).Down.Enabled())
	}
}

func TestLogs(t *testing.T) {
	m := New(styles(t, "dark"), fnName)
	if q := m.LogQuery(); q.Function != fnName || q.AfterSeq != 0 || q.Limit <= 0 {
		t.Fatalf("LogQuery() = %+v", q)
	}
	m.AddLogs(fixtureLogs(150))
	if q := m.LogQuery(); q.AfterSeq != 150 {
		t.Errorf("AfterSeq = %d, want 150", q.AfterSeq)
	}
	// Duplicates and other functions' lines are ignored; the ring is bounded.
	more := fixtureLogs(300)
	more[200].Function = "other"
	m.AddLogs(more)
	if len(m.logs) != logCapacity {
		t.Errorf("kept %d lines, want %d", len(m.logs), logCapacity)
	}
	if m.logs[len(m.logs)-1].Seq != 300 || m.logs[0].Seq != 100 {
		t.Errorf("ring holds %d..%d, want 100..300", m.logs[0].Seq, m.logs[len(m.logs)-1].Seq)
	}
	for _, e := range m.logs {
		if e.Function != fnName {
			t.Fatalf("kept a line of %q", e.Function)
		}
	}
	var _ common.LogsConsumer = &m
	var _ common.View = &m
}

func TestSnapshotChangesRebuild(t *testing.T) {
	m := newView(t, "dark-nocolor", 120, 40)
	before := m.View()
	s := fixture()
	s.Functions[0].Invocations = 99999
	m.SetSnapshot(s)
	if after := m.View(); after == before || !strings.Contains(after, "99,999") {
		t.Error("a new snapshot did not change the view")
	}
}

func BenchmarkFunctionView(b *testing.B) {
	st := styles(b, "dark")
	snap := fixture()
	m := New(st, fnName)
	m.SetSize(160, 50)
	m.AddLogs(fixtureLogs(200))
	b.ReportAllocs()
	for b.Loop() {
		m.snap = nil // force the rebuild a fresh snapshot causes
		m.SetSnapshot(snap)
		_ = m.View()
	}
}

// Only the window's failures are listed: the store keeps the newest of all
// time, and a count above the window's error figure would contradict it.
func TestRecentErrorsOfTheWindowOnly(t *testing.T) {
	m := New(styles(t, "dark"), fnName)
	m.SetSize(120, 60)
	s := fixture()
	s.Window = model.WindowInfo{Label: "5m", Start: t0.Add(10 * time.Minute), End: t0.Add(15 * time.Minute), Seconds: 300}
	m.SetSnapshot(s)
	out := ansi.Strip(m.View())
	if !strings.Contains(out, "Recent errors (1)") || strings.Contains(out, "TypeError") || !strings.Contains(out, "Runtime.OutOfMemory") {
		t.Errorf("want only the failure inside the window:\n%s", out)
	}
	s = fixture()
	s.Window = model.WindowInfo{Label: "all", Start: t0, End: t0.Add(15 * time.Minute), Seconds: 900}
	m.SetSnapshot(s)
	if out := ansi.Strip(m.View()); !strings.Contains(out, "Recent errors (3)") {
		t.Errorf("window all: want every kept failure:\n%s", out)
	}
}

// A function off Lambda (a Prometheus source) shows its platform and
// replicas, and its cost as unavailable rather than $0.
func TestViewUnpricedPlatform(t *testing.T) {
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(160, 50)
	snap := fixture()
	for i := range snap.Functions {
		f := &snap.Functions[i]
		f.Unpriced, f.Platform = true, "openfaas"
		n := 3
		f.Replicas = &n
		f.Cost, f.CostUSD, f.CostPerHourUSD = model.Cost{}, 0, 0
	}
	m.SetSnapshot(snap)
	out := ansi.Strip(m.View())
	for _, want := range []string{"openfaas", "3 replicas", "cost unavailable: no price table for openfaas"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if strings.Contains(out, "$0.00") || strings.Contains(out, "per hour") {
		t.Errorf("an unpriced function shows a price:\n%s", out)
	}
}

// withChanges is the fixture with a deploy at first, in the middle of and
// at the last bucket of the charted range (10:00, 10:07, 10:14).
func withChanges() *model.Snapshot {
	s := fixture()
	for _, m := range []int{0, 7, 14} {
		s.Changes = append(s.Changes, model.Change{Time: t0.Add(time.Duration(m) * time.Minute), Function: fnName, Source: "demo",
			Field: model.ChangeVersion, From: fmt.Sprint(40 + m), To: fmt.Sprint(41 + m)})
	}
	s.Changes = append(s.Changes, model.Change{Time: t0.Add(7 * time.Minute), Function: fnName, Source: "demo",
		Field: model.ChangeTimeout, From: "15000", To: "20000"})
	return s
}

// TestChangeMarkersAtTheRightColumn: a change at the first bucket is
// drawn in the chart's first column (right of the Y axis), one at the last
// bucket in its last column, one halfway halfway; every chart carries
// them, and the list of changes names each.
func TestChangeMarkersAtTheRightColumn(t *testing.T) {
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(120, 40)
	m.SetSnapshot(withChanges())
	out := m.View()
	checkBounds(t, out, 120, 40)
	lines := strings.Split(ansi.Strip(out), "\n")
	lw := (120 - gap) / 2 // the left chart's width
	caption := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "invocations per 1m") {
			caption = i
			break
		}
	}
	if caption < 0 || !strings.HasPrefix(lines[caption], "invocations per 1m ┆ change") {
		t.Fatalf("no caption with the marker legend:\n%s", strings.Join(lines, "\n"))
	}
	marks := map[int]int{} // column -> rows it is drawn on, left chart
	axis := -1
	for _, l := range lines[caption+1:] {
		r := []rune(l)
		if len(r) > lw {
			r = r[:lw]
		}
		if strings.ContainsRune(string(r), '└') {
			break // the X axis
		}
		for x, c := range r {
			switch c {
			case '│':
				if axis < 0 {
					axis = x
				}
			case '┆':
				marks[x]++
			}
		}
	}
	graphW := lw - axis - 1
	want := []int{axis + 1, axis + 1 + int(math.Round(float64(graphW-1)*7/14)), lw - 1}
	for _, x := range want {
		if marks[x] < 3 {
			t.Errorf("marker column %d drawn on %d rows (markers at %v; axis at %d)", x, marks[x], marks, axis)
		}
	}
	if len(marks) != len(want) {
		t.Errorf("markers at %v, want columns %v", marks, want)
	}
	v := ansi.Strip(out)
	if strings.Count(v, "┆ change") != 4 {
		t.Errorf("the legend is not on every chart:\n%s", v)
	}
	m.SetSize(200, 120) // room for the lower panes
	v = ansi.Strip(m.View())
	for _, want := range []string{"Changes (4)", "┆ 10:07:00 version 47 → 48 (demo)", "┆ 10:07:00 timeout 15 s → 20 s", "┆ 10:00:00 version 40 → 41"} {
		if !strings.Contains(v, want) {
			t.Errorf("the list of changes lacks %q:\n%s", want, v)
		}
	}
}

// TestCostWhatIf: the function view projects the month, the cold-start
// share, and a table of the feasible memory sizes on both architectures
// with the current one marked.
func TestCostWhatIf(t *testing.T) {
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(160, 120)
	m.SetSnapshot(fixture())
	v := ansi.Strip(m.View())
	for _, want := range []string{"Cost what-if", "/month at this rate", "MEMORY", "x86_64", "arm64", "● current", "512 MB", "assuming"} {
		if !strings.Contains(v, want) {
			t.Errorf("what-if lacks %q:\n%s", want, v)
		}
	}
	// 431 MB used of 512: 128 and 256 MB cannot hold it.
	if strings.Contains(v, " 256 MB ") || strings.Contains(v, " 128 MB ") {
		t.Errorf("an infeasible size is offered:\n%s", v)
	}
	cur := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "●") && strings.Contains(l, "512 MB") {
			cur = l
		}
	}
	if cur == "" {
		t.Errorf("the current configuration (512 MB arm64) is not marked:\n%s", v)
	}
}

// TestRecentErrorOpensItsRequest: the newest error is marked, n marks the
// next older, enter opens the marked one's request.
func TestRecentErrorOpensItsRequest(t *testing.T) {
	s := fixture()
	for i := range s.Functions[0].RecentErrors {
		s.Functions[0].RecentErrors[i].RequestID = fmt.Sprintf("req-%d", i)
	}
	m := New(styles(t, "dark-nocolor"), fnName)
	m.SetSize(160, 80)
	m.SetSnapshot(s)
	open := func() tea.Msg {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if cmd == nil {
			return nil
		}
		return cmd()
	}
	if got := open(); got != (common.OpenInvocationMsg{Function: fnName, RequestID: "req-2"}) {
		t.Errorf("enter: %#v", got)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	if got := open(); got != (common.OpenInvocationMsg{Function: fnName, RequestID: "req-1"}) {
		t.Errorf("n, enter: %#v", got)
	}
	if !strings.Contains(ansi.Strip(m.View()), "▸ 10:09:00 function_error") {
		t.Errorf("the marked error is not shown:\n%s", ansi.Strip(m.View()))
	}
	// The mark stays on its error across snapshots.
	m.SetSnapshot(s)
	if got := open(); got != (common.OpenInvocationMsg{Function: fnName, RequestID: "req-1"}) {
		t.Errorf("after a snapshot: %#v", got)
	}
	// An error after the snapshot's end (incident mode's T0) is not shown.
	s2 := fixture()
	s2.Window.End = t0.Add(10 * time.Minute)
	m.SetSnapshot(s2)
	if v := ansi.Strip(m.View()); strings.Contains(v, "out_of_memory") || !strings.Contains(v, "Recent errors (2)") {
		t.Errorf("errors after the window's end are shown:\n%s", v)
	}
}
