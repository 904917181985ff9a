package aws

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// TestSourceRunEndToEnd runs the whole source the way `fntop --aws` does
// (default credential chain from the environment, --endpoint, one region)
// with every feature on: backfill, inventory, polling, focus with Live
// Tail. Then it checks what a user sees, and that every call the source
// made is in the documented IAM policy.
func TestSourceRunEndToEnd(t *testing.T) {
	cwltest.IsolateEnv(t, true)
	srv := cwltest.Start(t, cwltest.WithLiveTailInterval(50*time.Millisecond))
	now := time.Now()
	srv.FillFromDemo(11, now.Add(-10*time.Minute), now.Add(-2*time.Minute))
	store := model.NewStore(model.Options{Clock: time.Now})
	var (
		focusMu sync.Mutex
		focus   []string
	)
	src := New(Options{
		Regions: []string{"us-east-1"}, Endpoint: srv.URL(), Backfill: 15 * time.Minute,
		LiveTail: true, MinInterval: 50 * time.Millisecond,
		Focus: func() []string {
			focusMu.Lock()
			defer focusMu.Unlock()
			return focus
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, store) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	// The fleet view fills from the backfill.
	if !waitFor(t, 15*time.Second, func() bool {
		return len(store.Snapshot(model.SnapshotOptions{Window: 15 * time.Minute}).Functions) >= 20
	}) {
		t.Fatalf("fleet view has %d functions", len(store.Snapshot(model.SnapshotOptions{Window: 15 * time.Minute}).Functions))
	}
	// The inventory's configuration reaches the fleet.
	snap := store.Snapshot(model.SnapshotOptions{Window: 15 * time.Minute})
	for _, f := range snap.Functions {
		if f.Region != "us-east-1" || f.Account != cwltest.DefaultAccount || f.MemorySizeMB == 0 {
			t.Errorf("%s: region %q account %q memory %d", f.Name, f.Region, f.Account, f.MemorySizeMB)
		}
	}

	// Focus one function: Live Tail follows it; new invocations arrive.
	focusMu.Lock()
	focus = []string{"order-processor"}
	focusMu.Unlock()
	for i := range 5 {
		srv.Put("/aws/lambda/order-processor", "2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef",
			cwltest.Event{Time: time.Now(), Message: reportLine(fmt.Sprintf("e2e-%d", i), 20, "")})
		time.Sleep(100 * time.Millisecond)
	}
	if !waitFor(t, 10*time.Second, func() bool {
		n := 0
		for _, e := range store.Logs(model.LogQuery{Function: "order-processor"}) {
			if strings.Contains(e.Message, "e2e-") {
				n++
			}
		}
		return n == 5
	}) {
		t.Fatal("the focused function's new invocations did not arrive")
	}
	if srv.Calls("StartLiveTail") == 0 {
		t.Error("no Live Tail session for the function in focus")
	}
	// The status says what the source does.
	var st *model.SourceInfo
	if !waitFor(t, 5*time.Second, func() bool {
		for _, s := range store.Snapshot(model.SnapshotOptions{Window: time.Minute}).Sources {
			if s.Name == "aws:us-east-1" && strings.Contains(s.Detail, "live tail") {
				st = &s
				return true
			}
		}
		return false
	}) {
		t.Fatalf("status: %+v", store.Snapshot(model.SnapshotOptions{Window: time.Minute}).Sources)
	}
	if st.State != model.StateOK || !strings.Contains(st.Detail, "log groups") || !strings.Contains(st.Detail, "calls/s") {
		t.Errorf("status %q: %q", st.State, st.Detail)
	}

	// Every operation the source called is in the IAM policy.
	for _, r := range srv.Requests() {
		service := "logs"
		if r.Op == "ListFunctions" {
			service = "lambda"
		}
		if !allowed(service, r.Op) {
			t.Errorf("the source called %s:%s, which the IAM policy does not grant", service, r.Op)
		}
	}
	for _, op := range []string{"DescribeLogGroups", "ListFunctions", "StartQuery", "GetQueryResults", "StartLiveTail"} {
		if srv.Calls(op) == 0 {
			t.Errorf("%s was never called: the policy check did not see it", op)
		}
	}
}
