package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func TestRunQuitsOnQ(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), &fakeData{fn: "alpha"}, Options{
		CrashDir:       t.TempDir(),
		ProgramOptions: []tea.ProgramOption{tea.WithInput(strings.NewReader("q")), tea.WithOutput(&out)},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The alternate screen is entered and left again.
	if s := out.String(); !strings.Contains(s, "\x1b[?1049h") || !strings.Contains(s, "\x1b[?1049l") {
		t.Errorf("alternate screen not entered and left: %q", s)
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, &fakeData{fn: "alpha"}, Options{
			CrashDir:       t.TempDir(),
			ProgramOptions: []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(&out)},
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run = %v, want the context's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end with its context")
	}
	if s := out.String(); !strings.Contains(s, "\x1b[?1049l") {
		t.Errorf("alternate screen not left: %q", s)
	}
}
