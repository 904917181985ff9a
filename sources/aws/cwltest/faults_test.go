package cwltest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func TestWireErrors(t *testing.T) {
	srv := Start(t)
	srv.Throttle("DescribeLogGroups", 1)
	post := func(target string) (int, string, http.Header) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		resp, err := http.DefaultClient.Do(req)
		mustNil(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, h := post("Logs_20140328.DescribeLogGroups")
	if code != 400 || body != `{"__type":"ThrottlingException","message":"Rate exceeded"}` ||
		h.Get("Content-Type") != "application/x-amz-json-1.1" || h.Get("X-Amzn-ErrorType") != "ThrottlingException" {
		t.Errorf("throttle answer %d %s %v", code, body, h)
	}
	if code, body, _ = post("Logs_20140328.DescribeLogGroups"); code != 200 || body != `{"logGroups":[]}` {
		t.Errorf("second answer %d %s", code, body)
	}
	if code, body, _ = post("Logs_20140328.PutLogEvents"); code != 400 || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("unknown op %d %s", code, body)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Code != "ThrottlingException" || reqs[1].Code != "" || reqs[2].Op != "PutLogEvents" {
		t.Errorf("request log %+v", reqs)
	}
}

func TestThrottlingRetries(t *testing.T) {
	srv := Start(t)
	srv.AddGroup("/aws/lambda/a")
	c := Client(t, srv)
	ctx := context.Background()
	in := &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/a")}

	// A burst shorter than the attempts is absorbed by the SDK's retries.
	srv.Throttle("FilterLogEvents", ClientMaxAttempts-1)
	_, err := c.FilterLogEvents(ctx, in)
	mustNil(t, err)
	if n := srv.Calls("FilterLogEvents"); n != ClientMaxAttempts {
		t.Errorf("calls %d, want %d", n, ClientMaxAttempts)
	}

	// A longer one surfaces as ThrottlingException once attempts run out.
	srv.ResetCalls()
	srv.Throttle("FilterLogEvents", ClientMaxAttempts+1)
	_, err = c.FilterLogEvents(ctx, in)
	if apiCode(err) != "ThrottlingException" || !strings.Contains(err.Error(), "exceeded maximum number of attempts") {
		t.Errorf("err = %v", err)
	}
	if n := srv.Calls("FilterLogEvents"); n != ClientMaxAttempts {
		t.Errorf("calls %d, want %d", n, ClientMaxAttempts)
	}
	_, err = c.FilterLogEvents(ctx, in) // the last queued throttle
	mustNil(t, err)

	// No retries at all: the first throttle is the answer.
	nop := Client(t, srv, func(o *cwl.Options) { o.Retryer = aws.NopRetryer{} })
	srv.Throttle("", 1)
	if _, err = nop.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}); apiCode(err) != "ThrottlingException" {
		t.Errorf("nop retryer: %v", err)
	}

	// 5xx are retried too; access denied is not.
	srv.ResetCalls()
	srv.FailNext("", 1, ErrServiceUnavailable)
	srv.FailNext("", 1, ErrInternal)
	_, err = c.FilterLogEvents(ctx, in)
	mustNil(t, err)
	if n := srv.Calls(""); n != 3 {
		t.Errorf("5xx: %d calls, want 3", n)
	}
	srv.ResetCalls()
	srv.Deny("FilterLogEvents", true)
	_, err = c.FilterLogEvents(ctx, in)
	if apiCode(err) != "AccessDeniedException" || srv.Calls("") != 1 {
		t.Errorf("denied: %v after %d calls", err, srv.Calls(""))
	}
	if _, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}); err != nil {
		t.Errorf("other operation denied: %v", err)
	}
	srv.Deny("FilterLogEvents", false)
	_, err = c.FilterLogEvents(ctx, in)
	mustNil(t, err)
}

func TestFailFractionAndDelay(t *testing.T) {
	srv := Start(t, WithSeed(7))
	srv.AddGroup("/g")
	c := Client(t, srv, func(o *cwl.Options) { o.Retryer = aws.NopRetryer{} })
	ctx := context.Background()
	srv.FailFraction("DescribeLogGroups", 0.5, ErrThrottling)
	failed := 0
	for range 200 {
		if _, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}); err != nil {
			if apiCode(err) != "ThrottlingException" {
				t.Fatal(err)
			}
			failed++
		}
	}
	if failed < 70 || failed > 130 {
		t.Errorf("%d of 200 failed at p=0.5", failed)
	}
	srv.FailFraction("DescribeLogGroups", 0, ErrThrottling)
	srv.SetDelay("DescribeLogGroups", 80*time.Millisecond)
	start := time.Now()
	_, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("delayed call took %v", d)
	}
	srv.ResetFaults()
	start = time.Now()
	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	if d := time.Since(start); d > 70*time.Millisecond {
		t.Errorf("call after reset took %v", d)
	}
	if srv.Invocations("DescribeLogGroups") != 202 || srv.MaxCallsPerSecond("DescribeLogGroups") < 1 {
		t.Errorf("calls %d, peak %d/s", srv.Calls("DescribeLogGroups"), srv.MaxCallsPerSecond("DescribeLogGroups"))
	}
}

// TestConcurrentUse polls, puts and toggles faults from many goroutines
// (run it with -race): every event is found exactly once per poller.
func TestConcurrentUse(t *testing.T) {
	srv := Start(t, WithPageSize(50))
	c := Client(t, srv, func(o *cwl.Options) { o.Retryer = Retryer(20) })
	const groups, perGroup = 4, 300
	var wg sync.WaitGroup
	for g := range groups {
		wg.Go(func() {
			name := "/aws/lambda/c" + string(rune('a'+g))
			for i := 0; i < perGroup; i += 30 {
				evs := lines(name, 30, time.Millisecond)
				for j := range evs {
					evs[j].Time = evs[j].Time.Add(time.Duration(i) * time.Millisecond)
				}
				srv.Put(name, "s", evs...)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			srv.Throttle("", 1)
			srv.SetDuplicates(false)
			srv.SetEmptyPages(1)
			_ = srv.Calls("")
			_ = srv.Requests()
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	srv.SetEmptyPages(1)
	for g := range groups {
		for range 2 {
			wg.Go(func() {
				name := "/aws/lambda/c" + string(rune('a'+g))
				ids, _, _, _ := collect(t, c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(name)})
				if len(ids) != perGroup || !unique(ids) {
					t.Errorf("%s: %d events, want %d once each", name, len(ids), perGroup)
				}
			})
		}
	}
	wg.Go(func() {
		for range 10 {
			srv.Throttle("FilterLogEvents", 1)
			time.Sleep(2 * time.Millisecond)
		}
	})
	wg.Wait()
}
