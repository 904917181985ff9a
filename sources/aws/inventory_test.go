package aws

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// invClock is the fixed wall clock of the inventory tests.
var invClock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// invPlace is a place on srv with a real Lambda client and a fixed clock.
func invPlace(t *testing.T, srv *cwltest.Server, opts Options) (*place, *recSink) {
	t.Helper()
	opts.Clock = func() time.Time { return invClock }
	return testPlace(t, srv, opts, cwltest.LambdaClient(t, srv))
}

// invLoad runs loadInventory and fails the test on error.
func invLoad(t *testing.T, p *place) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.loadInventory(ctx); err != nil {
		t.Fatalf("loadInventory: %v", err)
	}
}

// metaFunctions lists the functions of the meta events in order.
func metaFunctions(evs []model.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Function)
	}
	return out
}

// inventoryKeys lists the keys of p.inventory, sorted.
func inventoryKeys(p *place) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.inventory {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestInventoryMetas(t *testing.T) {
	srv := cwltest.Start(t, cwltest.WithAccount("210987654321"))
	srv.SetFunction(
		cwltest.Function{Name: "api", Runtime: "python3.13", MemoryMB: 1769, TimeoutSec: 29, Arch: model.ArchARM},
		cwltest.Function{Name: "billing", Runtime: "java21", MemoryMB: 2048, TimeoutSec: 900, Arch: model.ArchX86},
		cwltest.Function{Name: "render", PackageType: "Image", MemoryMB: 3008, TimeoutSec: 60, LogGroup: "/aws/lambda/render-logs"},
	)
	p, sink := invPlace(t, srv, Options{})
	p.qual = "@prod/us-east-1"
	invLoad(t, p)

	evs := sink.events(0)
	want := []model.Event{
		{Kind: model.KindMeta, Source: "aws:us-east-1", Function: "api@prod/us-east-1", Time: invClock, Meta: model.FunctionMeta{
			Region: "us-east-1", Account: "210987654321", Arch: model.ArchARM, Runtime: "python3.13", MemorySizeMB: 1769, TimeoutMs: 29000}},
		{Kind: model.KindMeta, Source: "aws:us-east-1", Function: "billing@prod/us-east-1", Time: invClock, Meta: model.FunctionMeta{
			Region: "us-east-1", Account: "210987654321", Arch: model.ArchX86, Runtime: "java21", MemorySizeMB: 2048, TimeoutMs: 900000}},
		{Kind: model.KindMeta, Source: "aws:us-east-1", Function: "render@prod/us-east-1", Time: invClock, Meta: model.FunctionMeta{
			Region: "us-east-1", Account: "210987654321", Arch: model.ArchX86, MemorySizeMB: 3008, TimeoutMs: 60000}},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i := range want {
		if evs[i].Kind != want[i].Kind || evs[i].Source != want[i].Source || evs[i].Function != want[i].Function ||
			!evs[i].Time.Equal(want[i].Time) || evs[i].Meta != want[i].Meta {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, evs[i], want[i])
		}
	}

	p.mu.Lock()
	account, inv, denied := p.account, p.inventory, p.inventoryDenied
	p.mu.Unlock()
	if account != "210987654321" || denied {
		t.Errorf("account %q denied %v", account, denied)
	}
	if m := inv["/aws/lambda/render-logs"]; m != want[2].Meta {
		t.Errorf("inventory by log group: %+v", inv)
	}
	if keys := inventoryKeys(p); !slices.Equal(keys, []string{"/aws/lambda/api", "/aws/lambda/billing", "/aws/lambda/render-logs"}) {
		t.Errorf("inventory keys %v", keys)
	}
	if n := p.list.State().Calls; n != 1 {
		t.Errorf("budget counted %d calls", n)
	}

	// An account already known is kept.
	p2, _ := invPlace(t, srv, Options{})
	p2.account = "111111111111"
	invLoad(t, p2)
	if p2.account != "111111111111" {
		t.Errorf("account overwritten: %s", p2.account)
	}

	// Functions the place does not watch still tell the account.
	p3, sink3 := invPlace(t, srv, Options{Include: regexp.MustCompile(`^none$`)})
	invLoad(t, p3)
	if p3.account != "210987654321" || len(sink3.events(0)) != 0 || len(p3.inventory) != 0 {
		t.Errorf("nothing watched: account %q, %d events, inventory %v", p3.account, len(sink3.events(0)), p3.inventory)
	}
}

func TestInventoryPages(t *testing.T) {
	srv := cwltest.Start(t)
	for i := range 120 {
		srv.SetFunction(cwltest.Function{Name: fmt.Sprintf("fn-%03d", i), MemoryMB: 128 + i})
	}
	p, sink := invPlace(t, srv, Options{})
	invLoad(t, p)

	if n := srv.Invocations("ListFunctions"); n != 3 {
		t.Errorf("%d pages, want 3", n)
	}
	evs := sink.events(model.KindMeta)
	if len(evs) != 120 {
		t.Fatalf("%d metas, want 120", len(evs))
	}
	for i, e := range evs {
		if want := fmt.Sprintf("fn-%03d", i); e.Function != want || e.Meta.MemorySizeMB != 128+i {
			t.Fatalf("meta %d: %s %d MB, want %s", i, e.Function, e.Meta.MemorySizeMB, want)
		}
	}
	if n := len(inventoryKeys(p)); n != 120 {
		t.Errorf("inventory of %d", n)
	}
}

func TestInventoryDenied(t *testing.T) {
	srv := cwltest.Start(t)
	srv.SetFunction(cwltest.Function{Name: "api"})
	srv.Deny("ListFunctions", true)
	p, sink := invPlace(t, srv, Options{})
	invLoad(t, p)

	p.mu.Lock()
	denied, notes, inv := p.inventoryDenied, slices.Clone(p.notes), p.inventory
	p.mu.Unlock()
	if !denied || !slices.Contains(notes, inventoryDeniedNote) || inv != nil {
		t.Errorf("denied %v notes %q inventory %v", denied, notes, inv)
	}
	if evs := sink.events(0); len(evs) != 0 {
		t.Errorf("events on refusal: %+v", evs)
	}
	if n := srv.Calls("ListFunctions"); n != 1 {
		t.Errorf("%d calls, want 1 (refusals are not retried)", n)
	}

	// The refusal stands for the run: no more AccessDenied in CloudTrail.
	srv.Deny("ListFunctions", false)
	invLoad(t, p)
	if n := srv.Calls("ListFunctions"); n != 1 || len(sink.events(0)) != 0 {
		t.Errorf("after the refusal: %d calls, %d events", n, len(sink.events(0)))
	}
}

// hookedLambda calls before(n) ahead of the n-th ListFunctions call (from
// 1) of the real client.
type hookedLambda struct {
	LambdaAPI
	n      atomic.Int32
	before func(n int)
}

func (h *hookedLambda) ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, optFns ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	h.before(int(h.n.Add(1)))
	return h.LambdaAPI.ListFunctions(ctx, in, optFns...)
}

