package demo

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
)

// The shared history is 07:07-07:42 UTC, a quiet time of the day (about
// half the peak load) that still holds one of each incident: the burst at
// 07:10-07:15, the error spike at 07:25-07:30 and the deploy at 07:40.
var (
	fixtureNow     = time.Date(2026, 11, 25, 7, 42, 0, 0, time.UTC)
	fixtureHistory = 35 * time.Minute
)

type fixtureData struct {
	rec     *recorder
	skipped int64
	err     error
}

var (
	fixtureOnce sync.Once
	fixture     fixtureData
)

// shared returns the recorded backfill of the shared history.
func shared(t *testing.T) *recorder {
	t.Helper()
	fixtureOnce.Do(func() {
		src := New(Clock(fixed(fixtureNow)), History(fixtureHistory))
		rec := &recorder{}
		g := newGenerator(src, rec)
		_, err := src.backfill(context.Background(), g)
		fixture = fixtureData{rec: rec, skipped: g.parser.Skipped(), err: err}
	})
	if fixture.err != nil {
		t.Fatalf("backfill: %v", fixture.err)
	}
	return fixture.rec
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func invocations(rec *recorder, fn string) []model.Event { return rec.kind(model.KindInvocation, fn) }

func incident(t *testing.T, kind IncidentKind) Incident {
	t.Helper()
	for _, in := range Incidents(fixtureNow.Add(-fixtureHistory), fixtureNow) {
		if in.Kind == kind {
			return in
		}
	}
	t.Fatalf("no %s incident in the fixture's window", kind)
	return Incident{}
}

func TestIncidentSchedule(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	got := Incidents(start, start.Add(2*time.Hour))
	if len(got) != 6 {
		t.Fatalf("got %d incidents in two hours, want 6: %+v", len(got), got)
	}
	want := []struct {
		kind       IncidentKind
		fn         string
		start, end int // minutes after start
	}{
		{IncidentBurst, fnWebhook, 10, 15},
		{IncidentErrorSpike, fnOrders, 25, 30},
		{IncidentDeploy, fnOrders, 40, 42},
		{IncidentBurst, fnWebhook, 70, 75},
		{IncidentErrorSpike, fnOrders, 85, 90},
		{IncidentDeploy, fnOrders, 100, 102},
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Function != w.fn ||
			!g.Start.Equal(start.Add(time.Duration(w.start)*time.Minute)) ||
			!g.End.Equal(start.Add(time.Duration(w.end)*time.Minute)) {
			t.Errorf("incident %d = %s %s %s-%s, want %s %s +%dm-+%dm", i, g.Kind, g.Function,
				g.Start.Format("15:04"), g.End.Format("15:04"), w.kind, w.fn, w.start, w.end)
		}
	}
	v1, _ := strconv.Atoi(got[2].Version)
	v2, _ := strconv.Atoi(got[5].Version)
	if v1 <= 0 || v2 != v1+1 {
		t.Errorf("deploy versions %q then %q, want consecutive numbers", got[2].Version, got[5].Version)
	}
	if !slices.Contains(got[0].Affected, fnDMSender) {
		t.Errorf("burst affects %v, want the DM sender among them", got[0].Affected)
	}
	// Overlap, not containment, selects an incident.
	if n := len(Incidents(start.Add(12*time.Minute), start.Add(13*time.Minute))); n != 1 {
		t.Errorf("a minute inside the burst overlaps %d incidents, want 1", n)
	}
	if n := len(Incidents(start, start)); n != 0 {
		t.Errorf("an empty range overlaps %d incidents", n)
	}
}

func TestBurstScalesOutAndThrottles(t *testing.T) {
	rec := shared(t)
	b := incident(t, IncidentBurst)
	before := b.Start.Add(-6 * time.Minute)

	rate := func(fn string, from, to time.Time) float64 {
		n := 0
		for _, e := range invocations(rec, fn) {
			if in(e.Time, from, to) {
				n++
			}
		}
		return float64(n) / to.Sub(from).Seconds()
	}
	peak := rate(fnWebhook, b.Start.Add(20*time.Second), b.Start.Add(80*time.Second))
	usual := rate(fnWebhook, before, b.Start)
	if peak < 5*usual {
		t.Errorf("webhook at %.1f/s during the burst, %.1f/s before: want at least 5x", peak, usual)
	}
	// The chain follows, each stage a fraction of the previous one.
	for _, fn := range []string{fnMatcher, fnLookup} {
		if r, u := rate(fn, b.Start.Add(20*time.Second), b.Start.Add(80*time.Second)), rate(fn, before, b.Start); r < 3*u {
			t.Errorf("%s at %.1f/s during the burst, %.1f/s before: want at least 3x", fn, r, u)
		}
	}

	var inside, outside int64
	for _, e := range rec.kind(model.KindAggregate, fnDMSender) {
		if !e.Aggregate.HasThrottles || e.Aggregate.Span != time.Minute {
			t.Fatalf("aggregate %+v: want one minute of throttles", e.Aggregate)
		}
		if in(e.Time, b.Start, b.End) {
			inside += e.Aggregate.Throttles
		} else {
			outside += e.Aggregate.Throttles
		}
	}
	if inside < 50 || outside*10 > inside {
		t.Errorf("ig-dm-sender throttles: %d during the burst, %d outside; want many inside, few outside", inside, outside)
	}

	cold := func(fn string, from, to time.Time) int {
		n := 0
		for _, e := range invocations(rec, fn) {
			if e.Invocation.Cold() && in(e.Time, from, to) {
				n++
			}
		}
		return n
	}
	if c, u := cold(fnWebhook, b.Start, b.End), cold(fnWebhook, before.Add(-time.Minute), b.Start.Add(-time.Minute)); c < 3 || c < 3*u {
		t.Errorf("webhook cold starts: %d in the burst, %d in the five minutes before; want a scale-out", c, u)
	}
}

func TestErrorSpike(t *testing.T) {
	rec := shared(t)
	sp := incident(t, IncidentErrorSpike)
	var nIn, eIn, nOut, eOut int
	for _, e := range invocations(rec, fnOrders) {
		failed := e.Invocation.Error != model.ErrNone
		switch {
		case in(e.Time, sp.Start, sp.End):
			nIn++
			if failed {
				eIn++
				if e.Invocation.Error != model.ErrFunction {
					t.Errorf("spike failure %v, want a function error", e.Invocation.Error)
				}
			}
		case in(e.Time, sp.End.Add(30*time.Second), fixtureNow), e.Time.Before(sp.Start):
			nOut++
			if failed {
				eOut++
			}
		}
	}
	rateIn, rateOut := float64(eIn)/float64(nIn), float64(eOut)/float64(nOut)
	if nIn < 100 || rateIn < 0.2 || rateOut > 0.03 {
		t.Errorf("order-processor error rate %.3f in the spike (%d/%d), %.3f outside (%d/%d)",
			rateIn, eIn, nIn, rateOut, eOut, nOut)
	}
	n := 0
	for _, l := range rec.lines(fnOrders) {
		if strings.Contains(l.msg, "\tERROR\tInvoke Error \t{\"errorType\":\"PaymentGatewayError\"") {
			n++
		}
	}
	if n < eIn {
		t.Errorf("%d Invoke Error lines for %d failed invocations in the spike", n, eIn)
	}
}

func TestDeployReplacesEnvironments(t *testing.T) {
	rec := shared(t)
	d := incident(t, IncidentDeploy)
	v, _ := strconv.Atoi(d.Version)
	prev := strconv.Itoa(v - 1)

	var meta bool
	for _, e := range rec.kind(model.KindMeta, fnOrders) {
		if e.Meta.Version == d.Version && e.Time.Equal(d.Start) {
			meta = true
		}
	}
	if !meta {
		t.Errorf("no KindMeta with version %s at the deploy", d.Version)
	}

	// Cold starts per two-minute window: the deploy's stands out.
	cold := map[int64]int{}
	first := map[string]bool{}
	for _, e := range invocations(rec, fnOrders) {
		inv := e.Invocation
		if inv.Cold() {
			cold[e.Time.Unix()/120]++
		}
		switch {
		case e.Time.Before(d.Start):
			if inv.Version != prev || !strings.Contains(inv.Stream, "/["+prev+"]") {
				t.Fatalf("before the deploy: version %q stream %q, want %s", inv.Version, inv.Stream, prev)
			}
		case e.Time.After(d.Start.Add(20 * time.Second)):
			if inv.Version != d.Version || !strings.Contains(inv.Stream, "/["+d.Version+"]") {
				t.Fatalf("after the deploy: version %q stream %q, want %s", inv.Version, inv.Stream, d.Version)
			}
		}
		if inv.Version == d.Version && !first[inv.Stream] {
			first[inv.Stream] = true
			if !inv.Cold() {
				t.Errorf("first invocation on new stream %s is warm", inv.Stream)
			}
		}
	}
	wave := cold[d.Start.Unix()/120]
	others := 0
	for k, n := range cold {
		if k != d.Start.Unix()/120 {
			others = max(others, n)
		}
	}
	if wave < 3 || wave <= others {
		t.Errorf("deploy wave: %d cold starts in its two minutes, up to %d in other windows", wave, others)
	}
	starts := 0
	for _, l := range rec.lines(fnOrders) {
		if strings.HasPrefix(l.msg, "START RequestId: ") && strings.HasSuffix(l.msg, " Version: "+d.Version) {
			starts++
		}
	}
	if starts == 0 {
		t.Errorf("no START line with version %s", d.Version)
	}
}

func TestLinesParseWithoutSkips(t *testing.T) {
	rec := shared(t)
	if fixture.skipped != 0 {
		t.Errorf("parser skipped %d messages", fixture.skipped)
	}
	for _, e := range rec.kind(model.KindSkipped, "") {
		t.Errorf("skipped: %s %+v", e.Function, e.Skipped)
	}
	reports := 0
	for _, l := range rec.logs {
		if strings.HasPrefix(l.msg, "REPORT RequestId: ") || strings.Contains(l.msg, `"type":"platform.report"`) {
			reports++
		}
	}
	if n := len(rec.kind(model.KindInvocation, "")); n != reports || n == 0 {
		t.Errorf("%d invocations from %d report lines", n, reports)
	}
	for _, l := range rec.logs {
		if l.kind == model.LinePlain && !plainOK(l) {
			t.Errorf("unrecognised line from %s: %q", l.fn, l.msg)
			break
		}
	}
}

// plainOK says whether a line the parser calls plain text is one the demo
// means as such: Java (log4j) and Go standard-library application lines.
func plainOK(l logRec) bool {
	for _, sp := range designedFleet() {
		if sp.name == l.fn {
			return sp.lang == langJava || sp.lang == langGo
		}
	}
	return false
}

func TestLineShapes(t *testing.T) {
	rec := shared(t)
	var (
		stream    = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[(\$LATEST|\d+)\][0-9a-f]{32}$`)
		report    = regexp.MustCompile(`^REPORT RequestId: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB(\t|$)`)
		initStart = regexp.MustCompile(`^INIT_START Runtime Version: [a-z0-9.:]+\tRuntime Version ARN: arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$`)
		timedOut  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after \d+\.00 seconds$`)
		nodeApp   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t([0-9a-f-]{36}|undefined)\t(INFO|WARN|ERROR)\t`)
		pyApp     = regexp.MustCompile(`^\[(INFO|WARNING|WARN|ERROR)\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\t`)
	)
	seen := map[string]int{}
	streams := map[string]bool{}
	sampled := map[string]int{} // lines checked per function and shape
	for _, l := range rec.logs {
		if !streams[l.stream] {
			streams[l.stream] = true
			if !stream.MatchString(l.stream) {
				t.Fatalf("stream %q of %s", l.stream, l.fn)
			}
		}
		m := l.msg
		k := l.fn + m[:min(len(m), 5)]
		if strings.Contains(m, "Task timed out") || strings.Contains(m, "\r") {
			k += "!" // rare shapes get their own sample
		}
		if sampled[k]++; sampled[k] > 300 {
			continue
		}
		switch {
		case strings.HasPrefix(m, "REPORT "):
			seen["report"]++
			if !report.MatchString(m) {
				t.Fatalf("REPORT shape: %q", m)
			}
			if strings.Contains(m, "\nXRAY TraceId: 1-") {
				seen["xray"]++
				if !strings.Contains(m, "\t\nXRAY TraceId: ") {
					t.Errorf("X-Ray trailer not after the trailing TAB: %q", m)
				}
			}
			if !strings.HasSuffix(m, "\t") {
				seen["no trailing tab"]++
			}
		case strings.HasPrefix(m, "INIT_START "):
			seen["init"]++
			if !initStart.MatchString(m) {
				t.Fatalf("INIT_START shape: %q", m)
			}
		case strings.HasPrefix(m, "RESTORE_START "), strings.HasPrefix(m, "RESTORE_REPORT "):
			seen["restore"]++
		case strings.Contains(m, "Task timed out"):
			seen["timed out"]++
			if !timedOut.MatchString(m) {
				t.Fatalf("timeout line shape: %q", m)
			}
		case strings.HasPrefix(m, "EXTENSION\t"), strings.HasPrefix(m, "TELEMETRY\t"), strings.HasPrefix(m, "[AWS Parameters"):
			seen["extension"]++
			if l.kind != model.LineExtension {
				t.Errorf("extension line %q parsed as %d", m, l.kind)
			}
		case nodeApp.MatchString(m):
			seen["node"]++
			if strings.Contains(m, "\r") {
				seen["multiline"]++
			}
			if l.kind != model.LineApp && l.kind != model.LineFailure {
				t.Errorf("node line %q parsed as %d", m, l.kind)
			}
		case pyApp.MatchString(m):
			seen["python"]++
			if l.kind != model.LineApp {
				t.Errorf("python line %q parsed as %d", m, l.kind)
			}
		}
	}
	for _, k := range []string{"report", "xray", "no trailing tab", "init", "restore", "timed out", "extension", "node", "multiline", "python"} {
		if seen[k] == 0 {
			t.Errorf("no %s line in the history (%v)", k, seen)
		}
	}
}

func TestJSONFormatFunctions(t *testing.T) {
	rec := shared(t)
	var jsonFns []string
	for _, sp := range designedFleet() {
		if sp.format == formatJSON {
			jsonFns = append(jsonFns, sp.name)
		}
	}
	if len(jsonFns) < 3 {
		t.Fatalf("only %d JSON-format functions", len(jsonFns))
	}
	for _, fn := range jsonFns {
		invs := invocations(rec, fn)
		if len(invs) == 0 {
			t.Errorf("%s: no invocations", fn)
			continue
		}
		var platform, app int
		for _, l := range rec.lines(fn) {
			switch {
			case strings.HasPrefix(l.msg, `{"time":"`) && strings.Contains(l.msg, `"type":"platform.`):
				platform++
			case strings.HasPrefix(l.msg, `{"timestamp":"`):
				app++
				if l.req == "" || l.kind != model.LineApp {
					t.Fatalf("%s: JSON app line %q parsed as kind %d request %q", fn, l.msg, l.kind, l.req)
				}
			default:
				t.Fatalf("%s: non-JSON line %q", fn, l.msg)
			}
		}
		if platform < 2*len(invs) || app == 0 {
			t.Errorf("%s: %d platform and %d app lines for %d invocations", fn, platform, app, len(invs))
		}
	}
	var failed, cold int
	for _, e := range invocations(rec, "email-sender") {
		if e.Invocation.Error == model.ErrFunction {
			failed++
		}
		if e.Invocation.InitDurationMs > 0 {
			cold++
		}
	}
	if failed == 0 || cold == 0 {
		t.Errorf("email-sender: %d function errors, %d cold starts; want some of each", failed, cold)
	}
	timeouts := 0
	for _, e := range invocations(rec, "ticket-router") {
		if e.Invocation.Error == model.ErrTimeout {
			timeouts++
			if e.Invocation.DurationMs != 30000 {
				t.Errorf("ticket-router timeout lasted %v ms", e.Invocation.DurationMs)
			}
		}
	}
	if timeouts == 0 {
		t.Error("ticket-router: no JSON-format timeout")
	}
}

func TestBillingRule(t *testing.T) {
	rec := shared(t)
	var cold, warm, restored int
	for _, e := range rec.kind(model.KindInvocation, "") {
		inv := e.Invocation
		var want float64
		switch {
		case inv.RestoreDurationMs > 0:
			restored++
			want = math.Ceil(inv.DurationMs + inv.BilledRestoreMs - 1e-6)
		case inv.InitDurationMs > 0:
			// Since 2025-08-01 a cold start bills its init phase too.
			cold++
			want = math.Ceil(inv.DurationMs + inv.InitDurationMs - 1e-6)
		default:
			warm++
			want = math.Ceil(inv.DurationMs - 1e-6)
		}
		if inv.BilledMs != want {
			t.Fatalf("%s: duration %v init %v restore %v billed %v, want %v",
				e.Function, inv.DurationMs, inv.InitDurationMs, inv.BilledRestoreMs, inv.BilledMs, want)
		}
		if inv.MaxMemoryUsedMB <= 0 || inv.MaxMemoryUsedMB > inv.MemorySizeMB {
			t.Fatalf("%s: max memory %d of %d MB", e.Function, inv.MaxMemoryUsedMB, inv.MemorySizeMB)
		}
	}
	if cold < 50 || warm == 0 || restored == 0 {
		t.Errorf("%d cold, %d warm, %d restored invocations", cold, warm, restored)
	}
}

func TestTimeoutsAndOutOfMemory(t *testing.T) {
	rec := shared(t)

	// Text-format timeouts: Status timeout, the configured duration, and a
	// "Task timed out" line before END or after REPORT.
	var timeouts, before, after int
	for _, fn := range []string{"image-thumbnailer", fnFullSync} {
		for _, e := range invocations(rec, fn) {
			if e.Invocation.Error != model.ErrTimeout {
				continue
			}
			timeouts++
			if e.Invocation.Status != "timeout" {
				t.Errorf("%s timeout with status %q", fn, e.Invocation.Status)
			}
		}
		lines := rec.lines(fn)
		for i, l := range lines {
			if !strings.Contains(l.msg, "Task timed out after") {
				continue
			}
			switch {
			case i+1 < len(lines) && strings.HasPrefix(lines[i+1].msg, "END RequestId: "+l.req):
				before++
			case i > 0 && strings.HasPrefix(lines[i-1].msg, "REPORT RequestId: "+l.req):
				after++
			default:
				// Lines of other streams may come in between.
				after++
			}
		}
	}
	if timeouts == 0 || before == 0 || after == 0 {
		t.Errorf("%d text timeouts; timed-out lines %d before END, %d after REPORT", timeouts, before, after)
	}

	// The out-of-memory function, new form.
	oom := 0
	for _, e := range invocations(rec, fnExporter) {
		inv := e.Invocation
		if inv.Error == model.ErrOutOfMemory {
			oom++
			if inv.MaxMemoryUsedMB != inv.MemorySizeMB || inv.ErrorType != "Runtime.OutOfMemory" || inv.Status != "error" {
				t.Errorf("OOM invocation %+v", inv)
			}
		}
	}
	if oom == 0 {
		t.Errorf("%s: no out-of-memory invocation", fnExporter)
	}

	// The old form: killed runtime, max memory at the limit; a kill line
	// after its REPORT amends the invocation.
	var killed, amended int
	for _, e := range invocations(rec, fnIndexer) {
		if e.Invocation.Error == model.ErrOutOfMemory {
			killed++
		}
	}
	for _, e := range rec.kind(model.KindAmend, fnIndexer) {
		if e.Amend.Error == model.ErrOutOfMemory && e.Amend.Prev == model.ErrNone {
			amended++
		}
	}
	lines := 0
	for _, l := range rec.lines(fnIndexer) {
		if strings.Contains(l.msg, " Error: Runtime exited with error: signal: killed\nRuntime.ExitError") {
			lines++
		}
	}
	if lines == 0 || killed+amended != lines || amended == 0 || killed == 0 {
		t.Errorf("%s: %d kill lines, %d OOM invocations, %d amended", fnIndexer, lines, killed, amended)
	}
}

func TestMetaAndStatus(t *testing.T) {
	rec := shared(t)
	events := rec.all()
	if s := events[0]; s.Kind != model.KindStatus || s.Status.State != model.StateBackfilling {
		t.Errorf("first event %+v, want status backfilling", s)
	}
	if s := events[len(events)-1]; s.Kind != model.KindStatus || s.Status.State != model.StateOK {
		t.Errorf("last event %+v, want status ok", s)
	}
	start := fixtureNow.Add(-fixtureHistory)
	archs := map[model.Arch]int{}
	seen := map[string]bool{}
	for _, e := range rec.kind(model.KindMeta, "") {
		if !e.Time.Equal(start) || e.Meta.Account == "" {
			continue // a deploy, or the parser's own
		}
		m := e.Meta
		seen[e.Function] = true
		archs[m.Arch]++
		if m.Region == "" || m.Runtime == "" || m.MemorySizeMB < 128 || m.MemorySizeMB > 10240 || m.TimeoutMs <= 0 || m.Version == "" {
			t.Errorf("%s: meta %+v", e.Function, m)
		}
	}
	if len(seen) != len(designedFleet()) {
		t.Errorf("meta for %d functions, want %d", len(seen), len(designedFleet()))
	}
	if archs[model.ArchARM] == 0 || archs[model.ArchX86] == 0 {
		t.Errorf("architectures %v, want both", archs)
	}
}

func TestVolume(t *testing.T) {
	for _, c := range []struct {
		at       time.Time
		min, max float64
	}{
		{time.Date(2026, 11, 25, 16, 50, 0, 0, time.UTC), 50, 80}, // the daily peak
		{time.Date(2026, 11, 25, 4, 50, 0, 0, time.UTC), 20, 40},  // the trough
	} {
		const h = 5 * time.Minute
		sink := &countingSink{}
		if err := New(Clock(fixed(c.at)), History(h)).Backfill(context.Background(), sink); err != nil {
			t.Fatal(err)
		}
		rate := float64(sink.invocations) / h.Seconds()
		if rate < c.min || rate > c.max {
			t.Errorf("%.1f invocations/s at %s, want %.0f-%.0f", rate, c.at.Format("15:04"), c.min, c.max)
		}
		t.Logf("%s: %.1f invocations/s, %.1f events/s", c.at.Format("15:04"), rate, float64(sink.events)/h.Seconds())
	}
}

// runFor runs src under a fake clock that steps by step from start to end,
// and returns what it recorded.
func runFor(t *testing.T, start, end time.Time, step, tick time.Duration, opts ...Option) *recorder {
	t.Helper()
	clk := newFakeClock(start, step, end)
	src := New(append(opts, Clock(clk.Now), Tick(tick))...)
	rec := &recorder{skipLogs: true}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, rec) }()
	select {
	case <-clk.reached:
	case <-time.After(2 * time.Minute): // a deadline for a stuck run, not a speed bound
		cancel()
		<-done
		t.Fatal("the clock never reached its end")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rec
}

