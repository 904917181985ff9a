package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources"
)

// Defaults of a Source.
const (
	DefaultSeed = 1
	DefaultTick = time.Second
	// DefaultHistory is a one-hour window and the hour before it, so that
	// a baseline of the preceding hour exists from the start.
	DefaultHistory = 2 * time.Hour
)

// Source is the simulated fleet. It implements sources.Source and
// sources.Backfiller. A Source holds only its configuration: Run and
// Backfill may be called any number of times, each with its own simulation.
type Source struct {
	seed    int64
	clock   func() time.Time
	tick    time.Duration
	history time.Duration
	fleet   []*spec
}

var (
	_ sources.Source     = (*Source)(nil)
	_ sources.Backfiller = (*Source)(nil)
)

// Option configures a Source.
type Option func(*options)

type options struct {
	seed      int64
	clock     func() time.Time
	functions int
	tick      time.Duration
	history   time.Duration
}

// Seed sets the seed of every random draw (default DefaultSeed). The same
// seed and the same clock give the same events.
func Seed(seed int64) Option { return func(o *options) { o.seed = seed } }

// Clock sets the source of the current time (default time.Now). Tests pass
// a fake clock; the simulation follows it, however fast it moves.
func Clock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// Functions sets the size of the fleet. Zero or less, the default, means
// the designed fleet of 24 functions; fewer keeps the first n of them (the
// incident functions come first); more adds generated functions cloned
// from the designed families (for load tests of the UI), whose rates are
// scaled so that together they add about half the designed fleet's
// traffic, whatever their number.
func Functions(n int) Option { return func(o *options) { o.functions = n } }

// Tick sets how often Run generates and ingests new events (default
// DefaultTick). It changes the batching, never the events.
func Tick(d time.Duration) Option { return func(o *options) { o.tick = d } }

// History sets how much history Backfill fills before now (default
// DefaultHistory). Zero means none.
func History(d time.Duration) Option { return func(o *options) { o.history = d } }

// New returns the demo fleet.
func New(opts ...Option) *Source {
	o := options{seed: DefaultSeed, clock: time.Now, tick: DefaultTick, history: DefaultHistory}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tick <= 0 {
		o.tick = DefaultTick
	}
	return &Source{
		seed: o.seed, clock: o.clock, tick: o.tick, history: max(o.history, 0),
		fleet: buildFleet(o.functions),
	}
}

// Name is "demo".
func (s *Source) Name() string { return "demo" }

// FunctionNames lists the fleet's functions in their simulation order.
func (s *Source) FunctionNames() []string {
	names := make([]string, len(s.fleet))
	for i, sp := range s.fleet {
		names[i] = sp.name
	}
	return names
}

// Backfill fills the history window [now-History, now]: the configuration
// of every function (model.KindMeta), then every event of the window, in
// time order, in batches. It reports its progress as model.KindStatus
// events (StateBackfilling, then StateOK) and returns ctx.Err() if ctx ends
// first. It parses and ingests on two goroutines of its own, which end
// before it returns; the sink sees one batch at a time, in order.
func (s *Source) Backfill(ctx context.Context, sink model.Sink) error {
	_, err := s.backfill(ctx, newGenerator(s, sink))
	return err
}

// Run backfills, then every Tick generates the events of (last, now] and
// ingests them, until ctx ends; it returns nil then. It starts no
// goroutine but those of its backfills. Should the clock jump further ahead than the history window
// (a laptop waking up), it fills the window before the new now instead of
// simulating the whole gap.
func (s *Source) Run(ctx context.Context, sink model.Sink) error {
	g := newGenerator(s, sink)
	nowMs, err := s.backfill(ctx, g)
	if err != nil {
		return nil // ctx ended
	}
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := s.clock()
		ms := now.UnixMilli()
		if ms <= nowMs {
			continue
		}
		if gap := time.Duration(ms-nowMs) * time.Millisecond; gap > max(s.history, 10*time.Minute) {
			if ms, err = s.backfill(ctx, g); err != nil {
				return nil
			}
			nowMs = ms
			continue
		}
		if g.advance(ctx, ms) != nil {
			g.flush()
			return nil
		}
		nowMs = ms
		g.emit(s.status(now, model.StateOK, s.liveDetail()))
		g.flush()
	}
}

// backfill (re)starts g at the clock's now and fills the history window.
// It returns the now it filled up to.
func (s *Source) backfill(ctx context.Context, g *generator) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := s.clock()
	nowMs := now.UnixMilli()
	total := s.history.Round(time.Minute)
	g.reset(nowMs, s.history.Milliseconds())
	g.sink.Ingest(s.status(now, model.StateBackfilling, fmt.Sprintf("backfilling 0/%s of demo history", fmtMinutes(total))))
	g.startPipeline()
	defer g.stopPipeline()
	start := g.emitFrom * 1000
	g.metas(start)
	// The silent part (state before the window) first, then the window in
	// steps of a few minutes, with progress in between.
	if err := g.advance(ctx, start-1); err != nil {
		return nowMs, err
	}
	const step = 5 * 60 * 1000
	for t := start; t < nowMs; t += step {
		if err := g.advance(ctx, min(t+step, nowMs)); err != nil {
			return nowMs, err
		}
		if done := time.Duration(min(t+step, nowMs)-start) * time.Millisecond; done < total {
			g.emit(s.status(now, model.StateBackfilling,
				fmt.Sprintf("backfilling %s/%s of demo history", fmtMinutes(done), fmtMinutes(total))))
		}
	}
	if err := g.advance(ctx, nowMs); err != nil {
		return nowMs, err
	}
	g.emit(s.status(now, model.StateOK, s.liveDetail()))
	g.flush()
	return nowMs, nil
}

func (s *Source) liveDetail() string {
	return fmt.Sprintf("%d simulated functions", len(s.fleet))
}

func (s *Source) status(now time.Time, state model.SourceState, detail string) model.Event {
	return model.Event{
		Kind: model.KindStatus, Source: s.Name(), Time: now,
		Status: model.SourceStatus{Name: s.Name(), State: state, Detail: detail, Updated: now},
	}
}

func fmtMinutes(d time.Duration) string {
	return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
}
