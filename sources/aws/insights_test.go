package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
	"github.com/fntop/fntop/sources/demo"
	"github.com/fntop/fntop/sources/lambdalog"
)

// fastInsights shortens the GetQueryResults poll for the test. Tests that
// call it must not run in parallel.
func fastInsights(t *testing.T) {
	t.Helper()
	poll, timeout := insightsPoll, insightsTimeout
	insightsPoll, insightsTimeout = time.Millisecond, 20*time.Second
	t.Cleanup(func() { insightsPoll, insightsTimeout = poll, timeout })
}

// insQuickBudget is a budget whose throttling pauses last milliseconds.
func insQuickBudget(perSecond float64, burst int) *Budget {
	b := NewBudget(perSecond, burst)
	b.bo.InitialInterval = 2 * time.Millisecond
	b.bo.MaxInterval = 20 * time.Millisecond
	b.bo.Reset()
	return b
}

// insightsPlace is testPlace with budgets fit for tests.
func insightsPlace(t *testing.T, srv *cwltest.Server) (*place, *recSink) {
	t.Helper()
	p, sink := testPlace(t, srv, Options{}, nil)
	p.query, p.results = insQuickBudget(200, 10), insQuickBudget(1000, 20)
	return p, sink
}

// insNoLeaks checks at the test's end that aggregate left no goroutine
// behind (the HTTP client's and server's connections aside).
func insNoLeaks(t *testing.T) {
	opts := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("internal/poll.runtime_pollWait"),
	}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

func insGroupsOf(srv *cwltest.Server) []*group {
	var gs []*group
	for _, g := range srv.Groups() {
		gs = append(gs, testGroup(srv, g.Name))
	}
	return gs
}

// insBin names one function's minute.
type insBin struct {
	fn string
	at time.Time
}

// insAggregates indexes emitted aggregates, failing on a bin seen twice.
func insAggregates(t *testing.T, sink *recSink) map[insBin]model.Event {
	t.Helper()
	out := map[insBin]model.Event{}
	for _, e := range sink.events(model.KindAggregate) {
		k := insBin{e.Function, e.Time}
		if _, dup := out[k]; dup {
			t.Errorf("bin %s %s emitted twice", k.fn, k.at.Format(time.TimeOnly))
		}
		out[k] = e
	}
	return out
}

// insRef is what the Lambda log parser and the model make of the events
// a server holds: per function and minute, the figures an Insights bin
// should hold (durations by nearest rank, errors in the minute of the
// invocation), the memory size per function, the functions whose logs are
// in the JSON format, the store fed with the parser's events, and the
// counts of failures by kind that no REPORT status told (the lines
// failureQuery is for).
type insRef struct {
	bins      map[insBin]model.Aggregate
	mem       map[string]int
	json      map[string]bool
	store     *model.Store
	lineOnly  map[model.ErrorKind]int
	jsonFails int
}

// insReference feeds the events of [from, to) to a lambdalog.Parser, each
// group's in time order as FilterLogEvents returns them, and its events to
// a model.Store.
func insReference(t *testing.T, srv *cwltest.Server, from, to time.Time) insRef {
	t.Helper()
	ref := insRef{bins: map[insBin]model.Aggregate{}, mem: map[string]int{}, json: map[string]bool{},
		store: model.NewStore(model.Options{}), lineOnly: map[model.ErrorKind]int{}}
	parser := lambdalog.NewParser()
	durs := map[insBin][]float64{}
	for _, g := range srv.Groups() {
		fn := strings.TrimPrefix(g.Name, DefaultPrefix)
		evs := srv.Events(g.Name)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].Timestamp < evs[j].Timestamp })
		var out []model.Event
		for _, e := range evs {
			if e.Timestamp < from.UnixMilli() || e.Timestamp >= to.UnixMilli() {
				continue
			}
			if strings.Contains(e.Message, `"type":"platform.report"`) {
				ref.json[fn] = true
			}
			out = parser.Feed(lambdalog.Input{Source: "ref", Function: fn, Stream: e.Stream,
				Time: time.UnixMilli(e.Timestamp), Message: e.Message}, out)
		}
		ref.store.Ingest(out...)
		for _, e := range out {
			switch e.Kind {
			case model.KindInvocation:
				inv := &e.Invocation
				k := insBin{fn, e.Time.UTC().Truncate(time.Minute)}
				a := ref.bins[k]
				a.Span = time.Minute
				a.Invocations++
				a.BilledMs += inv.BilledMs
				a.GBSeconds += model.GBSeconds(inv.BilledMs, inv.MemorySizeMB)
				a.Duration.Count++
				a.Duration.Sum += inv.DurationMs
				a.Duration.Max = max(a.Duration.Max, inv.DurationMs)
				if inv.Cold() {
					a.ColdStarts++
				}
				if inv.Error != model.ErrNone {
					a.Errors++
					if inv.Status == "" {
						ref.lineOnly[inv.Error]++
					}
					if ref.json[fn] {
						ref.jsonFails++
					}
				}
				if inv.Error == model.ErrTimeout {
					a.Timeouts++
				}
				ref.mem[fn] = max(ref.mem[fn], inv.MemorySizeMB)
				ref.bins[k] = a
				durs[k] = append(durs[k], inv.DurationMs)
			case model.KindAmend:
				am := &e.Amend
				k := insBin{fn, am.InvocationTime.UTC().Truncate(time.Minute)}
				a := ref.bins[k]
				if am.Prev == model.ErrNone {
					a.Errors++
					ref.lineOnly[am.Error]++
				}
				a.Timeouts += b2i(am.Error == model.ErrTimeout) - b2i(am.Prev == model.ErrTimeout)
				ref.bins[k] = a
			}
		}
	}
	for k, ds := range durs {
		sort.Float64s(ds)
		a := ref.bins[k]
		a.Duration.P50, a.Duration.P90, a.Duration.P99 = insNearestRank(ds, 50), insNearestRank(ds, 90), insNearestRank(ds, 99)
		ref.bins[k] = a
	}
	return ref
}

