package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/cenkalti/backoff/v5"
)

// Live Tail limits and timing.
const (
	// tailRetryFirst and tailRetryMax bound the jittered backoff between
	// failed attempts to start a session.
	tailRetryFirst = time.Second
	tailRetryMax   = time.Minute
	// tailMaxFailures is how many attempts in a row may fail (to start, or
	// end before their first update) before liveTail gives up so that the
	// caller polls instead.
	tailMaxFailures = 5
	// tailHandoffUpdates is how many updates a replaced session must still
	// deliver after its successor's first one before it is closed: every
	// event it saw before the successor started has then arrived.
	tailHandoffUpdates = 2
	// tailHandoffMax bounds how long a replaced session is kept open.
	tailHandoffMax = 15 * time.Second
	// tailFillPages bounds the FilterLogEvents pages of one gap fill.
	tailFillPages = 20
)

// liveTail follows groups (at most maxTailGroup) with Live Tail until ctx
// ends, then closes its sessions and returns nil; the caller polls the
// groups again from their cursors.
//
// Each sessionUpdate goes through p.ingest and moves the cursors of its
// groups to the newest timestamp seen. A session is replaced before
// Options.LiveTailRenew (CloudWatch ends sessions at three hours): the new
// one starts first, the old one is closed once the new one delivers and the
// old one has sent tailHandoffUpdates more updates, so nothing falls between
// them; the overlap is absorbed by the dedup in p.ingest. A session that
// ends (SessionTimeoutException, a broken stream) is started again at once
// if it was healthy, after a jittered backoff if not; whenever no session
// covered an interval (before the first session, between a session's end
// and the next), the events of that interval are fetched with
// FilterLogEvents from the cursor less Options.Overlap. Every
// StartLiveTail and FilterLogEvents call goes through its budget.
//
// It returns an error wrapping errDenied when the credentials may not call
// logs:StartLiveTail, and another error when CloudWatch refuses the
// session for good (a log group gone, the account's session limit
// reached) or after tailMaxFailures failures in a row.
func (p *place) liveTail(ctx context.Context, groups []*group) error {
	if len(groups) == 0 {
		<-ctx.Done()
		return nil
	}
	if len(groups) > maxTailGroup {
		return fmt.Errorf("live tail: %d log groups, at most %d per session", len(groups), maxTailGroup)
	}
	t, err := p.newTailer(groups)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer t.shutdown(cancel)
	return t.run(ctx)
}

// tailer is the state of one liveTail call. Only run's goroutine touches
// its fields: pumps and starters report to it through channels, and fills
// only read its groups.
type tailer struct {
	p      *place
	groups []*group
	arns   []string
	index  map[string]*group // by ARN, ARN:* and name

	msgs   chan tailMsg
	starts chan tailStart
	wg     sync.WaitGroup

	cur      *tailSession // the session delivering
	old      *tailSession // the session being replaced, until handed off
	starting bool         // a StartLiveTail call is under way
	noRenew  bool         // renewal hit the session limit: let cur run out
	// covered is when the last session ended (its last update): the
	// events from there on are fetched when the next one starts. Zero
	// before the first session.
	covered time.Time
	pruned  time.Time
}

// tailSession is one Live Tail session.
type tailSession struct {
	ctx     context.Context
	cancel  context.CancelFunc
	stream  *cloudwatchlogs.StartLiveTailEventStream
	started time.Time
	last    time.Time // when the last update arrived (started before any)
	updates int
	// after counts the updates of a replaced session received after its
	// successor's first.
	after  int
	closed bool
}

// tailMsg is a session's update, or its end.
type tailMsg struct {
	s   *tailSession
	up  *types.LiveTailSessionUpdate
	end bool
	err error
}

// tailStart is the outcome of a StartLiveTail call.
type tailStart struct {
	s   *tailSession
	err error
}

// tailLimitError is a LimitExceededException from StartLiveTail: the
// account's concurrent sessions are used up. It hides the error code on
// purpose, because call would retry it as throttling for as long as the
// other sessions last.
type tailLimitError struct{ err error }

func (e *tailLimitError) Error() string {
	return "Live Tail session limit reached: " + e.err.Error()
}

