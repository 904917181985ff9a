package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources"
	"github.com/fntop/fntop/sources/file"
	"github.com/fntop/fntop/tui/termsafe"
)

func cmdSnapshot(ctx context.Context, args []string, e env) error {
	return snapshotCommand(ctx, "fntop snapshot", true, args, e)
}

// cmdTop is what `fntop` without a command does. Until the terminal UI
// lands it prints the snapshot table of the chosen source and exits.
func cmdTop(ctx context.Context, args []string, e env) error {
	return snapshotCommand(ctx, "fntop", false, args, e)
}

// snapshotCommand fills a store from the source the flags name and prints
// one snapshot of it, as a table or (with --json, where offered) as JSON.
func snapshotCommand(ctx context.Context, name string, offerJSON bool, args []string, e env) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var src sourceFlags
	src.register(fs)
	src.retain.register(fs)
	asJSON := new(bool)
	if offerJSON {
		fs.BoolVar(asJSON, "json", false, "print one JSON document (the schema in the README)")
	} else {
		fs.Usage = func() { io.WriteString(fs.Output(), usage) } //nolint:errcheck // best effort
	}
	asMarkdown := new(bool)
	var at atFlag
	if offerJSON {
		fs.BoolVar(asMarkdown, "markdown", false, "print the incident report in Markdown: the fleet ranked by how unusual each function is against the preceding hour, with error signatures, sample lines, changes and costs")
		fs.Var(&at, "at", "with --markdown, end the window at `TIME` (RFC 3339, or hh:mm[:ss] UTC, the latest such time before now) instead of now or the input's end; --demo and --input only")
	}
	var win windowFlag
	fs.Var(&win, "window", "window `W`: 1m, 5m, 15m, 1h or all (default: all for --input, 5m for live sources and --markdown)")
	if err := parse(fs, args, e.stderr); err != nil {
		return err
	}
	if err := src.check(); err != nil {
		return err
	}
	if *asJSON && *asMarkdown {
		return fmt.Errorf("%w: --json and --markdown exclude each other", errUsage)
	}
	if !at.t.IsZero() {
		if !*asMarkdown {
			return fmt.Errorf("%w: --at goes with --markdown", errUsage)
		}
		if src.aws.On || src.prom.url != "" {
			return fmt.Errorf("%w: --at works with --demo and --input only", errUsage)
		}
	}
	if !win.set {
		win.d = model.Window5m
		if !src.live() && !*asMarkdown {
			win.d = model.WindowAll
		}
	}
	if *asMarkdown {
		return markdownReport(ctx, &src, win.d, at.t, e)
	}
	src.backfill = win.d
	if !src.live() && os.Getenv("GOGC") == "" {
		// Reading a finite input makes garbage fast while the live heap
		// stays small and bounded (the store's rings, the parsers'
		// bounded state, the read blocks): collect less often, unless
		// GOGC says otherwise. The setting goes back only once the
		// snapshot is out: putting it back lowers the heap goal below
		// the heap, which would start a collection that a one-shot
		// command ends before needing.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	store, err := collect(ctx, &src, e)
	if err != nil {
		return err
	}
	snap := store.Snapshot(model.SnapshotOptions{Window: win.d, Function: src.function})
	if src.function != "" && len(snap.Functions) == 0 {
		_, _ = fmt.Fprintf(e.stderr, "fntop: no data for function %q\n", termsafe.Text(src.function))
	}
	if *asJSON {
		return writeJSON(e.stdout, snap)
	}
	return writeTable(e.stdout, snap)
}

// collect fills a store from the chosen source: a finite input is read to
// its end; a live source fills its history (the demo's last hour).
//
// A snapshot prints no log lines, so a finite input is read without them:
// the store keeps none and the source passes on only where in time they
// were (see file.WithLogs), which leaves every figure as it is.
func collect(ctx context.Context, src *sourceFlags, e env) (*model.Store, error) {
	return collectStore(ctx, src, e, false)
}

// collectStore is collect, keeping the log lines of a finite input when
// logs is set (an incident report quotes them).
func collectStore(ctx context.Context, src *sourceFlags, e env, logs bool) (*model.Store, error) {
	opts := src.retain.options()
	var s sources.Source
	if src.live() {
		opts.Clock = time.Now
		if src.now != nil {
			opts.Clock = src.now
		}
		var err error
		if s, err = src.build(e); err != nil {
			return nil, err
		}
	} else {
		if !logs {
			opts.LogsPerFunction, opts.LogsTotal = 1, 1
		}
		s = headlessInput(src, e, logs)
	}
	store := model.NewStore(opts)
	p := newProgress(store, e, s.Name())
	defer p.stop()
	if src.live() {
		b, ok := s.(sources.Backfiller)
		if !ok {
			return nil, fmt.Errorf("%s: cannot take a snapshot of a live source without history", s.Name())
		}
		if err := b.Backfill(ctx, p); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name(), err)
		}
		return store, nil
	}
	if err := s.Run(ctx, p); err != nil {
		return nil, err
	}
	return store, ctx.Err()
}

// headlessInput is the file source of sourceFlags.build, without log
// lines unless logs is set.
func headlessInput(src *sourceFlags, e env, logs bool) sources.Source {
	opts := []file.Option{file.WithLogs(logs)}
	if src.function != "" {
		opts = append(opts, file.WithFunction(src.function))
	}
	if src.input == "-" {
		opts = append(opts, file.WithReader(e.stdin))
	}
	return file.New(src.input, opts...)
}

