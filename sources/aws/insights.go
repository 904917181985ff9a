package aws

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// Logs Insights aggregation: the figures of many functions from a few
// queries instead of every raw event (StartQuery, GetQueryResults and
// StopQuery; see the reference notes on the service's rules).
const (
	// insightsBatch is the most log groups one StartQuery may name.
	insightsBatch = 50
	// insightsParallel bounds the queries one aggregate call runs at once,
	// well below the account's concurrency quota (historically as low as
	// 4 to 10, now 100) that other tools share.
	insightsParallel = 4
	// insightsLimit is the row limit passed to StartQuery: one
	// GetQueryResults page. A query that returns that many rows may have
	// been cut, and is split and run again.
	insightsLimit = 10000
	// insightsStopTimeout bounds the StopQuery sent when a query is
	// abandoned.
	insightsStopTimeout = 5 * time.Second
	// insightsBin is the bin of the query and the Span of its aggregates.
	insightsBin = time.Minute
)

// Polling of GetQueryResults: the pause between polls and how long a query
// may take before it is stopped. Variables so that tests can shorten them
// (tests that do must not run in parallel).
var (
	insightsPoll    = 200 * time.Millisecond
	insightsPollMax = 2 * time.Second
	insightsTimeout = 5 * time.Minute
)

// The queries aggregate runs over every batch of log groups. A function
// normally writes one log format, so its invocations are counted by one of
// the two stats queries; the third finds the failures that only separate
// lines tell. Their columns are read by parseInsightsRow and
// readFailureRow.
//
// aggregateQuery sums the text format's REPORT lines of each log group per
// minute. Errors and timeouts come from the REPORT line's "Status:" field,
// which newer runtimes print; a SnapStart restore ("Restore Duration:") is
// a cold start, as the model counts it.
const aggregateQuery = `filter @type = "REPORT"
| stats count(*) as invocations, sum(@billedDuration) as billed,
    sum(@duration) as dsum, max(@duration) as dmax,
    pct(@duration, 50) as p50, pct(@duration, 90) as p90, pct(@duration, 99) as p99,
    count(@initDuration) as cold,
    sum(strcontains(@message, "Restore Duration:")) as restores,
    sum(strcontains(@message, "Status: timeout")) as timeouts,
    sum(strcontains(@message, "Status: error")) as errs,
    max(@memorySize) as mem
  by bin(1m), @log`

// aggregateJSONQuery sums the JSON log format's platform.report records
// the same way, from the fields Insights discovers in JSON messages. Every
// status but "success" (error, failure, timeout) is an error, as the
// parser classifies a report; a report without a status is a success.
const aggregateJSONQuery = `filter type = "platform.report"
| stats count(*) as invocations, sum(record.metrics.billedDurationMs) as billed,
    sum(record.metrics.durationMs) as dsum, max(record.metrics.durationMs) as dmax,
    pct(record.metrics.durationMs, 50) as p50, pct(record.metrics.durationMs, 90) as p90,
    pct(record.metrics.durationMs, 99) as p99,
    count(record.metrics.initDurationMs) as cold,
    count(record.metrics.restoreDurationMs) as restores,
    sum(strcontains(record.status, "timeout")) as timeouts,
    count(record.status) as statuses, sum(strcontains(record.status, "success")) as successes,
    max(record.metrics.memorySizeMB) as memMB
  by bin(1m), @log`

// failureQuery returns, raw, the lines that may tell a failure: the text
// format's "Task timed out", "Runtime exited with error" (and other
// "Runtime.<Type>" lines) and Node.js "Invoke Error" lines, JSON error
// objects, and the REPORT lines with a status, which tell which failures
// aggregateQuery counted already (see countFailures). Such lines are rare,
// but an outage can make many: a query that returns the limit is split.
// It runs over its job's span widened by failurePad on both sides, so that
// a failure line and the report of its request are seen together even
// when the minute that separates them also separates two jobs.
const failureQuery = `fields @timestamp, @log, @logStream, @message
| filter @message like /Task timed out|Invoke Error|Runtime\.|errorType|Status: timeout|Status: error/
| limit 10000`

