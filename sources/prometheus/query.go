package prometheus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	pmodel "github.com/prometheus/common/model"

	"github.com/fntop/fntop/model"
)

// Query mode: the aggregation runs in the Prometheus engine.
//
// Every refresh sends one query per figure (invocations, errors, p50, p90,
// p99, duration sum, replicas; fewer when the platform lacks one), each
// aggregated `by (<function label>)`, so the number of queries stays the
// same for ten functions or ten thousand; only the answers grow. Counts are
// increase() over one step, evaluated with query_range at the steps' ends:
// the steps are contiguous and each is asked for once, so nothing is
// counted twice and nothing is skipped. A refresh is all or nothing: when
// any query fails nothing is emitted and the next refresh (after a
// backoff) asks for the same steps again.
//
// Step: increase() needs two samples inside a step, so the step is the
// smallest of 10 s, 20 s, 30 s and 1 min that spans two scrape intervals
// (probed from the raw samples of one series). The live loop uses that
// fine step; a backfill longer than 5 min uses 1 min steps (the model's
// coarse ring, a sixth of the points) except for its last 2 min, which
// take the fine step so that the 1m window is right from the start.

// maxCatchUp bounds the steps one refresh asks for after failures: the
// model's rings hold an hour.
const maxCatchUp = model.MaxWindow

// runQuery runs query mode: the Backfill window with query_range, then
// (unless backfillOnly) every queryInterval the newest steps.
func (s *Source) runQuery(ctx context.Context, sink model.Sink, backfillOnly bool) error {
	q, err := newQuerier(s, sink)
	if err != nil {
		s.queryStatus(sink, model.StateFailing, err.Error(), "query mode", 0)
		return err
	}
	return q.run(ctx, backfillOnly)
}

func (s *Source) queryStatus(sink model.Sink, st model.SourceState, lastErr, detail string, lag time.Duration) {
	sink.Ingest(model.Event{Kind: model.KindStatus, Source: s.name, Time: s.opts.Clock(), Status: model.SourceStatus{
		Name: s.name, State: st, LastError: lastErr, Detail: detail, Lag: lag,
	}})
}

// querier is the state of one query-mode run.
type querier struct {
	// headless is set for Backfill alone (a snapshot): the backfill then
	// also takes the step in progress, so the figures reach now.
	headless bool
	s        *Source
	sink     model.Sink
	api      promAPI
	rt       *countingTransport
	redact   *redactor

	plan     *queryPlan
	interval time.Duration // scrape interval, 0 until probed
	step     time.Duration // fine step
	last     time.Time     // end of the newest step emitted (zero: none yet)
	// newest is the end of the newest step in which the invocations
	// query found any series; lagging when it falls behind.
	newest time.Time

	fns map[string]*fnAcc

	// Of the latest refresh that queried.
	lastStats   QueryStats
	lastQueries int
	updated     time.Time
	errText     string
}

// fnAcc is what the querier remembers of a function.
type fnAcc struct {
	// Counts are emitted as differences of the rounded running sums of
	// increase(), so that the fractions of extrapolated increases add up
	// instead of being rounded away (or up) step after step.
	inv, errs, thr          float64
	invOut, errsOut, thrOut int64
	replicas                int
	replicasKnown           bool
}

