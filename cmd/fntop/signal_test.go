package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// exitDeadline is how soon fntop must be gone after SIGINT or SIGTERM (or
// after a panic): a correctness deadline, not a speed figure.
const exitDeadline = time.Second

var (
	binOnce  sync.Map // tags -> *builtBin
	buildMux sync.Mutex
)

type builtBin struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildFntop builds the binary (with build tags, if any) once per test
// binary run.
func buildFntop(t *testing.T, tags string) string {
	t.Helper()
	v, _ := binOnce.LoadOrStore(tags, &builtBin{})
	b := v.(*builtBin)
	b.once.Do(func() {
		buildMux.Lock()
		defer buildMux.Unlock()
		dir, err := os.MkdirTemp("", "fntop-bin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "fntop")
		args := []string{"build", "-o", b.path}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		b.out, b.err = exec.CommandContext(ctx, "go", append(args, ".")...).CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build: %v\n%s", b.err, b.out)
	}
	return b.path
}

// TestSignalHeadless: the headless commands that run until stopped end
// within a second of SIGINT or SIGTERM: `fntop logs --follow --input F`
// (a followed file) and `fntop --input -` off a terminal on a stdin that
// sends some lines and then hangs.
func TestSignalHeadless(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildFntop(t, "")
	dir := t.TempDir()
	logFile := filepath.Join(dir, "fn.log")
	line := "REPORT RequestId: 00000000-0000-4000-8000-000000000001\tDuration: 12.00 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
	if err := os.WriteFile(logFile, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		stdin bool // a pipe that never closes
		ready string
	}{
		{"logs --follow", []string{"logs", "--follow", "--input", logFile}, false, "REPORT"},
		{"--input - on a hanging stdin", []string{"--input", "-"}, true, ""},
	}
	for _, tc := range cases {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(tc.name+"/"+sig.String(), func(t *testing.T) {
				cmd := exec.Command(bin, tc.args...)
				cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "NO_COLOR=1")
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				var stdinW io.WriteCloser
				if tc.stdin {
					if stdinW, err = cmd.StdinPipe(); err != nil {
						t.Fatal(err)
					}
					defer stdinW.Close() //nolint:errcheck // the child may have exited first
				}
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = cmd.Process.Kill() }()
				lines := make(chan string, 100)
				go func() {
					sc := bufio.NewScanner(stdout)
					for sc.Scan() {
						lines <- sc.Text()
					}
					close(lines)
				}()
				if tc.stdin {
					if _, err := io.WriteString(stdinW, line); err != nil {
						t.Fatal(err)
					}
					// Give it time to read the line and block on stdin.
					time.Sleep(300 * time.Millisecond)
				} else {
					waitLine(t, lines, tc.ready)
				}
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				sent := time.Now()
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-exited:
					code := cmd.ProcessState.ExitCode()
					t.Logf("exited %v after %s with status %d (%v); stderr %q",
						sig, time.Since(sent).Round(time.Millisecond), code, err, stderr.String())
					if code != 0 && code != 130 {
						t.Errorf("exit status %d after %v, want 0 or 130", code, sig)
					}
				case <-time.After(exitDeadline):
					t.Fatalf("fntop %s still running %s after %v", strings.Join(tc.args, " "), exitDeadline, sig)
				}
			})
		}
	}
}

func waitLine(t *testing.T, lines <-chan string, has string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before a line with %q", has)
			}
			if strings.Contains(l, has) {
				return
			}
		case <-deadline:
			t.Fatalf("no line with %q", has)
		}
	}
}

// tmuxOrSkip returns the tmux binary, skipping the test when there is
// none (fatal with FNTOP_E2E=1, as TestTmuxSmoke).
func tmuxOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the tmux tests in -short mode")
	}
	tmuxBin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("FNTOP_E2E") == "1" {
			t.Fatalf("FNTOP_E2E=1 but tmux is not installed: %v", err)
		}
		t.Skipf("skipping: tmux is not installed: %v", err)
	}
	return tmuxBin
}