// insNearestRank is the percentile by nearest rank, as pct() computes it.
func insNearestRank(sorted []float64, p float64) float64 {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func insNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

// insFunctions is a snapshot of a store's functions by name, over the
// hour before end, with per-minute series and their quantiles.
func insFunctions(s *model.Store, end time.Time) map[string]model.FunctionStats {
	out := map[string]model.FunctionStats{}
	snap := s.Snapshot(model.SnapshotOptions{Window: time.Hour, End: end, Series: true, SeriesQuantiles: true})
	for _, f := range snap.Functions {
		out[f.Name] = f
	}
	return out
}

// insCompareModel checks that the model fed with the emitted events holds,
// over the hour before end, per function what the model fed by the parser
// holds: counts, billed milliseconds and the longest duration exactly,
// GB-seconds and the average to rounding, and minute by minute the
// invocations exactly, the duration p50 within maxRel and, for minutes of
// 20 invocations or more, the p99 within maxRel of the minute's p99 by
// nearest rank. (The parser-fed model's sketch ranks a quantile q at
// q(n-1), which for a minute of about a hundred invocations is the next
// duration down, far off in a long tail; and the model answers the p99 of
// an aggregate of fewer than 12 invocations with its p90.)
// It returns the largest relative differences of the window's p50 and
// p99: the model merges minutes of aggregates through three percentiles
// each, coarser than every duration.
func insCompareModel(t *testing.T, ref insRef, sink *recSink, end time.Time, maxRel float64) (p50, p99 float64) {
	t.Helper()
	st := model.NewStore(model.Options{})
	st.Ingest(sink.events(0)...)
	got, want := insFunctions(st, end), insFunctions(ref.store, end)
	rel := func(a, b float64) float64 { return math.Abs(a-b) / max(b, 1e-9) }
	for fn, w := range want {
		if w.Invocations == 0 {
			continue
		}
		g, ok := got[fn]
		if !ok {
			t.Errorf("%s: no figures (want %d invocations)", fn, w.Invocations)
			continue
		}
		cold := func(f model.FunctionStats) int64 {
			if f.ColdStarts == nil {
				return -1 // unknown
			}
			return *f.ColdStarts
		}
		if g.Invocations != w.Invocations || g.Errors != w.Errors || g.Timeouts != w.Timeouts ||
			g.BilledMsTotal != w.BilledMsTotal || cold(g) != cold(w) {
			t.Errorf("%s: inv %d errors %d timeouts %d billed %v cold %d; the parser's: %d %d %d %v %d", fn,
				g.Invocations, g.Errors, g.Timeouts, g.BilledMsTotal, cold(g),
				w.Invocations, w.Errors, w.Timeouts, w.BilledMsTotal, cold(w))
		}
		if !insNear(g.GBSeconds, w.GBSeconds) {
			t.Errorf("%s: %v GB-s, the parser's %v", fn, g.GBSeconds, w.GBSeconds)
		}
		if g.Duration == nil || w.Duration == nil {
			t.Errorf("%s: durations %v, the parser's %v", fn, g.Duration, w.Duration)
			continue
		}
		gd, wd := g.Duration, w.Duration
		if gd.Max != wd.Max || !insNear(gd.Avg, wd.Avg) {
			t.Errorf("%s: duration max %v avg %v, the parser's %v %v", fn, gd.Max, gd.Avg, wd.Max, wd.Avg)
		}
		p50, p99 = max(p50, rel(gd.P50, wd.P50)), max(p99, rel(gd.P99, wd.P99))
		if len(g.Series) != len(w.Series) {
			t.Fatalf("%s: %d minutes in the series, the parser's %d", fn, len(g.Series), len(w.Series))
		}
		for i, wp := range w.Series {
			gp := g.Series[i]
			if gp.Start != wp.Start || gp.Invocations != wp.Invocations {
				t.Errorf("%s %s: %d invocations, the parser's %d", fn, wp.Start.Format(time.TimeOnly), gp.Invocations, wp.Invocations)
			}
			// Below 100 invocations Insights' nearest-rank p99 is the
			// maximum, which the model deliberately does not count twice:
			// its p99 then lies below, where the invocations are.
			p99 := ref.bins[insBin{fn, wp.Start.UTC()}].Duration.P99
			if wp.Invocations > 0 && rel(gp.P50, wp.P50) > maxRel || wp.Invocations >= 100 && rel(gp.P99, p99) > maxRel {
				t.Errorf("%s %s (%d invocations): p50 %.2f p99 %.2f, the parser's %.2f and %.2f", fn, wp.Start.Format(time.TimeOnly),
					wp.Invocations, gp.P50, gp.P99, wp.P50, p99)
			}
		}
	}
	for fn, g := range got {
		if want[fn].Invocations == 0 && (g.Invocations != 0 || g.Errors != 0) {
			t.Errorf("%s: %d invocations, %d errors, the parser none", fn, g.Invocations, g.Errors)
		}
	}
	return p50, p99
}

// The emitted figures are what the Lambda log parser and the model make of
// the same events, on the demo fleet's logs over a span that holds
// functions of both log formats and failures of every kind: the error
// spike's Node.js Invoke Errors (order-processor from minute 25), timeouts,
// runtime exits, out-of-memory reports, and JSON reports that failed.
// Minute by minute, every figure but errors and timeouts is exact; those
// are exact per function (a failure told by separate lines only counts in
// the minute of its first line, not always the minute of its REPORT).
func TestAggregateFiguresMatchServer(t *testing.T) {
	fastInsights(t)
	insightsTimeout = 2 * time.Minute // the server evaluates 8 minutes of the fleet, slowly under -race
	insNoLeaks(t)
	srv := cwltest.Start(t)
	start := time.Date(2026, 3, 10, 15, 24, 0, 0, time.UTC) // the error spike is minutes 25-29
	end := start.Add(8 * time.Minute)
	if n := srv.FillFromDemo(2, start, end); n == 0 {
		t.Fatal("no demo events")
	}
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), insGroupsOf(srv), start, end); err != nil {
		t.Fatal(err)
	}
	ref := insReference(t, srv, start, end)
	got := insAggregates(t, sink)
	if len(ref.bins) < 150 || len(ref.json) < 3 {
		t.Fatalf("%d bins, %d JSON-format functions: the fleet is too quiet", len(ref.bins), len(ref.json))
	}
	type totals struct{ errors, timeouts int64 }
	gotFn, wantFn := map[string]totals{}, map[string]totals{}
	var inv, cold, timeouts, errs int64
	var billed float64
	for k, w := range ref.bins {
		e, ok := got[k]
		if !ok {
			t.Errorf("bin %s %s missing", k.fn, k.at.Format(time.TimeOnly))
			continue
		}
		a := e.Aggregate
		if e.Source != p.name || a.Span != time.Minute || !a.HasInvocations || !a.HasErrors || !a.HasTimeouts || !a.HasColdStarts {
			t.Errorf("%s: source %q span %s flags %v %v %v %v", k.fn, e.Source, a.Span, a.HasInvocations, a.HasErrors, a.HasTimeouts, a.HasColdStarts)
		}
		if a.Invocations != w.Invocations || a.ColdStarts != w.ColdStarts || a.BilledMs != w.BilledMs {
			t.Errorf("%s %s: got inv %d cold %d billed %v, want %d %d %v", k.fn, k.at.Format(time.TimeOnly),
				a.Invocations, a.ColdStarts, a.BilledMs, w.Invocations, w.ColdStarts, w.BilledMs)
		}
		d, wd := a.Duration, w.Duration
		if d.Count != wd.Count || !insNear(d.Sum, wd.Sum) || d.Max != wd.Max || d.P50 != wd.P50 || d.P90 != wd.P90 || d.P99 != wd.P99 {
			t.Errorf("%s %s: duration %+v, want %+v", k.fn, k.at.Format(time.TimeOnly), d, wd)
		}
		if !insNear(a.GBSeconds, w.GBSeconds) {
			t.Errorf("%s %s: GB-s %v, want %v", k.fn, k.at.Format(time.TimeOnly), a.GBSeconds, w.GBSeconds)
		}
		wt := wantFn[k.fn]
		wt.errors += w.Errors
		wt.timeouts += w.Timeouts
		wantFn[k.fn] = wt
		inv += w.Invocations
		cold += w.ColdStarts
		timeouts += w.Timeouts
		errs += w.Errors
		billed += w.BilledMs
	}
	for k, e := range got {
		if _, ok := ref.bins[k]; !ok && e.Aggregate.Invocations != 0 {
			t.Errorf("bin %s %s: %d invocations, the parser none", k.fn, k.at.Format(time.TimeOnly), e.Aggregate.Invocations)
		}
		gt := gotFn[k.fn]
		gt.errors += e.Aggregate.Errors
		gt.timeouts += e.Aggregate.Timeouts
		gotFn[k.fn] = gt
	}
	for fn, w := range wantFn {
		if g := gotFn[fn]; g != w {
			t.Errorf("%s: %d errors, %d timeouts; the parser's %d, %d", fn, g.errors, g.timeouts, w.errors, w.timeouts)
		}
	}
	t.Logf("%d bins of %d functions (%d JSON): %d invocations, %d cold starts, %d timeouts, %d errors (%d JSON), %.0f billed ms; failures no REPORT status told: %v",
		len(ref.bins), len(ref.mem), len(ref.json), inv, cold, timeouts, errs, ref.jsonFails, billed, ref.lineOnly)
	if cold == 0 || timeouts == 0 || ref.jsonFails == 0 || ref.lineOnly[model.ErrFunction] == 0 ||
		ref.lineOnly[model.ErrRuntimeExit]+ref.lineOnly[model.ErrOutOfMemory] == 0 {
		t.Errorf("the window should hold cold starts, timeouts, JSON failures, and errors told by Invoke Error and runtime exit lines")
	}
	p50, p99 := insCompareModel(t, ref, sink, end, 0.03)
	t.Logf("the model's p50 and p99 over the span, from per-minute aggregates, differ by up to %.0f%% and %.0f%% from those of every duration",
		100*p50, 100*p99)

	metas := map[string]model.FunctionMeta{}
	for _, e := range sink.events(model.KindMeta) {
		metas[e.Function] = e.Meta
	}
	for fn, mb := range ref.mem {
		m, ok := metas[fn]
		if !ok || m.MemorySizeMB != mb || m.Region != srv.Region() || m.Account != srv.Account() {
			t.Errorf("meta of %s = %+v (ok %v), want %d MB", fn, m, ok, mb)
		}
	}
	if p.account != srv.Account() {
		t.Errorf("account %q", p.account)
	}
	if n := srv.Calls("StartQuery"); n != 3 {
		t.Errorf("%d StartQuery calls for %d groups, want 3 (text reports, JSON reports, failure lines)", n, len(srv.Groups()))
	}
}