func TestInventoryDeniedMidway(t *testing.T) {
	srv := cwltest.Start(t)
	for i := range 60 {
		srv.SetFunction(cwltest.Function{Name: fmt.Sprintf("fn-%02d", i)})
	}
	lam := &hookedLambda{LambdaAPI: cwltest.LambdaClient(t, srv), before: func(n int) {
		if n == 2 {
			srv.Deny("ListFunctions", true)
		}
	}}
	sink := &recSink{}
	opts := Options{Clock: func() time.Time { return invClock }}
	opts.defaults()
	p := newPlaceWith(&opts, "aws:"+srv.Region(), "", "", srv.Region(), cwltest.Client(t, srv), lam, sink)
	invLoad(t, p)
	if evs := sink.events(0); len(evs) != 0 || !p.inventoryDenied {
		t.Errorf("denied on page 2: %d events, denied %v", len(evs), p.inventoryDenied)
	}
}

func TestInventoryThrottled(t *testing.T) {
	srv := cwltest.Start(t)
	srv.SetFunction(cwltest.Function{Name: "api", Arch: model.ArchARM})
	p, sink := invPlace(t, srv, Options{})

	// More throttles than the client's own attempts: the budget slows and
	// pauses, then the call goes through.
	srv.Throttle("ListFunctions", cwltest.ClientMaxAttempts)
	invLoad(t, p)
	st := p.list.State()
	if st.Throttles != 1 || st.Rate >= st.Base || !st.Slowed() {
		t.Errorf("budget after throttling: %+v", st)
	}
	if n := srv.Calls("ListFunctions"); n != cwltest.ClientMaxAttempts+1 {
		t.Errorf("%d calls, want %d", n, cwltest.ClientMaxAttempts+1)
	}
	if evs := sink.events(model.KindMeta); len(evs) != 1 || evs[0].Meta.Arch != model.ArchARM {
		t.Errorf("metas %+v", evs)
	}

	// Transient failures are retried as well.
	srv.ResetCalls()
	srv.SetFunction(cwltest.Function{Name: "api", Arch: model.ArchX86})
	srv.FailNext("ListFunctions", cwltest.ClientMaxAttempts, cwltest.ErrServiceUnavailable)
	invLoad(t, p)
	if n := srv.Calls("ListFunctions"); n != cwltest.ClientMaxAttempts+1 {
		t.Errorf("%d calls, want %d", n, cwltest.ClientMaxAttempts+1)
	}
	if evs := sink.events(model.KindMeta); len(evs) != 2 || evs[1].Meta.Arch != model.ArchX86 {
		t.Errorf("metas %+v", evs)
	}
}

