package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fntop/fntop/model"
)

// Run-loop tuning.
const (
	statusEvery  = time.Second
	focusEvery   = 250 * time.Millisecond
	scalePeriod  = 10 * time.Second // how often every group must be polled for raw polling to suffice
	aggSettle    = 30 * time.Second // Insights aggregation stays this far behind now (ingestion delay)
	maxTailGroup = 10               // log groups per Live Tail session
	focusLogs    = 5 * time.Minute  // log history polled for a function newly in focus, in scale mode
)

// start discovers the groups, loads the inventory, decides the mode and
// fills the backfill window. With only, the FilterLogEvents fallback of the
// backfill is run to its end here; otherwise the poller does it.
func (p *place) start(ctx context.Context, only bool) error {
	now := p.opts.Clock()
	// With a backfill, Insights covers whole minutes up to now's and the
	// poller everything from there (see aggregateSpan).
	t0 := now
	if p.opts.Backfill > 0 {
		t0 = now.Truncate(time.Minute)
	}
	p.mu.Lock()
	p.t0 = t0.UnixMilli()
	for _, g := range p.groups {
		g.floor, g.cursor = p.t0, p.t0
	}
	p.mu.Unlock()
	p.report(model.StateStarting, "discovering log groups")
	// Discovery and the inventory are independent: list both at once.
	invErr := make(chan error, 1)
	go func() { invErr <- p.loadInventory(ctx) }()
	n, err := p.discover(ctx)
	if ierr := <-invErr; ierr != nil && ctx.Err() == nil {
		p.setErr(fmt.Errorf("function inventory: %w", ierr))
	}
	if err != nil {
		return err
	}
	p.decideScale(n, true)
	if p.opts.Backfill <= 0 {
		return nil
	}
	p.report(model.StateBackfilling, fmt.Sprintf("backfilling %s of %d log groups with Logs Insights", model.WindowLabel(p.opts.Backfill), n))
	groups := p.groupList(func(*group) bool { return true })
	from := now.Add(-p.opts.Backfill)
	if p.opts.RawHistory {
		err = errRaw
	} else {
		err = p.aggregate(ctx, groups, from, now)
	}
	if err == nil {
		p.mu.Lock()
		scale := p.scale
		p.mu.Unlock()
		if only && !scale {
			// The minute in progress, raw.
			return p.passAll(ctx)
		}
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case errors.Is(err, errRaw):
	case errors.Is(err, errDenied):
		p.note("Logs Insights not permitted: history from FilterLogEvents")
	case errors.Is(err, errUnusable):
		p.note("Logs Insights unusable here: history from FilterLogEvents")
		p.mu.Lock()
		p.insightsDenied = true
		p.mu.Unlock()
	default:
		// Batches that completed have been counted: reading their
		// history again would count it twice. The rest stays missing.
		p.note("Logs Insights failed: history incomplete")
		p.setErr(fmt.Errorf("Logs Insights: %w", err))
		if only {
			return err
		}
		return nil
	}
	p.mu.Lock()
	p.scale = false // without Insights every group is polled, as fast as the budget allows
	for _, g := range p.groups {
		g.logsOnly.Store(false)
		g.floor, g.cursor = from.UnixMilli(), from.UnixMilli()
	}
	p.mu.Unlock()
	if only {
		p.report(model.StateBackfilling, fmt.Sprintf("backfilling %s of %d log groups with FilterLogEvents", model.WindowLabel(p.opts.Backfill), n))
		return p.passAll(ctx)
	}
	return nil
}

// errRaw chooses the FilterLogEvents history (Options.RawHistory).
var errRaw = errors.New("raw history")

// decideScale turns on aggregation mode when raw polling of every group
// once per scalePeriod would exceed the FilterLogEvents budget.
//
// In that mode Insights gives every group's figures, the ones in focus
// included; the groups in focus are still polled, for their log lines only.
// At start the aggregation takes over at the end of the backfill; later
// (the fleet grew) at the next whole minute.
func (p *place) decideScale(n int, starting bool) {
	limit := p.opts.ScaleAt
	if limit <= 0 {
		limit = int(p.filter.State().Base * scalePeriod.Seconds())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	was := p.scale
	p.scale = n > limit && !p.insightsDenied
	if p.scale && !was {
		if starting {
			p.aggFrom = p.t0
		} else {
			p.aggFrom = p.opts.Clock().Truncate(time.Minute).Add(time.Minute).UnixMilli()
		}
	}
	for _, g := range p.groups {
		g.logsOnly.Store(p.scale)
	}
}

// passAll polls every group until each has completed one pass.
func (p *place) passAll(ctx context.Context) error {
	var pending sync.WaitGroup
	groups := p.groupList(func(*group) bool { return true })
	sem := make(chan struct{}, pollWorkers)
	var mu sync.Mutex
	var errs []error
	for _, g := range groups {
		pending.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; pending.Done() }()
			for ctx.Err() == nil {
				p.mu.Lock()
				if g.gone {
					p.mu.Unlock()
					return
				}
				g.busy = true
				p.mu.Unlock()
				_, done, err := p.pollPage(ctx, g)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s: %w", g.name, err))
					mu.Unlock()
					return
				}
				if done {
					return
				}
			}
		}()
	}
	pending.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.Join(errs...)
}