func (p *place) newTailer(groups []*group) (*tailer, error) {
	t := &tailer{
		p: p, groups: groups, index: map[string]*group{},
		msgs: make(chan tailMsg), starts: make(chan tailStart),
		pruned: p.opts.Clock(),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range groups {
		arn := strings.TrimSuffix(g.arn, ":*")
		if arn == "" {
			return nil, fmt.Errorf("live tail: log group %s has no ARN", g.name)
		}
		t.arns = append(t.arns, arn)
		t.index[arn], t.index[arn+":*"], t.index[g.name] = g, g, g
	}
	return t, nil
}

// lookup maps a result's logGroupIdentifier (an ARN or a name) to its
// group.
func (t *tailer) lookup(id string) *group {
	if g := t.index[id]; g != nil {
		return g
	}
	if i := strings.Index(id, ":log-group:"); i >= 0 {
		if g := t.index[strings.TrimSuffix(id[i+len(":log-group:"):], ":*")]; g != nil {
			return g
		}
	}
	if len(t.groups) == 1 {
		return t.groups[0]
	}
	return nil
}

func (t *tailer) run(ctx context.Context) error {
	p := t.p
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = tailRetryFirst
	bo.MaxInterval = tailRetryMax
	bo.Multiplier = 2
	bo.RandomizationFactor = 0.5
	failures := 0

	retry := time.NewTimer(0) // start at once
	defer retry.Stop()
	renew := time.NewTimer(time.Hour)
	renew.Stop()
	defer renew.Stop()
	handoff := time.NewTimer(time.Hour)
	handoff.Stop()
	defer handoff.Stop()

	// up makes s the session delivering.
	up := func(s *tailSession) {
		t.cur = s
		t.setTailing(len(t.groups))
		renew.Reset(max(p.opts.LiveTailRenew-p.opts.Clock().Sub(s.started), 0))
	}
	// retire closes the replaced session; fill tells whether it may have
	// left events undelivered.
	retire := func(fill bool) {
		if t.old == nil {
			return
		}
		if fill {
			t.fill(ctx, t.old.last)
		}
		t.old.close()
		t.old = nil
		handoff.Stop()
	}

	for {
		select {
		case <-ctx.Done():
			return nil

		case <-retry.C:
			if !t.starting && !(t.cur != nil && t.noRenew) {
				t.start(ctx)
			}

		case <-renew.C:
			if t.cur != nil && !t.starting && !t.noRenew {
				t.start(ctx)
			}

		case <-handoff.C:
			retire(true)

		case r := <-t.starts:
			t.starting = false
			if r.err != nil {
				if ctx.Err() != nil {
					return nil
				}
				var limit *tailLimitError
				switch {
				case isDenied(r.err):
					return p.tailDenied(r.err)
				case errors.As(r.err, &limit) && t.cur != nil:
					// Renewal would exceed the session limit: keep the
					// session until it ends, then start again.
					t.noRenew = true
					p.setErr(fmt.Errorf("Live Tail: %w", r.err))
					continue
				case errors.As(r.err, &limit):
					p.note("Live Tail session limit reached: polling instead")
					return fmt.Errorf("live tail: %w", r.err)
				case tailPermanent(r.err):
					return fmt.Errorf("live tail: %w", r.err)
				}
				failures++
				if failures >= tailMaxFailures && t.cur == nil {
					return fmt.Errorf("live tail: %d attempts failed: %w", failures, r.err)
				}
				p.setErr(fmt.Errorf("Live Tail: %w", r.err))
				retry.Reset(bo.NextBackOff())
				continue
			}
			t.noRenew = false
			t.wg.Add(1)
			go t.pump(r.s)
			if t.cur != nil {
				// Renewal: the old session keeps delivering until the
				// new one has taken over.
				retire(true) // a previous handoff still under way
				t.old = t.cur
				handoff.Reset(tailHandoffMax)
			} else {
				t.fill(ctx, t.covered)
			}
			up(r.s)

		case m := <-t.msgs:
			s := m.s
			if !m.end {
				t.update(s, m.up)
				switch {
				case s == t.cur && s.updates == 1:
					failures = 0
					bo.Reset()
				case s == t.old && t.cur.updates > 0:
					if s.after++; s.after >= tailHandoffUpdates {
						retire(false)
					}
				}
				continue
			}
			if s.closed {
				continue
			}
			err := m.err
			s.close()
			if isDenied(err) {
				return p.tailDenied(err)
			}
			if err != nil && errorCode(err) != "SessionTimeoutException" {
				p.setErr(fmt.Errorf("Live Tail session: %w", err))
			}
			switch s {
			case t.old:
				// It ended before handing off: fetch what it may have
				// left behind.
				retire(true)
				continue
			case t.cur:
			default:
				continue
			}
			t.cur = nil
			renew.Stop()
			t.covered = s.last
			if old := t.old; old != nil {
				// The new session failed during a handoff: go back to
				// the old one and try again later.
				t.old = nil
				handoff.Stop()
				up(old)
			} else {
				t.setTailing(0)
			}
			delay := time.Duration(0)
			if s.updates == 0 {
				failures++
				if failures >= tailMaxFailures && t.cur == nil {
					if err == nil {
						err = errors.New("sessions end before their first update")
					}
					return fmt.Errorf("live tail: %d sessions failed: %w", failures, err)
				}
				delay = bo.NextBackOff()
			}
			if !t.starting {
				retry.Reset(delay)
			}
		}
	}
}

// start calls StartLiveTail in the background; the outcome arrives on
// t.starts.
func (t *tailer) start(ctx context.Context) {
	t.starting = true
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		s, err := t.open(ctx)
		select {
		case t.starts <- tailStart{s, err}:
		case <-ctx.Done():
			if s != nil {
				s.close()
			}
		}
	}()
}

