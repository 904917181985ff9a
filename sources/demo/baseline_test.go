package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
)

// The baseline history is the default one (two hours) at the daily peak,
// 14:45-16:45 UTC: the window 15:45-16:45 holds the burst at 16:10, the
// error spike at 16:25 and the deploy at 16:40; the hour before it, the
// baseline, holds the same incidents an hour earlier.
var baselineNow = time.Date(2026, 11, 25, 16, 45, 0, 0, time.UTC)

var (
	baselineOnce sync.Once
	baseline     *baselineSink
	baselineErr  error
)

// baselineSink keeps the invocations of the incident functions and every
// other event but log lines, and counts all invocations per hour of the
// history (half a million events are too many to keep).
type baselineSink struct {
	rec     recorder
	kept    []model.Event
	first   time.Time
	perHour [2]int
}

func (b *baselineSink) Ingest(events ...model.Event) {
	b.kept = b.kept[:0]
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case model.KindLog:
			continue
		case model.KindInvocation:
			if b.first.IsZero() || e.Time.Before(b.first) {
				b.first = e.Time
			}
			b.perHour[min(max(int(e.Time.Sub(baselineNow.Add(-2*time.Hour))/time.Hour), 0), 1)]++
			if e.Function != fnOrders && e.Function != fnWebhook {
				continue
			}
		}
		b.kept = append(b.kept, *e)
	}
	b.rec.Ingest(b.kept...)
}

func baselineHistory(t *testing.T) *recorder {
	t.Helper()
	baselineOnce.Do(func() {
		baseline = &baselineSink{}
		baselineErr = New(Clock(fixed(baselineNow))).Backfill(context.Background(), baseline)
	})
	if baselineErr != nil {
		t.Fatalf("backfill: %v", baselineErr)
	}
	return &baseline.rec
}

// TestDefaultHistoryIsTwoHours: by default a backfill fills a one-hour
// window and the hour before it, with invocations from its first minute
// on, and says so in its progress.
func TestDefaultHistoryIsTwoHours(t *testing.T) {
	if DefaultHistory != 2*time.Hour {
		t.Fatalf("DefaultHistory = %s, want 2h", DefaultHistory)
	}
	rec := baselineHistory(t)
	start := baselineNow.Add(-2 * time.Hour)
	st := rec.kind(model.KindStatus, "")
	if len(st) == 0 || st[0].Status.Detail != "backfilling 0/120m of demo history" {
		t.Errorf("first status %+v, want the start of a 120m backfill", st)
	}
	metas := 0
	for _, e := range rec.kind(model.KindMeta, "") {
		if e.Meta.Account != "" {
			metas++
			if !e.Time.Equal(start) {
				t.Errorf("%s: configuration at %s, want the start of the history %s", e.Function, e.Time, start)
			}
		}
	}
	if metas != len(designedFleet()) {
		t.Errorf("%d configurations, want %d", metas, len(designedFleet()))
	}
	for _, e := range rec.kind(model.KindInvocation, "") {
		if e.Time.Before(start) || e.Time.After(baselineNow) {
			t.Fatalf("invocation at %s outside the history", e.Time)
		}
	}
	first, perHour := baseline.first, baseline.perHour
	if d := first.Sub(start); d < 0 || d > time.Second {
		t.Errorf("first invocation at %s, %s after the start of the history", first, d)
	}
	// Both hours are full ones at about the same load.
	if perHour[0] < 200_000 || perHour[1] < 200_000 || perHour[0] > perHour[1]*11/10 || perHour[1] > perHour[0]*11/10 {
		t.Errorf("invocations per hour %v", perHour)
	}
	// Two hours of history hold two of each incident.
	if n := len(Incidents(start, baselineNow)); n != 6 {
		t.Errorf("%d incidents in the history, want 6", n)
	}
}

