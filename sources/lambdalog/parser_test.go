package lambdalog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// Messages used by the correlation tests, in the shapes of the samples.
func startLine(id string) string { return "START RequestId: " + id + " Version: $LATEST" }
func endLine(id string) string   { return "END RequestId: " + id }
func reportLine(id string, maxMem int, extra string) string {
	return fmt.Sprintf("REPORT RequestId: %s\tDuration: 102.50 ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: %d MB\t%s", id, maxMem, extra)
}
func timeoutLine(id string) string {
	return "2026-11-20T10:00:03.000Z " + id + " Task timed out after 3.00 seconds"
}
func exitLine(id, why string) string {
	return "RequestId: " + id + " Error: Runtime exited with error: " + why + "\nRuntime.ExitError"
}
func invokeErrorLine(id string) string {
	return "2026-11-20T10:00:01.000Z\t" + id + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"stack\":[\"Error: boom\"]}"
}

func TestInvocationFields(t *testing.T) {
	f := newFeeder(t)
	f.feed("s1", startLine("r1"))
	evs := f.feed("s1", "REPORT RequestId: r1\tDuration: 2.37 ms\tBilled Duration: 427 ms\tMemory Size: 1024 MB\tMax Memory Used: 95 MB\tInit Duration: 423.98 ms\tRestore Duration: 1.5 ms\tBilled Restore Duration: 2 ms\t\nXRAY TraceId: 1-6ac7d554-62c6be2f6c1bd8032dac9acf\tSegmentId: 854892f93105b5ae\tSampled: true")
	invs := byKind(evs, model.KindInvocation)
	if len(invs) != 1 {
		t.Fatalf("want 1 invocation, got %d: %+v", len(invs), evs)
	}
	e := invs[0]
	want := model.Invocation{RequestID: "r1", Stream: "s1", Version: "$LATEST", DurationMs: 2.37, BilledMs: 427,
		MemorySizeMB: 1024, MaxMemoryUsedMB: 95, InitDurationMs: 423.98, RestoreDurationMs: 1.5, BilledRestoreMs: 2,
		TraceID: "1-6ac7d554-62c6be2f6c1bd8032dac9acf"}
	if e.Invocation != want {
		t.Errorf("invocation\n got %+v\nwant %+v", e.Invocation, want)
	}
	if e.Source != "test" || e.Function != "fn" || !e.Time.Equal(f.base.Add(2*time.Second)) {
		t.Errorf("event header = %q %q %v", e.Source, e.Function, e.Time)
	}
	// The report's own log line comes first, attributed to its request.
	if evs[0].Kind != model.KindLog || evs[0].Log.RequestID != "r1" || evs[0].Log.Kind != model.LinePlatform ||
		!strings.HasPrefix(evs[0].Log.Message, "REPORT RequestId: r1\t") || strings.HasSuffix(evs[0].Log.Message, "\n") {
		t.Errorf("log event = %+v", evs[0])
	}
	// Meta announces the memory size once.
	if m := byKind(evs, model.KindMeta); len(m) != 1 || m[0].Meta.MemorySizeMB != 1024 {
		t.Errorf("meta = %+v", m)
	}
}

func TestMetaOnlyOnChange(t *testing.T) {
	f := newFeeder(t)
	f.feed("s", reportLine("a", 10, ""))
	f.feed("s", reportLine("b", 10, ""))
	f.feed("s", strings.Replace(reportLine("c", 10, ""), "512 MB", "1024 MB", 1))
	f.feed("s", "INIT_START Runtime Version: python:3.12.v36\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc")
	f.feed("s", "INIT_START Runtime Version: python:3.12.v36\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc")
	meta := byKind(f.events, model.KindMeta)
	want := []model.FunctionMeta{{MemorySizeMB: 512}, {MemorySizeMB: 1024}, {Runtime: "python3.12", Region: "eu-west-1"}}
	if len(meta) != len(want) {
		t.Fatalf("meta events = %+v", meta)
	}
	for i, m := range meta {
		if m.Meta != want[i] || m.Function != "fn" {
			t.Errorf("meta %d = %+v, want %+v", i, m.Meta, want[i])
		}
	}
}

