package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/sources/aws/cwltest"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

// TestTmuxSmoke runs the real binary in a real terminal (tmux), types at
// it one key at a time and reads the screen back. With FNTOP_E2E=1 a
// missing tmux fails the test; otherwise it skips.
func TestTmuxSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the tmux smoke test in -short mode")
	}
	tmuxBin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("FNTOP_E2E") == "1" {
			t.Fatalf("FNTOP_E2E=1 but tmux is not installed: %v", err)
		}
		t.Skipf("skipping: tmux is not installed (set FNTOP_E2E=1 to make this fatal): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "fntop")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("120x40", func(t *testing.T) {
		s := startTmux(t, tmuxBin, bin, 120, 40, "--demo")
		fleet := s.waitFor(t, "fleet rows", func(sc string) bool {
			return strings.Contains(sc, "NAME") && strings.Contains(sc, "order-processor") && strings.Contains(sc, "demo ok")
		})
		first := firstRow(t, fleet)
		t.Logf("fleet:\n%s", fleet)

		s.key(t, "Enter")
		fn := s.waitFor(t, "the function view", func(sc string) bool {
			return strings.Contains(firstLine(sc), "fleet › "+first) && strings.Contains(sc, "invocations")
		})
		t.Logf("function:\n%s", fn)

		s.key(t, "l")
		logs := s.waitFor(t, "the logs view", func(sc string) bool {
			return strings.Contains(firstLine(sc), "logs "+first) && (strings.Contains(sc, "REPORT") || strings.Contains(sc, "platform.report"))
		})
		t.Logf("logs:\n%s", logs)

		s.key(t, "?")
		help := s.waitFor(t, "the help", func(sc string) bool {
			return strings.Contains(sc, "Everywhere") && strings.Contains(sc, "window 1h") && strings.Contains(sc, "autoscroll")
		})
		t.Logf("help:\n%s", help)

		s.key(t, "Escape") // closes the help
		s.waitFor(t, "the help to close", func(sc string) bool { return !strings.Contains(sc, "Everywhere") })
		s.key(t, "Escape") // logs -> function
		s.waitFor(t, "the function view again", func(sc string) bool {
			return strings.Contains(firstLine(sc), "fleet › "+first) && !strings.Contains(firstLine(sc), "logs")
		})
		s.key(t, "Escape") // function -> fleet
		s.waitFor(t, "the fleet again", func(sc string) bool {
			return !strings.Contains(firstLine(sc), "›") && strings.Contains(sc, "NAME")
		})
		s.key(t, "4")
		s.waitFor(t, "the 1h window", func(sc string) bool { return strings.Contains(sc, "window 1h") && strings.Contains(sc, "Fleet 1h") })

		s.key(t, "a")
		tri := s.waitFor(t, "the triage view", func(sc string) bool {
			return strings.Contains(firstLine(sc), "fleet › triage") && strings.Contains(sc, "Triage 1h") &&
				strings.Contains(sc, "baseline") && strings.Contains(sc, "SCORE") && strings.Contains(sc, "Error signatures")
		})
		t.Logf("triage:\n%s", tri)
		s.key(t, "i")
		s.waitFor(t, "incident mode", func(sc string) bool { return strings.Contains(firstLine(sc), "INCIDENT T0") })
		s.key(t, "i")
		s.waitFor(t, "incident mode to end", func(sc string) bool { return !strings.Contains(sc, "INCIDENT") })
		s.key(t, "Escape") // triage -> fleet
		s.waitFor(t, "the fleet after triage", func(sc string) bool {
			return !strings.Contains(firstLine(sc), "›") && strings.Contains(sc, "NAME")
		})

		s.key(t, "q")
		end := s.waitFor(t, "fntop to exit", func(sc string) bool { return strings.Contains(sc, "EXIT=") })
		if !strings.Contains(end, "EXIT=0") {
			t.Errorf("exit status:\n%s", end)
		}
		s.checkRestored(t, end)
	})

	t.Run("aws", func(t *testing.T) {
		// The real binary on the local CloudWatch Logs server: the
		// backfilled fleet, a function opened (Live Tail follows it), a
		// new invocation arriving in its logs.
		srv := cwltest.Start(t, cwltest.WithLiveTailInterval(100*time.Millisecond))
		now := time.Now()
		srv.FillFromDemo(5, now.Add(-20*time.Minute), now.Add(-time.Minute))
		dir := t.TempDir()
		env := []string{"AWS_ACCESS_KEY_ID=AKIDTMUX", "AWS_SECRET_ACCESS_KEY=tmux-secret", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONFIG_FILE=" + filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "k"),
			"AWS_PROFILE=", "AWS_ENDPOINT_URL="}
		s := startTmuxEnv(t, tmuxBin, bin, 140, 40, env, "--aws", "--region", "us-east-1", "--endpoint", srv.URL(), "--live-tail")
		fleet := s.waitFor(t, "the backfilled fleet", func(sc string) bool {
			return strings.Contains(sc, "NAME") && strings.Contains(sc, "order-processor") && strings.Contains(sc, "aws:us-east-1 ok")
		})
		first := firstRow(t, fleet)
		t.Logf("fleet:\n%s", fleet)
		s.key(t, "Enter")
		s.waitFor(t, "the function view", func(sc string) bool {
			return strings.Contains(firstLine(sc), "fleet › "+first) && strings.Contains(sc, "invocations")
		})
		s.key(t, "l")
		s.waitFor(t, "the logs view", func(sc string) bool { return strings.Contains(firstLine(sc), "logs "+first) })
		deadline := time.Now().Add(10 * time.Second)
		for srv.Calls("StartLiveTail") == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if srv.Calls("StartLiveTail") == 0 {
			t.Fatal("no Live Tail session for the function in focus")
		}
		srv.Put("/aws/lambda/"+first, "2026/11/26/[$LATEST]00000000000000000000000000tmux00",
			cwltest.Event{Time: time.Now(), Message: "START RequestId: 7a3c0de1-0000-4000-8000-00000000beef Version: $LATEST\n"},
			cwltest.Event{Time: time.Now(), Message: "hello from the tmux test\n"})
		logs := s.waitFor(t, "the new line in the logs", func(sc string) bool { return strings.Contains(sc, "hello from the tmux test") })
		t.Logf("logs:\n%s", logs)
		s.key(t, "q")
		end := s.waitFor(t, "fntop to exit", func(sc string) bool { return strings.Contains(sc, "EXIT=") })
		if !strings.Contains(end, "EXIT=0") {
			t.Errorf("exit status:\n%s", end)
		}
		s.checkRestored(t, end)
	})

	t.Run("prometheus", func(t *testing.T) {
		// The real binary scraping an OpenFaaS-shaped exporter: the fleet
		// fills as rates appear, the function view shows the platform and
		// its replicas, and no price.
		exp := promtest.NewExporter(t)
		exp.SetReplicas(promtest.OpenFaaS, "figlet.openfaas-fn", 3)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, stop := exp.Workload(ctx, 500*time.Millisecond,
			promtest.Load{Preset: promtest.OpenFaaS, Function: "figlet.openfaas-fn", Code: 200, Duration: 30 * time.Millisecond, PerSecond: 10})
		defer stop()
		s := startTmux(t, tmuxBin, bin, 140, 40, "--prometheus", exp.URL(), "--interval", "1s")
		fleet := s.waitFor(t, "the scraped fleet", func(sc string) bool {
			return strings.Contains(sc, "figlet.openfaas-fn") && strings.Contains(sc, "prometheus:") && strings.Contains(sc, " ok")
		})
		t.Logf("fleet:\n%s", fleet)
		s.key(t, "Enter")
		fn := s.waitFor(t, "the function view", func(sc string) bool {
			return strings.Contains(firstLine(sc), "figlet.openfaas-fn") && strings.Contains(sc, "3 replicas") && strings.Contains(sc, "unavailable")
		})
		t.Logf("function:\n%s", fn)
		s.key(t, "q")
		end := s.waitFor(t, "fntop to exit", func(sc string) bool { return strings.Contains(sc, "EXIT=") })
		if !strings.Contains(end, "EXIT=0") {
			t.Errorf("exit status:\n%s", end)
		}
		s.checkRestored(t, end)
	})

	t.Run("20x5", func(t *testing.T) {
		s := startTmux(t, tmuxBin, bin, 20, 5, "--demo")
		small := s.waitFor(t, "the too-small screen", func(sc string) bool {
			flat := strings.Join(strings.Fields(sc), " ")
			return strings.Contains(flat, "terminal too small (need 40x10, have 20x5)")
		})
		t.Logf("20x5:\n%s", small)
		s.key(t, "q")
		end := s.waitFor(t, "fntop to exit", func(sc string) bool { return strings.Contains(sc, "EXIT=") })
		if !strings.Contains(end, "EXIT=0") {
			t.Errorf("exit status:\n%s", end)
		}
		s.checkRestored(t, end)
	})
}

