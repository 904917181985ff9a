package aws

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/awsapi"
)

// The CloudWatch Logs actions whose answers FuzzCloudWatchResponse fuzzes.
var fuzzOps = []string{"FilterLogEvents", "DescribeLogGroups", "GetQueryResults", "StartQuery"}

// fuzzLogs is a CloudWatch Logs endpoint on 127.0.0.1 that answers one
// action with the fuzzed body (status 200, the service's Content-Type) and
// the others as the service would.
type fuzzLogs struct {
	mu   sync.Mutex
	op   string
	body []byte
	srv  *httptest.Server
}

func newFuzzLogs(tb testing.TB) *fuzzLogs {
	l := &fuzzLogs{}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
		l.mu.Lock()
		fop, body := l.op, l.body
		l.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if op == fop {
			_, _ = w.Write(body)
			return
		}
		switch op {
		case "DescribeLogGroups":
			fmt.Fprint(w, `{"logGroups":[{"logGroupName":"/aws/lambda/a","arn":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:*"}]}`)
		case "StartQuery":
			fmt.Fprint(w, `{"queryId":"q-1"}`)
		case "GetQueryResults":
			fmt.Fprint(w, `{"status":"Complete","results":[]}`)
		case "FilterLogEvents":
			fmt.Fprint(w, `{"events":[]}`)
		default:
			fmt.Fprint(w, `{}`)
		}
	}))
	tb.Cleanup(l.srv.Close)
	return l
}

func (l *fuzzLogs) set(op string, body []byte) {
	l.mu.Lock()
	l.op, l.body = op, body
	l.mu.Unlock()
}

// client is the real SDK client on the endpoint, one attempt per call as
// the source makes them.
func (l *fuzzLogs) client() *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		HTTPClient:   awsapi.BufferRequestBodies(l.srv.Client()),
		Region:       "us-east-1",
		BaseEndpoint: aws.String(l.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFUZZ", "fuzz-secret", ""),
		Retryer:      aws.NopRetryer{},
		APIOptions:   []func(*middleware.Stack) error{awsapi.NoHostPrefix},
	})
}

// FuzzCloudWatchResponse feeds fuzzed answers of FilterLogEvents,
// DescribeLogGroups, GetQueryResults and StartQuery through the real SDK
// client into the source's poller, discovery and Insights aggregation.
// Each call ends (no hang: it returns at the latest shortly after its
// deadline, retries included), never panics, and what reaches the sink is
// sane: counts never negative, figures finite, events attributed to a
// function, the group count bounded by the groups the answer names.
func FuzzCloudWatchResponse(f *testing.F) {
	report := "REPORT RequestId: 1c5e8c6f-0000-4000-8000-000000000001\tDuration: 12.5 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
	for _, s := range []struct {
		op   int
		body string
	}{
		{0, `{"events":[{"logStreamName":"2024/05/01/[$LATEST]ab","timestamp":1714557600000,"message":` + fmt.Sprintf("%q", report) + `,"eventId":"1"}],"searchedLogStreams":[]}`},
		{0, `{"events":[{"timestamp":-1,"message":"START RequestId: x Version: $LATEST\n"},{"timestamp":9223372036854775807,"message":"\u001b]0;t\u0007"}],"nextToken":"t"}`},
		{0, `{"events":[{"timestamp":1.5,"message":null},{}],"nextToken":""}`},
		{0, `{"events":null}`},
		{1, `{"logGroups":[{"logGroupName":"/aws/lambda/a"},{"logGroupName":"/aws/lambda/b","logGroupArn":"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/b"}],"nextToken":"n"}`},
		{1, `{"logGroups":[{"logGroupName":""},{"arn":"x"},{}]}`},
		{2, `{"status":"Complete","results":[[{"field":"bin(1m)","value":"2024-05-01 10:00:00.000"},{"field":"@log","value":"123456789012:/aws/lambda/a"},{"field":"invocations","value":"5"},{"field":"dsum","value":"50"},{"field":"p50","value":"9"},{"field":"p90","value":"10"},{"field":"p99","value":"11"},{"field":"dmax","value":"12"}]]}`},
		{2, `{"status":"Complete","results":[[{"field":"bin(1m)","value":"2024-05-01 10:00:00.000"},{"field":"@log","value":"1:/aws/lambda/a"},{"field":"invocations","value":"-1e300"},{"field":"errs","value":"1e300"},{"field":"dsum","value":"-5"}]]}`},
		{2, `{"status":"Running","results":[]}`},
		{2, `{"status":"Failed"}`},
		{2, `{"status":"Complete","results":[[{"field":"@timestamp","value":"2024-05-01 10:00:30.000"},{"field":"@log","value":"1:/aws/lambda/a"},{"field":"@message","value":"2024-05-01T10:00:30.000Z 1c5e8c6f-0000-4000-8000-000000000001 Task timed out after 3.00 seconds"}]],"nextToken":"n"}`},
		{3, `{"queryId":""}`},
		{3, `{}`},
		{0, ``},
		{1, `{`},
		{2, `null`},
	} {
		f.Add([]byte(s.body), uint8(s.op))
	}
	l := newFuzzLogs(f)
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		op := fuzzOps[int(which)%len(fuzzOps)]
		l.set(op, body)
		poll, pollMax, timeout := insightsPoll, insightsPollMax, insightsTimeout
		insightsPoll, insightsPollMax, insightsTimeout = time.Millisecond, time.Millisecond, 200*time.Millisecond
		defer func() { insightsPoll, insightsPollMax, insightsTimeout = poll, pollMax, timeout }()

		opts := Options{Clock: func() time.Time { return time.Date(2024, 5, 1, 10, 5, 0, 0, time.UTC) }}
		opts.defaults()
		sink := &recSink{}
		p := newPlaceWith(&opts, "aws:us-east-1", "", "", "us-east-1", l.client(), nil, sink)
		g := &group{name: "/aws/lambda/a", arn: "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/a", function: "a"}
		p.groups[g.name] = g

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		switch op {
		case "FilterLogEvents":
			for range 3 { // follows the next token, if any
				if _, done, err := p.pollPage(ctx, g); done || err != nil {
					break
				}
			}
		case "DescribeLogGroups":
			n, err := p.discover(ctx)
			if err == nil && (n < 0 || n > 1+strings.Count(string(body), "logGroupName")) {
				t.Fatalf("%d groups from %q", n, body)
			}
		default:
			from := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
			_ = p.aggregate(ctx, []*group{g}, from, from.Add(3*time.Minute))
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("%s: the call took %s, past its 2s deadline", op, d)
		}
		fuzzCheckAWSEvents(t, sink.events(0))
	})
}