func TestAttributionInterleavedStreams(t *testing.T) {
	f := newFeeder(t)
	type step struct {
		stream, msg, wantID string
	}
	steps := []step{
		{"A", "2026-11-20T10:00:00.000Z\tundefined\tINFO\tLoading function", ""},
		{"A", startLine("a1"), "a1"},
		{"B", startLine("b1"), "b1"},
		{"A", "plain output from a1", "a1"},
		{"B", "plain output from b1", "b1"},
		{"A", "[INFO]\t2026-11-20T10:00:01.000Z\tb1\tnames its own request", "b1"},
		{"A", "2026-11-20T10:00:01.000Z\tundefined\tINFO\tasync tail", "a1"},
		{"B", "[AWS Parameters and Secrets Lambda Extension] 2024/04/11 02:14:17 INFO cache hit", "b1"},
		{"A", endLine("a1"), "a1"},
		{"A", "after END: no invocation in progress", ""},
		{"A", reportLine("a1", 50, ""), "a1"},
		{"B", "still b1", "b1"},
		{"B", reportLine("b1", 50, ""), "b1"},
		{"B", "after REPORT", ""},
		{"", "no stream at all", ""},
		{"", startLine("c1"), "c1"},
		{"", "unknown stream, in progress", "c1"},
		{"A", startLine("a2"), "a2"},
		{"A", "INIT_START Runtime Version: nodejs:20.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:x", ""},
		{"A", "a new environment has nothing in progress", ""},
	}
	for i, s := range steps {
		evs := f.feed(s.stream, s.msg)
		logs := byKind(evs, model.KindLog)
		if len(logs) != 1 {
			t.Fatalf("step %d: %d log events", i, len(logs))
		}
		if got := logs[0].Log.RequestID; got != s.wantID {
			t.Errorf("step %d (%s %q): RequestID %q, want %q", i, s.stream, s.msg, got, s.wantID)
		}
		if logs[0].Log.Stream != s.stream {
			t.Errorf("step %d: Stream %q", i, logs[0].Log.Stream)
		}
	}
	invs := byKind(f.events, model.KindInvocation)
	if len(invs) != 2 || invs[0].Invocation.Stream != "A" || invs[1].Invocation.Stream != "B" ||
		invs[0].Invocation.Version != "$LATEST" {
		t.Errorf("invocations = %+v", invs)
	}
}

func TestLogLevelsAndKinds(t *testing.T) {
	f := newFeeder(t)
	cases := []struct {
		msg   string
		level model.Level
		kind  model.LineKind
	}{
		{startLine("r"), model.LevelNone, model.LinePlatform},
		{"2026-11-20T10:00:00.000Z\tr\tWARN\twatch out", model.LevelWarn, model.LineApp},
		{"[ERROR]\t2026-11-20T10:00:00.000Z\tr\tbad", model.LevelError, model.LineApp},
		{`{"timestamp":"2026-11-20T10:00:00Z","level":"DEBUG","requestId":"r","message":"m"}`, model.LevelDebug, model.LineApp},
		{`{"timestamp":"2026-11-20T10:00:00Z","level":"UNDEFINED","AWSRequestId":"r","message":"m"}`, model.LevelInfo, model.LineApp},
		{timeoutLine("r"), model.LevelError, model.LineFailure},
		{"TELEMETRY\tName: x\tState: Subscribed\tTypes: [Platform]", model.LevelNone, model.LineExtension},
		{"just text", model.LevelNone, model.LinePlain},
	}
	for _, c := range cases {
		l := byKind(f.feed("s", c.msg), model.KindLog)[0].Log
		if l.Level != c.level || l.Kind != c.kind {
			t.Errorf("%q: level %v kind %v, want %v %v", c.msg, l.Level, l.Kind, c.level, c.kind)
		}
	}
}

