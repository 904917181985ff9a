package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// uiOnlyFlags are the flags of `fntop` that only the terminal UI uses; the
// snapshot table printed off a terminal ignores them.
var uiOnlyFlags = map[string]bool{"theme": true, "refresh": true, "follow": true, "report-dir": true}

// sourceStopTimeout bounds how long fntop waits for its sources after the
// UI has closed.
const sourceStopTimeout = 2 * time.Second

// topFlags are the flags of `fntop` without a command.
type topFlags struct {
	src       sourceFlags
	win       windowFlag
	theme     string
	refresh   time.Duration
	reportDir string
}

func (f *topFlags) parse(args []string, e env) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("fntop", flag.ContinueOnError)
	fs.Usage = func() { io.WriteString(fs.Output(), usage) } //nolint:errcheck // best effort
	f.src.register(fs)
	f.src.retain.register(fs)
	fs.BoolVar(&f.src.follow, "follow", false, "with --input, keep reading as the file grows")
	fs.Var(&f.win, "window", "window `W`: 1m, 5m, 15m or 1h (default 5m)")
	fs.StringVar(&f.theme, "theme", "", "colour theme: a built-in `NAME` (dark, light, high-contrast), a theme in the config directory, or a file path")
	fs.DurationVar(&f.refresh, "refresh", tui.DefaultRefresh, "how often the UI pulls new figures")
	fs.StringVar(&f.reportDir, "report-dir", ".", "directory `DIR` the incident report (key W) is written to")
	if err := parse(fs, args, e.stderr); err != nil {
		return nil, err
	}
	if err := f.src.check(); err != nil {
		return nil, err
	}
	if f.refresh < 50*time.Millisecond || f.refresh > time.Minute {
		return nil, fmt.Errorf("%w: --refresh must be between 50ms and 1m", errUsage)
	}
	return fs, nil
}

// cmdTopOrTUI is `fntop` without a command: the terminal UI when stdin and
// stdout are terminals, else the snapshot table (pipes, CI).
func cmdTopOrTUI(ctx context.Context, args []string, e env) error {
	var f topFlags
	fs, err := f.parse(args, e)
	if err != nil {
		return err
	}
	if !e.interactive() {
		var table []string
		fs.Visit(func(fl *flag.Flag) {
			if !uiOnlyFlags[fl.Name] {
				table = append(table, "--"+fl.Name+"="+fl.Value.String())
			}
		})
		return cmdTop(ctx, table, e)
	}
	return runTUI(ctx, &f, e)
}

// runTUI runs the chosen source in the background into a store and shows
// the UI on it. On quit it stops the source and waits for it (bounded).
func runTUI(ctx context.Context, f *topFlags, e env) error {
	theme, err := themes.Load(f.theme, configDir(e), e.noColor)
	if err != nil {
		return fmt.Errorf("%w: --theme: %v", errUsage, err)
	}
	opts := f.src.retain.options()
	if f.src.live() {
		opts.Clock = time.Now
	}
	store := model.NewStore(opts)
	f.src.focus = store.Focus
	src, err := f.src.build(e)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := runSource(ctx, src, store, tui.CrashDir())

	window := model.Window5m
	if f.win.set && f.win.d != model.WindowAll {
		window = f.win.d
	}
	if f.win.set && f.win.d == model.WindowAll {
		window = model.Window1h
	}
	runUI := e.runUI
	if runUI == nil {
		runUI = tui.Run
	}
	err = runUI(ctx, store, tui.Options{
		Styles:    common.NewStyles(theme),
		Window:    window,
		Refresh:   f.refresh,
		Sources:   []string{src.Name()},
		Function:  f.src.function,
		ReportDir: f.reportDir,
		Warning:   strings.Join(f.src.prom.warnings, "; "),
	})
	cancel()
	select {
	case <-done:
	case <-time.After(sourceStopTimeout):
		_, _ = fmt.Fprintf(e.stderr, "fntop: source %s did not stop within %s\n", termsafe.Text(src.Name()), sourceStopTimeout)
	}
	return err
}

// runSource runs src into store until ctx ends (or a finite input ends).
// Its failure, and a panic, become the source's failing status: the UI
// shows it and keeps the terminal. The channel closes when src returns.
func runSource(ctx context.Context, src sources.Source, store *model.Store, crashDir string) <-chan struct{} {
	done := make(chan struct{})
	failed := func(msg string) {
		msg = textsafe.RedactCredentials(msg)
		store.Ingest(model.Event{
			Kind: model.KindStatus, Source: src.Name(), Time: time.Now(),
			Status: model.SourceStatus{Name: src.Name(), State: model.StateFailing, LastError: msg},
		})
	}
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				msg := fmt.Sprintf("panic: %v", r)
				if path := tui.WriteCrash(crashDir, r, debug.Stack()); path != "" {
					msg += " (stack in " + path + ")"
				}
				failed(msg)
			}
		}()
		if err := src.Run(ctx, store); err != nil && ctx.Err() == nil {
			failed(err.Error())
		}
	}()
	return done
}

// configDir is fntop's configuration directory: $FNTOP_CONFIG (a directory,
// or the config file whose directory is meant), else
// $XDG_CONFIG_HOME/fntop, else the user config directory's fntop.
func configDir(e env) string {
	if d := e.lookupEnv("FNTOP_CONFIG"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
		return filepath.Dir(d)
	}
	if d := e.lookupEnv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "fntop")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "fntop")
	}
	return ""
}
