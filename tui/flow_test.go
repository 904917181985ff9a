package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/demo"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

func TestMain(m *testing.M) {
	// Goldens keep the theme's colours: render as on a true-colour terminal
	// whatever runs the tests.
	lipgloss.SetColorProfile(termenv.TrueColor)
	// and fail when a goroutine (a program, a command) outlives them;
	// teatest's SIGINT watcher is never stopped, by its design.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}

func fixedClock() time.Time { return t0 }

var (
	demoOnce  sync.Once
	demoStore *model.Store
	demoErr   error
)

// seededStore is the demo fleet (seed 1) over the hour before t0, with the
// clock stopped at t0: every run sees the same figures. It is filled once
// and only read.
func seededStore(t *testing.T) *model.Store {
	t.Helper()
	demoOnce.Do(func() {
		demoStore = model.NewStore(model.Options{Clock: fixedClock})
		demoErr = demo.New(demo.Seed(1), demo.Clock(fixedClock)).Backfill(context.Background(), demoStore)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoStore
}

func flowModel(t *testing.T, opts Options) Model {
	t.Helper()
	opts.Clock = fixedClock
	opts.Location = time.UTC
	if opts.Refresh == 0 {
		opts.Refresh = 20 * time.Millisecond
	}
	return New(seededStore(t), opts)
}

func waitForText(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		plain := ansi.Strip(string(b))
		for _, s := range texts {
			if !strings.Contains(plain, s) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func sendKey(tm *teatest.TestModel, k string) { tm.Send(keyMsg(k)) }

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	m, ok := fm.(Model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	return m
}

// lastFrame is the final model's frame before it quit: the model is asked
// to draw again as if it had not.
func lastFrame(m Model) string {
	m.quitting = false
	return m.View()
}

// TestFlowOpenFunctionAndLogs: the fleet, enter opens the top function,
// l its logs, esc back to it, q quits.
func TestFlowOpenFunctionAndLogs(t *testing.T) {
	tm := teatest.NewTestModel(t, flowModel(t, Options{}), teatest.WithInitialTermSize(120, 40))
	waitForText(t, tm, "auth-token-refresh", "order-processor", "demo ok")
	sendKey(tm, "enter")
	waitForText(t, tm, "fleet › auth-token-refresh", "duration p50")
	sendKey(tm, "l")
	waitForText(t, tm, "logs auth-token-refresh", "FOLLOWING")
	sendKey(tm, "esc") // the logs view answers BackMsg
	waitForText(t, tm, "Recent errors")
	sendKey(tm, "q")
	m := finalModel(t, tm)
	if got := strings.Join(m.Stack(), " "); got != "fleet function:auth-token-refresh" {
		t.Errorf("stack %q", got)
	}
	frame := lastFrame(m)
	checkFits(t, frame, 120, 40)
	golden.RequireEqual(t, []byte(frame))
}

// TestFlowFilterAndWindow: / filter (a capturing view gets every key, so
// typing digits does not switch the window), enter applies, 4 switches
// to 1h, enter opens the filtered row.
func TestFlowFilterAndWindow(t *testing.T) {
	tm := teatest.NewTestModel(t, flowModel(t, Options{}), teatest.WithInitialTermSize(120, 40))
	waitForText(t, tm, "auth-token-refresh")
	sendKey(tm, "/")
	for _, r := range "ig-4q" { // capturing: 4 is text, not a window; q is not a quit
		sendKey(tm, string(r))
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	sendKey(tm, "enter")
	waitForText(t, tm, "ig-comment-webhook")
	sendKey(tm, "4")
	waitForText(t, tm, "Fleet 1h")
	sendKey(tm, "enter")
	waitForText(t, tm, "fleet › ig-", "duration p50") // its data has arrived
	sendKey(tm, "q")
	m := finalModel(t, tm)
	if m.Window() != model.Window1h {
		t.Errorf("window %v", m.Window())
	}
	if got := m.fleet.Filter(); got != "ig-" {
		t.Errorf("filter %q", got)
	}
	stack := m.Stack()
	if len(stack) != 2 || !strings.HasPrefix(stack[1], "function:ig-") {
		t.Errorf("stack %v", stack)
	}
	frame := lastFrame(m)
	checkFits(t, frame, 120, 40)
	golden.RequireEqual(t, []byte(frame))
}

// TestFlowFleetLogsPauseAndResize: L opens the fleet's logs, p pauses,
// a resize to 20x5 shows the too-small screen, back to 100x30 the view.
func TestFlowFleetLogsPauseAndResize(t *testing.T) {
	tm := teatest.NewTestModel(t, flowModel(t, Options{}), teatest.WithInitialTermSize(100, 30))
	waitForText(t, tm, "auth-token-refresh")
	sendKey(tm, "L")
	waitForText(t, tm, "logs (fleet)")
	sendKey(tm, "p")
	waitForText(t, tm, "PAUSED")
	tm.Send(tea.WindowSizeMsg{Width: 20, Height: 5})
	waitForText(t, tm, "terminal too small", "20x5)")
	tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	sendKey(tm, "ctrl+c")
	m := finalModel(t, tm)
	if !m.Paused() || strings.Join(m.Stack(), " ") != "fleet logs" {
		t.Errorf("paused %v stack %v", m.Paused(), m.Stack())
	}
	frame := lastFrame(m)
	checkFits(t, frame, 100, 30)
	if !strings.Contains(ansi.Strip(frame), "PAUSED") {
		t.Error("PAUSED not shown after the resize")
	}
}

// TestGoldenFrames draws the root frame on the seeded fleet over widths x
// themes, and each view at 120 columns.
func TestGoldenFrames(t *testing.T) {
	type tc struct {
		name  string
		theme string
		noCol bool
		w, h  int
		opts  Options
		keys  []string
	}
	var cases []tc
	for _, th := range []string{"dark", "light", "high-contrast"} {
		for _, w := range []int{60, 120} {
			cases = append(cases, tc{name: fmt.Sprintf("fleet-%s-%d", th, w), theme: th, w: w, h: 30})
		}
	}
	cases = append(cases,
		tc{name: "fleet-nocolor-120", theme: "dark", noCol: true, w: 120, h: 30},
		tc{name: "function-dark-120", theme: "dark", w: 120, h: 40, opts: Options{Function: "order-processor"}},
		tc{name: "logs-dark-120", theme: "dark", w: 120, h: 30, opts: Options{Function: "order-processor", Logs: true}},
		tc{name: "help-dark-120", theme: "dark", w: 120, h: 30, keys: []string{"?"}},
		tc{name: "toosmall-20x5", theme: "dark", w: 20, h: 5},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			th, err := themes.Load(c.theme, "", c.noCol)
			if err != nil {
				t.Fatal(err)
			}
			c.opts.Styles = common.NewStyles(th)
			m := flowModel(t, c.opts)
			m = update(t, m, tea.WindowSizeMsg{Width: c.w, Height: c.h})
			if d, ok := dataOf(t, m.fetch()); ok {
				m = update(t, m, d)
			}
			for _, k := range c.keys {
				m = press(t, m, k)
			}
			frame := m.View()
			checkFits(t, frame, c.w, c.h)
			if c.noCol && bytes.Contains([]byte(frame), []byte("\x1b[38;2")) {
				t.Error("colour with NO_COLOR")
			}
			golden.RequireEqual(t, []byte(frame))
		})
	}
}

// TestMouseIsTranslatedToTheView: a click on the fifth table row (the
// title line above the view, the fleet's totals and column header above
// its rows) selects that row.
func TestMouseIsTranslatedToTheView(t *testing.T) {
	m := flowModel(t, Options{})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	d, _ := dataOf(t, m.fetch())
	m = update(t, m, d)
	rows := strings.Split(ansi.Strip(m.View()), "\n")
	fifth := strings.Fields(rows[headerHeight+2+4])[0]
	m = update(t, m, tea.MouseMsg{X: 5, Y: headerHeight + 2 + 4, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if got := m.fleet.Selected(); got != fifth {
		t.Fatalf("clicked %q, selected %q", fifth, got)
	}
	m = press(t, m, "enter")
	if got := m.Stack(); len(got) != 2 || got[1] != "function:"+fifth {
		t.Errorf("stack %v", got)
	}
	// The wheel scrolls the view, not the title.
	m = update(t, m, common.BackMsg{})
	m = update(t, m, tea.MouseMsg{X: 5, Y: 10, Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.fleet.Selected() == fifth {
		t.Error("wheel did not move the selection")
	}
}