func TestFailureBeforeReport(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		kind    model.ErrorKind
		errType string
		errMsg  string
	}{
		{"timeout before", []string{startLine("r"), timeoutLine("r"), endLine("r"), reportLine("r", 80, "")},
			model.ErrTimeout, "", "Task timed out after 3.00 seconds"},
		{"timeout and status", []string{startLine("r"), timeoutLine("r"), reportLine("r", 80, "Status: timeout")},
			model.ErrTimeout, "", "Task timed out after 3.00 seconds"},
		{"exit 137 before", []string{startLine("r"), exitLine("r", "exit status 137"), reportLine("r", 300, "")},
			model.ErrRuntimeExit, "Runtime.ExitError", "Runtime exited with error: exit status 137"},
		{"exit with memory full is OOM", []string{startLine("r"), exitLine("r", "signal: killed"), reportLine("r", 512, "")},
			model.ErrOutOfMemory, "Runtime.ExitError", "Runtime exited with error: signal: killed"},
		{"invoke error", []string{startLine("r"), invokeErrorLine("r"), reportLine("r", 80, "")},
			model.ErrFunction, "Error", "boom"},
		{"invoke error then status error", []string{startLine("r"), invokeErrorLine("r"), reportLine("r", 80, "Status: error")},
			model.ErrFunction, "Error", "boom"},
		{"request-less failure attributed", []string{startLine("r"), "Unknown application error occurred\nRuntime.Unknown", reportLine("r", 80, "")},
			model.ErrFunction, "Runtime.Unknown", "Unknown application error occurred"},
		{"timeout outranks invoke error", []string{startLine("r"), invokeErrorLine("r"), timeoutLine("r"), reportLine("r", 80, "")},
			model.ErrTimeout, "Error", "Task timed out after 3.00 seconds"},
		{"status OOM", []string{reportLine("r", 512, "Status: error\tError Type: Runtime.OutOfMemory")},
			model.ErrOutOfMemory, "Runtime.OutOfMemory", ""},
		{"status error full memory", []string{reportLine("r", 512, "Status: error")},
			model.ErrOutOfMemory, "", ""},
		{"status timeout full memory stays timeout", []string{reportLine("r", 512, "Status: timeout")},
			model.ErrTimeout, "", ""},
		{"full memory but success (emulator)", []string{reportLine("r", 512, "")},
			model.ErrNone, "", ""},
		{"json runtimeDone timeout", []string{
			`{"time":"2026-07-09T06:05:50.562Z","type":"platform.runtimeDone","record":{"requestId":"r","status":"timeout"}}`,
			`{"time":"2026-07-09T06:05:50.581Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":5000.0,"billedDurationMs":5000,"memorySizeMB":128,"maxMemoryUsedMB":94},"status":"timeout"}}`},
			model.ErrTimeout, "", ""},
		{"json runtimeDone OOM", []string{
			`{"time":"2026-07-09T06:05:50.562Z","type":"platform.runtimeDone","record":{"requestId":"r","status":"error","errorType":"Runtime.OutOfMemory"}}`,
			`{"time":"2026-07-09T06:05:50.581Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":50,"billedDurationMs":50,"memorySizeMB":128,"maxMemoryUsedMB":128},"status":"error"}}`},
			model.ErrOutOfMemory, "Runtime.OutOfMemory", ""},
		{"json report failure", []string{
			`{"time":"2026-07-09T06:05:50.581Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":50,"billedDurationMs":50,"memorySizeMB":128,"maxMemoryUsedMB":60},"status":"failure"}}`},
			model.ErrFunction, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFeeder(t)
			for _, l := range c.lines {
				f.feed("s", l)
			}
			if a := byKind(f.events, model.KindAmend); len(a) != 0 {
				t.Errorf("unexpected amendments: %+v", a)
			}
			invs := byKind(f.events, model.KindInvocation)
			if len(invs) != 1 {
				t.Fatalf("%d invocations", len(invs))
			}
			inv := invs[0].Invocation
			if inv.Error != c.kind || inv.ErrorType != c.errType || inv.ErrorMessage != c.errMsg {
				t.Errorf("got %v %q %q, want %v %q %q", inv.Error, inv.ErrorType, inv.ErrorMessage, c.kind, c.errType, c.errMsg)
			}
		})
	}
}