// digest is what a run produced: request IDs of its invocations per
// function, and its throttle counts.
func digest(rec *recorder, until time.Time) (map[string][]string, map[string]int64) {
	ids := map[string][]string{}
	thr := map[string]int64{}
	for _, e := range rec.all() {
		if e.Time.After(until) {
			continue
		}
		switch e.Kind {
		case model.KindInvocation:
			ids[e.Function] = append(ids[e.Function], e.Invocation.RequestID)
		case model.KindAggregate:
			thr[e.Function] += e.Aggregate.Throttles
		}
	}
	for _, v := range ids {
		slices.Sort(v)
	}
	return ids, thr
}

func TestDeterministicAcrossTicks(t *testing.T) {
	defer goleak.VerifyNone(t)
	start := time.Date(2026, 11, 25, 13, 8, 0, 0, time.UTC) // the burst follows
	end := start.Add(8 * time.Minute)
	a := runFor(t, start, end, time.Second, time.Millisecond, History(2*time.Minute), Seed(7))
	b := runFor(t, start, end, 7300*time.Millisecond, 3*time.Millisecond, History(2*time.Minute), Seed(7))
	idsA, thrA := digest(a, end)
	idsB, thrB := digest(b, end)
	total := 0
	for fn, v := range idsA {
		total += len(v)
		if !slices.Equal(v, idsB[fn]) {
			t.Errorf("%s: %d invocations with 1 s ticks, %d with 7.3 s ticks", fn, len(v), len(idsB[fn]))
		}
	}
	if len(idsA) != len(idsB) || total < 1000 {
		t.Errorf("%d functions and %d invocations vs %d functions", len(idsA), total, len(idsB))
	}
	for fn, n := range thrA {
		if thrB[fn] != n {
			t.Errorf("%s: %d throttles vs %d", fn, n, thrB[fn])
		}
	}
	if a.batches == b.batches {
		t.Errorf("both runs ingested %d batches: the tick intervals did not differ", a.batches)
	}
}