func newQuerier(s *Source, sink model.Sink) (*querier, error) {
	next := s.client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	rt := &countingTransport{next: next}
	hc := &http.Client{Transport: rt, Timeout: s.client.Timeout, CheckRedirect: s.client.CheckRedirect, Jar: s.client.Jar}
	c, err := api.NewClient(api.Config{Address: s.base.String(), Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	return &querier{
		s: s, sink: sink, api: v1.NewAPI(c), rt: rt,
		redact: newRedactor(&s.opts.HTTP, s.base.User),
		fns:    make(map[string]*fnAcc),
	}, nil
}

// stats are the counters of everything this querier asked.
func (q *querier) stats() QueryStats { return q.rt.stats() }

func (q *querier) now() time.Time { return q.s.opts.Clock() }

// run discovers, backfills and polls.
func (q *querier) run(ctx context.Context, backfillOnly bool) error {
	q.headless = backfillOnly
	interval := q.s.queryInterval()
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     interval,
		RandomizationFactor: 0.2,
		Multiplier:          2,
		MaxInterval:         max(interval, 2*time.Minute),
	}
	bo.Reset()
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}

	q.status(model.StateStarting, "", "query mode · discovering metrics")
	for {
		err := q.resolve(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return q.end(ctx, backfillOnly)
		}
		q.errText = q.redact.clean(err.Error())
		if backfillOnly {
			q.status(model.StateFailing, q.errText, "query mode")
			return errors.New(q.errText)
		}
		d := bo.NextBackOff()
		q.status(model.StateFailing, q.errText, fmt.Sprintf("query mode · retrying in %s", d.Round(time.Second)))
		if !wait(d) {
			return nil
		}
	}
	bo.Reset()

	if err := q.backfill(ctx); err != nil {
		if ctx.Err() != nil {
			return q.end(ctx, backfillOnly)
		}
		if backfillOnly {
			return errors.New(q.errText)
		}
	}
	if backfillOnly {
		return nil
	}
	next := interval
	for {
		if !wait(next) {
			return nil
		}
		if err := q.refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			next = bo.NextBackOff()
			q.status(model.StateFailing, q.errText, q.detail(fmt.Sprintf("retrying in %s", next.Round(time.Second))))
			continue
		}
		bo.Reset()
		next = interval
	}
}

// end is what run returns when ctx ended: Run returns nil, Backfill the
// context's error.
func (q *querier) end(ctx context.Context, backfillOnly bool) error {
	if backfillOnly {
		return ctx.Err()
	}
	return nil
}

// resolve picks the preset (when none was given), builds the plan and
// probes the scrape interval.
func (q *querier) resolve(ctx context.Context) error {
	now := q.now()
	from := now.Add(-max(q.s.opts.Backfill, discoverySpan))
	p := q.s.opts.Preset
	var present map[string]bool
	var err error
	if p == nil {
		var names []string
		for _, n := range PresetNames() {
			names = append(names, presetNames(Presets[n])...)
		}
		if present, err = q.presentNames(ctx, names, from, now); err != nil {
			return fmt.Errorf("discovering metric names: %s", q.describe(err))
		}
		if p = pickPreset(present); p == nil {
			return fmt.Errorf("no metrics of a known platform (%s) in Prometheus: choose --preset or map yours in the config file", strings.Join(PresetNames(), ", "))
		}
	} else if needsNames(p) {
		if present, err = q.presentNames(ctx, presetNames(p), from, now); err != nil {
			return fmt.Errorf("discovering metric names: %s", q.describe(err))
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 2*q.s.opts.Timeout)
	defer cancel()
	plan, err := buildPlan(rctx, q.api, p, present, from, now)
	if err != nil {
		return errors.New(q.describe(err))
	}
	q.plan = plan
	q.probe(ctx)
	return nil
}

func (q *querier) presentNames(ctx context.Context, names []string, from, to time.Time) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, q.s.opts.Timeout)
	defer cancel()
	return presentNames(ctx, q.api, names, from, to)
}

// probe estimates the scrape interval (until it is known) and sets the
// fine step. A failed probe keeps the assumed interval: the queries that
// follow will report the API's trouble.
func (q *querier) probe(ctx context.Context) {
	if q.interval > 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, q.s.opts.Timeout)
	defer cancel()
	iv, err := probeInterval(ctx, q.api, q.plan.probe, q.now())
	if err == nil && iv > 0 {
		q.interval = iv
	}
	q.step = fineStepFor(q.interval)
}

// describe is an error's message for the status, without secrets. A
// wrapped API error keeps its context ("labels of x: ...").
func (q *querier) describe(err error) string {
	msg := describe(err, q.s.opts.Timeout)
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		if full, inner := err.Error(), apiErr.Error(); full != inner && strings.HasSuffix(full, inner) {
			msg = strings.TrimSuffix(full, inner) + msg
		}
	}
	return q.redact.clean(msg)
}

// span is one query_range: evaluations at from+step, ..., to, each the
// figures of the step that ends there.
type span struct {
	from, to time.Time
	step     time.Duration
}

func (sp span) steps() int { return int(sp.to.Sub(sp.from) / sp.step) }

