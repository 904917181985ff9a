package model

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestWindowsInThePast: windows of up to an hour end anywhere in the last
// hour at minute granularity (the coarse ring holds two hours), older ones
// come from the hourly ring widened to whole hours, and a window before
// any data has no length.
func TestWindowsInThePast(t *testing.T) {
	now := t0.Add(25*time.Hour + 30*time.Second) // 2026-11-26 13:00:30
	s := NewStore(Options{Clock: func() time.Time { return now }})
	// One invocation every 10 s for the last 25 hours (the first at
	// 12:00:40 the day before).
	var evs []Event
	for i := 0; i < 25*360; i++ {
		evs = append(evs, inv("f", now.Add(-time.Duration(i)*10*time.Second), "r"+strconv.Itoa(i), 10, 10, 128, 50))
	}
	s.Ingest(evs...)
	first := now.Add(-(25*360 - 1) * 10 * time.Second)
	for _, tc := range []struct {
		name       string
		w          time.Duration
		end        time.Time
		want       int64
		start, fin time.Time // zero: not checked
		seconds    float64
	}{
		// Fine ring: 13:59:40 .. 14:00:30.
		{name: "1m now", w: Window1m, end: now, want: 6, seconds: 50},
		// Older than the fine ring: the minute 12:30 from the coarse ring.
		{name: "1m 30 min ago", w: Window1m, end: now.Add(-30 * time.Minute), want: 6,
			start: t0.Add(24*time.Hour + 30*time.Minute), seconds: 30},
		// The preceding hour: 11:01 .. 12:00:30, in the coarse ring.
		{name: "1h an hour ago", w: Window1h, end: now.Add(-time.Hour), want: 360,
			start: t0.Add(23*time.Hour + time.Minute), seconds: 59*60 + 30},
		{name: "15m 59 min ago", w: Window15m, end: now.Add(-59 * time.Minute), want: 90, seconds: 14*60 + 30},
		// A day ago: 13:00:30 the day before lies in the hours 12:00 and
		// 13:00, which the window widens to; the data starts at 12:00:40,
		// and the rate is over the data.
		{name: "1h a day ago", w: Window1h, end: now.Add(-24 * time.Hour), want: 356 + 360,
			start: first, fin: t0.Add(2 * time.Hour), seconds: 7160},
		{name: "1h a day ago, on the hour", w: Window1h, end: t0.Add(2 * time.Hour), want: 360,
			start: t0.Add(time.Hour), fin: t0.Add(2 * time.Hour), seconds: 3600},
		// Before the first event: no data, no length.
		{name: "5m before the data", w: Window5m, end: first.Add(-time.Minute), want: 0, seconds: 0},
	} {
		snap := s.Snapshot(SnapshotOptions{Window: tc.w, End: tc.end})
		f := snap.Functions[0]
		if f.Invocations != tc.want {
			t.Errorf("%s: invocations %d, want %d", tc.name, f.Invocations, tc.want)
		}
		if snap.Window.Seconds != tc.seconds {
			t.Errorf("%s: seconds %v, want %v (window %v .. %v)", tc.name, snap.Window.Seconds, tc.seconds, snap.Window.Start, snap.Window.End)
		}
		if !tc.start.IsZero() && !snap.Window.Start.Equal(tc.start) {
			t.Errorf("%s: start %v, want %v", tc.name, snap.Window.Start, tc.start)
		}
		if !tc.fin.IsZero() && !snap.Window.End.Equal(tc.fin) {
			t.Errorf("%s: end %v, want %v", tc.name, snap.Window.End, tc.fin)
		}
		if !snap.HistoryStart.Equal(first) {
			t.Errorf("%s: history start %v, want %v", tc.name, snap.HistoryStart, first)
		}
		if tc.want > 0 && (f.Duration == nil || f.Duration.P50 < 9.8 || f.Duration.P50 > 10.2) {
			t.Errorf("%s: duration %+v", tc.name, f.Duration)
		}
	}
}

func meta(fn string, at time.Time, m FunctionMeta) Event {
	return Event{Kind: KindMeta, Source: "test", Function: fn, Time: at, Meta: m}
}

func withVersion(ev Event, v string) Event {
	ev.Invocation.Version = v
	return ev
}