// TestReservedConcurrencyMeta: ig-dm-sender announces its reserved
// concurrency; no other function claims one.
func TestReservedConcurrencyMeta(t *testing.T) {
	rec := shared(t)
	seen := 0
	for _, e := range rec.kind(model.KindMeta, "") {
		if e.Meta.Account == "" {
			if e.Meta.ReservedConcurrencyKnown {
				t.Errorf("%s: a partial configuration names reserved concurrency %d", e.Function, e.Meta.ReservedConcurrency)
			}
			continue
		}
		m := e.Meta
		switch e.Function {
		case fnDMSender:
			seen++
			if !m.ReservedConcurrencyKnown || m.ReservedConcurrency != 8 {
				t.Errorf("%s: reserved concurrency %d (known %v), want 8", e.Function, m.ReservedConcurrency, m.ReservedConcurrencyKnown)
			}
		default:
			if m.ReservedConcurrencyKnown || m.ReservedConcurrency != 0 {
				t.Errorf("%s: reserved concurrency %d (known %v), want none", e.Function, m.ReservedConcurrency, m.ReservedConcurrencyKnown)
			}
		}
	}
	if seen != 1 {
		t.Errorf("%d configurations of %s, want 1", seen, fnDMSender)
	}
	// Generated clones of the DM sender are not capped.
	g := newGenerator(New(Functions(60)), &recorder{})
	g.metas(fixtureNow.UnixMilli())
	g.flush()
	capped := 0
	for _, e := range g.sink.(*recorder).kind(model.KindMeta, "") {
		if e.Meta.ReservedConcurrencyKnown {
			capped++
		}
	}
	if capped != 1 {
		t.Errorf("%d of 60 functions capped, want 1", capped)
	}
}

// TestDeployChangesTimeout: each deploy changes order-processor's timeout
// (15 s in even hours, 20 s in odd ones) in its KindMeta and its Incident,
// and the simulation times out at the timeout in force.
func TestDeployChangesTimeout(t *testing.T) {
	rec := baselineHistory(t)
	start := baselineNow.Add(-2 * time.Hour) // 14:45: the 14:40 deploy set 15 s
	if got := ordersTimeoutAt(start.Unix()); got != 15_000 {
		t.Fatalf("timeout at %s = %d ms, want 15000", start.Format("15:04"), got)
	}
	var deploys []model.Event
	for _, e := range rec.kind(model.KindMeta, fnOrders) {
		switch {
		case e.Meta.Account != "":
			if e.Meta.TimeoutMs != 15_000 {
				t.Errorf("configuration at %s: timeout %v ms, want 15000", e.Time.Format("15:04"), e.Meta.TimeoutMs)
			}
		case e.Meta.Version != "":
			deploys = append(deploys, e)
		}
	}
	ins := Incidents(start, baselineNow)
	var want []Incident
	for _, in := range ins {
		if in.Kind == IncidentDeploy {
			want = append(want, in)
		}
	}
	if len(deploys) != 2 || len(want) != 2 {
		t.Fatalf("%d deploy metas and %d deploy incidents, want 2 of each", len(deploys), len(want))
	}
	for i, d := range []struct {
		at       time.Time
		from, to int64
	}{
		{time.Date(2026, 11, 25, 15, 40, 0, 0, time.UTC), 15_000, 20_000},
		{time.Date(2026, 11, 25, 16, 40, 0, 0, time.UTC), 20_000, 15_000},
	} {
		m, in := deploys[i], want[i]
		if !m.Time.Equal(d.at) || m.Meta.TimeoutMs != float64(d.to) || m.Meta.Version != in.Version {
			t.Errorf("deploy meta %s %+v, want version %s and timeout %d at %s", m.Time, m.Meta, in.Version, d.to, d.at)
		}
		v, _ := strconv.Atoi(in.Version)
		wantChanges := []model.Change{
			{Time: d.at, Function: fnOrders, Source: "demo", Field: model.ChangeVersion, From: strconv.Itoa(v - 1), To: in.Version},
			{Time: d.at, Function: fnOrders, Source: "demo", Field: model.ChangeTimeout,
				From: strconv.FormatInt(d.from, 10), To: strconv.FormatInt(d.to, 10)},
		}
		if !slices.Equal(in.Changes, wantChanges) {
			t.Errorf("deploy at %s: changes %+v, want %+v", d.at.Format("15:04"), in.Changes, wantChanges)
		}
		if s := fmt.Sprintf("timeout %d s -> %d s", d.from/1000, d.to/1000); !strings.Contains(in.Summary, s) {
			t.Errorf("summary %q does not say %q", in.Summary, s)
		}
	}
	for _, in := range ins {
		if in.Kind != IncidentDeploy && in.Changes != nil {
			t.Errorf("%s incident with changes %+v", in.Kind, in.Changes)
		}
	}

	// Timeouts fire at the timeout of the configuration they started under.
	byTimeout := map[float64]int{}
	for _, e := range invocations(rec, fnOrders) {
		inv := e.Invocation
		if inv.Error != model.ErrTimeout {
			continue
		}
		arrived := e.Time.Add(-time.Duration((inv.DurationMs + inv.InitDurationMs) * float64(time.Millisecond)))
		want := float64(ordersTimeoutAt(arrived.Unix()))
		if inv.DurationMs != want {
			t.Errorf("timeout at %s after %v ms, want %v", e.Time.Format("15:04:05"), inv.DurationMs, want)
		}
		if inv.ErrorMessage != "" && inv.ErrorMessage != fmt.Sprintf("Task timed out after %.2f seconds", want/1000) {
			t.Errorf("timeout message %q for a %v ms timeout", inv.ErrorMessage, want)
		}
		byTimeout[inv.DurationMs]++
	}
	if byTimeout[15_000] < 3 || byTimeout[20_000] < 3 {
		t.Errorf("order-processor timeouts by duration %v: want several at both 15 and 20 s", byTimeout)
	}
}

