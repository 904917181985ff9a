package tui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe/textsafetest"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/common"
)

// hostileName is the function of class i: a readable prefix, then the
// class's characters (a log group or stream can be named so).
func hostileName(i int) string {
	return fmt.Sprintf("h%02d-%s", i, textsafetest.Classes[i].Text)
}

// hostileReq is the request ID of class i's failed invocations.
func hostileReq(i int) string {
	return fmt.Sprintf("req%02d-%s", i, textsafetest.Classes[i].Text)
}

// hostileStore is a store whose every string a source or a log line can
// set carries one hostile class per function: names, sources, regions,
// runtimes, versions (a deploy marker), platforms, request IDs, streams,
// trace IDs, error types and messages, statuses, skip reasons, log lines
// (plain, JSON with the class escaped in its strings, JSON with it raw)
// and source statuses. The hour before holds a quiet baseline, so that
// triage flags the errors and the new signatures.
func hostileStore(t *testing.T, now time.Time) *model.Store {
	t.Helper()
	st := model.NewStore(model.Options{Clock: func() time.Time { return now }})
	for i, c := range textsafetest.Classes {
		h, fn, req := c.Text, hostileName(i), hostileReq(i)
		src := "src-" + h
		platform := ""
		if i%3 == 2 {
			platform = "plat-" + h // unpriced: "no price table for ..."
		}
		var evs []model.Event
		meta := model.FunctionMeta{Region: "reg-" + h, Account: "acct-" + h, Arch: model.Arch("arch-" + h), Runtime: "rt-" + h,
			MemorySizeMB: 128, TimeoutMs: 3000, Version: "1", Platform: platform}
		evs = append(evs, model.Event{Kind: model.KindMeta, Source: src, Function: fn, Time: now.Add(-70 * time.Minute), Meta: meta})
		for m := 70; m > 12; m-- {
			at := now.Add(-time.Duration(m) * time.Minute)
			evs = append(evs, model.Event{Kind: model.KindInvocation, Source: src, Function: fn, Time: at,
				Invocation: model.Invocation{RequestID: fmt.Sprintf("ok-%d", m), DurationMs: 20, BilledMs: 21, MemorySizeMB: 128, MaxMemoryUsedMB: 60}})
		}
		meta.Version = "v-" + h // a deploy: the marker shows the old and the new version
		evs = append(evs, model.Event{Kind: model.KindMeta, Source: src, Function: fn, Time: now.Add(-4 * time.Minute), Meta: meta})
		for k := range 12 {
			at := now.Add(-3*time.Minute + time.Duration(k)*10*time.Second)
			r := fmt.Sprintf("%s-%d", req, k)
			if k == 0 {
				r = req
			}
			inv := model.Invocation{RequestID: r, Stream: "stream-" + h, Version: "v-" + h, DurationMs: 2900, BilledMs: 2900,
				MemorySizeMB: 128, MaxMemoryUsedMB: 90, InitDurationMs: 300, Error: model.ErrFunction, Status: "st-" + h,
				ErrorType: "Err." + h, ErrorMessage: "failed: " + h, TraceID: "trace-" + h}
			jsonMsg, _ := json.Marshal(map[string]any{"level": "ERROR", "message": "json " + h, "nested": map[string]string{"k-" + h: h}})
			lines := []string{
				"START RequestId: " + r + " Version: v-" + h,
				"ERROR\tplain " + h + "\nsecond line " + h,
				string(jsonMsg),
				`{"level":"ERROR","message":"raw ` + h + `"}`,
				"REPORT RequestId: " + r + "\tDuration: 2900.00 ms",
			}
			for n, l := range lines {
				kind := model.LineApp
				if n == 0 || n == len(lines)-1 {
					kind = model.LinePlatform
				}
				evs = append(evs, model.Event{Kind: model.KindLog, Source: src, Function: fn, Time: at.Add(time.Duration(n) * time.Millisecond),
					Log: model.LogLine{Stream: "stream-" + h, RequestID: r, Level: model.LevelError, Kind: kind, Message: l}})
			}
			evs = append(evs, model.Event{Kind: model.KindInvocation, Source: src, Function: fn, Time: at.Add(5 * time.Millisecond), Invocation: inv})
		}
		evs = append(evs,
			model.Event{Kind: model.KindAmend, Source: src, Function: fn, Time: now.Add(-time.Minute), Amend: model.Amend{
				RequestID: req + "-1", InvocationTime: now.Add(-3*time.Minute + 10*time.Second).Add(5 * time.Millisecond),
				Prev: model.ErrFunction, Error: model.ErrTimeout, ErrorType: "Amend." + h, ErrorMessage: "amended " + h}},
			model.Event{Kind: model.KindInit, Source: src, Function: fn, Time: now.Add(-2 * time.Minute), Init: model.InitPhase{
				Stream: "stream-" + h, DurationMs: 10, Phase: "init-" + h, Status: "error", ErrorType: "Init." + h, Type: "type-" + h}},
			model.Event{Kind: model.KindSkipped, Source: src, Function: fn, Time: now.Add(-time.Minute), Skipped: model.Skipped{Count: 1, Reason: "reason " + h}},
			model.Event{Kind: model.KindStatus, Source: src, Time: now, Status: model.SourceStatus{
				Name: src, State: model.StateFailing, LastError: "last error " + h, Detail: "detail " + h, Updated: now.Add(-time.Minute)}},
		)
		st.Ingest(evs...)
	}
	return st
}

