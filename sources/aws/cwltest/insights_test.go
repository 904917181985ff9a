package cwltest

import (
	"context"
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