func TestFailureAfterReport(t *testing.T) {
	cases := []struct {
		name   string
		report string
		later  []string
		amend  *model.Amend // nil: no amendment
	}{
		{"timeout after success", reportLine("r", 80, ""), []string{timeoutLine("r")},
			&model.Amend{Prev: model.ErrNone, Error: model.ErrTimeout, ErrorMessage: "Task timed out after 3.00 seconds"}},
		{"timeout after status timeout", reportLine("r", 80, "Status: timeout"), []string{timeoutLine("r")}, nil},
		{"exit after success", reportLine("r", 80, ""), []string{exitLine("r", "exit status 1")},
			&model.Amend{Prev: model.ErrNone, Error: model.ErrRuntimeExit, ErrorType: "Runtime.ExitError", ErrorMessage: "Runtime exited with error: exit status 1"}},
		{"exit after success with full memory", reportLine("r", 512, ""), []string{exitLine("r", "signal: killed")},
			&model.Amend{Prev: model.ErrNone, Error: model.ErrOutOfMemory, ErrorType: "Runtime.ExitError", ErrorMessage: "Runtime exited with error: signal: killed"}},
		{"exit after status exit", reportLine("r", 80, "Status: error\tError Type: Runtime.ExitError"), []string{exitLine("r", "exit status 2")}, nil},
		{"exit after generic error is more specific", reportLine("r", 80, "Status: error\tError Type: Runtime.Unknown"), []string{exitLine("r", "exit status 2")},
			&model.Amend{Prev: model.ErrFunction, Error: model.ErrRuntimeExit, ErrorType: "Runtime.Unknown", ErrorMessage: "Runtime exited with error: exit status 2"}},
		{"invoke error after status error", reportLine("r", 80, "Status: error"), []string{invokeErrorLine("r")}, nil},
		{"at most one amendment", reportLine("r", 80, ""), []string{invokeErrorLine("r"), timeoutLine("r"), exitLine("r", "exit status 1")},
			&model.Amend{Prev: model.ErrNone, Error: model.ErrFunction, ErrorType: "Error", ErrorMessage: "boom"}},
		{"other request untouched", reportLine("r", 80, ""), []string{timeoutLine("other")}, nil},
		{"exit after status timeout stays timeout", reportLine("r", 80, "Status: timeout"), []string{exitLine("r", "signal: killed")}, nil},
		{"success runtimeDone changes nothing", reportLine("r", 80, ""),
			[]string{`{"time":"2026-07-09T06:05:50.562Z","type":"platform.runtimeDone","record":{"requestId":"r","status":"success"}}`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFeeder(t)
			f.feed("s", startLine("r"))
			repAt := f.base.Add(time.Hour)
			f.feedAt("s", c.report, repAt)
			for _, l := range c.later {
				f.feed("s", l)
			}
			amends := byKind(f.events, model.KindAmend)
			if c.amend == nil {
				if len(amends) != 0 {
					t.Fatalf("unexpected amendments: %+v", amends)
				}
				return
			}
			if len(amends) != 1 {
				t.Fatalf("want 1 amendment, got %+v", amends)
			}
			want := *c.amend
			want.RequestID, want.InvocationTime = "r", repAt
			if amends[0].Amend != want {
				t.Errorf("amend\n got %+v\nwant %+v", amends[0].Amend, want)
			}
			if len(byKind(f.events, model.KindInvocation)) != 1 {
				t.Errorf("invocation counted more than once")
			}
			outcome(t, f.events)
		})
	}
}

