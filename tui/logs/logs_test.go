package logs

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
)

func plain(m Model) string { return ansi.Strip(m.View()) }

// cursorText is the text of the first screen line of the cursor row.
func cursorMsg(m Model) string {
	r := m.rows[m.cursor]
	if r.g >= 0 {
		return "group " + m.groups[r.g].key.id
	}
	return m.buf[r.e].Message
}

func TestTimeOrderAndQuery(t *testing.T) {
	m := newView(t, "fn", 80, 10)
	f := &feed{}
	a := f.line("fn", 3*time.Second, model.LineApp, model.LevelInfo, "", "third")
	b := f.line("fn", 5*time.Second, model.LineApp, model.LevelInfo, "", "fifth")
	m.AddLogs([]model.LogEntry{a, b})
	// A later tick brings older lines, out of order among themselves.
	c := f.line("fn", 4*time.Second, model.LineApp, model.LevelInfo, "", "fourth")
	d := f.line("fn", 1*time.Second, model.LineApp, model.LevelInfo, "", "first")
	e := f.line("fn", 6*time.Second, model.LineApp, model.LevelInfo, "", "sixth")
	m.AddLogs([]model.LogEntry{c, d, e})
	var got []string
	for _, x := range m.buf {
		got = append(got, x.Message)
	}
	if want := "first third fourth fifth sixth"; strings.Join(got, " ") != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	if q := m.LogQuery(); q.Function != "fn" || q.AfterSeq != 5 {
		t.Fatalf("query %+v", q)
	}
	v := plain(m)
	if strings.Index(v, "first") > strings.Index(v, "third") || strings.Index(v, "fourth") > strings.Index(v, "sixth") {
		t.Fatalf("view not in time order:\n%s", v)
	}
}

func TestBoundedBuffer(t *testing.T) {
	m := newView(t, "", 80, 10, WithMaxLines(100))
	f := &feed{}
	for tick := 0; tick < 5; tick++ {
		var batch []model.LogEntry
		for i := 0; i < 70; i++ {
			batch = append(batch, f.line("fn", time.Duration(tick*70+i)*time.Millisecond, model.LineApp, model.LevelInfo, "", fmt.Sprint("line ", tick*70+i)))
		}
		m.AddLogs(batch)
	}
	if m.Len() != 100 || len(m.rows) != 100 {
		t.Fatalf("len %d rows %d, want 100", m.Len(), len(m.rows))
	}
	if m.buf[0].Message != "line 250" || m.buf[99].Message != "line 349" {
		t.Fatalf("kept %q..%q", m.buf[0].Message, m.buf[99].Message)
	}
	if m.LogQuery().AfterSeq != 350 {
		t.Fatalf("after seq %d", m.LogQuery().AfterSeq)
	}
}

// many is a view of n numbered lines.
func many(t *testing.T, n int) Model {
	m := newView(t, "fn", 80, 12)
	f := &feed{}
	var batch []model.LogEntry
	for i := 0; i < n; i++ {
		lvl := model.LevelInfo
		if i%10 == 7 {
			lvl = model.LevelError
		}
		batch = append(batch, f.line("fn", time.Duration(i)*time.Second, model.LineApp, lvl, "", fmt.Sprintf("line %03d", i)))
	}
	m.AddLogs(batch)
	return m
}

func TestFollowPause(t *testing.T) {
	m := many(t, 50)
	if !m.Following() || !strings.Contains(plain(m), "FOLLOWING") || !strings.Contains(plain(m), "line 049") {
		t.Fatalf("not following:\n%s", plain(m))
	}
	m = press(t, m, "up")
	if m.Following() || cursorMsg(m) != "line 048" {
		t.Fatalf("up: following=%v cursor %q", m.Following(), cursorMsg(m))
	}
	f := &feed{seq: 100}
	m.AddLogs([]model.LogEntry{f.line("fn", time.Hour, model.LineApp, model.LevelInfo, "", "late 1"), f.line("fn", time.Hour, model.LineApp, model.LevelInfo, "", "late 2")})
	v := plain(m)
	if !strings.Contains(v, "PAUSED") || !strings.Contains(v, "+2 new") || strings.Contains(v, "late 2") {
		t.Fatalf("paused view:\n%s", v)
	}
	if cursorMsg(m) != "line 048" {
		t.Fatalf("cursor moved to %q", cursorMsg(m))
	}
	m = press(t, m, "s")
	if v := plain(m); !m.Following() || !strings.Contains(v, "late 2") || strings.Contains(v, "+2 new") {
		t.Fatalf("s resumes:\n%s", v)
	}
	m = press(t, m, "s")
	if m.Following() {
		t.Fatal("s pauses")
	}
	m = press(t, m, "home")
	if cursorMsg(m) != "line 000" || !strings.Contains(plain(m), "line 000") {
		t.Fatalf("home: %q", cursorMsg(m))
	}
	m = press(t, m, "pgdown")
	if cursorMsg(m) != "line 010" {
		t.Fatalf("pgdown: %q", cursorMsg(m))
	}
	m = press(t, m, "pgup", "down")
	if cursorMsg(m) != "line 001" {
		t.Fatalf("pgup down: %q", cursorMsg(m))
	}
	m = press(t, m, "G")
	if !m.Following() {
		t.Fatal("G follows")
	}
	m, _ = m.Update(mouseWheel(true))
	if m.Following() || cursorMsg(m) != "late 1" && cursorMsg(m) != "line 048" {
		t.Fatalf("wheel up: %v %q", m.Following(), cursorMsg(m))
	}
}