// insLine is one message of a hand-made log, at an offset from t0.
type insLine struct {
	at  time.Duration
	msg string
}

// insPutLines stores lines in group /aws/lambda/fn, stream s, each ending
// in "\n" as Lambda's do, and returns the group.
func insPutLines(srv *cwltest.Server, fn string, t0 time.Time, lines ...insLine) *group {
	evs := make([]cwltest.Event, len(lines))
	for i, l := range lines {
		evs[i] = cwltest.Event{Time: t0.Add(l.at), Message: l.msg + "\n"}
	}
	srv.Put(DefaultPrefix+fn, "2026/03/10/[$LATEST]0123456789abcdef0123456789abcdef", evs...)
	return testGroup(srv, DefaultPrefix+fn)
}

// insText is the START, END and REPORT lines of a text-format request that
// ends at end, with the REPORT's extra fields (a status), around lines in
// between.
func insText(id string, end time.Duration, status string, mid ...insLine) []insLine {
	out := []insLine{{end - 500*time.Millisecond, "START RequestId: " + id + " Version: $LATEST"}}
	out = append(out, mid...)
	return append(out,
		insLine{end, "END RequestId: " + id},
		insLine{end, "REPORT RequestId: " + id + "\tDuration: 500.00 ms\tBilled Duration: 500 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t" + status})
}