// backfill fills [now-Backfill, now-settle] and sets q.last.
func (q *querier) backfill(ctx context.Context) error {
	now := q.now()
	end := floorTo(now.Add(-settle), q.step)
	b := q.s.opts.Backfill
	if b <= 0 {
		q.last = end
		q.status(model.StateOK, "", q.detail(""))
		return nil
	}
	var spans []span
	if b > coarseAfter && q.step < time.Minute {
		start := floorTo(now.Add(-b), time.Minute)
		split := floorTo(end.Add(-fineTail), time.Minute)
		if split.After(start) {
			spans = append(spans, span{start, split, time.Minute})
		} else {
			split = start
		}
		spans = append(spans, span{split, end, q.step})
	} else {
		spans = append(spans, span{floorTo(now.Add(-b), q.step), end, q.step})
	}
	if q.headless {
		// No refresh follows: the time since the last whole step is one
		// more, shorter step (a live source's window ends now).
		tail := now.Truncate(time.Second)
		if d := tail.Sub(end); d >= 2*time.Second {
			spans = append(spans, span{end, tail, d})
		}
	}
	steps := "steps of " + promDuration(q.step)
	if len(spans) == 2 {
		steps = fmt.Sprintf("1m steps, the last %s in %s", promDuration(fineTail), promDuration(q.step))
	}
	q.status(model.StateBackfilling, "", fmt.Sprintf("query mode · %s · backfilling %s (%s)", q.plan.preset.Name, model.WindowLabel(b), steps))
	before := q.stats()
	if err := q.query(ctx, spans, end); err != nil {
		// Nothing was emitted: the live loop asks for the whole window
		// again (in fine steps) when the API answers.
		q.last = spans[0].from
		if ctx.Err() == nil {
			q.status(model.StateFailing, q.errText, q.detail("backfill failed, retrying in "+promDuration(q.s.queryInterval())))
		}
		return err
	}
	q.lastStats, q.lastQueries = q.stats().sub(before), 0
	q.last = end
	q.status(model.StateOK, "", q.detail(""))
	return nil
}

// refresh asks for the steps completed since the last one.
func (q *querier) refresh(ctx context.Context) error {
	if q.interval == 0 {
		q.probe(ctx) // no samples at start: try again
	}
	now := q.now()
	to := floorTo(now.Add(-settle), q.step)
	from := q.last
	if to.Sub(from) > maxCatchUp {
		from = to.Add(-maxCatchUp)
	}
	n := int(to.Sub(from) / q.step)
	if n <= 0 {
		q.status(q.healthState(now), "", q.detail(""))
		return nil
	}
	to = from.Add(time.Duration(n) * q.step)
	before := q.stats()
	if err := q.query(ctx, []span{{from, to, q.step}}, to); err != nil {
		return err
	}
	q.lastStats = q.stats().sub(before)
	q.last = to
	q.status(q.healthState(now), "", q.detail(""))
	return nil
}

// healthState is ok, or lagging when the invocations query has found no
// series for more than two steps although it found some before: the
// targets are no longer scraped (or the data arrives late).
func (q *querier) healthState(now time.Time) model.SourceState {
	if !q.newest.IsZero() && q.last.Sub(q.newest) > 2*q.step {
		return model.StateLagging
	}
	return model.StateOK
}

// stepVals are one function's figures of one step.
type stepVals struct {
	v   [8]float64
	has [8]bool
}

// result is one query's answer, kept until all of the refresh's queries
// have answered.
type result struct {
	fq   figQuery
	sp   span
	data pmodel.Value
	err  error
}

// query runs every figure query over spans (and the replicas at at), then
// emits the events. Queries of a refresh run at once (at most four in
// flight); any failure fails the whole refresh.
func (q *querier) query(ctx context.Context, spans []span, at time.Time) error {
	var jobs []*result
	for _, sp := range spans {
		if sp.steps() <= 0 {
			continue
		}
		for _, fq := range q.plan.queries {
			if fq.fig == FigReplicas {
				continue
			}
			jobs = append(jobs, &result{fq: fq, sp: sp})
		}
	}
	for _, fq := range q.plan.queries {
		if fq.fig == FigReplicas {
			// A gauge: its value now is what the model shows.
			jobs = append(jobs, &result{fq: fq, sp: span{to: at}})
		}
	}
	q.lastQueries = len(jobs)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			j.data, j.err = q.one(ctx, j.fq, j.sp)
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			q.errText = q.redact.clean(fmt.Sprintf("%s query: %s", j.fq.fig, describe(j.err, q.s.opts.Timeout)))
			return j.err
		}
	}
	q.emit(jobs)
	q.errText = ""
	q.updated = q.now()
	return nil
}

