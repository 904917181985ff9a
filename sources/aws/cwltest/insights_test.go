package cwltest

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/fntop/fntop/sources/demo"
)

const fleetQuery = `filter @type = "REPORT"
| stats count(*) as invocations, sum(@billedDuration) as billed, avg(@duration), max(@maxMemoryUsed),
        pct(@duration, 99), count(@initDuration) as coldStarts, sum(ispresent(@initDuration)) as cold2,
        max(@memorySize) as mem
  by bin(1m), @log`

// reportAgg is what the query must find for one (minute, group), computed
// from the stored messages without the server's parser.
type reportAgg struct {
	n, cold       int
	billed, dur   float64
	maxMem, memSz float64
	durs          []float64
}

func reportField(msg, name string) (float64, bool) {
	for _, part := range strings.Split(strings.TrimSuffix(msg, "\n"), "\t") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, name+": "); ok {
			f, err := strconv.ParseFloat(strings.Fields(v)[0], 64)
			return f, err == nil
		}
	}
	return 0, false
}

func runQuery(t *testing.T, c *cwl.Client, in *cwl.StartQueryInput) (*cwl.GetQueryResultsOutput, []types.QueryStatus) {
	t.Helper()
	ctx := context.Background()
	q, err := c.StartQuery(ctx, in)
	mustNil(t, err)
	var statuses []types.QueryStatus
	for range 50 {
		out, err := c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: q.QueryId})
		mustNil(t, err)
		statuses = append(statuses, out.Status)
		if out.Status == types.QueryStatusComplete {
			return out, statuses
		}
	}
	t.Fatalf("query never completed: %v", statuses)
	return nil, nil
}

func TestInsightsReportStats(t *testing.T) {
	srv := Start(t, WithQueryPolls(2))
	start, end := t0.Add(-4*time.Minute), t0
	if n := srv.FillFromDemo(3, start, end, demo.Functions(5)); n < 1000 {
		t.Fatalf("demo filled only %d events", n)
	}
	groups := srv.Groups()
	if len(groups) != 5 {
		t.Fatalf("%d groups", len(groups))
	}

	want := map[[2]string]*reportAgg{}
	for _, g := range groups {
		for _, e := range srv.Events(g.Name) {
			if !strings.HasPrefix(e.Message, "REPORT RequestId: ") {
				continue
			}
			minute := time.UnixMilli(e.Timestamp).UTC().Truncate(time.Minute).Format("2006-01-02 15:04:05.000")
			k := [2]string{minute, srv.Account() + ":" + g.Name}
			a := want[k]
			if a == nil {
				a = &reportAgg{}
				want[k] = a
			}
			a.n++
			d, _ := reportField(e.Message, "Duration")
			b, _ := reportField(e.Message, "Billed Duration")
			m, _ := reportField(e.Message, "Max Memory Used")
			sz, _ := reportField(e.Message, "Memory Size")
			a.dur += d
			a.durs = append(a.durs, d)
			a.billed += b
			a.maxMem = math.Max(a.maxMem, m*1e6)
			a.memSz = sz * 1e6
			if _, ok := reportField(e.Message, "Init Duration"); ok {
				a.cold++
			}
		}
	}
	var ids []string
	for _, g := range groups {
		ids = append(ids, g.ARN)
	}
	c := Client(t, srv)
	out, statuses := runQuery(t, c, &cwl.StartQueryInput{
		LogGroupIdentifiers: ids, QueryString: aws.String(fleetQuery),
		StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix()),
	})
	if len(statuses) != 3 || statuses[0] != types.QueryStatusRunning {
		t.Errorf("statuses %v, want Running, Running, Complete", statuses)
	}
	if len(out.Results) != len(want) || len(want) < 15 {
		t.Fatalf("%d rows, want %d", len(out.Results), len(want))
	}
	totalCold := 0
	for _, row := range out.Results {
		f := map[string]string{}
		for _, c := range row {
			f[*c.Field] = *c.Value
		}
		a := want[[2]string{f["bin(1m)"], f["@log"]}]
		if a == nil {
			t.Fatalf("unexpected row %v", f)
		}
		num := func(k string) float64 {
			v, err := strconv.ParseFloat(f[k], 64)
			if err != nil {
				t.Fatalf("%s = %q in %v", k, f[k], f)
			}
			return v
		}
		sort.Float64s(a.durs)
		p99 := a.durs[int(math.Ceil(0.99*float64(len(a.durs))))-1]
		for _, chk := range []struct {
			k    string
			want float64
		}{
			{"invocations", float64(a.n)}, {"billed", a.billed}, {"avg(@duration)", a.dur / float64(a.n)},
			{"max(@maxMemoryUsed)", a.maxMem}, {"pct(@duration, 99)", p99}, {"coldStarts", float64(a.cold)},
			{"cold2", float64(a.cold)}, {"mem", a.memSz},
		} {
			if got := num(chk.k); math.Abs(got-chk.want) > 1e-6*math.Max(1, chk.want) {
				t.Errorf("%s %s: %s = %v, want %v", f["bin(1m)"], f["@log"], chk.k, got, chk.want)
			}
		}
		totalCold += a.cold
	}
	if totalCold == 0 {
		t.Error("no cold starts in the fleet: the test checks nothing about them")
	}
	if out.Statistics == nil || out.Statistics.RecordsMatched == 0 || out.Statistics.RecordsScanned <= out.Statistics.RecordsMatched {
		t.Errorf("statistics %+v", out.Statistics)
	}

	// A narrower query: sort and limit, a numeric filter, one group by name.
	out, _ = runQuery(t, c, &cwl.StartQueryInput{
		LogGroupName: aws.String(groups[0].Name),
		QueryString:  aws.String(`filter @type = "REPORT" and @duration > 0 | stats count(*) as n by bin(1m) | sort n desc | limit 2`),
		StartTime:    aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix()),
	})
	if len(out.Results) != 2 {
		t.Errorf("sorted rows %v", out.Results)
	}
	n0, _ := strconv.Atoi(*out.Results[0][1].Value)
	n1, _ := strconv.Atoi(*out.Results[1][1].Value)
	if n0 < n1 {
		t.Errorf("not sorted desc: %d < %d", n0, n1)
	}
}