// insJSON is the platform.start, platform.runtimeDone (when it failed) and
// platform.report records of a JSON-format request that ends at end.
func insJSON(t0 time.Time, id string, end time.Duration, status, errType string, mid ...insLine) []insLine {
	ts := func(d time.Duration) string { return t0.Add(d).Format("2006-01-02T15:04:05.000Z") }
	fail := ""
	if errType != "" {
		fail = `,"errorType":"` + errType + `"`
	}
	out := []insLine{{end - 500*time.Millisecond, `{"time":"` + ts(end-500*time.Millisecond) + `","type":"platform.start","record":{"requestId":"` + id + `","version":"$LATEST"}}`}}
	out = append(out, mid...)
	if status != "success" {
		out = append(out, insLine{end, `{"time":"` + ts(end) + `","type":"platform.runtimeDone","record":{"requestId":"` + id + `","status":"` + status + `"` + fail + `,"metrics":{"durationMs":500.0}}}`})
	}
	return append(out, insLine{end, `{"time":"` + ts(end) + `","type":"platform.report","record":{"requestId":"` + id +
		`","metrics":{"durationMs":500.0,"billedDurationMs":500,"memorySizeMB":128,"maxMemoryUsedMB":60},"status":"` + status + `"` + fail + `}}`})
}

