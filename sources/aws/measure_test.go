package aws

// Benchmarks that measure the source against the local CloudWatch Logs
// server: API calls per minute by fleet size, the time to a full fleet
// view with backfill, and the events per second the poller sustains.
// Every figure is a b.ReportMetric; run them with
//
//	go test -run '^$' -bench . -benchtime 1x ./sources/aws/

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
	"github.com/fntop/fntop/sources/demo"
)

// callsByOp counts the server's requests per operation since mark.
func callsByOp(srv *cwltest.Server, since time.Time) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Requests() {
		if !r.Time.Before(since) {
			out[r.Op]++
		}
	}
	return out
}

// BenchmarkAPICallsPerMinute reports the calls a place makes per minute
// in us-east-1 defaults (FilterLogEvents budget 12.5/s) for 10, 100 and
// 1,000 functions, a fifth of them active. Polling is measured over a
// steady 6 s and scaled to a minute; discovery (every 5 minutes) and, for
// fleets in aggregation mode, one Insights round (every minute) are
// measured once each and scaled by their periods.
func BenchmarkAPICallsPerMinute(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			for range b.N {
				srv := cwltest.Start(b)
				var names []string
				for i := range n {
					names = append(names, fmt.Sprintf("/aws/lambda/fn-%04d", i))
				}
				srv.AddGroup(names...)
				p, _ := testPlace(b, srv, Options{Aggregate: time.Hour, Discover: time.Hour}, cwltest.LambdaClient(b, srv))
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				stop := make(chan struct{})
				go func() {
					defer close(done)
					_ = p.run(ctx)
				}()
				go func() { // a fifth of the fleet is busy
					for k := 0; ; k++ {
						select {
						case <-stop:
							return
						case <-time.After(50 * time.Millisecond):
						}
						for i := 0; i < n; i += 5 {
							srv.Put(names[i], "s", cwltest.Event{Time: time.Now(), Message: reportLine(fmt.Sprintf("%d-%d", i, k), 12, "")})
						}
					}
				}()
				time.Sleep(3 * time.Second) // warm up: the first passes, the schedule settles
				mark := time.Now()
				time.Sleep(6 * time.Second)
				polls := callsByOp(srv, mark)["FilterLogEvents"]
				close(stop)
				cancel()
				<-done

				// One discovery round and, in aggregation mode, one
				// Insights round over every group.
				p2, _ := testPlace(b, srv, Options{}, cwltest.LambdaClient(b, srv))
				mark = time.Now()
				if _, err := p2.discover(context.Background()); err != nil {
					b.Fatal(err)
				}
				if err := p2.loadInventory(context.Background()); err != nil {
					b.Fatal(err)
				}
				disc := 0
				for _, c := range callsByOp(srv, mark) {
					disc += c
				}
				insights := 0
				if p.scale {
					mark = time.Now()
					end := time.Now().Truncate(time.Minute)
					if err := p2.aggregate(context.Background(), p2.groupList(func(*group) bool { return true }), end.Add(-time.Minute), end); err != nil {
						b.Fatal(err)
					}
					for _, c := range callsByOp(srv, mark) {
						insights += c
					}
				}
				pollPerMin := float64(polls) * 10
				discPerMin := float64(disc) / DefaultDiscover.Minutes()
				insPerMin := float64(insights) / DefaultAggregate.Minutes()
				b.ReportMetric(pollPerMin, "filter-calls/min")
				b.ReportMetric(discPerMin, "discovery-calls/min")
				b.ReportMetric(insPerMin, "insights-calls/min")
				b.ReportMetric(pollPerMin+discPerMin+insPerMin, "calls/min")
				mode := 0.0
				if p.scale {
					mode = 1
				}
				b.ReportMetric(mode, "aggregation-mode")
			}
		})
	}
}

// BenchmarkFleetViewWithBackfill500 reports the time from start to a full
// fleet view of 500 functions with 15 minutes of history (Source.Backfill,
// the headless path: discovery, inventory, Insights).
func BenchmarkFleetViewWithBackfill500(b *testing.B) {
	srv := cwltest.Start(b)
	end := time.Now().Add(-time.Minute)
	n := srv.FillFromDemo(3, end.Add(-14*time.Minute), end, demo.Functions(500))
	b.ResetTimer()
	for range b.N {
		store := model.NewStore(model.Options{Clock: time.Now})
		p, _ := testPlace(b, srv, Options{Backfill: 15 * time.Minute}, cwltest.LambdaClient(b, srv))
		p.sink = store
		start := time.Now()
		if err := p.backfillOnly(context.Background()); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		snap := store.Snapshot(model.SnapshotOptions{Window: 15 * time.Minute})
		var inv int64
		for _, f := range snap.Functions {
			inv += f.Invocations
		}
		if len(snap.Functions) < 450 || inv == 0 {
			b.Fatalf("fleet view: %d functions, %d invocations", len(snap.Functions), inv)
		}
		b.ReportMetric(el.Seconds(), "s-to-fleet-view")
		b.ReportMetric(float64(len(snap.Functions)), "functions")
		b.ReportMetric(float64(n), "events-held")
	}
}

// BenchmarkPollerEventsPerSecond reports the events per second the
// poller takes in (FilterLogEvents pages through the real SDK client,
// de-duplication, parsing, a model store) with the budget out of the way.
func BenchmarkPollerEventsPerSecond(b *testing.B) {
	srv := cwltest.Start(b)
	end := time.Now().Add(-time.Minute)
	srv.FillFromDemo(5, end.Add(-30*time.Minute), end)
	total := 0
	for _, g := range srv.Groups() {
		if strings.HasPrefix(g.Name, cwltest.LambdaGroupPrefix) {
			total += len(srv.Events(g.Name))
		}
	}
	b.ResetTimer()
	for range b.N {
		store := model.NewStore(model.Options{Clock: time.Now})
		p, _ := testPlace(b, srv, Options{FilterTPS: 1000}, nil)
		p.sink = store
		if _, err := p.discover(context.Background()); err != nil {
			b.Fatal(err)
		}
		for _, g := range p.groupList(func(*group) bool { return true }) {
			g.floor, g.cursor = 0, 0
		}
		start := time.Now()
		if err := p.passAll(context.Background()); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.ReportMetric(float64(total)/el.Seconds(), "events/s")
		b.ReportMetric(float64(total), "events")
	}
}