func TestInsightsFaults(t *testing.T) {
	srv := Start(t, WithMaxQueries(1))
	srv.Put("/aws/lambda/q", "s", Event{Time: t0, Message: "REPORT RequestId: 8f5a6b1c-0000-4000-8000-000000000001\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 100.25 ms\t\n"})
	c := Client(t, srv, func(o *cwl.Options) { o.Retryer = aws.NopRetryer{} })
	ctx := context.Background()
	in := &cwl.StartQueryInput{LogGroupName: aws.String("/aws/lambda/q"), QueryString: aws.String(`filter @type = "REPORT" | stats sum(@initDuration) as init, max(@memorySize)`),
		StartTime: aws.Int64(t0.Unix() - 60), EndTime: aws.Int64(t0.Unix() + 60)}
	q, err := c.StartQuery(ctx, in)
	mustNil(t, err)
	if _, err = c.StartQuery(ctx, in); apiCode(err) != "LimitExceededException" {
		t.Errorf("second concurrent query: %v", err)
	}
	st, err := c.StopQuery(ctx, &cwl.StopQueryInput{QueryId: q.QueryId})
	mustNil(t, err)
	r, err := c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: q.QueryId})
	mustNil(t, err)
	if !st.Success || r.Status != types.QueryStatusCancelled {
		t.Errorf("stop: %v, status %s", st.Success, r.Status)
	}
	out, _ := runQuery(t, c, in)
	if len(out.Results) != 1 || *out.Results[0][0].Value != "100.25" || *out.Results[0][1].Value != "128000000" {
		t.Errorf("rows %v", out.Results)
	}
	srv.Deny("StartQuery", true)
	if _, err = c.StartQuery(ctx, in); apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied: %v", err)
	}
	srv.Deny("StartQuery", false)
	srv.FailNext("StartQuery", 1, ErrLimitExceeded)
	if _, err = c.StartQuery(ctx, in); apiCode(err) != "LimitExceededException" {
		t.Errorf("injected limit: %v", err)
	}
	in.QueryString = aws.String(`stats nonsense(@x)`)
	if _, err = c.StartQuery(ctx, in); apiCode(err) != "MalformedQueryException" {
		t.Errorf("malformed: %v", err)
	}
}