// Failures told only by separate lines count as the Lambda log parser
// counts them, each request once, whatever the lines, their order, the
// format and the minute (and aggregate call) they fall in: a timeout line
// with or without its request ID, next to a REPORT with or without a
// Status; an Invoke Error and a runtime exit of one request; lines that
// make a REPORT's status more specific (error to timeout, timeout to out
// of memory); failure lines in the minute, and aggregate call, after
// their REPORT's; a request retried with the same ID; JSON error objects
// in a text-format group and in a JSON-format one, and a text runtime
// exit line in a JSON-format group.
func TestAggregateFailureLines(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	iso := func(d time.Duration) string { return t0.Add(d).Format("2006-01-02T15:04:05.000Z") }
	const (
		a, b, c, d = "0000000a-0000-4000-8000-000000000000", "0000000b-0000-4000-8000-000000000000", "0000000c-0000-4000-8000-000000000000", "0000000d-0000-4000-8000-000000000000"
		e, f, g, h = "0000000e-0000-4000-8000-000000000000", "0000000f-0000-4000-8000-000000000000", "00000010-0000-4000-8000-000000000000", "00000011-0000-4000-8000-000000000000"
		i, j, k, l = "00000012-0000-4000-8000-000000000000", "00000013-0000-4000-8000-000000000000", "00000014-0000-4000-8000-000000000000", "00000015-0000-4000-8000-000000000000"
		m, n, o    = "00000016-0000-4000-8000-000000000000", "00000017-0000-4000-8000-000000000000", "00000018-0000-4000-8000-000000000000"
	)
	s := time.Second
	var lines [][]insLine
	lines = append(lines, // text-old: runtimes that print no Status
		insText(a, 10*s, "", insLine{10 * s, iso(10*s) + " " + a + " Task timed out after 3.00 seconds"}),
		insText(b, 20*s, "", insLine{20 * s, iso(20*s) + " Task timed out after 3.00 seconds"}),
		insText(c, 30*s, "",
			insLine{30 * s, iso(30*s) + "\t" + c + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\"}"},
			insLine{30 * s, "RequestId: " + c + " Error: Runtime exited with error: exit status 1\nRuntime.ExitError"}))
	var gs []*group
	gs = append(gs, insPutLines(srv, "text-old", t0, slices.Concat(lines...)...))
	lines = lines[:0]
	lines = append(lines, // text-new: REPORTs with a Status
		insText(d, 10*s, "Status: timeout", insLine{10 * s, iso(10*s) + " " + d + " Task timed out after 3.00 seconds"}),
		insText(e, 30*s, "Status: error"),
		[]insLine{{30*s + 500*time.Millisecond, iso(30*s+500*time.Millisecond) + " " + e + " Task timed out after 3.00 seconds"}},
		insText(m, 40*s, "Status: timeout"),
		[]insLine{{40*s + 10*time.Millisecond, "RequestId: " + m + " Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory"}},
		insText(n, 50*s, "Status: timeout", insLine{50 * s, iso(50*s) + " Task timed out after 3.00 seconds"}),
		insText(f, 59*s+990*time.Millisecond, ""),
		[]insLine{{60*s + 20*time.Millisecond, "RequestId: " + f + " Error: Runtime exited with error: signal: killed\nRuntime.ExitError"}},
		insText(g, 59*s+995*time.Millisecond, "Status: timeout"),
		[]insLine{{60*s + 5*time.Millisecond, iso(60*s+5*time.Millisecond) + " " + g + " Task timed out after 3.00 seconds"}})
	gs = append(gs, insPutLines(srv, "text-new", t0, slices.Concat(lines...)...))
	gs = append(gs, insPutLines(srv, "text-go", t0, // a runtime's JSON error object, in the text format
		insText(h, 10*s, "", insLine{10 * s, `{"errorMessage":"boom","errorType":"errorString"}`})...))
	lines = lines[:0]
	lines = append(lines, // the JSON format: the report's status tells
		insJSON(t0, i, 10*s, "error", "E", insLine{10 * s, `{"timestamp":"` + iso(10*s) + `","level":"ERROR","requestId":"` + i +
			`","message":"Invoke Error","errorType":"E","errorMessage":"boom"}`}),
		insJSON(t0, j, 20*s, "error", "", insLine{20 * s, `{"errorMessage":"boom","errorType":"E"}`}),
		insJSON(t0, k, 30*s, "timeout", ""),
		insJSON(t0, o, 35*s, "failure", "Runtime.ExitError", insLine{35 * s, "RequestId: " + o + " Error: Runtime exited with error: exit status 1\nRuntime.ExitError"}),
		insJSON(t0, "0000ffff-0000-4000-8000-000000000000", 40*s, "success", ""))
	gs = append(gs, insPutLines(srv, "json-fn", t0, slices.Concat(lines...)...))
	lines = lines[:0]
	lines = append(lines, // a request retried with the same ID a minute later
		insText(l, 5*s, "", insLine{5 * s, iso(5*s) + "\t" + l + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\"}"}),
		insText(l, 70*s, "", insLine{70 * s, iso(70*s) + "\t" + l + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\"}"}))
	gs = append(gs, insPutLines(srv, "retry", t0, slices.Concat(lines...)...))

	p, sink := insightsPlace(t, srv)
	for _, from := range []time.Time{t0, t0.Add(time.Minute)} {
		if err := p.aggregate(context.Background(), gs, from, from.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	ref := insReference(t, srv, t0, t0.Add(2*time.Minute))
	type figures struct{ inv, errors, timeouts int64 }
	got, want := map[string]figures{}, map[string]figures{}
	for _, ev := range sink.events(model.KindAggregate) {
		x := got[ev.Function]
		x.inv, x.errors, x.timeouts = x.inv+ev.Aggregate.Invocations, x.errors+ev.Aggregate.Errors, x.timeouts+ev.Aggregate.Timeouts
		got[ev.Function] = x
	}
	for bin, ag := range ref.bins {
		x := want[bin.fn]
		x.inv, x.errors, x.timeouts = x.inv+ag.Invocations, x.errors+ag.Errors, x.timeouts+ag.Timeouts
		want[bin.fn] = x
	}
	// What the parser says, spelled out.
	parser := map[string]figures{"text-old": {3, 3, 2}, "text-new": {6, 6, 4}, "text-go": {1, 1, 0}, "json-fn": {5, 4, 1}, "retry": {2, 1, 0}}
	for fn, pf := range parser {
		if want[fn] != pf {
			t.Errorf("%s: the parser counts %+v, the test expects %+v", fn, want[fn], pf)
		}
		if got[fn] != want[fn] {
			t.Errorf("%s: %+v emitted, the parser's %+v", fn, got[fn], want[fn])
		}
	}
	insCompareModel(t, ref, sink, t0.Add(2*time.Minute), 0.03)
}

// A function that wrote both log formats in one minute (its log format
// changed) gets one aggregate: counts and sums add up, the maximum is the
// larger, the percentiles are those of the format with more invocations.
func TestAggregateBothFormatsInOneMinute(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s := time.Second
	var lines []insLine
	for i, d := range []float64{10, 20, 30} {
		lines = append(lines, insLine{time.Duration(i+1) * s, strings.TrimSuffix(insReportLine(i, d, 128, "Status: timeout"), "\n")})
	}
	lines = append(lines, insJSON(t0, "0000ffff-0000-4000-8000-000000000000", 40*s, "error", "E")...)
	g := insPutLines(srv, "both", t0, lines...)
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), []*group{g}, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := insAggregates(t, sink)
	a := got[insBin{"both", t0}].Aggregate
	want := model.Aggregate{Span: time.Minute, Invocations: 4, Errors: 4, Timeouts: 3,
		HasInvocations: true, HasErrors: true, HasTimeouts: true, HasColdStarts: true,
		Duration: model.DurationSummary{Count: 4, Sum: 560, Max: 500, P50: 20, P90: 30, P99: 30},
		BilledMs: 10 + 20 + 30 + 500, GBSeconds: model.GBSeconds(560, 128)}
	if len(got) != 1 || a != want {
		t.Errorf("%d aggregates; got %+v, want %+v", len(got), a, want)
	}
}

// Calls over contiguous ranges, whatever their bounds, count every whole
// minute once; the minute in progress at the end is left for later.
func TestAggregateContiguousSpans(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	end := start.Add(6 * time.Minute)
	srv.FillFromDemo(3, start, end, demo.Functions(5))
	want := insReference(t, srv, start, end.Add(-time.Minute)).bins
	p, sink := insightsPlace(t, srv)
	gs := insGroupsOf(srv)
	bounds := []time.Time{start.Add(10 * time.Second), start.Add(2*time.Minute + 30*time.Second), start.Add(2*time.Minute + 50*time.Second), end.Add(-time.Second)}
	for i := 0; i+1 < len(bounds); i++ {
		if err := p.aggregate(context.Background(), gs, bounds[i], bounds[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	got := insAggregates(t, sink)
	if len(got) != len(want) || len(want) < 10 {
		t.Errorf("%d bins, want %d (>= 10)", len(got), len(want))
	}
	for k, w := range want {
		if got[k].Aggregate.Invocations != w.Invocations {
			t.Errorf("%s %s: %d invocations, want %d", k.fn, k.at.Format(time.TimeOnly), got[k].Aggregate.Invocations, w.Invocations)
		}
	}
	// The span [2:30, 2:50) is inside one minute: no query at all; the
	// two others run the three queries each.
	if n := srv.Calls("StartQuery"); n != 2*int(queryKinds) {
		t.Errorf("%d StartQuery calls, want %d", n, 2*int(queryKinds))
	}
	for _, r := range srv.Requests() {
		if r.Op != "StartQuery" {
			continue
		}
		var in struct{ StartTime, EndTime int64 }
		if err := json.Unmarshal(r.Body, &in); err != nil {
			t.Fatal(err)
		}
		if in.StartTime%60 != 0 || in.EndTime%60 != 0 {
			t.Errorf("query span %d..%d is not whole minutes", in.StartTime, in.EndTime)
		}
	}
}

// insReportLine is a REPORT line of fn's request i.
func insReportLine(i int, durMs float64, mb int, extra string) string {
	return fmt.Sprintf("REPORT RequestId: %08x-0000-4000-8000-000000000000\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t%s\n",
		i, durMs, int(math.Ceil(durMs)), mb, mb/2, extra)
}

// insPutFleet stores one REPORT line in each of n groups, in the minute at t.
func insPutFleet(srv *cwltest.Server, n int, t time.Time) []*group {
	var gs []*group
	for i := range n {
		name := fmt.Sprintf("%sfn-%03d", DefaultPrefix, i)
		srv.Put(name, "2026/03/10/[$LATEST]0123456789abcdef0123456789abcdef",
			cwltest.Event{Time: t.Add(time.Duration(i) * 100 * time.Millisecond), Message: insReportLine(i, 10+float64(i), 128, "")})
		gs = append(gs, testGroup(srv, name))
	}
	return gs
}

// 120 groups take three batches of at most 50 groups, each queried three
// times (text reports, JSON reports, failure lines) over whole seconds,
// with the row limit; the failure lines' span is widened by failurePad.
func TestAggregateBatchesOf50(t *testing.T) {
	fastInsights(t)
	insNoLeaks(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 120, t0)
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("StartQuery"); n != 9 {
		t.Errorf("%d StartQuery calls, want 9", n)
	}
	seen := map[string]map[string]bool{} // query -> groups
	for _, r := range srv.Requests() {
		if r.Op != "StartQuery" {
			continue
		}
		var in struct {
			QueryString        string
			StartTime, EndTime int64
			LogGroupNames      []string
			Limit              int
		}
		if err := json.Unmarshal(r.Body, &in); err != nil {
			t.Fatal(err)
		}
		from, to := t0.Unix(), t0.Unix()+60
		switch in.QueryString {
		case aggregateQuery, aggregateJSONQuery:
		case failureQuery:
			from, to = from-60, to+60
		default:
			t.Errorf("query %q", in.QueryString)
		}
		if len(in.LogGroupNames) == 0 || len(in.LogGroupNames) > 50 || in.Limit != 10000 ||
			in.StartTime != from || in.EndTime != to {
			t.Errorf("StartQuery %d groups, limit %d, span %d..%d", len(in.LogGroupNames), in.Limit, in.StartTime, in.EndTime)
		}
		if seen[in.QueryString] == nil {
			seen[in.QueryString] = map[string]bool{}
		}
		for _, n := range in.LogGroupNames {
			if seen[in.QueryString][n] {
				t.Errorf("%s in two queries of a kind", n)
			}
			seen[in.QueryString][n] = true
		}
	}
	for q, groups := range seen {
		if len(groups) != 120 {
			t.Errorf("%d groups queried by %.30q", len(groups), q)
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d kinds of query, want 3", len(seen))
	}
	got := insAggregates(t, sink)
	if len(got) != 120 {
		t.Fatalf("%d aggregates, want 120", len(got))
	}
	for i := range 120 {
		e, ok := got[insBin{fmt.Sprintf("fn-%03d", i), t0}]
		d := 10 + float64(i)
		if !ok || e.Aggregate.Invocations != 1 || e.Aggregate.Duration.P50 != d || e.Aggregate.BilledMs != math.Ceil(d) {
			t.Errorf("fn-%03d: %+v", i, e.Aggregate)
		}
		if want := math.Ceil(d) / 1000 * 128 / 1024; !insNear(e.Aggregate.GBSeconds, want) {
			t.Errorf("fn-%03d: GB-s %v, want %v", i, e.Aggregate.GBSeconds, want)
		}
	}
}

// Without permission for Insights, aggregate says so with errDenied, marks
// the place and adds a note, and stops its other queries.
func TestAggregateDenied(t *testing.T) {
	fastInsights(t)
	insNoLeaks(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 400, t0)
	srv.Deny("StartQuery", true)
	p, sink := insightsPlace(t, srv)
	err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute))
	if !errors.Is(err, errDenied) || !isDenied(err) {
		t.Fatalf("err = %v, want errDenied wrapping the AccessDeniedException", err)
	}
	p.mu.Lock()
	denied, notes := p.insightsDenied, strings.Join(p.notes, "; ")
	p.mu.Unlock()
	if !denied || !strings.Contains(notes, "Insights not permitted") {
		t.Errorf("insightsDenied %v, notes %q", denied, notes)
	}
	if n := srv.Calls("StartQuery"); n > insightsParallel {
		t.Errorf("%d StartQuery calls after a refusal, want at most %d", n, insightsParallel)
	}
	if n := len(sink.events(0)); n != 0 {
		t.Errorf("%d events emitted", n)
	}
	t.Logf("err: %v", err)
}

// Throttling and the concurrency quota (LimitExceededException) on
// StartQuery are retried through the budget, which slows down, with the
// SDK's own retries off as in production.
func TestAggregateStartQueryThrottledRecovers(t *testing.T) {
	fastInsights(t)
	insNoLeaks(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 10, t0)
	var o Options
	o.defaults()
	sink := &recSink{}
	logs := cwltest.Client(t, srv, func(lo *cloudwatchlogs.Options) { lo.Retryer = aws.NopRetryer{} })
	p := newPlaceWith(&o, "aws:"+srv.Region(), "", "", srv.Region(), logs, nil, sink)
	p.query, p.results = insQuickBudget(200, 10), insQuickBudget(1000, 20)
	srv.FailNext("StartQuery", 2, cwltest.ErrLimitExceeded)
	srv.Throttle("StartQuery", 1)
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The batch's three queries, and the three refusals retried.
	if n := srv.Calls("StartQuery"); n != 6 {
		t.Errorf("%d StartQuery calls, want 6", n)
	}
	if st := p.query.State(); st.Throttles != 3 {
		t.Errorf("budget throttles %d, want 3", st.Throttles)
	}
	if n := len(sink.events(model.KindAggregate)); n != 10 {
		t.Errorf("%d aggregates, want 10", n)
	}
}

// With the account's concurrency quota below aggregate's own parallelism,
// the queries refused with LimitExceededException wait their turn.
func TestAggregateConcurrencyQuota(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t, cwltest.WithMaxQueries(2), cwltest.WithQueryPolls(3))
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 200, t0)
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, r := range srv.Requests() {
		if r.Op == "StartQuery" && r.Code == "LimitExceededException" {
			refused++
		}
	}
	t.Logf("StartQuery: %d calls, %d refused for concurrency", srv.Calls("StartQuery"), refused)
	// Four batches of three queries.
	if refused == 0 || srv.Calls("StartQuery")-refused != 12 {
		t.Errorf("StartQuery calls %d, refused %d: want 12 accepted and some refused", srv.Calls("StartQuery"), refused)
	}
	if n := len(sink.events(model.KindAggregate)); n != 200 {
		t.Errorf("%d aggregates, want 200", n)
	}
}

// A query that stays Running for a few polls completes.
func TestAggregatePollsUntilComplete(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t, cwltest.WithQueryPolls(5))
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 3, t0)
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("GetQueryResults"); n != 3*6 {
		t.Errorf("%d GetQueryResults calls, want 18 (for each of the 3 queries 5 Running, then Complete)", n)
	}
	if n := len(sink.events(model.KindAggregate)); n != 3 {
		t.Errorf("%d aggregates, want 3", n)
	}
}

