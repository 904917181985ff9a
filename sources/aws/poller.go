package aws

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// Poller tuning.
const (
	// pollWorkers is how many FilterLogEvents calls a place has in flight:
	// enough to use the budget when each call takes a round trip.
	pollWorkers = 4
	// pollTick is how often an idle worker looks for a due group.
	pollTick = 50 * time.Millisecond
	// heatDecay is how much of a group's heat survives a pass.
	heatDecay = 0.7
	// maxRetryWait bounds the wait after repeated failures of one group.
	maxRetryWait = time.Minute
)

// pollable reports whether the poller should poll g now (callers hold
// p.mu): not busy, not followed by Live Tail, not deleted, and in scale
// mode only the functions in focus.
func (p *place) pollable(g *group) bool {
	if g.busy || g.tailed || g.gone {
		return false
	}
	return !p.scale || g.focused
}

// nextDue returns the pollable group that is due first, marked busy, or nil
// and how long to wait.
func (p *place) nextDue() (*group, time.Duration) {
	now := p.opts.Clock()
	p.mu.Lock()
	defer p.mu.Unlock()
	var best *group
	for _, g := range p.groups {
		if !p.pollable(g) {
			continue
		}
		if best == nil || g.due.Before(best.due) || (g.due.Equal(best.due) && g.name < best.name) {
			best = g
		}
	}
	if best == nil {
		return nil, pollTick
	}
	if w := best.due.Sub(now); w > 0 {
		return nil, min(w, pollTick)
	}
	best.busy = true
	return best, 0
}

// pollLoop runs the place's poll workers until ctx ends.
func (p *place) pollLoop(ctx context.Context) {
	done := make(chan struct{})
	for range pollWorkers {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				g, wait := p.nextDue()
				if g == nil {
					sleep(ctx, wait)
					continue
				}
				_, _, _ = p.pollPage(ctx, g) // a failure is kept on the place and reported in its status
			}
		}()
	}
	for range pollWorkers {
		<-done
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// pollPage makes one FilterLogEvents call for g: the first page of a new
// pass from g's cursor less the overlap (never before its floor), or the
// next page of the pass in progress. A pass ends at a page without a new
// next token; the cursor then moves to the newest event of the pass. Empty
// pages with a next token are followed like any other.
func (p *place) pollPage(ctx context.Context, g *group) (fresh int, passDone bool, err error) {
	overlap := p.opts.Overlap.Milliseconds()
	p.mu.Lock()
	if g.token == nil {
		g.passStart = max(g.cursor-overlap, g.floor)
		g.passMax = g.cursor
		g.pages = 0
		g.passFresh, g.passFailed = 0, 0
	}
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(g.name),
		StartTime:    aws.Int64(g.passStart),
		NextToken:    g.token,
	}
	token := g.token
	p.mu.Unlock()

	var out *cloudwatchlogs.FilterLogEventsOutput
	err = call(ctx, p.filter, func(ctx context.Context) error {
		var err error
		out, err = p.logs.FilterLogEvents(ctx, in)
		return err
	})
	now := p.opts.Clock()
	if err != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		g.busy = false
		if ctx.Err() != nil {
			return 0, false, ctx.Err()
		}
		switch {
		case errorCode(err) == "ResourceNotFoundException":
			g.gone = true
			delete(p.groups, g.name)
		default:
			g.failures++
			g.token = nil // a token may not outlive a failure; dedup absorbs the repeat
			g.due = now.Add(min(time.Duration(1<<min(g.failures, 6))*time.Second, maxRetryWait))
			p.lastErr, p.lastErrAt = explainCredentials(p.profile, err), now
		}
		return 0, false, err
	}
	p.noteOK()

	evs := make([]rawEvent, 0, len(out.Events))
	newest := int64(0)
	for _, e := range out.Events {
		ts := aws.ToInt64(e.Timestamp)
		newest = max(newest, ts)
		evs = append(evs, rawEvent{stream: aws.ToString(e.LogStreamName), ts: ts, msg: aws.ToString(e.Message)})
	}
	fresh, failed := p.ingest(g, evs)

	p.mu.Lock()
	defer p.mu.Unlock()
	g.busy = false
	g.failures = 0
	g.pages++
	g.passMax = max(g.passMax, newest)
	g.passFresh += fresh
	g.passFailed += failed
	next := out.NextToken
	if next != nil && *next != "" && (token == nil || *next != *token) {
		g.token = next
		g.due = now
		return fresh, false, nil
	}
	g.token = nil
	// Never past now: an event stamped ahead of the clock (a writer's
	// clock hours fast) would otherwise move the cursor past every event
	// written after it, until real time caught up. The overlap and the
	// dedup absorb asking again.
	g.cursor = max(g.cursor, min(g.passMax, now.UnixMilli()))
	g.lastOK = now
	g.polled = true
	g.heat = g.heat*heatDecay + float64(g.passFresh)
	g.errHeat = g.errHeat*heatDecay + float64(g.passFailed)
	g.due = now.Add(p.intervalLocked(g))
	p.pruneLocked(g)
	return fresh, true, nil
}

// pruneLocked forgets dedup keys older than any future pass can return.
func (p *place) pruneLocked(g *group) {
	cutoff := max(g.cursor-2*p.opts.Overlap.Milliseconds(), g.floor)
	p.ingMu.Lock()
	g.dedup.prune(cutoff)
	p.ingMu.Unlock()
}

// Relative poll frequencies: a group with events is polled three times as
// often as an idle one, an erroring group or one in focus six times.
const (
	freqIdle    = 1
	freqHot     = 3
	freqFailing = 6
)

func freq(g *group) float64 {
	switch {
	case g.focused || g.errHeat >= 0.5:
		return freqFailing
	case g.heat >= 1:
		return freqHot
	}
	return freqIdle
}

// intervalLocked is the time until g's next pass: the budget's current rate
// shared among the pollable groups by their frequencies, never below
// MinInterval. The budget itself enforces the rate; the interval keeps the
// schedule fair and leaves idle budget unused rather than spent on idle
// groups.
func (p *place) intervalLocked(g *group) time.Duration {
	var sum float64
	for _, o := range p.groups {
		if o.gone || o.tailed || (p.scale && !o.focused) {
			continue
		}
		sum += freq(o)
	}
	rate := p.filter.State().Rate * 0.9
	if rate <= 0 || sum == 0 {
		return p.opts.MinInterval
	}
	d := time.Duration(sum / (rate * freq(g)) * float64(time.Second))
	return max(d, p.opts.MinInterval)
}
