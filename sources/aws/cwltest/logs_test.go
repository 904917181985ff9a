package cwltest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func TestDescribeLogGroupsPagination(t *testing.T) {
	srv := Start(t)
	var want []string
	for i := range 120 {
		n := fmt.Sprintf("/aws/lambda/fn-%03d", i)
		want = append(want, n)
		srv.AddGroup(n)
	}
	srv.AddGroup("/aws/ecs/other", "/custom/fn-x")
	c := Client(t, srv)
	ctx := context.Background()

	var got []string
	pages := 0
	p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNil(t, err)
		pages++
		if len(out.LogGroups) > 50 {
			t.Fatalf("page of %d groups", len(out.LogGroups))
		}
		for _, g := range out.LogGroups {
			got = append(got, *g.LogGroupName)
			if !strings.HasSuffix(*g.Arn, ":"+*g.LogGroupName+":*") || *g.LogGroupArn+":*" != *g.Arn || g.CreationTime == nil {
				t.Errorf("group %+v", g)
			}
		}
	}
	if !slices.Equal(got, want) || pages != 3 || srv.Invocations("DescribeLogGroups") != 3 {
		t.Errorf("got %d groups in %d pages (%d calls), want 120 in 3: %+v", len(got), pages, srv.Calls("DescribeLogGroups"), srv.Requests())
	}

	out, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("fn-x"), Limit: aws.Int32(5)})
	mustNil(t, err)
	if len(out.LogGroups) != 1 || *out.LogGroups[0].LogGroupName != "/custom/fn-x" || out.NextToken != nil {
		t.Errorf("pattern: %+v", out.LogGroups)
	}
	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("limit 51: %v", err)
	}
}

// collect pages through FilterLogEvents and returns the events and the
// number of pages.
func collect(t *testing.T, c *cwl.Client, in *cwl.FilterLogEventsInput) ([]string, []string, int, int) {
	t.Helper()
	var ids, msgs []string
	pages, empty := 0, 0
	p := cwl.NewFilterLogEventsPaginator(c, in)
	var last int64
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		mustNil(t, err)
		pages++
		if len(out.Events) == 0 {
			empty++
		}
		for _, e := range out.Events {
			if *e.Timestamp < last {
				t.Fatalf("events out of order: %d after %d", *e.Timestamp, last)
			}
			last = *e.Timestamp
			ids = append(ids, *e.EventId)
			msgs = append(msgs, *e.Message)
		}
	}
	return ids, msgs, pages, empty
}

func TestFilterLogEventsPagination(t *testing.T) {
	srv := Start(t, WithPageSize(100))
	const group = "/aws/lambda/fn"
	// Three streams, interleaved in time, put out of order.
	stored := srv.Put(group, "s2", lines("REPORT b", 700, 3*time.Millisecond)...)
	stored = append(stored, srv.Put(group, "s1", lines("START a", 1000, 2*time.Millisecond)...)...)
	stored = append(stored, srv.Put(group, "s3", lines("END c", 800, time.Millisecond)...)...)
	c := Client(t, srv)

	ids, _, pages, _ := collect(t, c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if len(ids) != 2500 || pages != 25 || srv.Invocations("FilterLogEvents") != 25 {
		t.Fatalf("%d events in %d pages, want 2500 in 25", len(ids), pages)
	}
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for _, e := range stored {
		if seen[e.ID] != 1 {
			t.Fatalf("event %s seen %d times", e.ID, seen[e.ID])
		}
	}

	t.Run("empty pages", func(t *testing.T) {
		srv.SetEmptyPages(2)
		defer srv.SetEmptyPages(0)
		ids, _, pages, empty := collect(t, c, &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String(srv.ARN(group)), Limit: aws.Int32(500)})
		if len(ids) != 2500 || !unique(ids) || pages != 75 || empty != 50 {
			t.Errorf("%d events (unique %v) in %d pages (%d empty), want 2500 in 75 (50 empty)", len(ids), unique(ids), pages, empty)
		}
	})
	t.Run("duplicates", func(t *testing.T) {
		srv.SetDuplicates(true)
		defer srv.SetDuplicates(false)
		ids, _, pages, _ := collect(t, c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group)})
		if len(ids) != 2500+pages-1 || len(distinct(ids)) != 2500 {
			t.Errorf("%d events (%d distinct) in %d pages, want 2500+%d duplicates", len(ids), len(distinct(ids)), pages, pages-1)
		}
	})

	ms := func(d time.Duration) *int64 { return aws.Int64(t0.Add(d).UnixMilli()) }
	for _, tc := range []struct {
		name string
		in   cwl.FilterLogEventsInput
		want int
	}{
		{"REPORT", cwl.FilterLogEventsInput{FilterPattern: aws.String("REPORT")}, 700},
		{"quoted", cwl.FilterLogEventsInput{FilterPattern: aws.String(`"START a"`)}, 1000},
		{"alternatives", cwl.FilterLogEventsInput{FilterPattern: aws.String(`?"START a" ?"END c"`)}, 1800},
		{"all terms", cwl.FilterLogEventsInput{FilterPattern: aws.String(`END 99`)}, 8},                                                     // END c 99, 199, ... 799
		{"exclusion", cwl.FilterLogEventsInput{FilterPattern: aws.String(`-REPORT`)}, 1800},                                                 // all but REPORT
		{"time range", cwl.FilterLogEventsInput{StartTime: ms(100 * time.Millisecond), EndTime: ms(200 * time.Millisecond)}, 50 + 33 + 100}, // per stream: 2, 3 and 1 ms apart
		{"streams", cwl.FilterLogEventsInput{LogStreamNames: []string{"s1", "s3"}}, 1800},
		{"stream prefix", cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("s2")}, 700},
		{"nothing", cwl.FilterLogEventsInput{FilterPattern: aws.String(`"no such text"`)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.LogGroupName = aws.String(group)
			ids, _, _, _ := collect(t, c, &in)
			if len(ids) != tc.want || !unique(ids) {
				t.Errorf("%d events, want %d", len(ids), tc.want)
			}
		})
	}

	_, err := c.FilterLogEvents(context.Background(), &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/none")})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
	_, err = c.FilterLogEvents(context.Background(), &cwl.FilterLogEventsInput{LogGroupName: aws.String(group),
		LogStreamNames: []string{"s1"}, LogStreamNamePrefix: aws.String("s")})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("names and prefix: %v", err)
	}
}

