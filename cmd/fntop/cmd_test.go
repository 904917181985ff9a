package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// runCmd runs fntop in-process with the given stdin and returns stdout,
// stderr and the exit status.
func runCmd(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, args, env{stdin: bytes.NewReader(stdin), stdout: &out, stderr: &errb})
	return out.String(), errb.String(), code
}

// snapshotJSON is the headless contract as a script reads it: every field
// the README documents, with nulls as pointers.
type snapshotJSON struct {
	Window struct {
		Label   string    `json:"label"`
		Start   time.Time `json:"start"`
		End     time.Time `json:"end"`
		Seconds float64   `json:"seconds"`
	} `json:"window"`
	Functions []fnJSON `json:"functions"`
	Totals    struct {
		Functions     int      `json:"functions"`
		Invocations   int64    `json:"invocations"`
		Errors        int64    `json:"errors"`
		Timeouts      int64    `json:"timeouts"`
		ColdStarts    int64    `json:"cold_starts"`
		Throttles     *int64   `json:"throttles"`
		RatePerS      float64  `json:"rate_per_s"`
		ErrorRate     float64  `json:"error_rate"`
		BilledMsTotal float64  `json:"billed_ms_total"`
		GBSeconds     float64  `json:"gb_seconds"`
		CostUSD       float64  `json:"cost_usd"`
		ColdRatio     *float64 `json:"cold_start_ratio"`
	} `json:"totals"`
	Sources []struct {
		Name      string `json:"name"`
		State     string `json:"state"`
		LastError string `json:"last_error"`
		Detail    string `json:"detail"`
	} `json:"sources"`
	SkippedLines int64 `json:"skipped_lines"`
	Pricing      struct {
		Table string `json:"table"`
	} `json:"pricing"`
}

type fnJSON struct {
	Name         string `json:"name"`
	Source       string `json:"source"`
	Invocations  int64  `json:"invocations"`
	Errors       int64  `json:"errors"`
	ErrorsByKind struct {
		Timeout       int64 `json:"timeout"`
		OutOfMemory   int64 `json:"out_of_memory"`
		RuntimeExit   int64 `json:"runtime_exit"`
		FunctionError int64 `json:"function_error"`
	} `json:"errors_by_kind"`
	Timeouts       int64    `json:"timeouts"`
	ColdStarts     *int64   `json:"cold_starts"`
	Throttles      *int64   `json:"throttles"`
	RatePerS       float64  `json:"rate_per_s"`
	ErrorRate      float64  `json:"error_rate"`
	ColdStartRatio *float64 `json:"cold_start_ratio"`
	Duration       *struct {
		P50, P90, P99, Max, Avg float64
	} `json:"duration_ms"`
	InitDuration *struct {
		P50, P99, Max float64
	} `json:"init_duration_ms"`
	BilledMsTotal   float64 `json:"billed_ms_total"`
	MemorySizeMB    int     `json:"memory_size_mb"`
	MaxMemoryUsedMB int     `json:"max_memory_used_mb"`
	GBSeconds       float64 `json:"gb_seconds"`
	CostUSD         float64 `json:"cost_usd"`
}

func decodeSnapshot(t testing.TB, s string) snapshotJSON {
	t.Helper()
	var snap snapshotJSON
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&snap); err != nil {
		t.Fatalf("snapshot is not JSON: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document")
	}
	return snap
}

// call is one simulated invocation with the figures it must produce.
type call struct {
	id            string
	stream        string
	at            time.Time
	dur, init     float64
	billed        int
	mem, used     int
	kind          string // "", "timeout", "timeout-late", "oom", "exit", "invoke-error"
	appLines      int
	countsAsError bool
	errorKind     string
}