// tmuxSession is fntop running in its own tmux server.
type tmuxSession struct {
	tmux, socket string
}

func startTmux(t *testing.T, tmuxBin, bin string, w, h int, args ...string) *tmuxSession {
	t.Helper()
	return startTmuxEnv(t, tmuxBin, bin, w, h, nil, args...)
}

// startTmuxEnv is startTmux with environment variables (NAME=value).
func startTmuxEnv(t *testing.T, tmuxBin, bin string, w, h int, env []string, args ...string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{tmux: tmuxBin, socket: fmt.Sprintf("fntop-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { _ = exec.Command(s.tmux, "-L", s.socket, "kill-server").Run() })
	state := t.TempDir()
	shell := fmt.Sprintf("%s XDG_STATE_HOME=%s XDG_CONFIG_HOME=%s %s %s; echo EXIT=$?; sleep 30",
		strings.Join(env, " "), state, t.TempDir(), bin, strings.Join(args, " "))
	s.run(t, "-f", "/dev/null", "new-session", "-d", "-s", "fntop", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell)
	return s
}

func (s *tmuxSession) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(s.tmux, append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture(t *testing.T) string {
	t.Helper()
	return s.run(t, "capture-pane", "-p", "-t", "fntop")
}

// key sends one key and waits a little: keys sent together arrive as one
// message.
func (s *tmuxSession) key(t *testing.T, k string) {
	t.Helper()
	s.run(t, "send-keys", "-t", "fntop", k)
	time.Sleep(150 * time.Millisecond)
}

func (s *tmuxSession) waitFor(t *testing.T, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var sc string
	for time.Now().Before(deadline) {
		sc = s.capture(t)
		if ok(sc) {
			return sc
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waiting for %s; the screen:\n%s", what, sc)
	return ""
}

// checkRestored checks the terminal after fntop exits: the alternate
// screen is left, the cursor is shown, and no frame is left behind.
func (s *tmuxSession) checkRestored(t *testing.T, screen string) {
	t.Helper()
	flags := strings.TrimSpace(s.run(t, "display-message", "-p", "-t", "fntop", "#{alternate_on} #{cursor_flag} #{mouse_any_flag}"))
	if flags != "0 1 0" {
		t.Errorf("terminal not restored: alternate_on cursor_flag mouse_any_flag = %q", flags)
	}
	if strings.Contains(screen, "NAME") || strings.Contains(screen, "too small") {
		t.Errorf("a frame was left on the screen:\n%s", screen)
	}
}

func firstLine(sc string) string {
	line, _, _ := strings.Cut(sc, "\n")
	return line
}

var rowName = regexp.MustCompile(`^([a-z0-9][a-z0-9-]+)\s+(?:-\s+)?[0-9]`) // the anomaly column is "-" before a report

// firstRow is the name in the first table row after the NAME header.
func firstRow(t *testing.T, sc string) string {
	t.Helper()
	lines := strings.Split(sc, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "NAME") && i+1 < len(lines) {
			if m := rowName.FindStringSubmatch(strings.TrimSpace(lines[i+1])); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no table row on the screen:\n%s", sc)
	return ""
}