// failurePad widens failureQuery's span on each side.
const failurePad = time.Minute

// queryKind names one of the queries run over every batch.
type queryKind uint8

const (
	textReports  queryKind = iota // aggregateQuery
	jsonReports                   // aggregateJSONQuery
	failureLines                  // failureQuery
	queryKinds                    // how many
)

// query is the kind's query text and the span it runs over for a job's
// whole minutes [from, to).
func (k queryKind) query(from, to time.Time) (string, time.Time, time.Time) {
	switch k {
	case jsonReports:
		return aggregateJSONQuery, from, to
	case failureLines:
		return failureQuery, from.Add(-failurePad), to.Add(failurePad)
	}
	return aggregateQuery, from, to
}

// aggregateSpan is the time aggregate covers for [start, end): whole
// minutes, from start's minute up to but not including end's minute. The
// minutes after the last whole one are left to a later call, so calls over
// contiguous ranges ([a, b), then [b, c)) count every minute once, whatever
// their bounds; an empty span (start and end in one minute) makes no query.
// StartQuery takes epoch seconds, which whole minutes are.
func aggregateSpan(start, end time.Time) (from, to time.Time) {
	return start.Truncate(insightsBin), end.Truncate(insightsBin)
}

// aggregate runs Logs Insights over the logs of groups for
// aggregateSpan(start, end) and emits, per function and minute with
// invocations or failures, one model.KindAggregate event (Span one minute:
// counts, duration summary with p50/p90/p99, billed milliseconds and
// GB-seconds), and per function one model.KindMeta (region, account and,
// when the logs tell it, the memory size).
//
// The figures are those the Lambda log parser (sources/lambdalog) and the
// model compute from the same events, from three queries per batch:
//   - invocations, cold starts (init or SnapStart restore), billed
//     milliseconds and durations from the text format's REPORT lines
//     (aggregateQuery) and the JSON format's platform.report records
//     (aggregateJSONQuery), summed when a function wrote both in one
//     minute (its percentiles then are those of the format with more
//     invocations);
//   - errors and timeouts from the reports' status, plus, for requests
//     whose text REPORT said nothing, the failures separate lines tell
//     (failureQuery, counted by countFailures): at most one error per
//     request, a timeout when a line says so.
//
// Where the figures may differ from the parser's: a failure that no report
// status and no failure line tells is not counted (an ERROR application
// line alone: the parser does not count it either), nor is a JSON-format
// request whose report has no status while its platform.runtimeDone
// failed (the parser counts it); a failure line more than failurePad away
// from its request's REPORT is counted apart from it (an extra error when
// the REPORT had a status); and an error told by separate lines only
// counts in the minute of the first of them, which may be the minute
// before or after its REPORT's.
//
// Groups go 50 to a batch (the service's limit), longer spans are cut so
// that no stats query can reach the row limit, and up to insightsParallel
// queries run at once. Every call goes through the place's budgets. Each
// batch's figures are emitted as soon as its three queries complete, and
// not at all when one of them failed, so when aggregate returns an error
// the figures of the batches that completed have been emitted: do not run
// the same span again for the same groups.
//
// When the credentials may not run Insights, aggregate sets
// p.insightsDenied, adds a status note and returns an error wrapping
// errDenied: the caller falls back to FilterLogEvents.
func (p *place) aggregate(ctx context.Context, groups []*group, start, end time.Time) error {
	from, to := aggregateSpan(start, end)
	if len(groups) == 0 || !from.Before(to) {
		return nil
	}
	type work struct {
		kind  queryKind
		batch *aggBatch
	}
	var queue []work
	for _, j := range planInsights(groups, from, to) {
		b := &aggBatch{job: j, left: int(queryKinds)}
		for k := range queryKinds {
			queue = append(queue, work{k, b})
		}
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := make(chan work)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range min(insightsParallel, len(queue)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range feed {
				err := p.runQuery(qctx, w.kind, w.batch.job, w.batch)
				if w.batch.done(err) {
					p.emitBatch(w.batch)
				}
				if err == nil {
					continue
				}
				if errors.Is(err, errDenied) {
					cancel() // every other query would be refused too
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
send:
	for _, w := range queue {
		select {
		case feed <- w:
		case <-qctx.Done():
			break send
		}
	}
	close(feed)
	wg.Wait()
	for _, err := range errs {
		if errors.Is(err, errDenied) {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%d of %d insights queries failed: %w", len(errs), len(queue), errors.Join(errs...))
}

// aggBatch gathers what the queries of one job found. Its figures are
// emitted once every query is done, and only when all succeeded.
type aggBatch struct {
	job insightsJob

	mu      sync.Mutex
	left    int  // queries not done
	failed  bool // one of them failed
	rows    []insightsRow
	fails   []failureCount
	account string // of the first row with one
}

// done records the end of one of the batch's queries and reports whether
// the batch is complete and to be emitted.
func (b *aggBatch) done(err error) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left--
	b.failed = b.failed || err != nil
	return b.left == 0 && !b.failed
}

// insightsJob is a batch of up to insightsBatch groups over whole minutes
// [from, to): each query kind runs over it.
type insightsJob struct {
	groups   []*group
	from, to time.Time
}

// planInsights cuts groups into batches of insightsBatch and [from, to)
// into spans short enough that a batch's rows (a group and a minute each,
// plus the minute at the end that a query's inclusive end may touch) stay
// under insightsLimit.
func planInsights(groups []*group, from, to time.Time) []insightsJob {
	var jobs []insightsJob
	for i := 0; i < len(groups); i += insightsBatch {
		batch := groups[i:min(i+insightsBatch, len(groups))]
		step := time.Duration(max(1, insightsLimit/len(batch)-1)) * insightsBin
		for t := from; t.Before(to); t = t.Add(step) {
			jobs = append(jobs, insightsJob{groups: batch, from: t, to: earlier(t.Add(step), to)})
		}
	}
	return jobs
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// runQuery runs query kind k over job j and adds what it found to b. A
// query that names a deleted log group fails as a whole: the job is halved
// until the deleted group is alone, and then skipped. A query that returns
// insightsLimit rows may have been cut: it is halved by groups, or by time
// for a single group, and run again.
func (p *place) runQuery(ctx context.Context, k queryKind, j insightsJob, b *aggBatch) error {
	names := make([]string, len(j.groups))
	for i, g := range j.groups {
		names[i] = g.name
	}
	q, from, to := k.query(j.from, j.to)
	rows, err := p.insightsQuery(ctx, q, names, from, to)
	switch {
	case err == nil && len(rows) >= insightsLimit:
		if halves, ok := j.halve(); ok {
			return errors.Join(p.runQuery(ctx, k, halves[0], b), p.runQuery(ctx, k, halves[1], b))
		}
		p.note(fmt.Sprintf("Logs Insights: %s returned %d rows, the most a query may; figures may be incomplete", names[0], len(rows)))
	case errorCode(err) == "ResourceNotFoundException":
		if len(j.groups) == 1 {
			return nil // deleted since discovery; the next discovery drops it
		}
		mid := len(j.groups) / 2
		return errors.Join(
			p.runQuery(ctx, k, insightsJob{groups: j.groups[:mid], from: j.from, to: j.to}, b),
			p.runQuery(ctx, k, insightsJob{groups: j.groups[mid:], from: j.from, to: j.to}, b))
	case err != nil:
		return err
	}
	if k != failureLines {
		for _, fields := range rows {
			if _, _, ok := parseInsightsRow(fields); !ok {
				return fmt.Errorf("%w: a stats row without @log and bin(1m) (groups from %s)", errUnusable, names[0])
			}
		}
	}
	b.add(k, j, rows)
	return nil
}

// errUnusable marks an Insights answer that does not hold the aggregation
// asked for (an endpoint that ignores stats): the caller falls back to
// FilterLogEvents as when Insights is denied.
var errUnusable = errors.New("Logs Insights did not aggregate")

// halve splits a job in two, by groups or else by whole minutes.
func (j insightsJob) halve() ([2]insightsJob, bool) {
	if n := len(j.groups); n > 1 {
		return [2]insightsJob{
			{groups: j.groups[:n/2], from: j.from, to: j.to},
			{groups: j.groups[n/2:], from: j.from, to: j.to},
		}, true
	}
	minutes := int64(j.to.Sub(j.from) / insightsBin)
	if minutes < 2 {
		return [2]insightsJob{}, false
	}
	mid := j.from.Add(time.Duration(minutes/2) * insightsBin)
	return [2]insightsJob{
		{groups: j.groups, from: j.from, to: mid},
		{groups: j.groups, from: mid, to: j.to},
	}, true
}

// insightsQuery runs query over log groups names for [from, to] (whole
// seconds) and returns its rows. It polls GetQueryResults after
// insightsPoll, then 1.5 times less often each time up to insightsPollMax,
// until the query completes, and stops the query when ctx ends
// or it takes longer than insightsTimeout.
func (p *place) insightsQuery(ctx context.Context, query string, names []string, from, to time.Time) ([][]types.ResultField, error) {
	var id string
	err := call(ctx, p.query, func(ctx context.Context) error {
		out, err := p.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
			QueryString:   aws.String(query),
			StartTime:     aws.Int64(from.Unix()),
			EndTime:       aws.Int64(to.Unix()),
			LogGroupNames: names,
			Limit:         aws.Int32(insightsLimit),
		})
		if err == nil {
			id = aws.ToString(out.QueryId)
		}
		return err
	})
	if err != nil {
		return nil, p.insightsErr("StartQuery", err)
	}
	timeout := time.NewTimer(insightsTimeout)
	defer timeout.Stop()
	var (
		rows  [][]types.ResultField
		token *string
		wait  = insightsPoll
	)
	for {
		if token == nil {
			// A query runs for seconds: poll soon, then less and less
			// often, so that running queries do not spend the
			// GetQueryResults budget the others need.
			t := time.NewTimer(wait)
			wait = min(wait*3/2, insightsPollMax)
			select {
			case <-ctx.Done():
				t.Stop()
				p.stopQuery(ctx, id)
				return nil, ctx.Err()
			case <-timeout.C:
				t.Stop()
				p.stopQuery(ctx, id)
				return nil, fmt.Errorf("insights query %s: no result after %s", id, insightsTimeout)
			case <-t.C:
			}
		}
		var out *cloudwatchlogs.GetQueryResultsOutput
		err := call(ctx, p.results, func(ctx context.Context) error {
			var err error
			out, err = p.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String(id), NextToken: token})
			return err
		})
		if err != nil {
			p.stopQuery(ctx, id)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, p.insightsErr("GetQueryResults", err)
		}
		switch out.Status {
		case types.QueryStatusScheduled, types.QueryStatusRunning:
			rows, token = nil, nil // partial results: wait for the whole
			continue
		case types.QueryStatusComplete:
		default:
			return nil, fmt.Errorf("insights query %s: %s", id, out.Status)
		}
		rows = append(rows, out.Results...)
		next := out.NextToken
		if next == nil || *next == "" || (token != nil && *next == *token) || len(out.Results) == 0 {
			p.noteOK()
			return rows, nil
		}
		token = next
	}
}

// insightsErr wraps a refusal of op as errDenied and records it.
func (p *place) insightsErr(op string, err error) error {
	if !isDenied(err) {
		return err
	}
	p.mu.Lock()
	p.insightsDenied = true
	p.mu.Unlock()
	p.note("Logs Insights not permitted (logs:" + op + "): figures from FilterLogEvents")
	return fmt.Errorf("logs:%s %w: %w", op, errDenied, err)
}

// stopQuery asks the service to stop query id, which would otherwise run
// on and hold one of the account's concurrent queries. It has its own
// short deadline: ctx may be over already.
func (p *place) stopQuery(ctx context.Context, id string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), insightsStopTimeout)
	defer cancel()
	_ = call(sctx, p.query, func(ctx context.Context) error {
		_, err := p.logs.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: aws.String(id)})
		return err
	})
}

