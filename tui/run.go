package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// Run shows the UI on the terminal until the user quits or ctx ends. The
// terminal is restored in every case, panics included; a panic's stack is
// written to a file in Options.CrashDir (default CrashDir()), named in the
// returned error. When ctx ends first, Run returns ctx.Err(). Run leaves
// signals to ctx: the caller ends it on SIGINT and SIGTERM.
func Run(ctx context.Context, data common.Data, opts Options) (err error) {
	if opts.CrashDir == "" {
		opts.CrashDir = CrashDir()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fntop: panic: %v", r)
			if path := WriteCrash(opts.CrashDir, r, debug.Stack()); path != "" {
				err = fmt.Errorf("%w (stack in %s)", err, path)
			}
		}
	}()
	popts := append([]tea.ProgramOption{
		tea.WithAltScreen(),
		tea.WithMouseCellMotion(),
		tea.WithContext(ctx),
		// SIGINT and SIGTERM end ctx (the caller's signal.NotifyContext).
		// Bubble Tea's own handler must stay off: when ctx won the race
		// for the same signal, the handler blocked forever sending its
		// quit message to the stopped event loop, and the program's
		// shutdown waited for it: fntop hung until SIGKILL.
		tea.WithoutSignalHandler(),
		// The data changes once a second; 30 frames a second keep typing and
		// scrolling smooth while an idle fntop wakes half as often as at
		// the default 60.
		tea.WithFPS(30),
	}, opts.ProgramOptions...)
	m := New(data, opts)
	stopped := make(chan struct{})
	defer close(stopped)
	m.stopped = stopped
	p := tea.NewProgram(m, popts...)
	began := time.Now()
	_, err = p.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrProgramPanic):
		// The guard wrote the stack; the program keeps only that it
		// panicked: name the file it wrote.
		where := opts.CrashDir
		if path := newestCrash(opts.CrashDir, began); path != "" {
			where = path
		}
		return fmt.Errorf("%w (stack in %s)", err, where)
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, tea.ErrInterrupted):
		return context.Canceled
	}
	return err
}

// CrashDir is where a panic's stack is written: $XDG_STATE_HOME/fntop,
// else ~/.local/state/fntop, else the user cache directory's fntop.
func CrashDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "fntop")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "fntop")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "fntop")
	}
	return filepath.Join(os.TempDir(), "fntop")
}

// WriteCrash writes a panic and its stack to a new file in dir and returns
// its path ("" when dir is empty or the file cannot be written).
func WriteCrash(dir string, r any, stack []byte) string {
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	path := filepath.Join(dir, "crash-"+time.Now().UTC().Format("20060102T150405.000000000")+".log")
	// The panic's value may quote data: a credential it holds is
	// redacted (a stack holds no string contents).
	body := fmt.Sprintf("fntop panic: %s\n\n%s", textsafe.RedactCredentials(fmt.Sprint(r)), stack)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return ""
	}
	return path
}

// newestCrash is the newest crash file in dir written since t ("" when
// none).
func newestCrash(dir string, t time.Time) string {
	files, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	best, bestAt := "", t.Add(-time.Second) // mtimes may be coarser than the clock
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(bestAt) {
			best, bestAt = f, fi.ModTime()
		}
	}
	return best
}

// guard, deferred in Update and View, writes a panic's stack to the crash
// directory and panics on, so that the program restores the terminal.
func (m Model) guard() {
	if m.crashDir == "" {
		return
	}
	if r := recover(); r != nil {
		path := WriteCrash(m.crashDir, r, debug.Stack())
		// The program prints the value raw on the terminal it restores.
		panic(fmt.Sprintf("%s (stack in %s)", termsafe.Text(textsafe.RedactCredentials(fmt.Sprint(r))), path))
	}
}