// TestCountsPerKind runs a fleet of invocations with known outcomes, their
// failure lines before or after the report, duplicates and noise, and checks
// the folded counts.
func TestCountsPerKind(t *testing.T) {
	f := newFeeder(t)
	want := map[model.ErrorKind]int{}
	reports := 0
	for i := range 600 {
		id := fmt.Sprintf("req-%04d", i)
		stream := fmt.Sprintf("2026/11/20/[$LATEST]%032x", i%7)
		f.feed(stream, startLine(id))
		f.feed(stream, "working on it")
		var kind model.ErrorKind
		before, after := "", ""
		extra := ""
		maxMem := 100
		switch i % 8 {
		case 0, 1:
			kind = model.ErrNone
		case 2:
			kind, before = model.ErrTimeout, timeoutLine(id)
		case 3:
			kind, after = model.ErrTimeout, timeoutLine(id)
		case 4:
			kind, extra, after = model.ErrTimeout, "Status: timeout", timeoutLine(id)
		case 5:
			kind, after = model.ErrRuntimeExit, exitLine(id, "exit status 137")
		case 6:
			kind, maxMem, before = model.ErrOutOfMemory, 512, exitLine(id, "signal: killed")
		case 7:
			kind, before, extra = model.ErrFunction, invokeErrorLine(id), "Status: error"
		}
		if before != "" {
			f.feed(stream, before)
		}
		f.feed(stream, endLine(id))
		rep := reportLine(id, maxMem, extra)
		at := f.base.Add(time.Duration(i) * time.Minute)
		f.feedAt(stream, rep, at)
		reports++
		if i%10 == 0 {
			f.feedAt(stream, rep, at) // delivered twice
		}
		if after != "" {
			f.feed(stream, after)
		}
		want[kind]++
	}
	f.feed("x", "REPORT RequestId: bad\tDuration: x ms")
	got := map[model.ErrorKind]int{}
	fold := outcome(t, f.events)
	for _, k := range fold {
		got[k]++
	}
	if len(fold) != reports {
		t.Errorf("%d invocations, want %d", len(fold), reports)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%v: %d, want %d", k, got[k], n)
		}
	}
	if f.p.Skipped() != 1 {
		t.Errorf("Skipped = %d", f.p.Skipped())
	}
}

func TestRetrySameRequestCountsTwice(t *testing.T) {
	// Lambda retries an async invocation with the same request ID: each
	// attempt has its own START/REPORT and is a separate invocation.
	f := newFeeder(t)
	f.feed("s", startLine("r"))
	f.feed("s", reportLine("r", 80, "Status: error"))
	f.feed("s2", startLine("r"))
	f.feed("s2", strings.Replace(reportLine("r", 80, ""), "102.50", "99.00", 1))
	if n := len(byKind(f.events, model.KindInvocation)); n != 2 {
		t.Errorf("%d invocations, want 2", n)
	}
}

func TestSkipped(t *testing.T) {
	f := newFeeder(t)
	bad := []string{
		"REPORT RequestId: req-1 ERROR: LAWOS_RUNTIME_PREFLIGHT_FAILED",
		"REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: NaN ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
		`{"time":"2026-10-08T07:30:42.149Z","type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":1.0,`,
		`{"time":"2026-10-08T07:30:42.149Z","type":"platform.report","record":{"metrics":{"durationMs":1.0}}}`,
	}
	for _, b := range bad {
		f.feed("s", b)
	}
	sk := byKind(f.events, model.KindSkipped)
	if len(sk) != len(bad) || f.p.Skipped() != int64(len(bad)) {
		t.Fatalf("skipped events %d, counter %d, want %d", len(sk), f.p.Skipped(), len(bad))
	}
	reasons := []string{ReasonMalformedReport, ReasonMalformedReport, ReasonMalformedJSONReport, ReasonMalformedJSONReport}
	for i, e := range sk {
		if e.Skipped != (model.Skipped{Count: 1, Reason: reasons[i]}) || e.Function != "fn" {
			t.Errorf("skipped %d = %+v", i, e)
		}
	}
	if n := len(byKind(f.events, model.KindInvocation)); n != 0 {
		t.Errorf("malformed reports became %d invocations", n)
	}
	if n := len(byKind(f.events, model.KindLog)); n != len(bad) {
		t.Errorf("%d log events, want %d", n, len(bad))
	}
}