func TestInventoryError(t *testing.T) {
	srv := cwltest.Start(t)
	srv.SetFunction(cwltest.Function{Name: "api", MemoryMB: 256})
	p, sink := invPlace(t, srv, Options{})
	invLoad(t, p)

	// Another error is returned; nothing is emitted, the inventory stays.
	srv.SetFunction(cwltest.Function{Name: "api", MemoryMB: 512})
	srv.FailNext("ListFunctions", 1, cwltest.APIError{Status: 400, Code: "InvalidParameterValueException", Message: "no"})
	err := p.loadInventory(context.Background())
	if errorCode(err) != "InvalidParameterValueException" {
		t.Fatalf("err = %v", err)
	}
	if n := len(sink.events(0)); n != 1 || p.inventory["/aws/lambda/api"].MemorySizeMB != 256 || p.inventoryDenied {
		t.Errorf("after the error: %d events, inventory %+v", n, p.inventory)
	}
	invLoad(t, p)
	if evs := sink.events(0); len(evs) != 2 || evs[1].Meta.MemorySizeMB != 512 {
		t.Errorf("after recovery: %+v", evs)
	}

	// A cancelled context ends the load with its error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.loadInventory(ctx); err == nil {
		t.Error("no error with a cancelled context")
	}
}

func TestInventoryFilters(t *testing.T) {
	srv := cwltest.Start(t)
	srv.SetFunction(
		cwltest.Function{Name: "api"},
		cwltest.Function{Name: "api-dev"},
		cwltest.Function{Name: "web"},
		cwltest.Function{Name: "worker"},
		cwltest.Function{Name: "api-custom", LogGroup: "/custom/api"},
		cwltest.Function{Name: "api-x", LogGroup: "/aws/lambda/api-shared"},
		cwltest.Function{Name: "api-y", LogGroup: "/aws/lambda/api-shared", MemoryMB: 512},
		cwltest.Function{Name: "web-z", LogGroup: "/aws/lambda/worker-logs"},
	)
	p, sink := invPlace(t, srv, Options{Include: regexp.MustCompile(`^(api|web)`), Exclude: regexp.MustCompile(`-dev$`)})
	invLoad(t, p)

	// Filtered as discovery filters log groups: by the function name of
	// the group, and only under the prefix.
	if got, want := metaFunctions(sink.events(0)), []string{"api", "api-x", "api-y", "web"}; !slices.Equal(got, want) {
		t.Errorf("metas for %v, want %v", got, want)
	}
	// Functions sharing a log group are told apart.
	want := []string{"/aws/lambda/api", "/aws/lambda/api-shared:api-x", "/aws/lambda/api-shared:api-y", "/aws/lambda/web"}
	if keys := inventoryKeys(p); !slices.Equal(keys, want) {
		t.Errorf("inventory keys %v, want %v", keys, want)
	}

	// Another prefix watches other groups.
	p2, sink2 := invPlace(t, srv, Options{Prefix: "/custom/"})
	invLoad(t, p2)
	if got := metaFunctions(sink2.events(0)); !slices.Equal(got, []string{"api-custom"}) {
		t.Errorf("prefix /custom/: metas for %v", got)
	}
}

func TestInventoryQuiet(t *testing.T) {
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a", "/aws/lambda/b")
	srv.SetFunction(cwltest.Function{Name: "c", MemoryMB: 1024})
	p, sink := invPlace(t, srv, Options{})
	invLoad(t, p)
	if got := metaFunctions(sink.events(0)); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("first load: %v", got)
	}

	invLoad(t, p)
	if n := len(sink.events(0)); n != 3 {
		t.Errorf("unchanged refresh emitted %d more", n-3)
	}

	// A change, a deletion and a return.
	srv.SetFunction(cwltest.Function{Name: "c", MemoryMB: 2048})
	srv.DeleteFunction("a")
	invLoad(t, p)
	evs := sink.events(0)
	if len(evs) != 4 || evs[3].Function != "c" || evs[3].Meta.MemorySizeMB != 2048 {
		t.Errorf("after a change: %v", metaFunctions(evs))
	}
	if keys := inventoryKeys(p); strings.Join(keys, " ") != "/aws/lambda/b /aws/lambda/c" {
		t.Errorf("inventory keys %v", keys)
	}
	srv.SetFunction(cwltest.Function{Name: "a"})
	invLoad(t, p)
	if got := metaFunctions(sink.events(0)); !slices.Equal(got, []string{"a", "b", "c", "c", "a"}) {
		t.Errorf("after a return: %v", got)
	}
	if n := srv.Invocations("ListFunctions"); n != 4 {
		t.Errorf("%d calls for 4 loads", n)
	}
}

func TestInventoryNoClient(t *testing.T) {
	srv := cwltest.Start(t)
	srv.AddGroup("/aws/lambda/a")
	p, sink := testPlace(t, srv, Options{}, nil)
	if err := p.loadInventory(context.Background()); err != nil || len(sink.events(0)) != 0 || srv.Calls("") != 0 {
		t.Errorf("no client: err %v, %d events, %d calls", err, len(sink.events(0)), srv.Calls(""))
	}
}