// TestIncidentsStandOutAgainstBaseline compares each incident of the
// window with the same function over the hour before the window (which
// holds the same incidents an hour earlier).
func TestIncidentsStandOutAgainstBaseline(t *testing.T) {
	rec := baselineHistory(t)
	baseFrom, baseTo := baselineNow.Add(-2*time.Hour), baselineNow.Add(-time.Hour)
	var burst, spike, deploy Incident
	for _, in := range Incidents(baseTo, baselineNow) {
		switch in.Kind {
		case IncidentBurst:
			burst = in
		case IncidentErrorSpike:
			spike = in
		case IncidentDeploy:
			deploy = in
		}
	}
	type counts struct{ n, failed, cold int }
	count := func(fn string, from, to time.Time) counts {
		var c counts
		for _, e := range invocations(rec, fn) {
			if in(e.Time, from, to) {
				c.n++
				if e.Invocation.Error != model.ErrNone {
					c.failed++
				}
				if e.Invocation.Cold() {
					c.cold++
				}
			}
		}
		return c
	}
	per := func(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }
	hour := count(fnOrders, baseFrom, baseTo)

	// The error spike: order-processor's error rate.
	sp := count(fnOrders, spike.Start, spike.End)
	spikeRate, hourRate := float64(sp.failed)/float64(sp.n), float64(hour.failed)/float64(hour.n)
	t.Logf("order-processor error rate: %.1f%% in the spike (%d/%d), %.1f%% over the baseline hour (%d/%d)",
		100*spikeRate, sp.failed, sp.n, 100*hourRate, hour.failed, hour.n)
	if spikeRate < 5*hourRate {
		t.Errorf("error spike at %.3f, baseline hour at %.3f: want at least 5x", spikeRate, hourRate)
	}

	// The burst: the webhook's rate and cold starts, the DM sender's
	// throttles.
	wh := count(fnWebhook, baseFrom, baseTo)
	whBurst := count(fnWebhook, burst.Start, burst.End)
	whPeak := count(fnWebhook, burst.Start.Add(20*time.Second), burst.Start.Add(80*time.Second))
	hourAvg, burstAvg, peak := per(wh.n, time.Hour), per(whBurst.n, burst.End.Sub(burst.Start)), per(whPeak.n, time.Minute)
	t.Logf("%s: %.1f/s over the burst's 5 minutes, %.1f/s in its peak minute, %.1f/s over the baseline hour",
		fnWebhook, burstAvg, peak, hourAvg)
	if burstAvg < 2.5*hourAvg || peak < 5*hourAvg {
		t.Errorf("webhook burst at %.1f/s (peak %.1f/s), baseline hour at %.1f/s: want 2.5x (5x)", burstAvg, peak, hourAvg)
	}
	coldPer5 := float64(wh.cold) / 12
	t.Logf("%s: %d cold starts in the burst, %.1f per 5 minutes over the baseline hour", fnWebhook, whBurst.cold, coldPer5)
	if float64(whBurst.cold) < 3*coldPer5 {
		t.Errorf("webhook cold starts: %d in the burst, %.1f per 5 minutes in the baseline hour", whBurst.cold, coldPer5)
	}
	var thrBurst, thrHour int64
	for _, e := range rec.kind(model.KindAggregate, fnDMSender) {
		switch {
		case in(e.Time, burst.Start, burst.End):
			thrBurst += e.Aggregate.Throttles
		case in(e.Time, baseFrom, baseTo):
			thrHour += e.Aggregate.Throttles
		}
	}
	t.Logf("%s: %d throttles in the burst, %.1f per 5 minutes over the baseline hour", fnDMSender, thrBurst, float64(thrHour)/12)
	if thrBurst < 50 || float64(thrBurst) < 5*float64(thrHour)/12 {
		t.Errorf("DM sender throttles: %d in the burst, %d over the baseline hour", thrBurst, thrHour)
	}

	// The deploy: a cold-start wave, a version and a timeout the baseline
	// hour never ran.
	wave := count(fnOrders, deploy.Start, deploy.End)
	coldPer2 := float64(hour.cold) / 30
	t.Logf("%s: %d cold starts in the deploy's 2 minutes, %.1f per 2 minutes over the baseline hour", fnOrders, wave.cold, coldPer2)
	if float64(wave.cold) < 3*coldPer2 {
		t.Errorf("deploy wave: %d cold starts, %.1f per 2 minutes in the baseline hour", wave.cold, coldPer2)
	}
	for _, e := range invocations(rec, fnOrders) {
		if in(e.Time, baseFrom, baseTo) && e.Invocation.Version == deploy.Version {
			t.Fatalf("version %s already ran in the baseline hour", deploy.Version)
		}
	}
	if ordersTimeoutAt(deploy.Start.Unix()) == ordersTimeoutAt(deploy.Start.Unix()-1) {
		t.Error("the deploy does not change the timeout")
	}
}