// SnapStart REPORT lines carry "Restore Duration" and "Billed Restore
// Duration": neither is @duration or @billedDuration.
func TestInsightsRestoreDurationIsNotDuration(t *testing.T) {
	srv := Start(t, WithQueryPolls(0))
	srv.Put("/aws/lambda/snap", "s", Event{Time: t0, Message: "REPORT RequestId: 8f5a6b1c-0000-4000-8000-000000000002\tDuration: 169.49 ms\tBilled Duration: 620 ms\tMemory Size: 1024 MB\tMax Memory Used: 180 MB\tRestore Duration: 412.30 ms\tBilled Restore Duration: 450 ms\t\n"})
	c := Client(t, srv)
	out, _ := runQuery(t, c, &cwl.StartQueryInput{LogGroupName: aws.String("/aws/lambda/snap"),
		QueryString: aws.String(`filter @type = "REPORT" | stats max(@duration) as d, sum(@billedDuration) as b, count(@initDuration) as cold`),
		StartTime:   aws.Int64(t0.Unix() - 60), EndTime: aws.Int64(t0.Unix() + 60)})
	if len(out.Results) != 1 {
		t.Fatalf("rows %v", out.Results)
	}
	got := map[string]string{}
	for _, f := range out.Results[0] {
		got[*f.Field] = *f.Value
	}
	if got["d"] != "169.49" || got["b"] != "620" || got["cold"] != "0" {
		t.Errorf("row %v, want d 169.49, b 620, cold 0", got)
	}
}

// jsonReport is what a test reads of a platform.report message.
type jsonReport struct {
	Type   string `json:"type"`
	Record struct {
		Metrics struct {
			DurationMs, BilledDurationMs, InitDurationMs *float64
			MemorySizeMB                                 float64
		} `json:"metrics"`
		Status string `json:"status"`
	} `json:"record"`
}

const jsonFleetQuery = `filter type = "platform.report"
| stats count(*) as invocations, sum(record.metrics.billedDurationMs) as billed,
        max(record.metrics.durationMs) as dmax, pct(record.metrics.durationMs, 99) as p99,
        count(record.metrics.initDurationMs) as cold,
        sum(strcontains(record.status, "timeout")) as timeouts,
        count(record.status) as statuses, sum(strcontains(record.status, "success")) as successes,
        max(record.metrics.memorySizeMB) as mem
  by bin(1m), @log`