// groupList returns the groups matching keep, by name.
func (p *place) groupList(keep func(*group) bool) []*group {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*group
	for _, g := range p.groups {
		if !g.gone && keep(g) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// backfillOnly is the headless path: discover, backfill, report, return.
func (p *place) backfillOnly(ctx context.Context) error {
	err := p.start(ctx, true)
	if err != nil {
		p.setErr(err)
		p.report(model.StateFailing, "")
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.report(model.StateOK, "")
	return nil
}

// run watches the place until ctx ends: start (retried until it works),
// then the poller, discovery refresh, focus, aggregation and status loops.
func (p *place) run(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		err := p.start(ctx, false)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		p.setErr(err)
		p.report(model.StateFailing, "")
		sleep(ctx, min(time.Duration(1<<min(attempt, 5))*time.Second, 30*time.Second))
		if ctx.Err() != nil {
			return nil
		}
	}
	var wg sync.WaitGroup
	for _, loop := range []func(context.Context){p.pollLoop, p.discoverLoop, p.focusLoop, p.aggregateLoop, p.statusLoop} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// discoverLoop lists groups and functions again every Discover period.
func (p *place) discoverLoop(ctx context.Context) {
	t := time.NewTicker(p.opts.Discover)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := p.discover(ctx)
		if err != nil {
			if ctx.Err() == nil {
				p.setErr(fmt.Errorf("listing log groups: %w", err))
			}
			continue
		}
		if err := p.loadInventory(ctx); err != nil && ctx.Err() == nil {
			p.setErr(fmt.Errorf("function inventory: %w", err))
		}
		p.decideScale(n, false)
	}
}

// focusLoop follows the functions the user looks at: they are polled more
// often (and, in scale mode, at all) and, with Live Tail on, followed by a
// session of up to maxTailGroup groups.
func (p *place) focusLoop(ctx context.Context) {
	if p.opts.Focus == nil {
		return
	}
	t := time.NewTicker(focusEvery)
	defer t.Stop()
	var (
		tailKey    string
		tailCancel context.CancelFunc
		tailDone   chan struct{}
		denied     bool
	)
	stopTail := func() {
		if tailCancel != nil {
			tailCancel()
			<-tailDone
			tailCancel, tailKey = nil, ""
		}
	}
	defer stopTail()
	for {
		names := map[string]bool{}
		for _, n := range p.opts.Focus() {
			names[n] = true
		}
		p.mu.Lock()
		var focused []*group
		for _, g := range p.groups {
			f := names[p.functionOf(g, "")]
			if f && !g.focused {
				g.due = p.opts.Clock() // poll a newly focused group now
				if p.scale {
					// Log lines only (Insights counts): the last minutes
					// give the logs view its context.
					from := p.opts.Clock().Add(-focusLogs).UnixMilli()
					if g.cursor < from {
						g.floor, g.cursor = from, from
					}
				}
			}
			g.focused = f
			if f && !g.gone {
				focused = append(focused, g)
			}
		}
		p.mu.Unlock()
		sort.Slice(focused, func(i, j int) bool { return focused[i].name < focused[j].name })
		if len(focused) > maxTailGroup {
			focused = focused[:maxTailGroup]
		}
		if p.opts.LiveTail && !denied {
			key := groupKey(focused)
			if tailDone != nil {
				select {
				case <-tailDone: // the session ended by itself
					tailCancel, tailKey, tailDone = nil, "", nil
				default:
				}
			}
			if key != tailKey {
				stopTail()
				if len(focused) > 0 {
					tctx, cancel := context.WithCancel(ctx)
					done := make(chan struct{})
					tailCancel, tailKey, tailDone = cancel, key, done
					gs := focused
					p.setTailed(gs, true)
					go func() {
						defer close(done)
						defer p.setTailed(gs, false)
						if err := p.liveTail(tctx, gs); errors.Is(err, errDenied) {
							denied = true
						} else if err != nil && tctx.Err() == nil {
							p.setErr(fmt.Errorf("Live Tail: %w", err))
						}
					}()
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func groupKey(gs []*group) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.name
	}
	return strings.Join(names, "\x00")
}

func (p *place) setTailed(gs []*group, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range gs {
		g.tailed = on
		if !on {
			g.due = p.opts.Clock()
		}
	}
}

// aggregateLoop, in scale mode, takes the figures of every group from Logs
// Insights every Aggregate period, for the whole minutes that are aggSettle
// behind now.
func (p *place) aggregateLoop(ctx context.Context) {
	t := time.NewTicker(p.opts.Aggregate)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		scale, from := p.scale, p.aggFrom
		p.mu.Unlock()
		if !scale {
			continue
		}
		end := p.opts.Clock().Add(-aggSettle).Truncate(time.Minute)
		if end.UnixMilli() <= from {
			continue
		}
		groups := p.groupList(func(*group) bool { return true })
		err := p.aggregate(ctx, groups, time.UnixMilli(from), end)
		switch {
		case err == nil:
			p.mu.Lock()
			p.aggFrom = end.UnixMilli()
			p.mu.Unlock()
		case ctx.Err() != nil:
			return
		case errors.Is(err, errDenied) || errors.Is(err, errUnusable):
			p.note("Logs Insights not permitted or unusable: polling every group")
			p.mu.Lock()
			p.scale = false
			for _, g := range p.groups {
				g.logsOnly.Store(false)
				g.floor, g.cursor = max(g.cursor, p.aggFrom), max(g.cursor, p.aggFrom)
			}
			p.mu.Unlock()
		default:
			// Move on: running the span again would count the batches
			// that completed twice.
			p.setErr(fmt.Errorf("Logs Insights: %w (figures of %s–%s incomplete)", err,
				time.UnixMilli(from).UTC().Format("15:04"), end.UTC().Format("15:04")))
			p.mu.Lock()
			p.aggFrom = end.UnixMilli()
			p.mu.Unlock()
		}
	}
}

// statusLoop reports the place's health every statusEvery.
func (p *place) statusLoop(ctx context.Context) {
	t := time.NewTicker(statusEvery)
	defer t.Stop()
	for {
		p.report("", "")
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// report sends the place's status. An empty state is worked out from the
// place: throttled, lagging, failing or ok.
func (p *place) report(state model.SourceState, detail string) {
	now := p.opts.Clock()
	fs := p.filter.State()
	p.mu.Lock()
	var (
		lag     time.Duration
		n       int
		polled  int
		focused int
	)
	for _, g := range p.groups {
		if g.gone {
			continue
		}
		n++
		if g.focused {
			focused++
		}
		if p.scale && !g.focused || g.tailed {
			continue
		}
		if g.polled {
			polled++
			if d := now.Sub(g.lastOK); d > lag {
				lag = d
			}
		}
	}
	if p.scale {
		if d := now.Sub(time.UnixMilli(p.aggFrom)); d > lag {
			lag = d
		}
	}
	lastErr, errAt, updated := p.lastErr, p.lastErrAt, p.updated
	parts := []string{fmt.Sprintf("%d log groups", n)}
	if p.account != "" {
		parts[0] = p.account + " · " + parts[0]
	}
	if p.scale {
		parts = append(parts, fmt.Sprintf("fleet from Logs Insights every %s, %d in focus polled", p.opts.Aggregate, focused))
	}
	parts = append(parts, fmt.Sprintf("%.1f/%.1f calls/s", fs.Rate, fs.Base))
	if fs.Throttles > 0 {
		parts = append(parts, fmt.Sprintf("throttled %d×", fs.Throttles))
	}
	if p.tailing > 0 {
		s := fmt.Sprintf("live tail %d", p.tailing)
		if p.sampled {
			s += " (sampled)"
		}
		parts = append(parts, s)
	}
	parts = append(parts, p.notes...)
	p.mu.Unlock()

	// The poller's latest failed attempt, while call still retries it, is
	// news when it is newer than the place's last error.
	if fs.LastError != nil && fs.LastErrorAt.After(fs.LastOK) && (lastErr == nil || fs.LastErrorAt.After(errAt)) {
		lastErr, errAt = fs.LastError, fs.LastErrorAt
	}
	if state == "" {
		switch {
		case lastErr != nil && errAt.After(updated) && now.Sub(errAt) < 30*time.Second && !isThrottle(lastErr):
			state = model.StateFailing
		case fs.Slowed():
			state = model.StateThrottled
		case lag > 3*scalePeriod+p.opts.MinInterval && polled > 0:
			state = model.StateLagging
		default:
			state = model.StateOK
		}
	}
	if detail == "" {
		detail = strings.Join(parts, " · ")
	}
	ev := model.Event{Kind: model.KindStatus, Source: p.name, Time: now, Status: model.SourceStatus{
		Name: p.name, State: state, Detail: detail, Lag: lag, Updated: updated,
	}}
	if lastErr != nil && now.Sub(errAt) < 5*time.Minute {
		ev.Status.LastError = short(lastErr)
	}
	p.sink.Ingest(ev)
}