func TestSameSeedSameEvents(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 30, 0, 0, time.UTC)
	run := func(seed int64) *recorder {
		rec := &recorder{}
		if err := New(Clock(fixed(now)), History(5*time.Minute), Seed(seed)).Backfill(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	a, b, c := run(3), run(3), run(4)
	if len(a.logs) == 0 || len(a.logs) != len(b.logs) || len(a.events) != len(b.events) {
		t.Fatalf("%d/%d lines, %d/%d events", len(a.logs), len(b.logs), len(a.events), len(b.events))
	}
	for i := range a.logs {
		if a.logs[i] != b.logs[i] {
			t.Fatalf("line %d differs:\n%+v\n%+v", i, a.logs[i], b.logs[i])
		}
	}
	for i := range a.events {
		if fmt.Sprint(a.events[i]) != fmt.Sprint(b.events[i]) {
			t.Fatalf("event %d differs:\n%+v\n%+v", i, a.events[i], b.events[i])
		}
	}
	idsA, _ := digest(a, now)
	idsC, _ := digest(c, now)
	if fmt.Sprint(idsA) == fmt.Sprint(idsC) {
		t.Error("seeds 3 and 4 gave the same invocations")
	}
}

// TestPureFunctionOfTime backfills two windows that overlap: where they
// overlap (past the longest invocation after the later window's start)
// they hold the same invocations.
func TestPureFunctionOfTime(t *testing.T) {
	t1 := time.Date(2026, 11, 25, 8, 20, 0, 0, time.UTC)
	t2 := t1.Add(4*time.Minute + 300*time.Millisecond)
	run := func(now time.Time, h time.Duration) *recorder {
		rec := &recorder{skipLogs: true}
		if err := New(Clock(fixed(now)), History(h)).Backfill(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	a := run(t1, 12*time.Minute)
	b := run(t2, 12*time.Minute)
	from := t2.Add(-12*time.Minute + 6*time.Minute)
	pick := func(rec *recorder) map[string]model.Invocation {
		m := map[string]model.Invocation{}
		for _, e := range rec.kind(model.KindInvocation, "") {
			if in(e.Time, from, t1) {
				m[e.Invocation.RequestID] = e.Invocation
			}
		}
		return m
	}
	pa, pb := pick(a), pick(b)
	if len(pa) < 1000 || len(pa) != len(pb) {
		t.Fatalf("%d vs %d invocations in the overlap", len(pa), len(pb))
	}
	for id, inv := range pa {
		if pb[id] != inv {
			t.Fatalf("invocation %s differs:\n%+v\n%+v", id, inv, pb[id])
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	now := time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	src := New(Clock(clock), History(time.Minute), Tick(time.Millisecond))
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, rec) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec.mu.Lock()
		n := rec.batches
		rec.mu.Unlock()
		if n > 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run ingested nothing")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	// Nothing arrives after Run returned.
	n := len(rec.all())
	time.Sleep(20 * time.Millisecond)
	if len(rec.all()) != n {
		t.Error("events arrived after Run returned")
	}
	var states []model.SourceState
	for _, e := range rec.kind(model.KindStatus, "") {
		states = append(states, e.Status.State)
	}
	if len(states) < 3 || states[0] != model.StateBackfilling || states[len(states)-1] != model.StateOK {
		t.Errorf("status states %v", states)
	}
}

func TestBackfillCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := New(Clock(fixed(fixtureNow))).Backfill(ctx, &recorder{})
	if err != context.Canceled {
		t.Errorf("Backfill with a cancelled context returned %v", err)
	}
}

func TestFunctionsOption(t *testing.T) {
	if n := len(New().FunctionNames()); n != 24 {
		t.Errorf("default fleet has %d functions, want 24", n)
	}
	small := New(Functions(3)).FunctionNames()
	if !slices.Equal(small, []string{fnWebhook, fnMatcher, fnLookup}) {
		t.Errorf("Functions(3) = %v", small)
	}
	big := New(Functions(500))
	names := big.FunctionNames()
	uniq := map[string]bool{}
	for _, n := range names {
		uniq[n] = true
	}
	if len(names) != 500 || len(uniq) != 500 {
		t.Fatalf("Functions(500): %d names, %d unique", len(names), len(uniq))
	}

	now := time.Date(2026, 11, 25, 16, 5, 0, 0, time.UTC)
	const h = 5 * time.Minute
	count := func(n int) (int, int) {
		rec := &countingSink{}
		src := New(Clock(fixed(now)), History(h), Functions(n))
		g := newGenerator(src, rec)
		if _, err := src.backfill(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		if g.parser.Skipped() != 0 {
			t.Errorf("Functions(%d): %d skipped", n, g.parser.Skipped())
		}
		return rec.invocations, len(rec.functions)
	}
	base, _ := count(0)
	large, fns := count(500)
	if large < base || large > 2*base {
		t.Errorf("500 functions: %d invocations, 24 functions: %d; want at most twice as many", large, base)
	}
	if fns < 300 {
		t.Errorf("only %d of 500 functions were invoked in %s", fns, h)
	}
}

// TestDocListsFleet keeps the package documentation's fleet table in step
// with the designed fleet.
func TestDocListsFleet(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range designedFleet() {
		row := fmt.Sprintf("//\t%-22s %-16s %-7s %-5d %-7s", sp.name, sp.rt.id, sp.arch, sp.memMB,
			strconv.FormatInt(sp.timeout/1000, 10)+"s")
		if !strings.Contains(string(doc), row) {
			t.Errorf("doc.go has no row %q", row)
		}
	}
}

// TestRunAfterClockJump: a clock that leaps hours ahead (a laptop waking
// up) makes Run fill the history window before the new now rather than
// simulate the whole gap.
func TestRunAfterClockJump(t *testing.T) {
	defer goleak.VerifyNone(t)
	t0 := time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	calls := 0
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return t0
		}
		return t0.Add(5*time.Hour + time.Duration(calls)*time.Second)
	}
	src := New(Clock(clock), History(2*time.Minute), Tick(time.Millisecond))
	rec := &recorder{skipLogs: true}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, rec) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		late := 0
		for _, e := range rec.kind(model.KindInvocation, "") {
			if e.Time.After(t0.Add(5 * time.Hour)) {
				late++
			}
		}
		if late > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no invocations after the jump")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.kind(model.KindInvocation, "") {
		if in(e.Time, t0.Add(10*time.Minute), t0.Add(5*time.Hour-3*time.Minute)) {
			t.Fatalf("invocation at %s: the gap was simulated", e.Time)
		}
	}
	backfills := 0
	for _, e := range rec.kind(model.KindStatus, "") {
		if e.Status.State == model.StateBackfilling && strings.HasPrefix(e.Status.Detail, "backfilling 0/") {
			backfills++
		}
	}
	if backfills != 2 {
		t.Errorf("%d backfills, want 2", backfills)
	}
}