// startShutdownTmux runs bin in a tmux pane with its state directory
// state; after fntop the pane prints its exit status and the terminal's
// settings (stty -a), then waits.
func startShutdownTmux(t *testing.T, tmuxBin, bin, state string, env []string, args ...string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{tmux: tmuxBin, socket: fmt.Sprintf("fntop-sig-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { _ = exec.Command(s.tmux, "-L", s.socket, "kill-server").Run() })
	shell := fmt.Sprintf("%s XDG_STATE_HOME=%s XDG_CONFIG_HOME=%s %s %s; echo EXIT=$?; stty -a | tr -s ' ;\\n' '\\n\\n\\n' | grep -xE -- '-?(echo|icanon|isig)' | tr '\\n' ' '; echo; sleep 30",
		strings.Join(env, " "), state, t.TempDir(), bin, strings.Join(args, " "))
	s.run(t, "-f", "/dev/null", "new-session", "-d", "-s", "fntop", "-x", "120", "-y", "40", shell)
	return s
}

// fntopPID is the pid of fntop, the child of the pane's shell.
func (s *tmuxSession) fntopPID(t *testing.T) int {
	t.Helper()
	shell := strings.TrimSpace(s.run(t, "display-message", "-p", "-t", "fntop", "#{pane_pid}"))
	b, err := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shell, shell))
	if err != nil {
		t.Skipf("cannot find fntop's pid: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		t.Fatalf("the pane's shell has children %q, want fntop alone", f)
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitGone waits until pid no longer runs (a zombie counts as gone: it
// has exited) and reports how long that took, or fails after d.
func waitGone(t *testing.T, pid int, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return time.Since(start)
		}
		// "pid (comm) S ...": Z is a zombie.
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && len(b) > i+2 && b[i+2] == 'Z' {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	wchan, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
	time.Sleep(3 * time.Second)
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	t.Fatalf("fntop (pid %d) still running %s later (stat %q, wchan %q; still there 3 s later: %v)", pid, d, stat, wchan, err == nil)
	return 0
}

// checkTTY checks the stty line printed after fntop: echo, canonical
// mode and signals are on again.
func checkTTY(t *testing.T, screen string) {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && strings.Contains(l, "echo") && strings.Contains(l, "icanon") {
			for _, w := range f {
				if strings.HasPrefix(w, "-") {
					t.Errorf("terminal left with %s (stty: %q)", w, l)
				}
			}
			return
		}
	}
	t.Errorf("no stty line after fntop exited:\n%s", screen)
}

// TestTmuxSignals: the UI in a real terminal ends within a second of
// SIGINT or SIGTERM, with the terminal restored: shell prompt back,
// alternate screen left, cursor visible, mouse off, echo and canonical
// mode on.
func TestTmuxSignals(t *testing.T) {
	tmuxBin := tmuxOrSkip(t)
	bin := buildFntop(t, "")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			s := startShutdownTmux(t, tmuxBin, bin, t.TempDir(), nil, "--demo")
			s.waitFor(t, "the fleet", func(sc string) bool { return strings.Contains(sc, "NAME") && strings.Contains(sc, "demo ok") })
			pid := s.fntopPID(t)
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			took := waitGone(t, pid, exitDeadline)
			end := s.waitFor(t, "the exit status", func(sc string) bool { return strings.Contains(sc, "EXIT=") && strings.Contains(sc, "icanon") })
			t.Logf("%v: gone after %s\n%s", sig, took.Round(time.Millisecond), end)
			if !strings.Contains(end, "EXIT=130") {
				t.Errorf("exit status after %v, want 130:\n%s", sig, end)
			}
			s.checkRestored(t, end)
			checkTTY(t, end)
		})
	}
}

// TestTmuxPanic: a panic inside the UI (a binary built with the
// fntop_crashtest tag panics in Update on the key $FNTOP_TEST_PANIC_KEY)
// restores the terminal, writes the panic with its stack to a file under
// $XDG_STATE_HOME/fntop/, names it, and exits non-zero within a second.
func TestTmuxPanic(t *testing.T) {
	tmuxBin := tmuxOrSkip(t)
	bin := buildFntop(t, "fntop_crashtest")
	state := t.TempDir()
	s := startShutdownTmux(t, tmuxBin, bin, state, []string{"FNTOP_TEST_PANIC_KEY=P"}, "--demo")
	s.waitFor(t, "the fleet", func(sc string) bool { return strings.Contains(sc, "NAME") && strings.Contains(sc, "demo ok") })
	pid := s.fntopPID(t)
	s.run(t, "send-keys", "-t", "fntop", "P")
	took := waitGone(t, pid, exitDeadline)
	end := s.waitFor(t, "the exit status", func(sc string) bool { return strings.Contains(sc, "EXIT=") && strings.Contains(sc, "icanon") })
	t.Logf("gone %s after the key\n%s", took.Round(time.Millisecond), end)
	if !strings.Contains(end, "EXIT=1") {
		t.Errorf("exit status after a panic, want 1:\n%s", end)
	}
	files, _ := filepath.Glob(filepath.Join(state, "fntop", "crash-*.log"))
	if len(files) != 1 {
		t.Fatalf("crash files under $XDG_STATE_HOME/fntop: %v", files)
	}
	body, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"injected test panic", "goroutine", "tui.Model.Update"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the crash file lacks %q:\n%s", want, body)
		}
	}
	flat := strings.Join(strings.Fields(end), "")
	if !strings.Contains(flat, filepath.Base(files[0])) {
		t.Errorf("the screen does not name the crash file %s:\n%s", files[0], end)
	}
	flags := strings.TrimSpace(s.run(t, "display-message", "-p", "-t", "fntop", "#{alternate_on} #{cursor_flag} #{mouse_any_flag}"))
	if flags != "0 1 0" {
		t.Errorf("terminal not restored: alternate_on cursor_flag mouse_any_flag = %q", flags)
	}
	checkTTY(t, end)
}