// Cancelling the context while queries run stops each of them on the
// service and returns the context's error, with nothing emitted.
func TestAggregateCancelStopsQuery(t *testing.T) {
	fastInsights(t)
	insNoLeaks(t)
	srv := cwltest.Start(t, cwltest.WithQueryPolls(1<<30))
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 3, t0)
	p, sink := insightsPlace(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.aggregate(ctx, gs, t0, t0.Add(time.Minute)) }()
	deadline := time.Now().Add(10 * time.Second)
	// Cancel once each of the batch's queries has been polled.
	polled := func() int {
		ids := map[string]bool{}
		for _, r := range srv.Requests() {
			var in struct{ QueryID string }
			if r.Op == "GetQueryResults" && json.Unmarshal(r.Body, &in) == nil {
				ids[in.QueryID] = true
			}
		}
		return len(ids)
	}
	for polled() < int(queryKinds) {
		if time.Now().After(deadline) {
			t.Fatal("the queries were never started and polled")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("aggregate did not return after cancel")
	}
	stops := 0
	for _, r := range srv.Requests() {
		if r.Op == "StopQuery" {
			stops++
			if r.Status != 200 {
				t.Errorf("StopQuery answered %d %s", r.Status, r.Code)
			}
		}
	}
	if stops != int(queryKinds) {
		t.Errorf("%d StopQuery calls, want %d (one per running query)", stops, queryKinds)
	}
	if n := len(sink.events(0)); n != 0 {
		t.Errorf("%d events emitted", n)
	}
}