// FuzzInsightsRows reads fuzzed Logs Insights rows (one a line, fields
// "name=value" separated by tabs) as each of the three queries' answers,
// then emits the batch: nothing panics, and every aggregate has counts
// that are never negative and finite, non-negative durations.
func FuzzInsightsRows(f *testing.F) {
	for _, s := range []string{
		"bin(1m)=2024-05-01 10:00:00.000\t@log=123456789012:/aws/lambda/a\tinvocations=5\tbilled=60\tdsum=50\tdmax=12\tp50=9\tp90=10\tp99=11\tcold=1\trestores=0\ttimeouts=1\terrs=1\tmem=1.28E8",
		"bin(1m)=2024-05-01 10:01:00.000\t@log=1:/aws/lambda/a\tinvocations=2\tstatuses=2\tsuccesses=1\ttimeouts=1\tmemMB=512",
		"bin(1m)=2024-05-01 10:00:00.000\t@log=1:/aws/lambda/a\tinvocations=-3\terrs=1e300\tdsum=-1\tp50=NaN\tmem=-5",
		"@timestamp=2024-05-01 10:00:30.000\t@log=1:/aws/lambda/a\t@logStream=s\t@message=2024-05-01T10:00:30.000Z 1c5e8c6f-0000-4000-8000-000000000001 Task timed out after 3.00 seconds",
		"@timestamp=2024-05-01 10:00:29.000\t@log=1:/aws/lambda/a\t@logStream=s\t@message=REPORT RequestId: 1c5e8c6f-0000-4000-8000-000000000001\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout",
		"@timestamp=2024-05-01 10:00:31.000\t@log=1:/aws/lambda/a\t@logStream=s\t@message=RequestId: 1c5e8c6f-0000-4000-8000-000000000001 Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory",
		"@log=:\tbin(=",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var rows [][]types.ResultField
		for _, line := range strings.Split(data, "\n") {
			var fields []types.ResultField
			for _, kv := range strings.Split(line, "\t") {
				k, v, _ := strings.Cut(kv, "=")
				fields = append(fields, types.ResultField{Field: aws.String(k), Value: aws.String(v)})
			}
			rows = append(rows, fields)
		}
		opts := Options{Clock: func() time.Time { return time.Date(2024, 5, 1, 10, 5, 0, 0, time.UTC) }}
		opts.defaults()
		sink := &recSink{}
		p := newPlaceWith(&opts, "aws:us-east-1", "", "", "us-east-1", nil, nil, sink)
		g := &group{name: "/aws/lambda/a", function: "a"}
		from := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
		j := insightsJob{groups: []*group{g}, from: from, to: from.Add(3 * time.Minute)}
		b := &aggBatch{job: j}
		for k := range queryKinds {
			b.add(k, j, rows)
		}
		p.emitBatch(b)
		evs := sink.events(0)
		fuzzCheckAWSEvents(t, evs)
		for _, e := range evs {
			if e.Kind == model.KindAggregate && (e.Time.Before(j.from) || !e.Time.Before(j.to)) {
				t.Fatalf("aggregate at %s, outside [%s, %s)", e.Time, j.from, j.to)
			}
		}
	})
}

// fuzzCheckAWSEvents checks events of the AWS source.
func fuzzCheckAWSEvents(t *testing.T, evs []model.Event) {
	t.Helper()
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	for _, e := range evs {
		switch e.Kind {
		case model.KindAggregate:
			a := e.Aggregate
			if a.Span <= 0 || a.Invocations < 0 || a.Errors < 0 || a.Timeouts < 0 || a.ColdStarts < 0 || a.Throttles < 0 {
				t.Fatalf("bad counts: %+v", a)
			}
			d := a.Duration
			for _, v := range []float64{d.Sum, d.Max, d.P50, d.P90, d.P99, a.BilledMs, a.GBSeconds} {
				if !ok(v) {
					t.Fatalf("bad figures: %+v", a)
				}
			}
			if d.Count < 0 || d.Count > a.Invocations {
				t.Fatalf("bad duration count: %+v", a)
			}
		case model.KindInvocation:
			in := e.Invocation
			for _, v := range []float64{in.DurationMs, in.BilledMs, in.InitDurationMs, in.RestoreDurationMs} {
				if !ok(v) {
					t.Fatalf("bad invocation: %+v", in)
				}
			}
		case model.KindMeta:
			if e.Meta.MemorySizeMB < 0 {
				t.Fatalf("bad meta: %+v", e.Meta)
			}
		case model.KindSkipped:
			if e.Skipped.Count <= 0 {
				t.Fatalf("bad skipped: %+v", e.Skipped)
			}
		}
		switch e.Kind {
		case model.KindAggregate, model.KindInvocation, model.KindLog, model.KindMeta:
			if e.Function == "" {
				t.Fatalf("%v event without a function: %+v", e.Kind, e)
			}
		}
	}
}