func TestFailureJumps(t *testing.T) {
	m := many(t, 50)
	m = press(t, m, "N")
	if cursorMsg(m) != "line 047" || m.Following() {
		t.Fatalf("N from the end: %q", cursorMsg(m))
	}
	m = press(t, m, "N", "N")
	if cursorMsg(m) != "line 027" {
		t.Fatalf("N N: %q", cursorMsg(m))
	}
	m = press(t, m, "n")
	if cursorMsg(m) != "line 037" {
		t.Fatalf("n: %q", cursorMsg(m))
	}
	if !strings.Contains(plain(m), "line 037") {
		t.Fatalf("jumped row not on screen:\n%s", plain(m))
	}
	m = press(t, m, "n", "n")
	if cursorMsg(m) != "line 007" || !strings.Contains(plain(m), "wrapped") {
		t.Fatalf("wrap: %q\n%s", cursorMsg(m), plain(m))
	}
}

func TestSearch(t *testing.T) {
	m := many(t, 50)
	m = press(t, m, "/")
	if !m.Capturing() {
		t.Fatal("/ captures")
	}
	m = typeText(t, m, "line 0[12]5")
	if m.Capturing() || m.search == nil {
		t.Fatal("enter applies")
	}
	if cursorMsg(m) != "line 025" {
		t.Fatalf("search goes to newest match: %q", cursorMsg(m))
	}
	m = press(t, m, "N")
	if cursorMsg(m) != "line 015" {
		t.Fatalf("N with a search: %q", cursorMsg(m))
	}
	m = press(t, m, "n")
	if cursorMsg(m) != "line 025" {
		t.Fatalf("n with a search: %q", cursorMsg(m))
	}
	// The match is drawn with the Match style.
	want := m.st.Match.Render("line 025")
	if !strings.Contains(m.View(), want) {
		t.Fatalf("match not highlighted: %q", m.View())
	}
	// A bad regex is taken literally and says so.
	m = press(t, m, "/", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	m = typeText(t, m, "(line")
	if m.search == nil || !strings.Contains(plain(m), "bad regex") {
		t.Fatalf("bad regex:\n%s", plain(m))
	}
	// esc clears, then goes back.
	m, cmd := m.Update(keyMsg("esc"))
	if m.search != nil || cmd != nil {
		t.Fatal("esc clears the search")
	}
	_, cmd = m.Update(keyMsg("esc"))
	if cmd == nil {
		t.Fatal("esc returns back")
	}
	if _, ok := cmd().(common.BackMsg); !ok {
		t.Fatal("not a BackMsg")
	}
	// esc while typing cancels.
	m = press(t, m, "/", "x", "esc")
	if m.Capturing() || m.search != nil {
		t.Fatal("esc cancels typing")
	}
}

func TestFilter(t *testing.T) {
	m := many(t, 50)
	m = press(t, m, "f")
	m = typeText(t, m, "line 04")
	if len(m.rows) != 10 || !strings.Contains(plain(m), "filter:line 04") {
		t.Fatalf("filter rows %d\n%s", len(m.rows), plain(m))
	}
	if strings.Contains(plain(m), "line 039") {
		t.Fatal("non-matching line shown")
	}
	m = press(t, m, "&", "ctrl+u")
	m = press(t, m, "&")
	m.input.set("")
	m = typeText(t, m, "!line 0[0-3]")
	if len(m.rows) != 10 {
		t.Fatalf("inverted filter rows %d", len(m.rows))
	}
	// New lines are filtered as they arrive.
	f := &feed{seq: 100}
	m.AddLogs([]model.LogEntry{f.line("fn", time.Hour, model.LineApp, model.LevelInfo, "", "line 010 again"), f.line("fn", time.Hour, model.LineApp, model.LevelInfo, "", "fresh")})
	if len(m.rows) != 11 {
		t.Fatalf("rows after add %d", len(m.rows))
	}
	m = press(t, m, "esc")
	if m.filter != nil || len(m.rows) != 52 {
		t.Fatalf("esc clears the filter: %d rows", len(m.rows))
	}
}

func TestToggles(t *testing.T) {
	m := newView(t, "", 80, 40)
	m.AddLogs(fixture(true))
	v := plain(m)
	if !strings.Contains(v, "10:26:54.100 ") || !strings.Contains(v, "image-resizer") {
		t.Fatalf("local timestamps and function names:\n%s", v)
	}
	m = press(t, m, "u")
	if v := plain(m); !strings.Contains(v, "09:26:54.100 ") || !strings.Contains(v, "UTC") {
		t.Fatalf("u switches to UTC:\n%s", v)
	}
	m = press(t, m, "t")
	if v := plain(m); strings.Contains(v, "09:26:54.100 ") {
		t.Fatalf("t hides timestamps:\n%s", v)
	}
	m = press(t, m, "t")
	long := "a line of no request, long"
	if v := plain(m); !strings.Contains(v, long) || strings.Contains(v, "amet consectetur") || !strings.Contains(v, "…") {
		t.Fatalf("truncated by default:\n%s", v)
	}
	m = press(t, m, "right")
	if v := plain(m); strings.Contains(v, "a line of no request") || !strings.Contains(v, "→8") {
		t.Fatalf("right scrolls:\n%s", v)
	}
	m = press(t, m, "left", "w")
	if v := plain(m); !strings.Contains(v, "amet consectetur") || !strings.Contains(v, "\n"+strings.Repeat(" ", 32)+"step 1 of 2") {
		t.Fatalf("w wraps and splits \\r:\n%s", v)
	}
	m = press(t, m, "w")
	m.SetSize(200, 40)
	if v := plain(m); !strings.Contains(v, `loading model\rstep 1 of 2`) {
		t.Fatalf("\\r shown visibly without wrap:\n%s", v)
	}
	m = press(t, m, "j")
	if v := plain(m); !strings.Contains(v, `"errorMessage": "payment gateway down",`) || !strings.Contains(v, "Invoke Error\n") {
		t.Fatalf("j pretty-prints JSON:\n%s", v)
	}
	m = press(t, m, "J")
	if v := plain(m); strings.Contains(v, `"errorMessage": "payment`) {
		t.Fatalf("J toggles back:\n%s", v)
	}
}

func TestGrouping(t *testing.T) {
	m := newView(t, "checkout-api", 120, 30)
	m.AddLogs(fixture(false))
	m = press(t, m, "g")
	v := plain(m)
	for _, want := range []string{
		"▸ 1a2b3c4d  812ms  billed 813ms  mem 88/512MB  COLD  (6 lines)",
		"▸ 0f1e2d3c  42ms  billed 43ms  mem 120/1024MB  (4 lines)",
		"▸ 2b3c4d5e  3.0s  billed 3000ms  mem 95/512MB  TIMEOUT  ERROR  (5 lines)",
		"▸ 3c4d5e6f  1.5s  billed 1500ms  mem 128/128MB  OOM  (4 lines)",
		"INIT_START", "a line of no request",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in\n%s", want, v)
		}
	}
	if len(m.rows) != 6 {
		t.Fatalf("rows %d", len(m.rows))
	}
	// The cursor is on the newest row; enter unfolds it.
	m = press(t, m, "enter")
	if v := plain(m); !strings.Contains(v, "▾ 3c4d5e6f") || !strings.Contains(v, "  END RequestId: 3c4d5e6f") {
		t.Fatalf("enter unfolds:\n%s", v)
	}
	m = press(t, m, " ")
	if strings.Contains(plain(m), "END RequestId: 3c4d5e6f") {
		t.Fatal("space folds")
	}
	m = press(t, m, "o")
	if v := plain(m); strings.Count(v, "▾") != 4 {
		t.Fatalf("o unfolds all:\n%s", v)
	}
	m = press(t, m, "O")
	if v := plain(m); strings.Count(v, "▸") != 4 {
		t.Fatalf("O folds all:\n%s", v)
	}
	// n/N without a search stop at failed requests.
	m = press(t, m, "N")
	if cursorMsg(m) != "group "+reqOOM {
		t.Fatalf("N: %q", cursorMsg(m))
	}
	m = press(t, m, "N")
	if cursorMsg(m) != "group "+reqTimeout {
		t.Fatalf("N N: %q", cursorMsg(m))
	}
	// A search match inside a folded group unfolds it.
	m = press(t, m, "/")
	m = typeText(t, m, "cart loaded")
	if cursorMsg(m) != "group "+reqCold || !strings.Contains(plain(m), "cart loaded") {
		t.Fatalf("search into group: %q\n%s", cursorMsg(m), plain(m))
	}
	m = press(t, m, "g")
	if len(m.rows) != 21 || cursorMsg(m) != "START RequestId: "+reqCold+" Version: $LATEST\n" {
		t.Fatalf("g ungroups, keeping the cursor: %d %q", len(m.rows), cursorMsg(m))
	}
}

