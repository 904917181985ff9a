package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// TestRunPanicInUpdate: a panic inside the UI (injected through
// testPanic where a bug in Update would be) ends Run with an error that
// names the crash file, the file holds the panic and its stack, and the
// terminal is restored: alternate screen left, cursor shown, mouse off.
// Not parallel: it sets the package's test hook.
func TestRunPanicInUpdate(t *testing.T) {
	testPanic = func(msg tea.Msg) {
		if k, ok := msg.(tea.KeyMsg); ok && k.String() == "P" {
			panic("injected test panic")
		}
	}
	defer func() { testPanic = nil }()
	dir := t.TempDir()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, &fakeData{fn: "alpha"}, Options{
			CrashDir:       dir,
			ProgramOptions: []tea.ProgramOption{tea.WithInput(strings.NewReader("P")), tea.WithOutput(&out)},
		})
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not end within a second of the panic")
	}
	if err == nil || !strings.Contains(err.Error(), "panic") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Run = %v, want a panic error naming the crash directory", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run ended with its context, not with the panic")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if len(files) != 1 {
		t.Fatalf("crash files: %v", files)
	}
	if !strings.Contains(err.Error(), files[0]) {
		t.Errorf("the error %q does not name the file %s", err, files[0])
	}
	body, _ := os.ReadFile(files[0])
	for _, want := range []string{"injected test panic", "goroutine", "tui.Model.Update"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("crash file lacks %q:\n%s", want, body)
		}
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("crash file mode %v (%v): readable by others", fi.Mode(), err)
	}
	// Restored: the last alternate-screen switch leaves it, the cursor
	// is shown after it was hidden, mouse reporting is off.
	s := out.String()
	if i, j := strings.LastIndex(s, "\x1b[?1049h"), strings.LastIndex(s, "\x1b[?1049l"); j < 0 || j < i {
		t.Errorf("alternate screen not left: %q", tail(s))
	}
	if i, j := strings.LastIndex(s, "\x1b[?25l"), strings.LastIndex(s, "\x1b[?25h"); j < 0 || j < i {
		t.Errorf("cursor not shown again: %q", tail(s))
	}
	if i, j := strings.LastIndex(s, "\x1b[?1002h"), strings.LastIndex(s, "\x1b[?1002l"); i >= 0 && j < i {
		t.Errorf("mouse reporting left on: %q", tail(s))
	}
}

func tail(s string) string {
	if len(s) > 300 {
		return s[len(s)-300:]
	}
	return s
}