func TestConfigurationChanges(t *testing.T) {
	s := NewStore(Options{})
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	s.Ingest(
		meta("f", at(0), FunctionMeta{MemorySizeMB: 1024, TimeoutMs: 3000, Runtime: "nodejs20.x", Arch: ArchX86,
			ReservedConcurrency: 10, ReservedConcurrencyKnown: true}), // learnt: no change
		withVersion(inv("f", at(1), "a", 5, 5, 0, 10), "41"), // learnt
		meta("f", at(2), FunctionMeta{MemorySizeMB: 1536}),
		meta("f", at(3), FunctionMeta{TimeoutMs: 3000}), // the same: no change
		meta("f", at(4), FunctionMeta{TimeoutMs: 6000.5, ReservedConcurrency: 0, ReservedConcurrencyKnown: true}),
		withVersion(inv("f", at(5), "b", 5, 5, 0, 10), "42"),  // a deploy
		withVersion(inv("f", at(6), "c", 5, 5, 0, 10), "41"),  // an old environment: no change
		withVersion(inv("f", at(7), "d", 5, 5, 0, 10), "42"),  // current
		withVersion(inv("f", at(30), "e", 5, 5, 0, 10), "41"), // a rollback
		meta("f", at(31), FunctionMeta{Runtime: "nodejs22.x", Arch: ArchARM}),
		meta("g", at(40), FunctionMeta{Version: "$LATEST", ReplicasKnown: true, Replicas: 2}),
		meta("g", at(41), FunctionMeta{Version: "7", ReplicasKnown: true, Replicas: 0}),
		meta("f", time.Time{}, FunctionMeta{MemorySizeMB: 128}), // no time: now
	)
	want := []string{
		"f memory_mb 1024->1536 12:02",
		"f timeout_ms 3000->6000.5 12:04",
		"f reserved_concurrency 10->0 12:04",
		"f version 41->42 12:05",
		"f version 42->41 12:30",
		"f architecture x86_64->arm64 12:31",
		"f runtime nodejs20.x->nodejs22.x 12:31",
		"g version $LATEST->7 12:41",
		"g replicas 2->0 12:41",
		"f memory_mb 1536->128 12:30", // now: the newest event (12:30), sorted by time
	}
	got := func(cs []Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Function+" "+c.Field+" "+c.From+"->"+c.To+" "+c.Time.Format("15:04"))
		}
		return out
	}
	all := s.Snapshot(SnapshotOptions{})
	// Sorted by time, stable: the change without a time (at 12:30) comes
	// after the 12:30 rollback.
	wantAll := []string{want[0], want[1], want[2], want[3], want[4], want[9], want[5], want[6], want[7], want[8]}
	if g := got(all.Changes); strings.Join(g, "\n") != strings.Join(wantAll, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(wantAll, "\n"))
	}
	// Meta moves no time bound: the window is that of the invocations.
	if !all.Window.Start.Equal(at(1)) || !all.Window.End.Equal(at(30)) {
		t.Errorf("window %v .. %v", all.Window.Start, all.Window.End)
	}
	f := all.Functions[0]
	if f.Version != "41" || f.MemorySizeMB != 128 || f.ReservedConcurrency == nil || *f.ReservedConcurrency != 0 {
		t.Errorf("f: version %q memory %d reserved %v", f.Version, f.MemorySizeMB, f.ReservedConcurrency)
	}
	if all.Functions[1].ReservedConcurrency != nil {
		t.Errorf("g: reserved concurrency %v, want unknown", *all.Functions[1].ReservedConcurrency)
	}
	// A window (12:00 .. 12:05:59) and one function.
	w := s.Snapshot(SnapshotOptions{Window: Window5m, End: at(5), Function: "f"})
	if g := got(w.Changes); strings.Join(g, "|") != strings.Join(want[:4], "|") {
		t.Errorf("window changes %v", g)
	}
	// Bounds: 32 per function, 512 fleet-wide.
	s = NewStore(Options{})
	for i := 0; i < 600; i++ {
		fn := "fn" + strconv.Itoa(i%10)
		s.Ingest(meta(fn, t0.Add(time.Duration(i)*time.Second), FunctionMeta{MemorySizeMB: 128 + i}))
	}
	if n := len(s.Snapshot(SnapshotOptions{}).Changes); n != 512 {
		t.Errorf("fleet changes %d, want 512", n)
	}
	one := s.Snapshot(SnapshotOptions{Function: "fn3"}).Changes
	if len(one) != 32 || one[31].To != strconv.Itoa(128+593) {
		t.Errorf("function changes %d, last %+v", len(one), one[len(one)-1])
	}
}

