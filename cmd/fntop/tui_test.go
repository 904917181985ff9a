package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui"
	"github.com/fntop/fntop/tui/common"
)

// uiRun records what the terminal UI was started with.
type uiRun struct {
	opts   tui.Options
	snap   *model.Snapshot
	called bool
}

func interactiveEnv(getenv map[string]string, r *uiRun, out, errb *bytes.Buffer) env {
	return env{
		stdin: strings.NewReader(""), stdout: out, stderr: errb,
		tty: true, stdinTTY: true,
		getenv: func(k string) string { return getenv[k] },
		runUI: func(ctx context.Context, data common.Data, opts tui.Options) error {
			r.called, r.opts = true, opts
			// The source fills the store in the background while the UI runs.
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				s := data.Snapshot(model.SnapshotOptions{Window: opts.Window})
				if len(s.Sources) > 0 && s.Sources[0].State == model.StateOK && s.Totals.Invocations > 0 {
					r.snap = s
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			return nil
		},
	}
}

func TestTopOpensTheUIOnATerminal(t *testing.T) {
	var out, errb bytes.Buffer
	var r uiRun
	cfg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfg, "fntop", "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "fntop", "themes", "mine.yaml"), []byte("accent: \"#010203\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := interactiveEnv(map[string]string{"XDG_CONFIG_HOME": cfg}, &r, &out, &errb)
	code := run(context.Background(), []string{"--demo", "--seed", "3", "--window", "15m", "--refresh", "250ms", "--theme", "mine", "--function", "order-processor", "--report-dir", cfg}, e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !r.called {
		t.Fatal("the UI was not started")
	}
	if r.snap == nil {
		t.Fatal("the demo source did not fill the store while the UI ran")
	}
	o := r.opts
	if o.Window != model.Window15m || o.Refresh != 250*time.Millisecond || o.Function != "order-processor" {
		t.Errorf("options: window %v refresh %v function %q", o.Window, o.Refresh, o.Function)
	}
	if o.ReportDir != cfg {
		t.Errorf("--report-dir: options.ReportDir %q, want %q", o.ReportDir, cfg)
	}
	if o.Styles.Theme.Name != "mine" || o.Styles.Theme.Accent != "#010203" || o.Styles.Theme.NoColor {
		t.Errorf("theme %+v", o.Styles.Theme)
	}
	if len(o.Sources) != 1 || o.Sources[0] != "demo" {
		t.Errorf("sources %v", o.Sources)
	}
	if out.Len() != 0 {
		t.Errorf("the UI path printed to stdout: %q", out.String())
	}
}

func TestTopUIFlagsAndNoColor(t *testing.T) {
	var out, errb bytes.Buffer
	var r uiRun
	e := interactiveEnv(map[string]string{}, &r, &out, &errb)
	e.noColor = true
	if code := run(context.Background(), []string{"--theme", "light"}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !r.opts.Styles.Theme.NoColor || r.opts.Styles.Theme.Name != "light" || r.opts.Window != model.Window5m || r.opts.Refresh != time.Second || r.opts.ReportDir != "." {
		t.Errorf("NO_COLOR or defaults not applied: %+v window %v refresh %v", r.opts.Styles.Theme, r.opts.Window, r.opts.Refresh)
	}

	for _, args := range [][]string{
		{"--theme", "no-such-theme"},
		{"--refresh", "1ms"},
		{"--refresh", "banana"},
		{"--demo", "--input", "x.log"},
	} {
		var r uiRun
		errb.Reset()
		code := run(context.Background(), args, interactiveEnv(nil, &r, &out, &errb))
		if code != 2 || r.called {
			t.Errorf("%v: exit %d, UI started %v (stderr %q)", args, code, r.called, errb.String())
		}
	}
}

func TestTopOffATerminalPrintsTheTable(t *testing.T) {
	// UI flags are accepted (and ignored) when stdout is a pipe.
	out, errOut, code := runCmd(t, nil, "--demo", "--window", "1m", "--theme", "light", "--refresh", "2s", "--report-dir", "/nowhere")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "window 1m") || !strings.Contains(out, "FUNCTION") {
		t.Errorf("no table:\n%s", out)
	}
}

func TestConfigDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"FNTOP_CONFIG": dir, "XDG_CONFIG_HOME": "/elsewhere"}, dir},
		{map[string]string{"FNTOP_CONFIG": file}, dir},
		{map[string]string{"XDG_CONFIG_HOME": "/cfg"}, "/cfg/fntop"},
	} {
		e := env{getenv: func(k string) string { return tc.env[k] }}
		if got := configDir(e); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.env, got, tc.want)
		}
	}
}

type failingSource struct{ err error }

func (s failingSource) Name() string { return "broken" }
func (s failingSource) Run(ctx context.Context, sink model.Sink) error {
	if s.err == nil {
		panic("source bug")
	}
	return s.err
}

func TestRunSourceReportsFailuresAndPanics(t *testing.T) {
	for _, tc := range []struct {
		src  failingSource
		want string
	}{
		{failingSource{err: errors.New("no such file")}, "no such file"},
		{failingSource{}, "panic: source bug"},
	} {
		store := model.NewStore(model.Options{})
		crash := t.TempDir()
		select {
		case <-runSource(context.Background(), tc.src, store, crash):
		case <-time.After(5 * time.Second):
			t.Fatal("runSource did not finish")
		}
		s := store.Snapshot(model.SnapshotOptions{})
		if len(s.Sources) != 1 || s.Sources[0].State != model.StateFailing || !strings.Contains(s.Sources[0].LastError, tc.want) {
			t.Errorf("sources %+v, want failing with %q", s.Sources, tc.want)
		}
		if tc.src.err == nil {
			if files, _ := filepath.Glob(filepath.Join(crash, "crash-*.log")); len(files) != 1 {
				t.Errorf("no crash file for the panic: %v", files)
			}
		}
	}
}