// progress forwards events to the store and, when stderr is a terminal,
// shows how many it has read.
type progress struct {
	model.Sink
	n    atomic.Int64
	done chan struct{}
	wg   sync.WaitGroup
}

func newProgress(sink model.Sink, e env, name string) *progress {
	p := &progress{Sink: sink, done: make(chan struct{})}
	if !e.errTTY {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		shown := false
		for {
			select {
			case <-p.done:
				if shown {
					_, _ = fmt.Fprint(e.stderr, "\r\x1b[K") // progress on stderr: best effort
				}
				return
			case <-t.C:
				_, _ = fmt.Fprintf(e.stderr, "\r\x1b[Kreading %s: %d events", termsafe.Text(name), p.n.Load())
				shown = true
			}
		}
	}()
	return p
}

func (p *progress) Ingest(events ...model.Event) {
	p.n.Add(int64(len(events)))
	p.Sink.Ingest(events...)
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}

func writeJSON(w io.Writer, snap *model.Snapshot) error {
	if snap.Functions == nil {
		snap.Functions = []model.FunctionStats{}
	}
	if snap.Sources == nil {
		snap.Sources = []model.SourceInfo{}
	}
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return err
	}
	// encoding/json leaves DEL, C1 controls, bidi, zero-width and tag
	// characters of names and messages raw: escape them too, so that the
	// document is as safe on a terminal as the table.
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}

// writeTable prints the snapshot as an aligned text table, one function a
// row, most invoked first.
func writeTable(w io.Writer, snap *model.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if _, err := fmt.Fprintf(w, "window %s  %s .. %s  (%.0fs)   functions %d   invocations %d   %.2f/s   errors %d (%s)   cost %s (%s/h)\n",
		snap.Window.Label, snap.Window.Start.UTC().Format(time.RFC3339), snap.Window.End.UTC().Format(time.RFC3339), snap.Window.Seconds,
		snap.Totals.Functions, snap.Totals.Invocations, snap.Totals.RatePerS, snap.Totals.Errors, pct(snap.Totals.ErrorRate),
		usd(snap.Totals.CostUSD), usd(snap.Totals.CostPerHourUSD)); err != nil {
		return err
	}
	nameW := len("FUNCTION")
	for _, f := range snap.Functions {
		nameW = max(nameW, len(tableName(f.Name)))
	}
	// Every line ends in a cell, so tw buffers the table: a failed write
	// comes back from Flush.
	_, _ = fmt.Fprintf(tw, "%-*s\t", nameW, "FUNCTION")
	_, _ = fmt.Fprintln(tw, "INV\tRATE/s\tERR\tERR%\tTIMEOUT\tCOLD\tCOLD%\tTHROTTLE\tP50 ms\tP99 ms\tMEM MB\tCOST\t$/h\t")
	rows := append([]model.FunctionStats(nil), snap.Functions...)
	slices.SortStableFunc(rows, func(a, b model.FunctionStats) int { return cmp.Compare(b.Invocations, a.Invocations) })
	for _, f := range rows {
		mem := "-"
		if f.MemorySizeMB > 0 {
			mem = fmt.Sprintf("%d/%d", f.MaxMemoryUsedMB, f.MemorySizeMB)
		}
		_, _ = fmt.Fprintf(tw, "%-*s\t%d\t%.2f\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			nameW, tableName(f.Name), f.Invocations, f.RatePerS, f.Errors, pct(f.ErrorRate), f.Timeouts,
			optInt(f.ColdStarts), optPct(f.ColdStartRatio), optInt(f.Throttles),
			durQ(f.Duration, func(q *model.Quantiles) float64 { return q.P50 }),
			durQ(f.Duration, func(q *model.Quantiles) float64 { return q.P99 }),
			mem, usd(f.CostUSD), usd(f.CostPerHourUSD))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	for _, s := range snap.Sources {
		n := fmt.Sprintf("source %s: %s", termsafe.Text(s.Name), termsafe.Text(string(s.State)))
		if s.LastError != "" {
			n += " (" + termsafe.Text(s.LastError) + ")"
		}
		notes = append(notes, n)
	}
	if snap.SkippedLines > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d lines", snap.SkippedLines))
	}
	notes = append(notes, "prices: "+snap.Pricing.Table+" (list prices, "+snap.Pricing.DefaultRegion+" unless known)")
	_, err := fmt.Fprintln(w, strings.Join(notes, "   "))
	return err
}

// tableName is a function's name for the table: terminal-safe, and
// without tabs, which would make columns of it.
func tableName(s string) string { return strings.ReplaceAll(termsafe.Text(s), "\t", " ") }

func pct(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }

func optPct(r *float64) string {
	if r == nil {
		return "-"
	}
	return pct(*r)
}

func optInt(v *int64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

func durQ(q *model.Quantiles, pick func(*model.Quantiles) float64) string {
	if q == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", pick(q))
}

func usd(v float64) string {
	switch {
	case v == 0:
		return "$0"
	case v < 0.01:
		return fmt.Sprintf("$%.6f", v)
	default:
		return fmt.Sprintf("$%.2f", v)
	}
}