func TestColdStartCost(t *testing.T) {
	gbs := DefaultPrices().Lookup("", ArchUnknown).GBSecondUSD
	for _, tc := range []struct {
		name                 string
		init, dur, billed    float64
		restore              float64
		wantMs               float64
		platform             string
		wantNull, wantCounts bool
	}{
		{name: "init billed in full", init: 300, dur: 100, billed: 400, wantMs: 300},
		{name: "init partly billed", init: 300, dur: 100.5, billed: 301, wantMs: 200.5},
		{name: "billed below duration", init: 300, dur: 100, billed: 90, wantMs: 0},
		{name: "warm", dur: 100, billed: 400, wantMs: 0},
		{name: "restore only", restore: 200, dur: 100, billed: 400, wantMs: 0},
		{name: "unpriced", init: 300, dur: 100, billed: 400, wantMs: 300, platform: "openfaas", wantNull: true},
	} {
		s := NewStore(Options{})
		if tc.platform != "" {
			s.Ingest(meta("f", t0, FunctionMeta{Platform: tc.platform}))
		}
		ev := inv("f", t0, "a", tc.dur, tc.billed, 2048, 100)
		ev.Invocation.InitDurationMs, ev.Invocation.RestoreDurationMs = tc.init, tc.restore
		s.Ingest(ev, inv("f", t0.Add(time.Second), "b", 10, 10, 2048, 100))
		for _, w := range []time.Duration{WindowAll, Window1m} {
			f := s.Snapshot(SnapshotOptions{Window: w}).Functions[0]
			wantUSD := tc.wantMs / 1000 * 2 * gbs
			if tc.wantNull {
				wantUSD = 0
			}
			if f.ColdStartBilledMs != tc.wantMs || !near(f.ColdStartCostUSD, wantUSD) {
				t.Errorf("%s %s: cold billed %v ms $%v, want %v ms $%v", tc.name, WindowLabel(w), f.ColdStartBilledMs, f.ColdStartCostUSD, tc.wantMs, wantUSD)
			}
			js, _ := json.Marshal(f)
			null := strings.Contains(string(js), `"cold_start_cost_usd":null`)
			if null != tc.wantNull || !strings.Contains(string(js), `"cold_start_billed_ms":`) {
				t.Errorf("%s: json %s", tc.name, js)
			}
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-15 && b-a < 1e-15 }

func TestRecentInvocations(t *testing.T) {
	s := NewStore(Options{})
	long := strings.Repeat("x", 50)
	for i := 0; i < 100; i++ {
		ev := inv("f", t0.Add(time.Duration(i)*time.Second), "req-"+strconv.Itoa(i), float64(i), 10, 128, 10)
		ev.Invocation.Stream = "stream-" + strconv.Itoa(i%3)
		ev.Invocation.TraceID = "1-5759e988-bd862e3fe1be46a99427279" + strconv.Itoa(i%10)
		if i == 99 {
			ev.Invocation.RequestID = long // does not fit inline
		}
		if i%20 == 0 {
			ev.Invocation.Error, ev.Invocation.ErrorType, ev.Invocation.ErrorMessage = ErrFunction, "TypeError", "boom "+strconv.Itoa(i)
		}
		s.Ingest(ev)
	}
	// An amendment: req-90 timed out.
	s.Ingest(Event{Kind: KindAmend, Function: "f", Time: t0.Add(200 * time.Second), Amend: Amend{
		RequestID: "req-90", InvocationTime: t0.Add(90 * time.Second), Prev: ErrNone, Error: ErrTimeout,
		ErrorMessage: "Task timed out after 3.00 seconds"}})
	recs := s.RecentInvocations("f", 0)
	// The last 64 (36..99) and the failures before them (0, 20).
	if len(recs) != 66 || recs[0].RequestID != "req-0" || recs[1].RequestID != "req-20" || recs[2].RequestID != "req-36" || recs[65].RequestID != long {
		t.Fatalf("records: %d, first %q %q %q, last %q", len(recs), recs[0].RequestID, recs[1].RequestID, recs[2].RequestID, recs[len(recs)-1].RequestID)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Time.Before(recs[i-1].Time) {
			t.Fatalf("not in time order at %d", i)
		}
	}
	if r := s.RecentInvocations("f", 3); len(r) != 3 || r[2].RequestID != long || r[0].RequestID != "req-97" {
		t.Errorf("limit 3: %+v", r)
	}
	for _, tc := range []struct {
		id     string
		ok     bool
		err    ErrorKind
		msg    string
		status string
	}{
		{"req-0", true, ErrFunction, "boom 0", ""},
		{"req-50", true, ErrNone, "", ""},
		{"req-90", true, ErrTimeout, "Task timed out after 3.00 seconds", "timeout"},
		{"req-60", true, ErrFunction, "boom 60", ""},
		{"req-10", false, ErrNone, "", ""},
		{long, true, ErrNone, "", ""},
	} {
		r, ok := s.Invocation("f", tc.id)
		if ok != tc.ok || r.Error != tc.err || r.ErrorMessage != tc.msg || r.Status != tc.status {
			t.Errorf("Invocation(%q) = %v %+v", tc.id, ok, r)
			continue
		}
		if ok && (r.RequestID != tc.id || r.Function != "f" || r.Source != "test" || !strings.HasPrefix(r.Stream, "stream-") || !strings.HasPrefix(r.TraceID, "1-5759e988")) {
			t.Errorf("Invocation(%q) = %+v", tc.id, r)
		}
	}
	if _, ok := s.Invocation("nope", "req-1"); ok {
		t.Error("unknown function found")
	}
	// The failures ring keeps 32.
	s = NewStore(Options{})
	for i := 0; i < 40; i++ {
		ev := inv("f", t0.Add(time.Duration(i)*time.Second), "e"+strconv.Itoa(i), 1, 1, 128, 10)
		ev.Invocation.Error = ErrTimeout
		s.Ingest(ev)
	}
	for i := 0; i < 100; i++ {
		s.Ingest(inv("f", t0.Add(time.Duration(100+i)*time.Second), "ok"+strconv.Itoa(i), 1, 1, 128, 10))
	}
	if r := s.RecentInvocations("f", 0); len(r) != 96 || r[0].RequestID != "e8" {
		t.Errorf("failures kept: %d, first %q", len(r), r[0].RequestID)
	}
}

func TestLogsByRequest(t *testing.T) {
	s := NewStore(Options{})
	for i, id := range []string{"a", "b", "a", "", "a"} {
		s.Ingest(Event{Kind: KindLog, Function: "f" + strconv.Itoa(i%2), Time: t0.Add(time.Duration(i) * time.Second),
			Log: LogLine{RequestID: id, Message: "m" + strconv.Itoa(i)}})
	}
	for _, tc := range []struct {
		q    LogQuery
		want string
	}{
		{LogQuery{RequestID: "a"}, "m0 m2 m4"},
		{LogQuery{RequestID: "a", Function: "f0"}, "m0 m2 m4"},
		{LogQuery{RequestID: "b", Function: "f0"}, ""},
		{LogQuery{RequestID: "b"}, "m1"},
		{LogQuery{RequestID: "a", Limit: 1}, "m4"},
		{LogQuery{}, "m0 m1 m2 m3 m4"},
	} {
		var got []string
		for _, e := range s.Logs(tc.q) {
			got = append(got, e.Message)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%+v: %v, want %s", tc.q, got, tc.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Task timed out after 3.00 seconds", "Task timed out after <n> seconds"},
		{"2026-11-25T12:00:00.000Z\tc6af9ac6-7b61-11e6-9a41-93e8deadbeef\tERROR\tInvoke Error \t" +
			`{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')",` +
			`"stack":["TypeError: Cannot read properties of undefined (reading 'id')","    at Runtime.handler (file:///var/task/index.mjs:12:34)","    at next (x.js:1:2)"]}`,
			"TypeError: Cannot read properties of undefined (reading '<v>') | at Runtime.handler (file:///var/task/index.mjs:<n>:<n>)"},
		// Cut short: the type and message are still read.
		{"2026-11-25T12:00:00.000Z\tc6af9ac6-7b61-11e6-9a41-93e8deadbeef\tERROR\tInvoke Error \t" +
			`{"errorType":"Error","errorMessage":"boom 42","stack":["Error: boom 42","    at x (`, "Error: boom <n>"},
		{"[ERROR] KeyError: 'user_id'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 10, in handler\n" +
			"    return event['user_id']\n  File \"/var/task/lib.py\", line 3, in get\n  File \"/var/task/z.py\", line 3, in z\n",
			"KeyError: '<v>' | File /var/task/app.py, line <n>, in handler | File /var/task/lib.py, line <n>, in get"},
		{"[ERROR]\t2026-11-25T12:00:00.123Z\t3f2a9c01-1111-2222-3333-444455556666\tfailed to connect to 10.0.3.17:5432 after 3 retries (took 1.5s)",
			"failed to connect to <ip>:<n> after <n> retries (took <n>s)"},
		{"RequestId: 3f2a9c01-1111-2222-3333-444455556666 Error: Runtime exited with error: signal: killed",
			"Error: Runtime exited with error: signal: killed"},
		{`{"timestamp":"2026-11-25T12:00:00Z","level":"ERROR","requestId":"abc","message":"payment failed",` +
			`"errorType":"GatewayError","errorMessage":"upstream 502 at https://pay.example.com/v1/charge?id=123&k=x",` +
			`"stackTrace":["  File \"/var/task/pay.py\", line 88, in charge\n    raise GatewayError(...)\n"]}`,
			"GatewayError: upstream <n> at https://pay.example.com/v1/charge?<query> | File /var/task/pay.py, line <n>, in charge"},
		{`{"level":"error","message":"order ord_93821 rejected by 'fraud-check'"}`, "order ord_<n> rejected by '<v>'"},
		{"user bob@example.com not found, ptr 0x7ffe1234abcd, trace 5f3a9c0e12ab34cd",
			"user <email> not found, ptr <hex>, trace <hex>"},
		{"can't open file \"/tmp/x-93821.json\": it's gone at 2026-11-25 12:00:00,123", `can't open file "<v>": it's gone at <time>`},
		{"panic: boom\n\ngoroutine 1 [running]:\nmain.handler(0x1234)\n\t/src/main.go:42 +0x1d\nmain.main()\n\t/src/main.go:10 +0x20",
			"panic: boom | /src/main.go:<n> +<hex> | /src/main.go:<n> +<hex>"},
		{"  S3 upload   failed:\tbase64 utf8   ", "S3 upload failed: base64 utf8"},
		{"[ERROR]\t2024-05-01T10:00:00.600Z\taaaaaaaa-0000-4000-8000-000000000001\tTraceback (most recent call last):\n" +
			"  File \"/var/task/app.py\", line 10, in handler\n    raise ValueError(\"boom\")\n\nValueError: boom 7",
			"ValueError: boom <n> | File /var/task/app.py, line <n>, in handler"},
		{"", ""},
		{"\xff\xfe bad", "\uFFFD bad"},
	} {
		if got := Fingerprint(tc.in); got != tc.want {
			t.Errorf("Fingerprint(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
	// Bounded, valid UTF-8, cut between words.
	long := strings.Repeat("héllo wörld ", 100)
	if got := Fingerprint(long); len(got) > 200 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || Fingerprint(got) != got {
		t.Errorf("long: %d bytes %q", len(got), got)
	}
}

func FuzzFingerprint(f *testing.F) {
	for _, s := range []string{
		"Task timed out after 3.00 seconds",
		"[ERROR] KeyError: 'x'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 10, in handler",
		"2026-11-25T12:00:00.000Z\tc6af9ac6-7b61-11e6-9a41-93e8deadbeef\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"stack\":[\"Error: boom\",\"    at h (/var/task/index.js:5:11)\"]}",
		`{"level":"ERROR","message":"x 1.5.3 at https://a.b/c?d=1","errorType":"E"}`,
		"user a@b.co 0xdeadbeef 10.0.0.1:80 1.5abcdef01 can't 'q'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fingerprint(s)
		if len(got) > 200 || !utf8.ValidString(got) {
			t.Fatalf("Fingerprint(%q) = %q: %d bytes", s, got, len(got))
		}
		if again := Fingerprint(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

func failed(fn string, at time.Time, id string, kind ErrorKind, typ, msg string) Event {
	ev := inv(fn, at, id, 5, 5, 128, 10)
	ev.Invocation.Error, ev.Invocation.ErrorType, ev.Invocation.ErrorMessage = kind, typ, msg
	ev.Invocation.Stream = "s1"
	return ev
}

func errLog(fn string, at time.Time, id string, kind LineKind, msg string) Event {
	return Event{Kind: KindLog, Source: "test", Function: fn, Time: at, Log: LogLine{RequestID: id, Stream: "s2", Level: LevelError, Kind: kind, Message: msg}}
}

func TestSignatures(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	s := NewStore(Options{Clock: func() time.Time { return now }})
	var evs []Event
	// History from two hours ago; "old" fails every 10 minutes.
	evs = append(evs, inv("f", t0, "start", 5, 5, 128, 10))
	for i := 0; i < 12; i++ {
		evs = append(evs, failed("f", t0.Add(time.Duration(i)*10*time.Minute), "o"+strconv.Itoa(i), ErrTimeout, "", "Task timed out after 3.00 seconds"))
	}
	// In the last 5 minutes: a new failure, 3 times, with varying values.
	for i := 0; i < 3; i++ {
		evs = append(evs, failed("f", now.Add(-time.Duration(i)*time.Minute), "n"+strconv.Itoa(i), ErrFunction, "TypeError", "bad id "+strconv.Itoa(100+i)))
	}
	evs = append(evs,
		errLog("f", now.Add(-time.Minute), "n1", LineApp, "[ERROR]\t2026-11-25T13:59:00Z\t3f2a9c01-1111-2222-3333-444455556666\tdb down: 10.0.0.7:5432"),
		errLog("f", now.Add(-time.Minute), "n1", LineFailure, "Task timed out"),                      // counted as an invocation
		errLog("f", now.Add(-time.Minute), "n1", LinePlatform, "REPORT error"),                       // likewise
		Event{Kind: KindLog, Function: "f", Time: now, Log: LogLine{Level: LevelWarn, Message: "w"}}, // below ERROR
		failed("g", now, "g1", ErrFunction, "TypeError", "bad id 7"),
		inv("f", now, "ok", 5, 5, 128, 10),
	)
	s.Ingest(evs...)
	// An amendment turns a success into a failure; one between failure
	// kinds is not counted again.
	s.Ingest(
		Event{Kind: KindAmend, Function: "f", Time: now, Amend: Amend{RequestID: "ok", InvocationTime: now, Prev: ErrNone, Error: ErrRuntimeExit, ErrorType: "Runtime.ExitError", ErrorMessage: "signal: killed"}},
		Event{Kind: KindAmend, Function: "f", Time: now, Amend: Amend{RequestID: "n0", InvocationTime: now, Prev: ErrFunction, Error: ErrOutOfMemory}},
	)
	type row struct {
		kind, text string
		count      int64
		new        bool
	}
	rows := func(o SnapshotOptions) []row {
		var out []row
		for _, g := range s.Snapshot(o).Signatures {
			out = append(out, row{g.Kind, g.Text, g.Count, g.New})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		o    SnapshotOptions
		want []row
	}{
		{"5m", SnapshotOptions{Window: Window5m, Function: "f"}, []row{
			{"function_error", "TypeError: bad id <n>", 3, true},
			{"runtime_exit", "Runtime.ExitError: signal: killed", 1, true},
			{"log", "db down: <ip>:<n>", 1, true},
		}},
		{"1h", SnapshotOptions{Window: Window1h, Function: "f"}, []row{
			{"timeout", "Task timed out after <n> seconds", 5, false}, // 13:10 .. 13:50
			{"function_error", "TypeError: bad id <n>", 3, true},
			{"runtime_exit", "Runtime.ExitError: signal: killed", 1, true},
			{"log", "db down: <ip>:<n>", 1, true},
		}},
		{"1h an hour ago", SnapshotOptions{Window: Window1h, End: now.Add(-time.Hour), Function: "f"}, []row{
			{"timeout", "Task timed out after <n> seconds", 6, false}, // first seen at the start of history
		}},
		{"all, fleet", SnapshotOptions{}, []row{
			{"timeout", "Task timed out after <n> seconds", 12, false},
			{"function_error", "TypeError: bad id <n>", 3, false},
			{"runtime_exit", "Runtime.ExitError: signal: killed", 1, false}, // as recent as g's: by name
			{"function_error", "TypeError: bad id <n>", 1, false},           // g's
			{"log", "db down: <ip>:<n>", 1, false},
		}},
	} {
		got := rows(tc.o)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s [%d]: %+v, want %+v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	sig := s.Snapshot(SnapshotOptions{Window: Window5m, Function: "f"}).Signatures[0]
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(sig.ID) || sig.ErrorType != "TypeError" ||
		sig.Example.RequestID != "n0" || sig.Example.Message != "TypeError: bad id 100" || sig.Example.Stream != "s1" ||
		!sig.FirstSeen.Equal(now.Add(-2*time.Minute)) || !sig.LastSeen.Equal(now) {
		t.Errorf("signature %+v", sig)
	}
	g := s.Snapshot(SnapshotOptions{Function: "g"}).Signatures[0]
	if g.ID == sig.ID || g.Function != "g" {
		t.Errorf("g's signature %+v shares f's ID", g)
	}
}

func TestSignaturesBounded(t *testing.T) {
	now := t0.Add(3 * time.Hour)
	s := NewStore(Options{Clock: func() time.Time { return now }})
	// 100 kinds of failure, one a minute; then one every 10 s for 3 hours.
	for i := 0; i < 100; i++ {
		s.Ingest(failed("f", t0.Add(time.Duration(i)*time.Minute), "x", ErrFunction, "E"+strconv.Itoa(i%10)+strings.Repeat("x", i/10), "m"))
	}
	for i := 0; i < 3*360; i++ {
		s.Ingest(failed("f", t0.Add(time.Duration(i)*10*time.Second), "y", ErrTimeout, "", "Task timed out after 3.00 seconds"))
	}
	snap := s.Snapshot(SnapshotOptions{})
	if len(snap.Signatures) != 64 || snap.Signatures[0].Count != 3*360 {
		t.Fatalf("%d signatures, top %+v", len(snap.Signatures), snap.Signatures[0])
	}
	// The newest 63 of the 100 remain (E..37 onwards), with the timeout.
	for _, g := range snap.Signatures[1:] {
		if g.LastSeen.Before(t0.Add(37 * time.Minute)) {
			t.Errorf("kept %q, last seen %v", g.Text, g.LastSeen)
		}
	}
	st := s.funcs["f"]
	for _, g := range st.sigs {
		if len(g.counts) > sigKeep/60+sigFineSpan/10+2 {
			t.Errorf("%q keeps %d counts", g.text, len(g.counts))
		}
	}
	for _, tc := range []struct {
		w    time.Duration
		end  time.Time
		want int64
	}{
		{Window1m, now, 5},                                    // 10-second counts: 14:59:10 .. 14:59:50
		{Window15m, now.Add(-90 * time.Minute), 90},           // minutes
		{Window1h, now.Add(-time.Hour), 360},                  // minutes
		{Window1m, now.Add(-119 * time.Minute), 6},            // still kept
		{Window5m, now.Add(-2*time.Hour - 10*time.Minute), 0}, // beyond the coarse ring: no counts
	} {
		snap := s.Snapshot(SnapshotOptions{Window: tc.w, End: tc.end, Function: "f"})
		var n int64
		for _, g := range snap.Signatures {
			if g.Kind == "timeout" {
				n = g.Count
			}
		}
		if n != tc.want {
			t.Errorf("%s ending %v: %d timeouts, want %d", WindowLabel(tc.w), tc.end.Format("15:04:05"), n, tc.want)
		}
	}
}

// BenchmarkIngestFailures is BenchmarkIngest with one failure in ten and
// one ERROR log line per failure.
func BenchmarkIngestFailures(b *testing.B) {
	s := NewStore(Options{})
	const batch = 1024
	evs := make([]Event, 0, batch)
	for i := 0; len(evs) < batch; i++ {
		fn := "fn-" + strconv.Itoa(i%100)
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if i%10 == 0 {
			evs = append(evs, failed(fn, at, "r"+strconv.Itoa(i), ErrFunction, "TypeError", "bad id "+strconv.Itoa(i)),
				errLog(fn, at, "r", LineApp, "2026-11-25T12:00:00.000Z\tr\tERROR\tdb down: 10.0.0.7:5432 after "+strconv.Itoa(i)+" ms"))
			continue
		}
		evs = append(evs, inv(fn, at, "r", 5, 100, 256, 80))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		s.Ingest(evs...)
	}
}
