package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources"
	"github.com/fntop/fntop/tui/termsafe"
)

func cmdLogs(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("fntop logs", flag.ContinueOnError)
	var src sourceFlags
	src.register(fs)
	fs.BoolVar(&src.follow, "follow", false, "keep printing new lines as they arrive")
	grep := fs.String("grep", "", "print only lines whose message matches `REGEX` (Go syntax)")
	since := fs.Duration("since", 0, "for live sources, start `DURATION` back (default 10m); for inputs, only lines newer than the input's end minus DURATION")
	if err := parse(fs, args, e.stderr); err != nil {
		return err
	}
	if err := src.check(); err != nil {
		return err
	}
	var re *regexp.Regexp
	if *grep != "" {
		var err error
		if re, err = regexp.Compile(*grep); err != nil {
			return fmt.Errorf("%w: --grep: %v", errUsage, err)
		}
	}
	if *since < 0 {
		return fmt.Errorf("%w: --since must not be negative", errUsage)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &printer{
		w:        bufio.NewWriterSize(e.stdout, 64<<10),
		color:    e.tty && !e.noColor,
		function: src.function,
		grep:     re,
		cancel:   cancel,
		flush:    src.follow,
	}
	demoLike := src.input == ""
	if demoLike && *since == 0 {
		*since = 10 * time.Minute
	}
	// Log lines, not figures: a live source's history is the raw lines of
	// the last --since.
	src.backfill, src.rawHistory = *since, true
	s, err := src.build(e)
	if err != nil {
		return err
	}
	switch {
	case demoLike && !src.follow:
		// History only: gather it, then print it in time order.
		b, ok := s.(sources.Backfiller)
		if !ok {
			return fmt.Errorf("%s has no history to print; add --follow", s.Name())
		}
		p.from = time.Now().Add(-*since)
		p.hold = true
		err = b.Backfill(ctx, p)
	case demoLike:
		p.from = time.Now().Add(-*since)
		err = s.Run(ctx, p)
	default:
		if *since > 0 && !src.follow {
			p.hold, p.window = true, *since
		}
		err = s.Run(ctx, p)
	}
	if perr := p.finish(); perr != nil {
		return perr
	}
	if err != nil && !(errors.Is(err, context.Canceled) && (p.failed() || src.follow)) {
		return err
	}
	return nil
}

// printer is a sink that writes log events as lines: time, function,
// message. Messages are made terminal-safe whatever the output is.
type printer struct {
	mu       sync.Mutex
	w        *bufio.Writer
	color    bool
	function string
	grep     *regexp.Regexp
	from     time.Time     // drop lines older than this
	window   time.Duration // with hold: keep only the last window of the input
	hold     bool          // collect, sort by time, print at the end
	held     []model.Event
	flush    bool // flush after every batch (following)
	cancel   context.CancelFunc
	err      error
}

func (p *printer) Ingest(events ...model.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	for i := range events {
		ev := &events[i]
		if ev.Kind != model.KindLog || !p.keep(ev) {
			continue
		}
		if p.hold {
			p.held = append(p.held, *ev)
			continue
		}
		p.line(ev)
	}
	if p.flush && p.err == nil {
		p.fail(p.w.Flush())
	}
}

func (p *printer) keep(ev *model.Event) bool {
	if p.function != "" && ev.Function != p.function {
		return false
	}
	if !p.from.IsZero() && ev.Time.Before(p.from) {
		return false
	}
	return p.grep == nil || p.grep.MatchString(ev.Log.Message)
}

func (p *printer) fail(err error) {
	if err != nil && p.err == nil {
		p.err = err
		p.cancel() // the reader went away (a closed pipe): stop the source
	}
}

func (p *printer) failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err != nil
}

// Terminal colours (SGR), used only when stdout is a terminal and NO_COLOR
// is not set.
const (
	sgrReset = "\x1b[0m"
	sgrDim   = "\x1b[2m"
	sgrRed   = "\x1b[31m"
	sgrYell  = "\x1b[33m"
	sgrBold  = "\x1b[1m"
)

var fnColors = []string{"\x1b[36m", "\x1b[32m", "\x1b[35m", "\x1b[34m", "\x1b[96m", "\x1b[92m", "\x1b[95m", "\x1b[94m"}

func (p *printer) line(ev *model.Event) {
	if p.err != nil {
		return
	}
	ts := "-                       " // the line carried no time (raw output before any line that did)
	if !ev.Time.IsZero() {
		ts = ev.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	name := termsafe.Text(ev.Function)
	msg := termsafe.Text(ev.Log.Message)
	if !p.color {
		_, err := fmt.Fprintf(p.w, "%s %s %s\n", ts, name, msg)
		p.fail(err)
		return
	}
	h := fnv.New32a()
	io.WriteString(h, ev.Function) //nolint:errcheck // hashing cannot fail
	fc := fnColors[h.Sum32()%uint32(len(fnColors))]
	mc := ""
	switch {
	case ev.Log.Kind == model.LineFailure || ev.Log.Level >= model.LevelError:
		mc = sgrRed
	case ev.Log.Level == model.LevelWarn:
		mc = sgrYell
	case ev.Log.Kind == model.LinePlatform:
		mc = sgrDim
	}
	if mc != "" {
		msg = mc + msg + sgrReset
	}
	_, err := fmt.Fprintf(p.w, "%s%s%s %s%s%s %s\n", sgrDim, ts, sgrReset, fc, name, sgrReset, msg)
	p.fail(err)
}

// finish prints held lines and flushes.
func (p *printer) finish() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold {
		slices.SortStableFunc(p.held, func(a, b model.Event) int { return a.Time.Compare(b.Time) })
		start := 0
		if p.window > 0 && len(p.held) > 0 {
			from := p.held[len(p.held)-1].Time.Add(-p.window)
			start, _ = slices.BinarySearchFunc(p.held, from, func(e model.Event, t time.Time) int { return e.Time.Compare(t) })
		}
		for i := start; i < len(p.held); i++ {
			p.line(&p.held[i])
		}
		p.held = nil
	}
	if p.err == nil {
		p.fail(p.w.Flush())
	}
	if p.err != nil && isBrokenPipe(p.err) {
		return nil
	}
	return p.err
}