// one runs one figure query: query_range over the span's steps, or an
// instant query for the replicas gauge.
func (q *querier) one(ctx context.Context, fq figQuery, sp span) (pmodel.Value, error) {
	expr, err := fq.expr(rangeData{Range: promDuration(sp.step), By: q.plan.label})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, q.s.opts.Timeout)
	defer cancel()
	opt := v1.WithTimeout(q.s.opts.Timeout)
	if sp.step == 0 {
		v, _, _, err := q.api.Query(ctx, expr, sp.to, opt)
		return v, err
	}
	v, _, _, err := q.api.QueryRange(ctx, expr, v1.Range{Start: sp.from.Add(sp.step), End: sp.to, Step: sp.step}, opt)
	return v, err
}

// emit turns the answers into events: per function and step one
// aggregate, and meta when a function first shows or its replicas change.
func (q *querier) emit(jobs []*result) {
	type key struct {
		start int64 // step start, Unix ms
		span  time.Duration
	}
	per := map[string]map[key]*stepVals{}
	replicas := map[string]int{}
	newest := time.Time{}
	for _, j := range jobs {
		fi := figIndex(j.fq.fig)
		put := func(fn string, k key, v float64) {
			if math.IsNaN(v) || math.IsInf(v, 0) || fn == "" {
				return // histogram_quantile of empty buckets, division by zero
			}
			m := per[fn]
			if m == nil {
				m = map[key]*stepVals{}
				per[fn] = m
			}
			sv := m[k]
			if sv == nil {
				sv = &stepVals{}
				m[k] = sv
			}
			sv.v[fi], sv.has[fi] = v*j.fq.scale, true
		}
		switch data := j.data.(type) {
		case pmodel.Matrix:
			for _, ss := range data {
				fn := string(ss.Metric[pmodel.LabelName(q.plan.label)])
				for _, p := range ss.Values {
					end := p.Timestamp.Time()
					put(fn, key{end.Add(-j.sp.step).UnixMilli(), j.sp.step}, float64(p.Value))
					if j.fq.fig == FigInvocations && end.After(newest) {
						newest = end
					}
				}
			}
		case pmodel.Vector:
			for _, smp := range data {
				fn := string(smp.Metric[pmodel.LabelName(q.plan.label)])
				v := float64(smp.Value)
				if fn == "" || math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				if j.fq.fig == FigReplicas {
					replicas[fn] = int(math.Round(v))
				}
			}
		}
	}
	if newest.After(q.newest) {
		q.newest = newest
	}

	names := make([]string, 0, len(per)+len(replicas))
	for fn := range per {
		names = append(names, fn)
	}
	for fn := range replicas {
		if per[fn] == nil {
			names = append(names, fn)
		}
	}
	sort.Strings(names)
	var evs []model.Event
	flush := func() {
		if len(evs) > 0 {
			q.sink.Ingest(evs...)
			evs = evs[:0]
		}
	}
	src, platform, now := q.s.name, q.plan.preset.Name, q.now()
	hasErr, hasThr := q.plan.has(FigErrors), q.plan.has(FigThrottles)
	iInv, iErr, iThr := figIndex(FigInvocations), figIndex(FigErrors), figIndex(FigThrottles)
	i50, i90, i99, iSum := figIndex(FigP50), figIndex(FigP90), figIndex(FigP99), figIndex(FigDurationSum)
	for _, fn := range names {
		st := q.fns[fn]
		meta := false
		if st == nil {
			st = &fnAcc{}
			q.fns[fn] = st
			meta = true
		}
		if r, ok := replicas[fn]; ok && (!st.replicasKnown || st.replicas != r) {
			st.replicas, st.replicasKnown = r, true
			meta = true
		}
		if meta {
			evs = append(evs, model.Event{Kind: model.KindMeta, Source: src, Function: fn, Time: now, Meta: model.FunctionMeta{
				Platform: platform, Replicas: st.replicas, ReplicasKnown: st.replicasKnown,
			}})
		}
		keys := make([]key, 0, len(per[fn]))
		for k := range per[fn] {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a].start < keys[b].start })
		for _, k := range keys {
			sv := per[fn][k]
			if !sv.has[iInv] {
				continue
			}
			inv := roundAcc(&st.inv, &st.invOut, sv.v[iInv])
			errs := roundAcc(&st.errs, &st.errsOut, sv.v[iErr])
			thr := roundAcc(&st.thr, &st.thrOut, sv.v[iThr])
			if errs > inv {
				errs = inv // a subset: extrapolation can put it above
			}
			if inv == 0 && errs == 0 && thr == 0 {
				continue // idle: known from its meta, no activity to place
			}
			a := model.Aggregate{
				Span:           k.span,
				Invocations:    inv,
				Errors:         errs,
				Throttles:      thr,
				HasInvocations: true,
				HasErrors:      hasErr,
				HasThrottles:   hasThr,
			}
			if inv > 0 {
				d := model.DurationSummary{Count: inv}
				if sv.has[i50] {
					d.P50 = sv.v[i50]
				}
				if sv.has[i90] {
					d.P90 = sv.v[i90]
				}
				if sv.has[i99] {
					d.P99 = sv.v[i99]
				}
				switch {
				case sv.has[iSum]:
					d.Sum = sv.v[iSum]
				case d.P50 > 0:
					// No sum query: the median stands for the mean
					// rather than a zero average.
					d.Sum = d.P50 * float64(inv)
				}
				// A histogram has no maximum. P99 is the highest value
				// the buckets support; the top bucket's bound would
				// invent a tail up to 2.5× above it.
				d.Max = max(d.P99, d.P90, d.P50)
				if d.Sum > 0 || d.P50 > 0 {
					a.Duration = d
				}
			}
			evs = append(evs, model.Event{Kind: model.KindAggregate, Source: src, Function: fn, Time: time.UnixMilli(k.start).UTC(), Aggregate: a})
			if len(evs) >= 4096 {
				flush()
			}
		}
	}
	flush()
}