// noColour renders with lipgloss's ASCII profile and the no-colour
// theme, so that lipgloss writes no escape sequence at all: any ESC in a
// frame came from the data.
func noColour(t *testing.T) common.Styles {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.TrueColor) })
	th, err := themes.Builtin(themes.Default)
	if err != nil {
		t.Fatal(err)
	}
	th.NoColor = true
	return common.NewStyles(th)
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestHostileTextNeverReachesTheTerminal drives the real root model over
// a store full of hostile text through every view (fleet, its filter,
// function with its recent errors and markers, logs of one function and
// of the fleet with pretty JSON, grouping, wrap, timestamps, a search
// with highlights and a hostile search typed in, triage with its
// signature list, invocation, help, incident mode, the too-small screen)
// and checks every frame: no ESC, C0/C1 control, bidi, zero-width, tag
// character, line separator or invalid UTF-8. The incident report the UI
// writes is checked the same way.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	styles := noColour(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	st := hostileStore(t, now)
	reportDir := t.TempDir()
	var frames []string
	check := func(m Model, what string) {
		t.Helper()
		v := m.View()
		if v == "" {
			t.Fatalf("%q: empty frame", what)
		}
		if p := textsafetest.Problem(v, true); p != "" {
			t.Errorf("%q (%q): %s", what, m.Stack(), p)
		}
		frames = append(frames, v)
	}
	for _, size := range [][2]int{{260, 70}, {100, 30}} {
		m := New(st, Options{Styles: styles, Clock: func() time.Time { return now }, Location: time.UTC, ReportDir: reportDir})
		m = update(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		m = refresh(t, m)
		check(m, "fleet")
		for _, k := range []string{"S", "!", "j", "j"} {
			m = hit(t, m, k)
			check(m, "fleet after "+k)
		}
		// A filter typed with hostile characters (a paste).
		m = hit(t, m, "/")
		m = update(t, m, runes("h0\u202e\x1b[2J\u200b"))
		check(m, "fleet filter input")
		m = hit(t, m, "esc")
		m = hit(t, m, "esc")

		for i := range textsafetest.Classes {
			fn := hostileName(i)
			m = run(t, m, func() tea.Msg { return common.OpenFunctionMsg{Name: fn} })
			m = refresh(t, m)
			check(m, "function "+fn)
			m = hit(t, m, "n")
			check(m, "function, an error marked "+fn)

			m = hit(t, m, "l")
			m = refresh(t, m)
			check(m, "logs "+fn)
			for _, k := range []string{"j", "g", "o", "t", "w", "right", "w", "g", "j"} {
				if k == "right" {
					m = update(t, m, tea.KeyMsg{Type: tea.KeyRight})
				} else {
					m = hit(t, m, k)
				}
				check(m, "logs "+fn+" after "+k)
			}
			// Search: highlights over escaped text, then a hostile search.
			for _, q := range []string{`x1b|pwned|plain|\\u|json`, "\u202e\x1b]0;t\x07\u200d"} {
				m = hit(t, m, "/")
				m = update(t, m, runes(q))
				check(m, "logs search input "+fn)
				m = hit(t, m, "enter")
				check(m, "logs search "+fn)
				m = hit(t, m, "n")
				check(m, "logs next match "+fn)
			}
			m = hit(t, m, "esc")
			m = update(t, m, common.OpenInvocationMsg{Function: fn, RequestID: hostileReq(i)})
			m = refresh(t, m)
			check(m, "invocation "+fn)
			if !strings.Contains(m.View(), fmt.Sprintf("req%02d-", i)) {
				t.Errorf("invocation %q: the request is not shown:\n%q", fn, m.View())
			}
			m = run(t, m, func() tea.Msg { return common.BackMsg{} })
		}
		m = run(t, m, func() tea.Msg { return common.OpenLogsMsg{} })
		m = refresh(t, m)
		check(m, "fleet logs")
		m = hit(t, m, "j")
		check(m, "fleet logs, pretty JSON")

		m = run(t, m, func() tea.Msg { return common.OpenTriageMsg{} })
		m = refresh(t, m)
		check(m, "triage")
		for range textsafetest.Classes {
			m = hit(t, m, "j")
			check(m, "triage, next function")
		}
		m = hit(t, m, "tab")
		check(m, "triage signatures")
		for range 3 {
			m = hit(t, m, "j")
			check(m, "triage, next signature")
		}
		m = hit(t, m, "enter")
		m = refresh(t, m)
		check(m, "invocation from a signature")

		m = hit(t, m, "?")
		check(m, "help")
		m = hit(t, m, "?")
		m = hit(t, m, "i")
		m = refresh(t, m)
		check(m, "incident mode")
		m = hit(t, m, "W")
		check(m, "report written")
		m = update(t, m, tea.WindowSizeMsg{Width: 30, Height: 8})
		check(m, "too small")
	}

	// The frames showed the hostile text, escaped: names, errors, log
	// lines and statuses were on screen.
	all := strings.Join(frames, "\n")
	for i := range textsafetest.Classes {
		if !strings.Contains(all, fmt.Sprintf("h%02d-", i)) {
			t.Errorf("function h%02d was never shown", i)
		}
	}
	for _, want := range []string{`\x1b[2J`, `\x1b]0;pwned\x07`, `\u202e`, `\u200b`, `\U000e0041`, `\xff`, `\x9b`, "last error", "plain", "json "} {
		if !strings.Contains(all, want) {
			t.Errorf("no frame shows %q", want)
		}
	}

	reports, _ := filepath.Glob(filepath.Join(reportDir, "*.md"))
	if len(reports) == 0 {
		t.Fatal("no incident report written")
	}
	for _, r := range reports {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		if p := textsafetest.Problem(string(b), true); p != "" {
			t.Errorf("report %s: %s", filepath.Base(r), p)
		}
		if !strings.Contains(string(b), `\x1b`) {
			t.Errorf("report %s shows none of the hostile text", filepath.Base(r))
		}
	}
}