// insightsRow is one row of the stats queries: a log group's minute.
type insightsRow struct {
	group string
	at    time.Time
	agg   model.Aggregate
	memMB int
	json  bool // from aggregateJSONQuery
}

// insightsTimeLayout is how Insights prints times (bins, @timestamp): UTC.
const insightsTimeLayout = "2006-01-02 15:04:05.000"

// parseInsightsRow reads one row of aggregateQuery or aggregateJSONQuery.
// It reports false for a row without a log group or a bin time it can
// read. It returns the account of @log.
func parseInsightsRow(fields []types.ResultField) (insightsRow, string, bool) {
	var (
		r                           insightsRow
		account                     string
		haveAt, haveDur, haveStatus bool
		invocations, cold, restores float64
		timeouts, errs, mem, memMB  float64
		statuses, successes         float64
		a                           = &r.agg
	)
	for _, f := range fields {
		name, v := aws.ToString(f.Field), aws.ToString(f.Value)
		switch {
		case name == "@log":
			r.group, account = splitLog(v)
		case strings.HasPrefix(name, "bin("):
			t, err := time.Parse(insightsTimeLayout, v)
			if err != nil {
				return r, "", false
			}
			r.at, haveAt = t, true
		case name == "invocations":
			invocations = insightsNum(v)
		case name == "billed":
			a.BilledMs = insightsNum(v)
		case name == "dsum":
			a.Duration.Sum, haveDur = insightsNum(v), true
		case name == "dmax":
			a.Duration.Max = insightsNum(v)
		case name == "p50":
			a.Duration.P50 = insightsNum(v)
		case name == "p90":
			a.Duration.P90 = insightsNum(v)
		case name == "p99":
			a.Duration.P99 = insightsNum(v)
		case name == "cold":
			cold = insightsNum(v)
		case name == "restores":
			restores = insightsNum(v)
		case name == "timeouts":
			timeouts = insightsNum(v)
		case name == "errs":
			errs = insightsNum(v)
		case name == "statuses":
			statuses, haveStatus = insightsNum(v), true
		case name == "successes":
			successes = insightsNum(v)
		case name == "mem":
			mem = insightsNum(v)
		case name == "memMB":
			memMB = insightsNum(v)
		}
	}
	if r.group == "" || !haveAt {
		return r, "", false
	}
	a.Span = insightsBin
	a.Invocations = insightsCount(invocations)
	// A cold start is an init or a SnapStart restore (model.Invocation.Cold);
	// a report never has both.
	a.ColdStarts = insightsCount(cold + restores)
	a.Timeouts = insightsCount(timeouts)
	if haveStatus {
		// JSON reports: every status but success is an error, timeouts
		// included.
		a.Errors = max(0, insightsCount(statuses-successes))
	} else {
		a.Errors = insightsCount(errs) + a.Timeouts // a timeout is an error, as the model counts it
	}
	a.HasInvocations, a.HasErrors, a.HasTimeouts, a.HasColdStarts = true, true, true, true
	if haveDur {
		a.Duration.Count = a.Invocations
	}
	switch {
	case memMB > 0:
		r.memMB = int(math.Round(memMB))
	case mem > 0:
		// @memorySize is in bytes: MB x 1,000,000 ("1.28E8" for 128 MB).
		r.memMB = int(math.Round(mem / 1e6))
	}
	return r, account, true
}