// fleet makes n invocations of one function with known figures.
func fleet(seed uint64, n int, start time.Time) []call {
	rng := rand.New(rand.NewPCG(seed, 7))
	var calls []call
	streams := 0
	stream := ""
	at := start
	for i := 0; i < n; i++ {
		c := call{id: fmt.Sprintf("%08x-0000-4000-8000-%012x", seed, i), mem: 512, appLines: i % 3}
		if i%25 == 0 {
			streams++
			stream = fmt.Sprintf("2026/11/25/[$LATEST]%032x", streams)
			c.init = math.Round((150+rng.Float64()*300)*100) / 100
		}
		c.stream = stream
		at = at.Add(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		c.at = at
		c.dur = math.Round(math.Exp(rng.NormFloat64()*0.7+4)*100) / 100
		c.used = 60 + rng.IntN(100)
		switch {
		case i%40 == 7:
			c.kind, c.errorKind = "timeout", "timeout"
			c.dur = 3000
		case i%40 == 17:
			c.kind, c.errorKind = "timeout-late", "timeout"
			c.dur = 3000
		case i%40 == 27:
			c.kind, c.errorKind, c.used = "oom", "out_of_memory", 512
		case i%40 == 33:
			c.kind, c.errorKind = "exit", "runtime_exit"
		case i%40 == 37:
			c.kind, c.errorKind = "invoke-error", "function_error"
		}
		c.countsAsError = c.kind != ""
		c.billed = int(math.Ceil(c.dur + c.init))
		calls = append(calls, c)
	}
	return calls
}

// messages renders a call as the log events Lambda writes for it.
func (c call) messages() []string {
	ts := c.at.UTC().Format("2006-01-02T15:04:05.000Z")
	var m []string
	if c.init > 0 {
		m = append(m, "INIT_START Runtime Version: nodejs:22.v58\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	}
	m = append(m, "START RequestId: "+c.id+" Version: $LATEST")
	for j := 0; j < c.appLines; j++ {
		m = append(m, ts+"\t"+c.id+"\tINFO\thandled step "+fmt.Sprint(j)+"\r{\r  \"ok\": true\r}")
	}
	timeout := ts + " " + c.id + " Task timed out after 3.00 seconds"
	switch c.kind {
	case "timeout":
		m = append(m, timeout)
	case "exit":
		m = append(m, "RequestId: "+c.id+" Error: Runtime exited with error: exit status 137\nRuntime.ExitError")
	case "invoke-error":
		m = append(m, ts+"\t"+c.id+"\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"stack\":[\"Error: boom\",\"    at handler (/var/task/index.js:3:9)\"]}")
	}
	m = append(m, "END RequestId: "+c.id)
	r := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t", c.id, c.dur, c.billed, c.mem, c.used)
	if c.init > 0 {
		r += fmt.Sprintf("Init Duration: %.2f ms\t", c.init)
	}
	switch c.kind {
	case "timeout":
		r += "Status: timeout"
	case "oom":
		r += "Status: error\tError Type: Runtime.OutOfMemory"
	}
	m = append(m, r)
	if c.kind == "timeout-late" {
		m = append(m, timeout) // the runtime's line, logged after the REPORT
	}
	return m
}

// expect computes the schema's figures for calls independently of fntop.
func expect(t *testing.T, got fnJSON, calls []call) {
	t.Helper()
	var errs, timeouts, colds int64
	kinds := map[string]int64{}
	var billed, gbs float64
	var durs, inits []float64
	maxUsed := 0
	for _, c := range calls {
		if c.countsAsError {
			errs++
			kinds[c.errorKind]++
		}
		if c.errorKind == "timeout" {
			timeouts++
		}
		if c.init > 0 {
			colds++
			inits = append(inits, c.init)
		}
		billed += float64(c.billed)
		gbs += float64(c.billed) / 1000 * float64(c.mem) / 1024
		durs = append(durs, c.dur)
		maxUsed = max(maxUsed, c.used)
	}
	n := int64(len(calls))
	if got.Invocations != n || got.Errors != errs || got.Timeouts != timeouts {
		t.Errorf("%s: invocations/errors/timeouts = %d/%d/%d, want %d/%d/%d", got.Name, got.Invocations, got.Errors, got.Timeouts, n, errs, timeouts)
	}
	k := got.ErrorsByKind
	if k.Timeout != kinds["timeout"] || k.OutOfMemory != kinds["out_of_memory"] || k.RuntimeExit != kinds["runtime_exit"] || k.FunctionError != kinds["function_error"] {
		t.Errorf("%s: errors by kind = %+v, want %v", got.Name, k, kinds)
	}
	if got.ColdStarts == nil || *got.ColdStarts != colds {
		t.Errorf("%s: cold starts = %v, want %d", got.Name, got.ColdStarts, colds)
	}
	if got.Throttles != nil {
		t.Errorf("%s: throttles = %d, want null (logs cannot know)", got.Name, *got.Throttles)
	}
	if got.ColdStartRatio == nil || !near(*got.ColdStartRatio, float64(colds)/float64(n), 1e-12) || !near(got.ErrorRate, float64(errs)/float64(n), 1e-12) {
		t.Errorf("%s: ratios %v %v", got.Name, got.ColdStartRatio, got.ErrorRate)
	}
	if got.BilledMsTotal != billed || !near(got.GBSeconds, gbs, 1e-9) {
		t.Errorf("%s: billed %v gb-s %v, want %v %v", got.Name, got.BilledMsTotal, got.GBSeconds, billed, gbs)
	}
	if want := float64(n)*0.0000002 + gbs*0.0000166667; !near(got.CostUSD, want, 1e-9) {
		t.Errorf("%s: cost %v, want %v", got.Name, got.CostUSD, want)
	}
	if got.MemorySizeMB != 512 || got.MaxMemoryUsedMB != maxUsed {
		t.Errorf("%s: memory %d/%d, want %d/512", got.Name, got.MaxMemoryUsedMB, got.MemorySizeMB, maxUsed)
	}
	sort.Float64s(durs)
	sort.Float64s(inits)
	q := func(v []float64, p float64) float64 { return v[int(p*float64(len(v)-1))] }
	if got.Duration == nil {
		t.Fatalf("%s: no durations", got.Name)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", got.Duration.P50, q(durs, 0.5)}, {"p90", got.Duration.P90, q(durs, 0.9)}, {"p99", got.Duration.P99, q(durs, 0.99)},
		{"init p50", got.InitDuration.P50, q(inits, 0.5)}, {"init p99", got.InitDuration.P99, q(inits, 0.99)},
	} {
		if !near(c.got, c.want, 0.01) { // the sketch's stated 1% relative accuracy
			t.Errorf("%s: %s = %v, want %v within 1%%", got.Name, c.name, c.got, c.want)
		}
	}
	if got.Duration.Max != durs[len(durs)-1] {
		t.Errorf("%s: max = %v, want %v", got.Name, got.Duration.Max, durs[len(durs)-1])
	}
	var sum float64
	for _, d := range durs {
		sum += d
	}
	if !near(got.Duration.Avg, sum/float64(n), 1e-9) {
		t.Errorf("%s: avg = %v, want %v", got.Name, got.Duration.Avg, sum/float64(n))
	}
	if !near(got.InitDuration.Max, inits[len(inits)-1], 0.01) {
		t.Errorf("%s: init max = %v", got.Name, got.InitDuration.Max)
	}
}

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want)+1e-12 }

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// The same invocations in every input format give the same figures.
func TestSnapshotFiguresEveryFormat(t *testing.T) {
	calls := fleet(1, 400, base)
	other := fleet(2, 120, base.Add(time.Minute))

	var raw, tail bytes.Buffer
	for _, c := range calls {
		for _, m := range c.messages() {
			// Raw output puts an event's inner lines on lines of their own;
			// X-Ray trailers and Runtime.ExitError lines continue the event.
			raw.WriteString(strings.ReplaceAll(m, "\r", "\r") + "\n")
			fmt.Fprintf(&tail, "%s %s %s\n", c.at.UTC().Format("2006-01-02T15:04:05.000000+00:00"), c.stream, m)
		}
	}
	type ev struct {
		ID        string `json:"id,omitempty"`
		EventID   string `json:"eventId,omitempty"`
		Stream    string `json:"logStreamName,omitempty"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	var filter struct {
		Events []ev `json:"events"`
	}
	var sub bytes.Buffer
	subDoc := func(fn string, cs []call) {
		for _, c := range cs {
			doc := map[string]any{"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/aws/lambda/" + fn,
				"logStream": c.stream, "subscriptionFilters": []string{"fntop"}}
			var evs []ev
			for j, m := range c.messages() {
				evs = append(evs, ev{ID: fmt.Sprintf("%s-%d", c.id, j), Timestamp: c.at.UnixMilli(), Message: m + "\n"})
			}
			doc["logEvents"] = evs
			b, _ := json.Marshal(doc)
			sub.Write(b)
			sub.WriteByte('\n')
		}
	}
	subDoc("checkout", calls)
	sub.WriteString(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}` + "\n")
	subDoc("thumbnails", other)
	for _, c := range calls {
		for j, m := range c.messages() {
			filter.Events = append(filter.Events, ev{EventID: fmt.Sprintf("%s-%d", c.id, j), Stream: c.stream, Timestamp: c.at.UnixMilli(), Message: m + "\n"})
		}
	}
	filterJSON, _ := json.MarshalIndent(filter, "", "    ")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(sub.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		data  []byte
		stdin bool
		args  []string
	}{
		{"raw", raw.Bytes(), true, []string{"--function", "checkout"}},
		{"tail", tail.Bytes(), false, []string{"--function", "checkout"}},
		{"filter-log-events", filterJSON, false, []string{"--function", "checkout"}},
		{"subscription", sub.Bytes(), false, nil},
		{"subscription.gz", gz.Bytes(), true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"snapshot", "--json"}
			var stdin []byte
			if tc.stdin {
				args, stdin = append(args, "--input", "-"), tc.data
			} else {
				p := filepath.Join(dir, tc.name)
				if err := os.WriteFile(p, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--input", p)
			}
			out, stderr, code := runCmd(t, stdin, append(args, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			snap := decodeSnapshot(t, out)
			if snap.SkippedLines != 0 {
				t.Errorf("skipped %d lines", snap.SkippedLines)
			}
			byName := map[string]fnJSON{}
			for _, f := range snap.Functions {
				byName[f.Name] = f
			}
			expect(t, byName["checkout"], calls)
			if strings.HasPrefix(tc.name, "subscription") {
				expect(t, byName["thumbnails"], other)
				if len(snap.Functions) != 2 || snap.Totals.Invocations != int64(len(calls)+len(other)) {
					t.Errorf("functions %d totals %d", len(snap.Functions), snap.Totals.Invocations)
				}
			} else if len(snap.Functions) != 1 {
				t.Errorf("functions = %d", len(snap.Functions))
			}
			if snap.Window.Label != "all" || len(snap.Sources) != 1 || snap.Sources[0].State != "done" || snap.Pricing.Table == "" {
				t.Errorf("window %+v sources %+v pricing %+v", snap.Window, snap.Sources, snap.Pricing)
			}
			// The window is the input's span, so the rate is exact.
			first, last := calls[0].at, calls[len(calls)-1].at
			if strings.HasPrefix(tc.name, "subscription") {
				last = maxTime(last, other[len(other)-1].at)
			}
			if tc.name == "raw" {
				// Raw output has times only on application and failure
				// lines; the window spans those.
				var timed []time.Time
				for _, c := range calls {
					if c.appLines > 0 || strings.HasPrefix(c.kind, "timeout") || c.kind == "invoke-error" {
						timed = append(timed, c.at)
					}
				}
				first, last = timed[0], timed[len(timed)-1]
			}
			if !snap.Window.Start.Equal(first.Truncate(time.Millisecond)) || !snap.Window.End.Equal(last.Truncate(time.Millisecond)) {
				t.Errorf("window %v .. %v, want %v .. %v", snap.Window.Start, snap.Window.End, first, last)
			}
			if want := float64(len(calls)) / last.Truncate(time.Millisecond).Sub(first.Truncate(time.Millisecond)).Seconds(); !near(byName["checkout"].RatePerS, want, 1e-6) {
				t.Errorf("rate = %v, want %v", byName["checkout"].RatePerS, want)
			}
		})
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestSnapshotWindowOfInput(t *testing.T) {
	calls := fleet(3, 300, base) // ~2.5 minutes of traffic
	var tail bytes.Buffer
	for _, c := range calls {
		for _, m := range c.messages() {
			fmt.Fprintf(&tail, "%s %s %s\n", c.at.UTC().Format(time.RFC3339Nano), c.stream, m)
		}
	}
	out, stderr, code := runCmd(t, tail.Bytes(), "snapshot", "--json", "--input", "-", "--function", "f", "--window", "1m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap := decodeSnapshot(t, out)
	end := calls[len(calls)-1].at
	start := end.Truncate(10 * time.Second).Add(-50 * time.Second)
	var want []call
	for _, c := range calls {
		if !c.at.Before(start) {
			want = append(want, c)
		}
	}
	if snap.Window.Label != "1m" || !snap.Window.Start.Equal(start) {
		t.Errorf("window = %+v, want start %v", snap.Window, start)
	}
	if len(snap.Functions) != 1 || snap.Functions[0].Invocations != int64(len(want)) {
		t.Fatalf("1m window: %+v, want %d invocations", snap.Functions, len(want))
	}
}

func TestSnapshotDemoJSON(t *testing.T) {
	out, stderr, code := runCmd(t, nil, "snapshot", "--json", "--demo", "--window", "15m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap := decodeSnapshot(t, out)
	if len(snap.Functions) < 20 || snap.Totals.Invocations == 0 || snap.Window.Label != "15m" {
		t.Fatalf("demo snapshot: %d functions, %d invocations, window %+v", len(snap.Functions), snap.Totals.Invocations, snap.Window)
	}
	if snap.Totals.Throttles == nil {
		t.Errorf("the demo plays the throttle metric: totals.throttles must not be null")
	}
	if snap.SkippedLines != 0 {
		t.Errorf("demo lines skipped: %d", snap.SkippedLines)
	}
	var sum int64
	for _, f := range snap.Functions {
		sum += f.Invocations
	}
	if sum != snap.Totals.Invocations {
		t.Errorf("totals %d != sum of functions %d", snap.Totals.Invocations, sum)
	}
	// The table form prints every function.
	table, _, code := runCmd(t, nil, "--seed", "3", "--window", "1h")
	if code != 0 || !strings.Contains(table, "order-processor") || !strings.Contains(table, "FUNCTION") {
		t.Errorf("table (exit %d):\n%s", code, table)
	}
}

func TestBadInputIsSkippedNotFatal(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	junk := make([]byte, 256<<10)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	var in bytes.Buffer
	in.Write(junk)
	in.WriteString("\nREPORT RequestId: x\tDuration: abc ms\tBilled Duration: 1 ms\n")
	in.WriteString(`{"time":"2026-11-25T09:00:00Z","type":"platform.report","record":{"requestId":"y","metrics":{"durationMs":` + "\n")
	in.WriteString(strings.Repeat("A", 1<<20) + "\n")
	in.WriteString("\xff\xfe invalid utf8 \x1b]0;title\x07\n")
	c := fleet(4, 3, base)
	for _, cl := range c {
		for _, m := range cl.messages() {
			in.WriteString(m + "\n")
		}
	}
	out, stderr, code := runCmd(t, in.Bytes(), "snapshot", "--json", "--input", "-", "--function", "f")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap := decodeSnapshot(t, out)
	if len(snap.Functions) != 1 || snap.Functions[0].Invocations != 3 {
		t.Fatalf("the valid invocations after the junk must count: %+v", snap.Functions)
	}
	if snap.SkippedLines < 2 {
		t.Errorf("skipped lines = %d, want the malformed REPORT and platform.report counted", snap.SkippedLines)
	}
}

func TestLogsNeverWriteControlCharacters(t *testing.T) {
	hostile := []string{
		"START RequestId: 11111111-2222-4333-8444-555555555555 Version: $LATEST",
		"2026-11-25T09:00:00.000Z\t11111111-2222-4333-8444-555555555555\tINFO\tcolour \x1b[31mred\x1b[0m clear \x1b[2J",
		"2026-11-25T09:00:00.001Z\t11111111-2222-4333-8444-555555555555\tINFO\ttitle \x1b]0;owned\x07 clip \x1b]52;c;ZXZpbA==\x1b\\ link \x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\",
		"2026-11-25T09:00:00.002Z\t11111111-2222-4333-8444-555555555555\tWARN\tc1 \u009b31m bidi \u202egnp.exe\u202c bell \x07 nul \x00 bad \xff\xfe",
		"END RequestId: 11111111-2222-4333-8444-555555555555",
		"REPORT RequestId: 11111111-2222-4333-8444-555555555555\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t",
	}
	in := strings.Join(hostile, "\n") + "\n"
	for _, tty := range []bool{false, true} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"logs", "--input", "-", "--function", "evil\x1b[2Jfn"},
			env{stdin: strings.NewReader(in), stdout: &out, stderr: &errb, tty: tty})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		text := out.String()
		if tty {
			// Our own colour codes are the only escapes allowed.
			for _, sgr := range append(fnColors, sgrReset, sgrDim, sgrRed, sgrYell, sgrBold) {
				text = strings.ReplaceAll(text, sgr, "")
			}
		}
		for i, r := range text {
			if r == '\n' || r == '\t' {
				continue
			}
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || r == 0xfffd {
				t.Fatalf("tty=%v: raw control %U at %d in output:\n%q", tty, r, i, text)
			}
		}
		for _, visible := range []string{`\x1b[31mred`, `\x1b]0;owned\x07`, `\x1b]52;`, `\x9b31m`, `\u202egnp.exe`, `\x00`, `\xff\xfe`, `evil\x1b[2Jfn`} {
			if !strings.Contains(text, visible) {
				t.Errorf("tty=%v: %q not shown visibly in:\n%s", tty, visible, text)
			}
		}
		if n := strings.Count(text, "\n"); n != len(hostile) {
			t.Errorf("tty=%v: %d lines, want %d", tty, n, len(hostile))
		}
	}
}

func TestLogsGrepAndFunctionFilter(t *testing.T) {
	calls := fleet(5, 80, base)
	var sub bytes.Buffer
	for i, c := range calls {
		fn := []string{"a", "b"}[i%2]
		var evs []map[string]any
		for j, m := range c.messages() {
			evs = append(evs, map[string]any{"id": fmt.Sprint(i, "-", j), "timestamp": c.at.UnixMilli(), "message": m})
		}
		b, _ := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "logGroup": "/aws/lambda/" + fn, "logStream": c.stream, "logEvents": evs})
		sub.Write(b)
		sub.WriteByte('\n')
	}
	out, stderr, code := runCmd(t, sub.Bytes(), "logs", "--input", "-", "--function", "b", "--grep", "Task timed out|Invoke Error")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := 0
	for i, c := range calls {
		if i%2 == 1 && (strings.HasPrefix(c.kind, "timeout") || c.kind == "invoke-error") {
			want++
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if want == 0 || len(lines) != want {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), want, out)
	}
	for _, l := range lines {
		f := strings.SplitN(l, " ", 3)
		if len(f) != 3 || f[1] != "b" {
			t.Errorf("line %q: want function b", l)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", f[0]); err != nil {
			t.Errorf("line %q: time: %v", l, err)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"snapshot", "--window", "2m"},
		{"snapshot", "--demo", "--input", "x"},
		{"logs", "--grep", "("},
		{"nonsense"},
		{"snapshot", "extra"},
	} {
		_, stderr, code := runCmd(t, nil, args...)
		if code != 2 || !strings.HasPrefix(stderr, "fntop: ") && !strings.Contains(stderr, "fntop") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	_, stderr, code := runCmd(t, nil, "snapshot", "--input", filepath.Join(t.TempDir(), "missing.log"))
	if code != 1 || !strings.Contains(stderr, "missing.log") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	out, _, code := runCmd(t, nil, "help")
	if code != 0 || !strings.Contains(out, "fntop snapshot") {
		t.Errorf("help: %d %q", code, out)
	}
}