// open starts a session within the StartLiveTail budget. The session lives
// in a context of its own, which closing it cancels.
func (t *tailer) open(ctx context.Context) (*tailSession, error) {
	p := t.p
	sctx, cancel := context.WithCancel(ctx)
	in := &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: t.arns}
	var out *cloudwatchlogs.StartLiveTailOutput
	err := call(sctx, p.tail, func(ctx context.Context) error {
		o, err := p.logs.StartLiveTail(ctx, in, ownCodec)
		if errorCode(err) == "LimitExceededException" {
			return &tailLimitError{err}
		}
		out = o
		return err
	})
	if err == nil && (out == nil || out.GetStream() == nil) {
		err = errors.New("StartLiveTail returned no stream")
	}
	if err != nil {
		cancel()
		return nil, err
	}
	now := p.opts.Clock()
	return &tailSession{ctx: sctx, cancel: cancel, stream: out.GetStream(), started: now, last: now}, nil
}

// ownCodec gives a session's call a protocol instance of its own. The
// client's awsJson protocol decodes every event stream through one codec
// whose payload buffer is not safe for concurrent use (smithy-go v1.28.9
// internal/eventstream.Codec), so two sessions of one client, as during a
// renewal, would overwrite each other's messages.
func ownCodec(o *cloudwatchlogs.Options) {
	if _, ok := o.Protocol.(*awsjson.Protocol); ok {
		o.Protocol = awsjson.New11(schemas.Logs_20140328)
	}
}

// close ends the session; it may be called more than once.
func (s *tailSession) close() {
	s.closed = true
	s.cancel()
	_ = s.stream.Close()
}

// pump passes the updates of s to the run loop, then its end.
func (t *tailer) pump(s *tailSession) {
	defer t.wg.Done()
	for ev := range s.stream.Events() {
		u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate)
		if !ok {
			continue // sessionStart, or a member this SDK does not know
		}
		select {
		case t.msgs <- tailMsg{s: s, up: &u.Value}:
		case <-s.ctx.Done():
			return
		}
	}
	select {
	case t.msgs <- tailMsg{s: s, end: true, err: s.stream.Err()}:
	case <-s.ctx.Done():
	}
}

// update ingests a sessionUpdate, group by group, and records its sampling.
func (t *tailer) update(s *tailSession, u *types.LiveTailSessionUpdate) {
	p := t.p
	now := p.opts.Clock()
	s.updates++
	s.last = now
	var by map[*group][]rawEvent
	for i := range u.SessionResults {
		r := &u.SessionResults[i]
		g := t.lookup(aws.ToString(r.LogGroupIdentifier))
		if g == nil {
			continue
		}
		ts := aws.ToInt64(r.Timestamp)
		if r.Timestamp == nil {
			ts = aws.ToInt64(r.IngestionTime)
		}
		if by == nil {
			by = map[*group][]rawEvent{}
		}
		by[g] = append(by[g], rawEvent{stream: aws.ToString(r.LogStreamName), ts: ts, msg: aws.ToString(r.Message)})
	}
	for _, g := range t.groups {
		if evs := by[g]; len(evs) > 0 {
			p.tailIngest(g, evs)
		}
	}
	sampled := u.SessionMetadata != nil && u.SessionMetadata.Sampled
	p.mu.Lock()
	p.sampled = sampled
	p.updated = now
	p.mu.Unlock()
	if now.Sub(t.pruned) >= p.opts.Overlap {
		t.pruned = now
		t.prune()
	}
}

