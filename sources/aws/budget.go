package aws

import (
	"context"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"
)

// Quotas are the published CloudWatch Logs request quotas (transactions per
// second, per account and region) that size the source's budgets, from the
// CloudWatch Logs quotas page
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
// They are shared with every other tool using the account, which is why a
// budget takes only a share of them (Options.Share).
type Quotas struct {
	FilterLogEvents   float64
	DescribeLogGroups float64
	StartQuery        float64
	GetQueryResults   float64
	StartLiveTail     float64
	// ListFunctions is Lambda's control-plane rate for list calls.
	ListFunctions float64
}

// QuotasFor returns the default quotas of a region.
func QuotasFor(region string) Quotas {
	q := Quotas{
		FilterLogEvents:   10,
		DescribeLogGroups: 10,
		StartQuery:        10,
		GetQueryResults:   10,
		StartLiveTail:     5,
		ListFunctions:     15,
	}
	switch region {
	case "us-east-1":
		q.FilterLogEvents = 25
	case "ap-northeast-3", "ap-southeast-3", "ca-west-1", "eu-central-1", "il-central-1":
		q.FilterLogEvents = 5
	}
	return q
}

// Budget is a token bucket for one API of one account and region, shared by
// every caller of that API (every log group's poller, for FilterLogEvents).
//
// Throttling answers slow the whole budget: Throttled halves the rate (down
// to a floor of a tenth) and pauses every caller for a jittered interval
// that grows with consecutive throttles (250 ms × 1.5^n, at most 10 s);
// each success resets that growth and adds back a twentieth of the
// configured rate.
type Budget struct {
	lim  *rate.Limiter
	base rate.Limit
	now  func() time.Time

	mu        sync.Mutex
	bo        *backoff.ExponentialBackOff
	until     time.Time // no call before this
	throttles int64
	calls     int64
	// lastErr is the latest failed attempt (throttled or not) and when;
	// lastOK the latest success: the status tells a failure at once,
	// while call still retries it.
	lastErr   error
	lastErrAt time.Time
	lastOK    time.Time
}

// NewBudget returns a budget of perSecond calls with the given burst.
func NewBudget(perSecond float64, burst int) *Budget {
	if perSecond <= 0 {
		perSecond = 1
	}
	if burst < 1 {
		burst = 1
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 250 * time.Millisecond
	bo.MaxInterval = 10 * time.Second
	bo.Multiplier = 1.5
	bo.RandomizationFactor = 0.5
	return &Budget{
		lim:  rate.NewLimiter(rate.Limit(perSecond), burst),
		base: rate.Limit(perSecond),
		now:  time.Now,
		bo:   bo,
	}
}

// Wait blocks until a call may be made (a token is free and no throttling
// pause is in force) or ctx ends.
func (b *Budget) Wait(ctx context.Context) error {
	for {
		b.mu.Lock()
		pause := b.until.Sub(b.now())
		b.mu.Unlock()
		if pause <= 0 {
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := b.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	b.mu.Lock()
	b.calls++
	b.mu.Unlock()
	return nil
}

// Throttled reports a throttling answer: the budget slows down and pauses.
// It returns the pause.
func (b *Budget) Throttled() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.throttles++
	l := b.lim.Limit() / 2
	if floor := b.base / 10; l < floor {
		l = floor
	}
	b.lim.SetLimit(l)
	d := b.bo.NextBackOff()
	if u := b.now().Add(d); u.After(b.until) {
		b.until = u
	}
	return d
}

// Failed records a failed attempt (call does, before it retries).
func (b *Budget) Failed(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastErr, b.lastErrAt = err, b.now()
}

// OK reports a successful call: the budget recovers toward its rate.
func (b *Budget) OK() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastOK = b.now()
	b.bo.Reset()
	l := b.lim.Limit()
	if l >= b.base {
		return
	}
	l += b.base / 20
	if l > b.base {
		l = b.base
	}
	b.lim.SetLimit(l)
}

// BudgetState is a budget's state for the status bar.
type BudgetState struct {
	// Rate is the current rate, Base the configured one (calls/s).
	Rate, Base float64
	// Throttles and Calls are counts since the start.
	Throttles, Calls int64
	// PausedFor is the remaining throttling pause.
	PausedFor time.Duration
	// LastError is the latest failed attempt, at LastErrorAt; LastOK the
	// latest success.
	LastError   error
	LastErrorAt time.Time
	LastOK      time.Time
}

// Slowed reports whether throttling has the budget below its rate.
func (s BudgetState) Slowed() bool { return s.Rate < s.Base || s.PausedFor > 0 }

// State returns the budget's state.
func (b *Budget) State() BudgetState {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.until.Sub(b.now())
	if p < 0 {
		p = 0
	}
	return BudgetState{Rate: float64(b.lim.Limit()), Base: float64(b.base), Throttles: b.throttles, Calls: b.calls, PausedFor: p,
		LastError: b.lastErr, LastErrorAt: b.lastErrAt, LastOK: b.lastOK}
}