func TestKeysHelp(t *testing.T) {
	m := newView(t, "", 80, 20)
	k := m.Keys().(KeyMap)
	if k.Next.Help().Desc != "next failure (no search)" || k.Fold.Enabled() || !k.Left.Enabled() {
		t.Fatalf("default keys: %+v", k.Next.Help())
	}
	m = press(t, m, "g", "w", "/")
	m = typeText(t, m, "x")
	k = m.Keys().(KeyMap)
	if k.Next.Help().Desc != "next match" || !k.Fold.Enabled() || k.Left.Enabled() {
		t.Fatal("keys follow state")
	}
	m = press(t, m, "/")
	if sh := m.Keys().ShortHelp(); len(sh) != 2 {
		t.Fatalf("typing shows apply/cancel, got %d", len(sh))
	}
}

func TestSmallSizes(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {20, 5}, {1, 1}, {5, 2}, {-3, -1}} {
		m := newView(t, "", sz[0], sz[1])
		m.AddLogs(fixture(true))
		for _, k := range []string{"", "g", "o", "w", "j", "up", "pgup", "down", "n", "N", "/", "x", "enter", "right", "home", "end"} {
			if k != "" {
				m = press(t, m, k)
			}
			checkFrame(t, m, max(sz[0], 0), max(sz[1], 0))
		}
	}
}