// A query that fails on the service is an error, and its batch emits
// nothing (not even the figures of its other queries); the other batch
// still delivers its figures.
func TestAggregateQueryFailed(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 60, t0)
	p, sink := insightsPlace(t, srv)
	srv.FailNext("GetQueryResults", 1, cwltest.APIError{Status: 400, Code: "InvalidParameterException", Message: "bad"})
	err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute))
	if err == nil || errorCode(err) != "InvalidParameterException" || errors.Is(err, errDenied) {
		t.Fatalf("err = %v", err)
	}
	if n := len(sink.events(model.KindAggregate)); n != 10 && n != 50 {
		t.Errorf("%d aggregates, want those of the other batch (10 or 50)", n)
	}
	if n := srv.Calls("StopQuery"); n != 1 {
		t.Errorf("%d StopQuery calls for the abandoned query, want 1", n)
	}
}

// A log group deleted since discovery makes its whole query fail: the
// batch is halved until it is alone and skipped.
func TestAggregateDeletedGroup(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 8, t0)
	srv.DeleteGroup(gs[5].name)
	p, sink := insightsPlace(t, srv)
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := insAggregates(t, sink)
	if len(got) != 7 {
		t.Errorf("%d aggregates, want 7", len(got))
	}
	if _, ok := got[insBin{"fn-005", t0}]; ok {
		t.Error("figures for the deleted group")
	}
}

// padResults passes calls on to a real client, but pads the first
// complete GetQueryResults answer to the row limit with rows of a group
// nobody asked for, as if the query had been cut.
type padResults struct {
	LogsAPI
	mu     sync.Mutex
	padded bool
}

func (r *padResults) GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	out, err := r.LogsAPI.GetQueryResults(ctx, in, optFns...)
	if err != nil || out.Status != types.QueryStatusComplete {
		return out, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.padded {
		r.padded = true
		for len(out.Results) < insightsLimit {
			out.Results = append(out.Results, []types.ResultField{
				{Field: aws.String("bin(1m)"), Value: aws.String("2026-03-10 09:00:00.000")},
				{Field: aws.String("@log"), Value: aws.String("123456789012:/aws/lambda/elsewhere")},
				{Field: aws.String("invocations"), Value: aws.String("1")},
			})
		}
	}
	return out, nil
}