// splitLog splits @log ("<account>:<group>") into the group and the
// account.
func splitLog(v string) (group, account string) {
	acc, g, ok := strings.Cut(v, ":")
	if !ok {
		return v, ""
	}
	return g, acc
}

// num reads a value as Insights prints numbers ("12", "14.97", "1.28E8");
// unreadable values are 0, and so are negative ones: every column is a
// count, a duration or a size.
func insightsNum(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// insightsMaxCount bounds a count read from Insights, far above any real
// one, so that it converts to an int64 and sums of counts do not overflow.
const insightsMaxCount = 1e15

func insightsCount(v float64) int64 { return int64(math.Round(min(max(v, 0), insightsMaxCount))) }

// merge adds o, a row of the same group and minute from the other log
// format, to r: counts and sums add up, maxima take the larger, and the
// percentiles are those of the row with more invocations.
func (r *insightsRow) merge(o *insightsRow) {
	a, b := &r.agg, &o.agg
	if b.Invocations > a.Invocations {
		a.Duration.P50, a.Duration.P90, a.Duration.P99 = b.Duration.P50, b.Duration.P90, b.Duration.P99
	}
	a.Invocations += b.Invocations
	a.Errors += b.Errors
	a.Timeouts += b.Timeouts
	a.ColdStarts += b.ColdStarts
	a.BilledMs += b.BilledMs
	a.Duration.Count += b.Duration.Count
	a.Duration.Sum += b.Duration.Sum
	a.Duration.Max = max(a.Duration.Max, b.Duration.Max)
	r.memMB = max(r.memMB, o.memMB)
	r.json = r.json && o.json
}

// add reads the rows query kind k returned for job j, a part of b's job
// (all of it unless the query was split). Rows of minutes outside the
// job's span (a query's end is inclusive) and of groups not asked for are
// dropped.
func (b *aggBatch) add(k queryKind, j insightsJob, rows [][]types.ResultField) {
	asked := make(map[string]bool, len(j.groups))
	for _, g := range j.groups {
		asked[g.name] = true
	}
	var (
		stats []insightsRow
		lines []failureRow
	)
	account := ""
	for _, fields := range rows {
		if k == failureLines {
			r, acc, ok := readFailureRow(fields)
			if ok && asked[r.group] {
				lines = append(lines, r)
				account = cmp.Or(account, acc)
			}
			continue
		}
		r, acc, ok := parseInsightsRow(fields)
		if !ok || r.at.Before(j.from) || !r.at.Before(j.to) || !asked[r.group] {
			continue
		}
		r.json = k == jsonReports
		stats = append(stats, r)
		account = cmp.Or(account, acc)
	}
	var fails []failureCount
	if k == failureLines {
		fails = countFailures(lines, j.from, j.to)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rows = append(b.rows, stats...)
	b.fails = append(b.fails, fails...)
	b.account = cmp.Or(b.account, account)
}

// emitBatch turns a complete batch into events: per function a KindMeta,
// then its minutes in time order. The rows of the two report formats are
// merged by minute, and the failures told by separate lines are added to
// them; those told by JSON error objects only are left out for the groups
// whose reports are all in the JSON format, where the report's status
// counts them. It is called once, when done has reported the batch
// complete: no query touches b any more.
func (p *place) emitBatch(b *aggBatch) {
	type bin struct {
		group string
		at    time.Time
	}
	bins := map[bin]*insightsRow{}
	format := map[string][2]bool{} // per group: text REPORT lines, JSON reports
	for i := range b.rows {
		r := &b.rows[i]
		f := format[r.group]
		f[b2i(r.json)] = true
		format[r.group] = f
		k := bin{r.group, r.at}
		if cur := bins[k]; cur != nil {
			cur.merge(r)
		} else {
			bins[k] = r
		}
	}
	for _, f := range b.fails {
		if f.json && format[f.group] == [2]bool{false, true} {
			continue // a JSON-format group: its reports' status told
		}
		k := bin{f.group, f.at}
		r := bins[k]
		if r == nil {
			r = &insightsRow{group: f.group, at: f.at, agg: model.Aggregate{Span: insightsBin,
				HasInvocations: true, HasErrors: true, HasTimeouts: true, HasColdStarts: true}}
			bins[k] = r
		}
		// A timeout taken back (-1) has its report counted in the row,
		// unless the rows disagree (a stats row cut by the row limit).
		r.agg.Errors = max(0, r.agg.Errors+f.errors)
		r.agg.Timeouts = max(0, r.agg.Timeouts+f.timeouts)
	}
	if len(bins) == 0 {
		return
	}
	perGroup := map[string][]*insightsRow{}
	for _, r := range bins {
		perGroup[r.group] = append(perGroup[r.group], r)
	}

	p.mu.Lock()
	if p.account == "" {
		p.account = b.account
	}
	account := p.account
	inventory := make(map[string]int, len(perGroup))
	for g := range perGroup {
		inventory[g] = p.inventory[g].MemorySizeMB
	}
	p.mu.Unlock()

	var evs []model.Event
	for _, g := range b.job.groups {
		rs := perGroup[g.name]
		if len(rs) == 0 {
			continue
		}
		sort.Slice(rs, func(a, b int) bool { return rs[a].at.Before(rs[b].at) })
		fn := p.functionOf(g, "")
		memMB := 0
		for _, r := range rs {
			memMB = max(memMB, r.memMB)
		}
		evs = append(evs, model.Event{Kind: model.KindMeta, Source: p.name, Function: fn, Time: rs[len(rs)-1].at,
			Meta: model.FunctionMeta{Region: p.region, Account: account, MemorySizeMB: memMB}})
		if memMB == 0 {
			memMB = inventory[g.name]
		}
		for _, r := range rs {
			mem := r.memMB
			if mem == 0 {
				mem = memMB
			}
			r.agg.GBSeconds = model.GBSeconds(r.agg.BilledMs, mem)
			evs = append(evs, model.Event{Kind: model.KindAggregate, Source: p.name, Function: fn, Time: r.at, Aggregate: r.agg})
		}
	}
	p.sink.Ingest(evs...)
}

// failureRow is one row of failureQuery: a line and what it says.
type failureRow struct {
	group, stream string
	at            time.Time
	rec           lambdalog.Record
	req           string // the request it belongs to (see countFailures)
}

// readFailureRow reads one row of failureQuery. It reports false for a row
// without a log group or a time it can read. It returns the account of
// @log.
func readFailureRow(fields []types.ResultField) (failureRow, string, bool) {
	var (
		r       failureRow
		account string
		haveAt  bool
	)
	for _, f := range fields {
		v := aws.ToString(f.Value)
		switch aws.ToString(f.Field) {
		case "@log":
			r.group, account = splitLog(v)
		case "@logStream":
			r.stream = v
		case "@timestamp":
			t, err := time.Parse(insightsTimeLayout, v)
			if err != nil {
				return r, "", false
			}
			r.at, haveAt = t, true
		case "@message":
			r.rec = lambdalog.ParseMessage(v)
		}
	}
	return r, account, r.group != "" && haveAt
}

// failureCount is what the failure lines of one request change in the
// figures of the stats queries: errors and timeouts to add (a timeout may
// be taken back, when a line shows that a report counted as one was out of
// memory), in a group's minute.
type failureCount struct {
	group            string
	at               time.Time // the minute
	errors, timeouts int64
	// json is set when only JSON error objects told the failure: it
	// counts only for a group whose reports are text.
	json bool
}

// failureNear is how far a failure line that names no request may be from
// a line of its stream that does, to be taken for the same request's
// (countFailures).
const failureNear = time.Second

// countFailures says what failureQuery's rows of [from, to) add to the
// stats queries' figures, the way the Lambda log parser classifies the
// invocations (lambdalog):
//
//   - The failure lines of one request ID (timeout, runtime error, Invoke
//     Error, JSON error object) make at most one error, even when the
//     request was retried; the most specific kind wins, out of memory over
//     a timeout over the rest.
//   - A request whose text REPORT has a status was counted by
//     aggregateQuery: its lines only change whether it is a timeout.
//   - A request whose report is a JSON platform.report, and
//     platform.runtimeDone records, were counted by aggregateJSONQuery.
//   - A line that names no request is taken for the request of the nearest
//     line of its stream within failureNear that names one, else for a
//     request of its own.
//
// A request counts in [from, to) when its report with a status is there,
// or else its first failure line: rows from before from and after to (the
// padding of the query) only complete the picture of requests at the
// edges, so that calls over contiguous spans count every request once.
func countFailures(rows []failureRow, from, to time.Time) []failureCount {
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].at.Before(rows[b].at) })
	type key struct{ group, req string }
	named := map[key][]int{} // rows of a stream that name a request, by stream
	for i := range rows {
		r := &rows[i]
		r.req = r.rec.RequestID
		if r.req != "" {
			k := key{r.group, r.stream}
			named[k] = append(named[k], i)
		}
	}
	byReq := map[key][]*failureRow{}
	var order []key
	jsonReport := map[key]bool{}
	for i := range rows {
		r := &rows[i]
		if r.req == "" {
			r.req = "\x00" + strconv.Itoa(i) // a request of its own ...
			ns := named[key{r.group, r.stream}]
			n := sort.Search(len(ns), func(n int) bool { return !rows[ns[n]].at.Before(r.at) })
			best := failureNear + 1
			for _, j := range ns[max(0, n-1):min(len(ns), n+1)] { // the neighbours before and after
				if d := absDuration(rows[j].at.Sub(r.at)); d < best {
					r.req, best = rows[j].req, d // ... unless a neighbour names one
				}
			}
		}
		k := key{r.group, r.req}
		if _, ok := byReq[k]; !ok {
			order = append(order, k)
		}
		byReq[k] = append(byReq[k], r)
		if r.rec.Type == lambdalog.RecordReport && r.rec.JSON {
			jsonReport[k] = true
		}
	}
	var out []failureCount
	for _, k := range order {
		if jsonReport[k] {
			continue
		}
		if c, ok := countRequest(byReq[k], from, to); ok {
			out = append(out, c)
		}
	}
	return out
}