// TestPipelineKeepsOrder: a backfill (pipelined) gives the sink the same
// events in the same order as the generator delivering by itself.
func TestPipelineKeepsOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	now := time.Date(2026, 11, 25, 9, 27, 30, 0, time.UTC) // in the error spike
	const h = 6 * time.Minute
	src := New(Clock(fixed(now)), History(h))
	piped := &recorder{}
	if err := src.Backfill(context.Background(), piped); err != nil {
		t.Fatal(err)
	}
	plain := &recorder{}
	g := newGenerator(src, plain)
	g.reset(now.UnixMilli(), h.Milliseconds())
	g.metas(g.emitFrom * 1000)
	if err := g.advance(context.Background(), now.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	g.flush()
	if plain.batches < 10 {
		t.Fatalf("%d batches", plain.batches)
	}
	if len(piped.logs) != len(plain.logs) {
		t.Fatalf("%d lines piped, %d plain", len(piped.logs), len(plain.logs))
	}
	for i := range plain.logs {
		if piped.logs[i] != plain.logs[i] {
			t.Fatalf("line %d differs:\n%+v\n%+v", i, piped.logs[i], plain.logs[i])
		}
	}
	var events []model.Event
	for _, e := range piped.all() {
		if e.Kind != model.KindStatus {
			events = append(events, e)
		}
	}
	if len(events) != len(plain.events) {
		t.Fatalf("%d events piped, %d plain", len(events), len(plain.events))
	}
	for i := range events {
		if fmt.Sprint(events[i]) != fmt.Sprint(plain.events[i]) {
			t.Fatalf("event %d differs:\n%+v\n%+v", i, events[i], plain.events[i])
		}
	}
}

// cancelSink cancels a context once it has been given n batches.
type cancelSink struct {
	mu      sync.Mutex
	n       int
	cancel  func()
	batches int
}

func (c *cancelSink) Ingest(...model.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.batches++; c.batches == c.n {
		c.cancel()
	}
}

// TestBackfillCancelledMidway: a backfill stops soon after its context
// ends, with its goroutines.
func TestBackfillCancelledMidway(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &cancelSink{n: 50, cancel: cancel}
	t0 := time.Now()
	err := New(Clock(fixed(baselineNow))).Backfill(ctx, sink)
	if err != context.Canceled {
		t.Errorf("Backfill returned %v, want context.Canceled", err)
	}
	if sink.batches > 500 {
		t.Errorf("%d batches after the cancel at 50", sink.batches)
	}
	t.Logf("stopped after %d batches in %s", sink.batches, time.Since(t0))
}