// A query that returns as many rows as the limit may have been cut: it is
// run again in halves, and only the halves' figures count.
func TestAggregateSplitsAtRowLimit(t *testing.T) {
	fastInsights(t)
	srv := cwltest.Start(t)
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 30, t0)
	p, sink := insightsPlace(t, srv)
	p.logs = &padResults{LogsAPI: p.logs}
	if err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("StartQuery"); n != int(queryKinds)+2 {
		t.Errorf("%d StartQuery calls, want %d (the batch's queries, then the halves of the cut one)", n, queryKinds+2)
	}
	got := insAggregates(t, sink)
	if len(got) != 30 {
		t.Errorf("%d aggregates, want 30", len(got))
	}
	for k, e := range got {
		if e.Aggregate.Invocations != 1 {
			t.Errorf("%s: %d invocations, want 1", k.fn, e.Aggregate.Invocations)
		}
	}
}

// Queries that never complete are stopped after insightsTimeout.
func TestAggregateQueryTimeout(t *testing.T) {
	fastInsights(t)
	insightsTimeout = 50 * time.Millisecond
	srv := cwltest.Start(t, cwltest.WithQueryPolls(1<<30))
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	gs := insPutFleet(srv, 2, t0)
	p, sink := insightsPlace(t, srv)
	err := p.aggregate(context.Background(), gs, t0, t0.Add(time.Minute))
	if err == nil || !strings.Contains(err.Error(), "no result after") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.Calls("StopQuery"); n != int(queryKinds) {
		t.Errorf("%d StopQuery calls, want %d", n, queryKinds)
	}
	if n := len(sink.events(0)); n != 0 {
		t.Errorf("%d events emitted", n)
	}
}

func TestPlanInsights(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	mk := func(n int) []*group {
		gs := make([]*group, n)
		for i := range gs {
			gs[i] = &group{name: fmt.Sprint(i)}
		}
		return gs
	}
	for _, c := range []struct {
		groups int
		span   time.Duration
		jobs   int
	}{
		{1, time.Hour, 1},
		{50, time.Hour, 1},
		{51, time.Hour, 2},
		{120, time.Hour, 3},
		{50, 24 * time.Hour, 8},     // 199 minutes a query
		{1, 30 * 24 * time.Hour, 5}, // 9999 minutes a query
	} {
		jobs := planInsights(mk(c.groups), t0, t0.Add(c.span))
		if len(jobs) != c.jobs {
			t.Errorf("%d groups over %s: %d queries, want %d", c.groups, c.span, len(jobs), c.jobs)
		}
		cover := map[string]time.Duration{}
		for _, j := range jobs {
			if len(j.groups) > insightsBatch || len(j.groups)*int(j.to.Sub(j.from)/time.Minute+1) > insightsLimit {
				t.Errorf("query of %d groups over %s may exceed the limits", len(j.groups), j.to.Sub(j.from))
			}
			for _, g := range j.groups {
				cover[g.name] += j.to.Sub(j.from)
			}
		}
		for name, d := range cover {
			if d != c.span {
				t.Errorf("group %s covered for %s, want %s", name, d, c.span)
			}
		}
	}
	j := insightsJob{groups: mk(1), from: t0, to: t0.Add(5 * time.Minute)}
	h, ok := j.halve()
	if !ok || !h[0].to.Equal(t0.Add(2*time.Minute)) || !h[1].from.Equal(h[0].to) || !h[1].to.Equal(j.to) {
		t.Errorf("halve by time: %v %+v", ok, h)
	}
	if _, ok := (insightsJob{groups: mk(1), from: t0, to: t0.Add(time.Minute)}).halve(); ok {
		t.Error("a single group's single minute cannot be halved")
	}
}

// Rows as the real service prints them: scientific notation for bytes,
// @log with the account.
func TestParseInsightsRowRealValues(t *testing.T) {
	f := func(k, v string) types.ResultField {
		return types.ResultField{Field: aws.String(k), Value: aws.String(v)}
	}
	r, acc, ok := parseInsightsRow([]types.ResultField{
		f("bin(1m)", "2023-12-05 22:14:00.000"), f("@log", "123456789012:/aws/lambda/fn"),
		f("invocations", "12"), f("billed", "1530.0"), f("dsum", "1497.3"), f("dmax", "401.5"),
		f("p50", "14.97"), f("p90", "300.1"), f("p99", "401.5"), f("cold", "2"),
		f("timeouts", "1"), f("errs", "3"), f("mem", "1.28E8"),
	})
	if !ok || acc != "123456789012" || r.group != "/aws/lambda/fn" || r.memMB != 128 ||
		!r.at.Equal(time.Date(2023, 12, 5, 22, 14, 0, 0, time.UTC)) {
		t.Fatalf("row %+v account %q ok %v", r, acc, ok)
	}
	a := r.agg
	if a.Invocations != 12 || a.ColdStarts != 2 || a.Timeouts != 1 || a.Errors != 4 || a.BilledMs != 1530 ||
		a.Duration != (model.DurationSummary{Count: 12, Sum: 1497.3, Max: 401.5, P50: 14.97, P90: 300.1, P99: 401.5}) {
		t.Errorf("aggregate %+v", a)
	}
	if _, _, ok := parseInsightsRow([]types.ResultField{f("@log", "1:/g")}); ok {
		t.Error("a row without a bin must be dropped")
	}

	// aggregateJSONQuery's: errors are the statuses but success, memory is
	// in MB, restores are cold starts.
	r, _, ok = parseInsightsRow([]types.ResultField{
		f("bin(1m)", "2023-12-05 22:14:00.000"), f("@log", "123456789012:/aws/lambda/j"),
		f("invocations", "10"), f("cold", "1"), f("restores", "2"), f("timeouts", "1"),
		f("statuses", "10"), f("successes", "7"), f("memMB", "512"),
	})
	if a := r.agg; !ok || a.Invocations != 10 || a.ColdStarts != 3 || a.Timeouts != 1 || a.Errors != 3 || r.memMB != 512 {
		t.Errorf("JSON row %+v (ok %v)", r, ok)
	}
}