// Functions using Lambda's JSON log format are queried through the fields
// Insights discovers in their JSON messages; the text format's discovered
// fields (@type, @duration, ...) stay theirs alone.
func TestInsightsJSONReportStats(t *testing.T) {
	srv := Start(t, WithQueryPolls(0))
	start, end := t0.Add(-3*time.Minute), t0
	srv.FillFromDemo(5, start, end)
	type agg struct {
		n, cold, timeouts, failed int
		billed, dmax, mem         float64
		durs                      []float64
	}
	want := map[[2]string]*agg{}
	var ids []string
	for _, g := range srv.Groups() {
		for _, e := range srv.Events(g.Name) {
			var r jsonReport
			if json.Unmarshal([]byte(e.Message), &r) != nil || r.Type != "platform.report" {
				continue
			}
			k := [2]string{time.UnixMilli(e.Timestamp).UTC().Truncate(time.Minute).Format(insightsTime), srv.Account() + ":" + g.Name}
			a := want[k]
			if a == nil {
				a = &agg{}
				want[k] = a
			}
			if len(ids) == 0 || ids[len(ids)-1] != g.Name {
				ids = append(ids, g.Name)
			}
			m := r.Record.Metrics
			a.n++
			a.billed += *m.BilledDurationMs
			a.dmax = math.Max(a.dmax, *m.DurationMs)
			a.durs = append(a.durs, *m.DurationMs)
			a.mem = m.MemorySizeMB
			if m.InitDurationMs != nil {
				a.cold++
			}
			if r.Record.Status == "timeout" {
				a.timeouts++
			}
			if r.Record.Status != "success" {
				a.failed++
			}
		}
	}
	if len(ids) < 3 || len(ids) > 50 {
		t.Fatalf("%d groups of JSON-format functions in the demo fleet", len(ids))
	}
	c := Client(t, srv)
	out, _ := runQuery(t, c, &cwl.StartQueryInput{LogGroupNames: ids, QueryString: aws.String(jsonFleetQuery),
		StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix())})
	if len(out.Results) != len(want) {
		t.Fatalf("%d rows, want %d", len(out.Results), len(want))
	}
	var cold, failed int
	for _, row := range out.Results {
		f := map[string]string{}
		for _, c := range row {
			f[*c.Field] = *c.Value
		}
		a := want[[2]string{f["bin(1m)"], f["@log"]}]
		if a == nil {
			t.Fatalf("unexpected row %v", f)
		}
		sort.Float64s(a.durs)
		p99 := a.durs[int(math.Ceil(0.99*float64(len(a.durs))))-1]
		for _, chk := range []struct {
			k    string
			want float64
		}{
			{"invocations", float64(a.n)}, {"billed", a.billed}, {"dmax", a.dmax}, {"p99", p99},
			{"cold", float64(a.cold)}, {"timeouts", float64(a.timeouts)}, {"mem", a.mem},
		} {
			if got, err := strconv.ParseFloat(f[chk.k], 64); err != nil || math.Abs(got-chk.want) > 1e-9*math.Max(1, chk.want) {
				t.Errorf("%s %s: %s = %q, want %v", f["bin(1m)"], f["@log"], chk.k, f[chk.k], chk.want)
			}
		}
		statuses, _ := strconv.Atoi(f["statuses"])
		successes, _ := strconv.Atoi(f["successes"])
		if statuses != a.n || statuses-successes != a.failed {
			t.Errorf("%s %s: %d statuses, %d successes; want %d, %d failed", f["bin(1m)"], f["@log"], statuses, successes, a.n, a.failed)
		}
		cold += a.cold
		failed += a.failed
	}
	t.Logf("%d rows of %d groups: %d cold starts, %d failed", len(want), len(ids), cold, failed)
	if cold == 0 {
		t.Error("no cold start among the JSON reports: the test checks nothing about them")
	}

	// The text query finds nothing in the JSON groups: no record of theirs
	// has @type.
	out, _ = runQuery(t, c, &cwl.StartQueryInput{LogGroupNames: ids, QueryString: aws.String(fleetQuery),
		StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix())})
	if len(out.Results) != 0 {
		t.Errorf("the text query found %d rows in JSON-format groups", len(out.Results))
	}
}

