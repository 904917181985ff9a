package logs

import (
	"fmt"
	"os"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// TestMain forces the TrueColor profile on lipgloss's default renderer, so
// that the styled output (and the golden files) do not depend on the
// terminal the tests run in. It is set once, before any test runs.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// fixedClock is the clock of every test view.
func fixedClock() time.Time { return t0.Add(time.Minute) }

func styles(t testing.TB, name string) common.Styles {
	t.Helper()
	if name == "nocolor" {
		th, err := themes.Builtin("dark")
		if err != nil {
			t.Fatal(err)
		}
		th.NoColor = true
		return common.NewStyles(th)
	}
	th, err := themes.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return common.NewStyles(th)
}

// newView is a sized view in UTC+1 with the fixed clock.
func newView(t testing.TB, function string, w, h int, opts ...Option) Model {
	t.Helper()
	opts = append([]Option{WithClock(fixedClock), WithLocation(time.FixedZone("CET", 3600))}, opts...)
	m := New(styles(t, "dark"), function, opts...)
	m.SetSize(w, h)
	return m
}

// seq numbers test entries.
type feed struct{ seq uint64 }

func (f *feed) line(fn string, at time.Duration, kind model.LineKind, lvl model.Level, req, msg string) model.LogEntry {
	f.seq++
	return model.LogEntry{Seq: f.seq, Time: t0.Add(at), Function: fn, Source: "test",
		LogLine: model.LogLine{Stream: "s1", RequestID: req, Level: lvl, Kind: kind, Message: msg}}
}

// invocation is a START..REPORT sequence of one request as Lambda prints it.
func (f *feed) invocation(fn, req string, at time.Duration, report string, body ...model.LogEntry) []model.LogEntry {
	out := []model.LogEntry{f.line(fn, at, model.LinePlatform, model.LevelNone, req, "START RequestId: "+req+" Version: $LATEST\n")}
	out = append(out, body...)
	out = append(out,
		f.line(fn, at+900*time.Millisecond, model.LinePlatform, model.LevelNone, req, "END RequestId: "+req+"\n"),
		f.line(fn, at+901*time.Millisecond, model.LinePlatform, model.LevelNone, req, "REPORT RequestId: "+req+"\t"+report+"\n"))
	return out
}

const (
	reqOK      = "0f1e2d3c-aaaa-4bbb-8ccc-000000000001"
	reqCold    = "1a2b3c4d-aaaa-4bbb-8ccc-000000000002"
	reqTimeout = "2b3c4d5e-aaaa-4bbb-8ccc-000000000003"
	reqOOM     = "3c4d5e6f-aaaa-4bbb-8ccc-000000000004"
)

// fixture is a deterministic sample: a warm success, a cold start, a
// timeout, an out-of-memory failure, Node.js and Python lines, a JSON app
// line and lines of no request.
func fixture(fn2 bool) []model.LogEntry {
	f := &feed{}
	fn := "checkout-api"
	other := fn
	if fn2 {
		other = "image-resizer"
	}
	var out []model.LogEntry
	out = append(out, f.line(fn, 0, model.LinePlatform, model.LevelNone, "", "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n"))
	out = append(out, f.invocation(fn, reqCold, time.Second,
		"Duration: 812.35 ms\tBilled Duration: 813 ms\tMemory Size: 512 MB\tMax Memory Used: 88 MB\tInit Duration: 245.10 ms\t",
		f.line(fn, 1100*time.Millisecond, model.LineApp, model.LevelInfo, reqCold, "2025-03-14T09:26:54.100Z\t"+reqCold+"\tINFO\tcart loaded items=3"),
		f.line(fn, 1200*time.Millisecond, model.LineApp, model.LevelWarn, reqCold, "2025-03-14T09:26:54.200Z\t"+reqCold+"\tWARN\tslow dependency inventory 640ms"),
		f.line(fn, 1300*time.Millisecond, model.LineApp, model.LevelDebug, reqCold, "2025-03-14T09:26:54.300Z\t"+reqCold+"\tDEBUG\tcache miss key=user:42"),
	)...)
	out = append(out, f.invocation(other, reqOK, 3*time.Second,
		"Duration: 42.00 ms\tBilled Duration: 43 ms\tMemory Size: 1024 MB\tMax Memory Used: 120 MB\t",
		f.line(other, 3100*time.Millisecond, model.LineApp, model.LevelInfo, reqOK, `{"timestamp":"2025-03-14T09:26:56.100Z","level":"INFO","requestId":"`+reqOK+`","message":"resized","width":640,"height":480}`),
	)...)
	out = append(out, f.invocation(fn, reqTimeout, 5*time.Second,
		"Duration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 95 MB\tStatus: timeout",
		f.line(fn, 5100*time.Millisecond, model.LineApp, model.LevelError, reqTimeout, "2025-03-14T09:26:58.100Z\t"+reqTimeout+"\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"payment gateway down\",\"stack\":[\"Error: payment gateway down\",\"    at charge (/var/task/index.js:10:9)\"]}"),
		f.line(fn, 5800*time.Millisecond, model.LineFailure, model.LevelError, reqTimeout, "2025-03-14T09:26:58.800Z "+reqTimeout+" Task timed out after 3.00 seconds\n"),
	)...)
	out = append(out, f.line(fn, 6*time.Second, model.LinePlain, model.LevelNone, "", "a line of no request, long enough to need wrapping on an eighty column screen: lorem ipsum dolor sit amet consectetur"))
	out = append(out, f.invocation(fn, reqOOM, 7*time.Second,
		"Duration: 1500.00 ms\tBilled Duration: 1500 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory",
		f.line(fn, 7100*time.Millisecond, model.LineApp, model.LevelInfo, reqOOM, "[INFO]\t2025-03-14T09:27:00.100Z\t"+reqOOM+"\tloading model\rstep 1 of 2\rstep 2 of 2"),
	)...)
	return out
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEscape}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys in order.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m, _ = m.Update(keyMsg(k))
	}
	return m
}

// typeText types a search or filter and applies it.
func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m, _ = m.Update(keyMsg(string(r)))
	}
	m, _ = m.Update(keyMsg("enter"))
	return m
}

var _ = fmt.Sprint

func mouseWheel(up bool) tea.MouseMsg {
	b := tea.MouseButtonWheelDown
	if up {
		b = tea.MouseButtonWheelUp
	}
	return tea.MouseMsg{Action: tea.MouseActionPress, Button: b}
}