// roundAcc adds v to the running sum and returns the whole part not yet
// emitted.
func roundAcc(acc *float64, out *int64, v float64) int64 {
	if !(v > 0) {
		return 0
	}
	*acc += v
	n := int64(math.Round(*acc)) - *out
	if n < 0 {
		n = 0
	}
	*out += n
	return n
}

// detail is the status's line: "query mode · openfaas · 120 functions ·
// 6 queries/refresh · 84 kB/refresh", with a note.
func (q *querier) detail(note string) string {
	parts := []string{"query mode"}
	if q.plan != nil {
		parts = append(parts, q.plan.preset.Name)
	}
	if n := len(q.fns); n == 1 {
		parts = append(parts, "1 function")
	} else {
		parts = append(parts, fmt.Sprintf("%d functions", n))
	}
	if q.lastQueries > 0 {
		parts = append(parts, fmt.Sprintf("%d queries/refresh", q.lastQueries), formatBytes(q.lastStats.WireBytes)+"/refresh")
	}
	if q.step > 0 {
		parts = append(parts, "step "+promDuration(q.step))
	}
	if note != "" {
		parts = append(parts, note)
	}
	return strings.Join(parts, " · ")
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// status reports the source's health. Lag is how far the newest step
// emitted is behind now.
func (q *querier) status(st model.SourceState, lastErr, detail string) {
	now := q.now()
	var lag time.Duration
	if !q.last.IsZero() {
		ref := q.last
		if st == model.StateLagging && !q.newest.IsZero() {
			ref = q.newest
			if detail != "" {
				detail += " · no new samples since " + q.newest.Local().Format("15:04:05")
			}
		}
		lag = now.Sub(ref)
	}
	q.sink.Ingest(model.Event{Kind: model.KindStatus, Source: q.s.name, Time: now, Status: model.SourceStatus{
		Name: q.s.name, State: st, LastError: q.redact.clean(lastErr), Detail: q.redact.clean(detail), Lag: lag, Updated: q.updated,
	}})
}