// TestCrashHoldsNoSecretOrEscape: a panic whose value quotes a request
// (a URL with a password, an Authorization header, an AWS key ID and
// session token) and hostile text: the crash file holds no secret, and
// the value the guard panics on (which the program prints on the
// terminal it restores) holds neither a secret nor a raw escape.
func TestCrashHoldsNoSecretOrEscape(t *testing.T) {
	secrets := []string{"hunter2-very-secret", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "FwoGZXIvYXdzCRASHsessionTOKEN0123456789", "AKIAFNTOPCRASH000001"}
	value := fmt.Errorf("GET http://fntop:%s@prom:9090/api: Authorization: Bearer %s; X-Amz-Security-Token: %s; Credential=%s/20261125/us-east-1/logs/aws4_request \x1b]0;pwned\x07\u202e",
		secrets[0], secrets[1], secrets[2], secrets[3])
	dir := t.TempDir()
	m := Model{crashDir: dir}
	var repanic any
	func() {
		defer func() { repanic = recover() }()
		defer m.guard()
		panic(value)
	}()
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if len(files) != 1 {
		t.Fatalf("crash files: %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := repanic.(string)
	if !strings.Contains(string(b), "GET http://fntop:") || !strings.Contains(msg, "prom:9090") {
		t.Fatalf("the panic is not told:\nfile %q\npanic %q", b, msg)
	}
	for _, s := range secrets {
		if strings.Contains(string(b), s) || strings.Contains(msg, s) {
			t.Errorf("secret %q in the crash file or the panic:\n%s\n%s", s, b, msg)
		}
	}
	if p := textsafetest.Problem(msg, false); p != "" {
		t.Errorf("panic value: %s", p)
	}
}