// JSON discovery: nested names with dots, arrays by index, numbers
// compared as numbers, booleans as text; messages that are not one JSON
// object have no fields but the system ones, and a JSON member cannot
// replace a system field.
func TestInsightsJSONFields(t *testing.T) {
	srv := Start(t, WithQueryPolls(0))
	g := "/aws/lambda/j"
	srv.Put(g, "s",
		Event{Time: t0, Message: `{"level":"ERROR","requestId":"r-1","n":12.5,"ok":true,"a":{"b":{"c":"deep"}},"stackTrace":["at x","at y"],"@message":"spoof","nothing":null}` + "\n"},
		Event{Time: t0.Add(time.Second), Message: `{"level":"INFO","requestId":"r-2","n":3}` + "\n"},
		Event{Time: t0.Add(2 * time.Second), Message: `{"level":"ERROR","requestId":"r-3"} trailing`},
		Event{Time: t0.Add(3 * time.Second), Message: "level ERROR n 100\n"},
	)
	c := Client(t, srv)
	q := func(qs string) []map[string]string {
		t.Helper()
		out, _ := runQuery(t, c, &cwl.StartQueryInput{LogGroupName: aws.String(g), QueryString: aws.String(qs),
			StartTime: aws.Int64(t0.Unix() - 60), EndTime: aws.Int64(t0.Unix() + 60)})
		var rows []map[string]string
		for _, row := range out.Results {
			f := map[string]string{}
			for _, c := range row {
				f[*c.Field] = *c.Value
			}
			rows = append(rows, f)
		}
		return rows
	}
	rows := q(`fields requestId, a.b.c, stackTrace.1, ok, n, nothing, @message | filter level = "ERROR"`)
	if len(rows) != 1 {
		t.Fatalf("rows %v, want the one valid JSON ERROR message", rows)
	}
	r := rows[0]
	if r["requestId"] != "r-1" || r["a.b.c"] != "deep" || r["stackTrace.1"] != "at y" || r["ok"] != "true" || r["n"] != "12.5" ||
		!strings.HasPrefix(r["@message"], `{"level":"ERROR"`) {
		t.Errorf("fields %v", r)
	}
	if _, ok := r["nothing"]; ok {
		t.Errorf("a null member is a field: %v", r)
	}
	rows = q(`filter n > 10 | stats count(*) as big, sum(n) as total, count(level) as leveled`)
	if len(rows) != 1 || rows[0]["big"] != "1" || rows[0]["total"] != "12.5" || rows[0]["leveled"] != "1" {
		t.Errorf("numeric filter: %v", rows)
	}
	rows = q(`stats count(level) as leveled, sum(strcontains(level, "ERR")) as errs, count(*) as all`)
	if len(rows) != 1 || rows[0]["leveled"] != "2" || rows[0]["errs"] != "1" || rows[0]["all"] != "4" {
		t.Errorf("stats over JSON fields: %v", rows)
	}
}

// A like of plain alternatives (matched without the regexp engine) means
// what the regular expression means: "\." is a dot, not any character.
func TestInsightsLikeAlternatives(t *testing.T) {
	srv := Start(t, WithQueryPolls(0))
	g := "/aws/lambda/l"
	for i, m := range []string{"x Task timed out after 3.00 seconds", "Runtime.ExitError", "RuntimeXExitError", "REPORT Status: error", "quiet"} {
		srv.Put(g, "s", Event{Time: t0.Add(time.Duration(i) * time.Second), Message: m + "\n"})
	}
	c := Client(t, srv)
	count := func(qs string) []string {
		t.Helper()
		out, _ := runQuery(t, c, &cwl.StartQueryInput{LogGroupName: aws.String(g), QueryString: aws.String(qs),
			StartTime: aws.Int64(t0.Unix() - 60), EndTime: aws.Int64(t0.Unix() + 60)})
		var msgs []string
		for _, row := range out.Results {
			for _, f := range row {
				if *f.Field == "@message" {
					msgs = append(msgs, strings.TrimSpace(*f.Value))
				}
			}
		}
		return msgs
	}
	if got := count(`fields @timestamp, @logStream, @message | filter @message like /Task timed out|Runtime\.|Status: error/ | limit 10000`); strings.Join(got, "|") != "x Task timed out after 3.00 seconds|Runtime.ExitError|REPORT Status: error" {
		t.Errorf("like alternatives: %q", got)
	}
	if got := count(`fields @message | filter @message like /Runtime[.X]|^quiet/ | limit 2`); strings.Join(got, "|") != "Runtime.ExitError|RuntimeXExitError" {
		t.Errorf("like regexp with limit: %q", got)
	}
	if got := count(`fields @message | filter @message not like /Task timed out|Runtime\.|Status: error/`); strings.Join(got, "|") != "RuntimeXExitError|quiet" {
		t.Errorf("not like: %q", got)
	}
}