func TestInitEvents(t *testing.T) {
	f := newFeeder(t)
	f.feed("s", `{"time":"2026-10-08T07:30:27.768Z","type":"platform.initStart","record":{"initializationType":"provisioned-concurrency","phase":"init","runtimeVersion":"nodejs:22.mainline.v122","runtimeVersionArn":"arn:aws:lambda:eu-central-1::runtime:775d","functionVersion":"3","instanceMaxMemory":268435456}}`)
	f.feed("s", `{"time":"2026-10-08T07:30:28.000Z","type":"platform.initReport","record":{"phase":"init","status":"success","metrics":{"durationMs":565.4}}}`)
	f.feed("t", "INIT_REPORT Init Duration: 9999.79 ms    Phase: init    Status: timeout")
	f.feed("t", "INIT_REPORT Init Duration: 150.79 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.UserCodeSyntaxError")
	f.feed("u", "RESTORE_START Runtime Version: java:11.v20\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc")
	f.feed("u", "RESTORE_REPORT Restore Duration: 398.97 ms")
	f.feed("u", "RESTORE_REPORT Restore Duration: 10000.00 ms\tStatus: timeout")
	f.feed("u", "INIT_REPORT Init Duration: x ms")
	got := byKind(f.events, model.KindInit)
	want := []model.InitPhase{
		{Stream: "s", DurationMs: 565.4, Phase: "init", Status: "success", Type: "provisioned-concurrency"},
		{Stream: "t", DurationMs: 9999.79, Phase: "init", Status: "timeout"},
		{Stream: "t", DurationMs: 150.79, Phase: "invoke", Status: "error", ErrorType: "Runtime.UserCodeSyntaxError"},
		{Stream: "u", DurationMs: 10000, Phase: "restore", Status: "timeout", Type: "snap-start"},
	}
	if len(got) != len(want) {
		t.Fatalf("init events = %+v", got)
	}
	for i := range want {
		if got[i].Init != want[i] {
			t.Errorf("init %d\n got %+v\nwant %+v", i, got[i].Init, want[i])
		}
	}
	meta := byKind(f.events, model.KindMeta)
	if len(meta) < 1 || meta[0].Meta != (model.FunctionMeta{MemorySizeMB: 256, Runtime: "nodejs22.x", Region: "eu-central-1"}) {
		t.Errorf("meta = %+v", meta)
	}
}

func TestTimePrecedence(t *testing.T) {
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := NewParser(WithClock(fixedClock(clock)))
	given := time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC)
	msgTime := "2023-11-15T10:12:31.123Z"
	cases := []struct {
		in   Input
		want time.Time
	}{
		{Input{Time: given, Message: msgTime + "\tr\tINFO\tx"}, given},
		{Input{Message: msgTime + "\tr\tINFO\tx"}, ts(t, msgTime)},
		{Input{Message: `{"timestamp":"` + msgTime + `","level":"INFO","message":"x"}`}, ts(t, msgTime)},
		{Input{Message: `{"time":"` + msgTime + `","type":"platform.start","record":{"requestId":"q"}}`}, ts(t, msgTime)},
		{Input{Message: msgTime + " q Task timed out after 3.00 seconds"}, ts(t, msgTime)},
		// An untimed line takes the time of the newest line before it.
		{Input{Message: "REPORT RequestId: q2\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB"}, ts(t, msgTime)},
	}
	for _, c := range cases {
		evs := p.Feed(c.in, nil)
		for _, e := range evs {
			if !e.Time.Equal(c.want) {
				t.Errorf("%q: %v time %v, want %v", c.in.Message, e.Kind, e.Time, c.want)
			}
		}
	}
	// Before any line carried a time, the clock decides.
	for _, e := range NewParser(WithClock(fixedClock(clock))).Feed(Input{Message: "START RequestId: q3 Version: $LATEST"}, nil) {
		if !e.Time.Equal(clock) {
			t.Errorf("first untimed line: time %v, want the clock's %v", e.Time, clock)
		}
	}
}