func unique(ids []string) bool { return len(distinct(ids)) == len(ids) }

func distinct(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestLateEventsAndGroupsComingAndGoing(t *testing.T) {
	clk := &fakeClock{now: t0.Add(time.Hour)}
	srv := Start(t, WithClock(clk.Now))
	c := Client(t, srv)
	const group = "/aws/lambda/late"
	srv.Put(group, "s", lines("on time", 10, time.Second)...)
	srv.SetIngestionDelay(2 * time.Minute)
	late := srv.Put(group, "s", lines("late", 5, time.Second)...) // timestamps at t0: old
	in := &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), StartTime: aws.Int64(t0.UnixMilli())}
	if ids, _, _, _ := collect(t, c, in); len(ids) != 10 {
		t.Fatalf("before ingestion: %d events, want 10", len(ids))
	}
	clk.Advance(2 * time.Minute)
	ids, _, _, _ := collect(t, c, in)
	if len(ids) != 15 || !distinct(ids)[late[0].ID] {
		t.Fatalf("after ingestion: %d events, want 15", len(ids))
	}
	if late[0].IngestionTime-late[0].Timestamp < (time.Hour + 2*time.Minute).Milliseconds() {
		t.Errorf("ingestion %d, timestamp %d", late[0].IngestionTime, late[0].Timestamp)
	}

	if !srv.DeleteGroup(group) {
		t.Fatal("group was not there")
	}
	_, err := c.FilterLogEvents(context.Background(), in)
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("deleted group: %v", err)
	}
	out, err := c.DescribeLogGroups(context.Background(), &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	if len(out.LogGroups) != 0 {
		t.Errorf("groups after delete: %d", len(out.LogGroups))
	}
	srv.AddGroup(group)
	out, err = c.DescribeLogGroups(context.Background(), &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	if len(out.LogGroups) != 1 {
		t.Errorf("groups after re-add: %d", len(out.LogGroups))
	}
}

func TestGetLogEvents(t *testing.T) {
	srv := Start(t)
	srv.Put("/g", "s", lines("x", 25, time.Second)...)
	srv.Put("/g", "other", lines("y", 5, time.Second)...)
	c := Client(t, srv)
	var got []string
	in := &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(10)}
	for range 10 {
		out, err := c.GetLogEvents(context.Background(), in)
		mustNil(t, err)
		for _, e := range out.Events {
			got = append(got, *e.Message)
		}
		if in.NextToken != nil && *out.NextForwardToken == *in.NextToken {
			break
		}
		in.NextToken = out.NextForwardToken
	}
	if len(got) != 25 || got[0] != "x 0\n" || got[24] != "x 24\n" {
		t.Errorf("got %d events: %q", len(got), got)
	}
}