// tailIngest ingests events of g and moves its cursor to the newest.
func (p *place) tailIngest(g *group, evs []rawEvent) {
	p.ingest(g, evs)
	newest := int64(0)
	for i := range evs {
		newest = max(newest, evs[i].ts)
	}
	p.mu.Lock()
	g.cursor = max(g.cursor, newest)
	p.mu.Unlock()
}

// prune forgets the dedup keys no later session, fill or poll can bring
// back (the poller does the same for the groups it polls).
func (t *tailer) prune() {
	p := t.p
	overlap := p.opts.Overlap.Milliseconds()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ingMu.Lock()
	defer p.ingMu.Unlock()
	for _, g := range t.groups {
		g.dedup.prune(max(g.cursor-2*overlap, g.floor))
	}
}

// fill fetches, in the background, the events of the interval no session
// covered: from since (the end of the previous session; zero for the
// first, which starts where polling left off) less the overlap.
func (t *tailer) fill(ctx context.Context, since time.Time) {
	p := t.p
	overlap := p.opts.Overlap.Milliseconds()
	type job struct {
		g    *group
		from int64
	}
	var jobs []job
	p.mu.Lock()
	for _, g := range t.groups {
		base := g.cursor
		switch {
		case !since.IsZero():
			base = max(base, since.UnixMilli())
		case g.polled:
			base = max(base, g.lastOK.UnixMilli())
		}
		if base <= 0 {
			continue // never polled nor tailed: no history is due
		}
		jobs = append(jobs, job{g, max(base-overlap, g.floor)})
	}
	p.mu.Unlock()
	if len(jobs) == 0 {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for _, j := range jobs {
			if err := p.tailFill(ctx, j.g, j.from); err != nil && ctx.Err() == nil {
				p.setErr(fmt.Errorf("Live Tail gap fill of %s: %w", j.g.name, err))
			}
		}
	}()
}

// tailFill ingests the events of g from from (ms) on, within the
// FilterLogEvents budget and at most tailFillPages pages.
func (p *place) tailFill(ctx context.Context, g *group, from int64) error {
	var token *string
	for range tailFillPages {
		in := &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String(g.name),
			StartTime:    aws.Int64(from),
			NextToken:    token,
		}
		var out *cloudwatchlogs.FilterLogEventsOutput
		err := call(ctx, p.filter, func(ctx context.Context) error {
			var err error
			out, err = p.logs.FilterLogEvents(ctx, in)
			return err
		})
		if err != nil {
			return err
		}
		evs := make([]rawEvent, 0, len(out.Events))
		for _, e := range out.Events {
			evs = append(evs, rawEvent{stream: aws.ToString(e.LogStreamName), ts: aws.ToInt64(e.Timestamp), msg: aws.ToString(e.Message)})
		}
		if len(evs) > 0 {
			p.tailIngest(g, evs)
		}
		next := out.NextToken
		if next == nil || *next == "" || (token != nil && *next == *token) {
			return nil
		}
		token = next
	}
	return nil
}

// setTailing records how many groups a session follows (0: none up).
func (t *tailer) setTailing(n int) {
	t.p.mu.Lock()
	t.p.tailing = n
	if n == 0 {
		t.p.sampled = false
	}
	t.p.mu.Unlock()
}

// shutdown ends everything run started: sessions, starters, pumps, fills.
func (t *tailer) shutdown(cancel context.CancelFunc) {
	cancel()
	for _, s := range []*tailSession{t.cur, t.old} {
		if s != nil {
			s.close()
		}
	}
	t.wg.Wait()
	t.setTailing(0)
}

// tailDenied notes that Live Tail is not permitted and returns the error
// that tells the caller to poll instead.
func (p *place) tailDenied(err error) error {
	p.note("Live Tail not permitted (logs:StartLiveTail): polling instead")
	return fmt.Errorf("live tail: %w: %w", errDenied, err)
}

// tailPermanent reports whether a StartLiveTail failure will not go away
// by trying again: a refusal of the request or of the credentials (a log
// group gone, a bad parameter), as opposed to a failing connection or
// server.
func tailPermanent(err error) bool {
	if isTransient(err) || isThrottle(err) {
		return false
	}
	switch errorCode(err) {
	case "", "SessionStreamingException", "SessionTimeoutException":
		return false
	}
	return true
}