func TestEmptyAndLongMessages(t *testing.T) {
	p := NewParser(WithMaxLineBytes(64))
	if evs := p.Feed(Input{Message: "\n"}, nil); len(evs) != 0 {
		t.Errorf("empty message gave %+v", evs)
	}
	long := "REPORT RequestId: r\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\t" + strings.Repeat("é", 100)
	evs := p.Feed(Input{Function: "fn", Message: long}, nil)
	if len(evs) != 2 || evs[0].Kind != model.KindSkipped || evs[0].Skipped.Reason != ReasonLineTooLong ||
		evs[1].Kind != model.KindLog || len(evs[1].Log.Message) > 64 || p.Skipped() != 1 {
		t.Fatalf("long line gave %+v", evs)
	}
}

func TestNoDowngradeAfterReport(t *testing.T) {
	f := newFeeder(t)
	f.feed("s", startLine("r"))
	f.feed("s", timeoutLine("r"))
	f.feed("s", reportLine("r", 80, ""))
	f.feed("s", exitLine("r", "signal: killed"))
	if a := byKind(f.events, model.KindAmend); len(a) != 0 {
		t.Errorf("amendments: %+v", a)
	}
	if got := outcome(t, f.events)["r"]; got != model.ErrTimeout {
		t.Errorf("outcome %v", got)
	}
}

// The runtime's own error report for a failed invocation, as aws-lambda-go
// logs it through Go's log package (captured from the Lambda Runtime
// Interface Emulator, whose REPORT then looks like a success).
func TestRuntimeErrorObjectMarksInvocation(t *testing.T) {
	f := newFeeder(t)
	f.feed("s1", startLine("r1"))
	f.feed("s1", `2026/11/26 00:53:24 app: failing with "boom"`)
	evs := f.feed("s1", `2026/11/26 00:53:24 {"errorMessage":"boom","errorType":"errorString"}`)
	if evs[0].Log.Kind != model.LineFailure || evs[0].Log.RequestID != "r1" {
		t.Errorf("error object line = %+v", evs[0].Log)
	}
	f.feed("s1", endLine("r1"))
	invs := byKind(f.feed("s1", reportLine("r1", 100, "")), model.KindInvocation)
	if len(invs) != 1 || invs[0].Invocation.Error != model.ErrFunction || invs[0].Invocation.ErrorType != "errorString" || invs[0].Invocation.ErrorMessage != "boom" {
		t.Fatalf("invocation = %+v", invs)
	}
	// Application JSON lines and other objects are not failures.
	for _, msg := range []string{
		`{"timestamp":"2026-11-20T10:00:01Z","level":"ERROR","requestId":"r2","message":"x","errorMessage":"e","errorType":"T"}`,
		`{"errorMessage":"only a message"}`,
		`2026/11/26 00:53:24 {"status":"fine"}`,
	} {
		if r := ParseMessage(msg); r.Type == RecordInvokeError {
			t.Errorf("%s: parsed as a runtime error", msg)
		}
	}
	if r := ParseMessage(`2026/11/26 00:53:24.123456 {"errorMessage":"p","errorType":"string","stackTrace":[{"path":"a","line":1}]}`); r.Type != RecordInvokeError || r.ErrorType != "string" {
		t.Errorf("panic object with microseconds: %+v", r)
	}
}

func TestRuntimeID(t *testing.T) {
	for in, want := range map[string]string{
		"nodejs:22.v58": "nodejs22.x", "nodejs:22.mainline.v40": "nodejs22.x", "python:3.13.v31": "python3.13", "python:3.9.v64": "python3.9",
		"provided:al2023.v94": "provided.al2023", "java:21.v40": "java21", "java:11.v20": "java11",
		"dotnet:8.v35": "dotnet8", "ruby:3.3.v12": "ruby3.3", "nodejs22.x": "nodejs22.x", "weird:1": "weird:1",
	} {
		if got := RuntimeID(in); got != want {
			t.Errorf("RuntimeID(%q) = %q, want %q", in, got, want)
		}
	}
}