// countRequest is countFailures for the lines of one request, in time
// order.
func countRequest(rs []*failureRow, from, to time.Time) (failureCount, bool) {
	var (
		report *failureRow
		first  *failureRow
		kind   model.ErrorKind
		json   = true
	)
	for _, r := range rs {
		switch r.rec.Type {
		case lambdalog.RecordReport:
			if report == nil {
				report = r
			}
			continue
		case lambdalog.RecordRuntimeDone:
			continue // the JSON format's: its report's status tells it
		}
		k := r.rec.ErrorKind()
		if k == model.ErrNone {
			continue
		}
		if first == nil {
			first = r
		}
		if lambdalog.Rank(k) > lambdalog.Rank(kind) {
			kind = k
		}
		json = json && r.rec.JSON
	}
	if first == nil {
		return failureCount{}, false // a report alone: counted as it is
	}
	c := failureCount{group: first.group, at: first.at, errors: 1, json: json}
	if kind == model.ErrTimeout {
		c.timeouts = 1
	}
	if report != nil {
		// aggregateQuery counted the report by its status; the parser
		// gives it the more specific kind of report and lines together.
		status := report.rec.Status
		counted := status == "timeout" || status == "error"
		oom := report.rec.ErrorType == "Runtime.OutOfMemory" || kind == model.ErrOutOfMemory
		timeout := !oom && (status == "timeout" || kind == model.ErrTimeout)
		c = failureCount{group: report.group, at: report.at, errors: 1 - b2i(counted), timeouts: b2i(timeout) - b2i(status == "timeout")}
	}
	if c.at.Before(from) || !c.at.Before(to) || c.errors == 0 && c.timeouts == 0 {
		return failureCount{}, false
	}
	c.at = c.at.Truncate(insightsBin)
	return c, true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