// checkFrame asserts the frame fits width x height.
func checkFrame(t *testing.T, m Model, w, h int) {
	t.Helper()
	v := m.View()
	if v == "" {
		return
	}
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Fatalf("%d lines for height %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("line %d is %d wide (> %d): %q", i, lw, w, ansi.Strip(l))
		}
	}
}

// sgr is the only escape sequence a frame may hold: lipgloss's colours.
var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

func TestHostileMessages(t *testing.T) {
	hostile := []string{
		"\x1b[2J\x1b[Hcleared",
		"\x1b]52;c;ZXZpbA==\x07clipboard",
		"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
		"\xc2\x9b31mC1 CSI",
		"\u202egnp.exe",
		"bad utf8 \xff\xfe end",
		"nul\x00byte and bell\x07 and del\x7f",
		`{"msg":"json \u001b[31m"}`,
		"2025-03-14T09:26:54.100Z\tid\tERROR\tInvoke Error \t{\"errorMessage\":\"\x1b]0;title\x07\"}",
		"line1\rline2\x1b[31m\nline3",
	}
	for _, theme := range []string{"dark", "nocolor"} {
		for _, w := range []int{80, 20} {
			for _, keys := range [][]string{{}, {"w"}, {"j"}, {"g", "o"}, {"/", "\x1b"}, {"f", "l", "enter"}} {
				m2 := New(styles(t, theme), "", WithClock(fixedClock), WithLocation(time.UTC))
				m2.SetSize(w, 40)
				f := &feed{}
				var batch []model.LogEntry
				for i, h := range hostile {
					batch = append(batch, f.line("fn\x1b[31m", time.Duration(i)*time.Second, model.LineApp, model.LevelError, "req\x1b]0;x\x07", h))
				}
				m2.AddLogs(batch)
				for _, k := range keys {
					if k == "\x1b" {
						m2, _ = m2.Update(keyMsg("enter"))
						continue
					}
					m2 = press(t, m2, k)
				}
				v := m2.View()
				checkFrame(t, m2, w, 40)
				rest := sgr.ReplaceAllString(v, "")
				for i := 0; i < len(rest); i++ {
					if c := rest[i]; c < 0x20 && c != '\n' || c == 0x7f {
						t.Fatalf("%s %d %v: raw control byte %#x in %q", theme, w, keys, c, rest)
					}
				}
				for _, bad := range []string{"\u009b", "\u202e", "\xff"} {
					if strings.Contains(rest, bad) {
						t.Fatalf("%s %v: raw %q in output", theme, keys, bad)
					}
				}
				if w == 80 && len(keys) == 0 && !strings.Contains(rest, `\x1b[2J`) {
					t.Fatalf("escape not shown visibly:\n%s", rest)
				}
			}
		}
	}
}
