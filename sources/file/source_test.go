package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFiles reads each sample with the real parser and checks the figures
// per function.
func TestFiles(t *testing.T) {
	const (
		s1 = "2024/05/01/[$LATEST]8e6debb3ccb74abaa38c0e626efbcdd3"
		s2 = "2024/05/01/[$LATEST]e34ea4d32b8f441c96246bbee30ff465"
		s3 = "2024/05/01/mailer[$LATEST]0123456789abcdef0123456789abcdef"
	)
	timeout := map[model.ErrorKind]int{model.ErrTimeout: 1}
	cases := []struct {
		file string
		opts []Option
		want map[string]summary
	}{
		{"raw.log", nil, map[string]summary{
			"raw": {Invocations: 3, Billed: 3650, Cold: 1, Logs: 13, Streams: []string{""},
				Errors: map[model.ErrorKind]int{model.ErrTimeout: 1, model.ErrRuntimeExit: 1}},
		}},
		{"tail.txt", nil, map[string]summary{
			"tail": {Invocations: 3, Billed: 3528, Cold: 1, Logs: 12, Streams: []string{s1, s2}, Errors: timeout},
		}},
		{"tail-groups.txt", nil, map[string]summary{
			"orders":    {Invocations: 1, Billed: 10, Logs: 3, Streams: []string{s1}},
			"edge-auth": {Invocations: 1, Billed: 3, Logs: 3, Streams: []string{s1}},
			"mailer":    {Invocations: 1, Billed: 200, Logs: 3, Streams: []string{s3}},
		}},
		{"tail-short.txt", []Option{WithFunction("checkout")}, map[string]summary{
			"checkout": {Invocations: 2, Billed: 3032, Logs: 8, Streams: []string{""}, Errors: timeout},
		}},
		{"filter.json", nil, map[string]summary{
			"filter": {Invocations: 2, Billed: 30, Logs: 7, Streams: []string{s1, s2}},
			"mailer": {Invocations: 1, Billed: 100, Cold: 1, Logs: 3, Streams: []string{s3}},
		}},
		{"filter.json", []Option{WithFunction("api")}, map[string]summary{
			"api":    {Invocations: 2, Billed: 30, Logs: 7, Streams: []string{s1, s2}},
			"mailer": {Invocations: 1, Billed: 100, Cold: 1, Logs: 3, Streams: []string{s3}},
		}},
		{"subscription.jsonl", nil, map[string]summary{
			"orders":    {Invocations: 2, Billed: 3010, Logs: 8, Streams: []string{s1}, Errors: timeout},
			"edge-auth": {Invocations: 1, Billed: 4, Cold: 1, Logs: 3, Streams: []string{s1}},
			"mailer":    {Invocations: 1, Billed: 200, Logs: 3, Streams: []string{s3}},
		}},
		{"json-format.log", nil, map[string]summary{
			"json-format": {Invocations: 2, Billed: 3390, Cold: 1, Logs: 6, Streams: []string{""}, Errors: timeout},
		}},
		{"mixed.log", nil, map[string]summary{
			"mixed":  {Invocations: 1, Billed: 12, Logs: 6, Streams: []string{"", s1}},
			"orders": {Invocations: 1, Billed: 7, Logs: 2, Streams: []string{s1}},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			sink := runSource(t, filepath.Join("testdata", c.file), nil, c.opts...)
			checkSummary(t, sink.summary(), c.want)
			if s := sink.skipped(); len(s) > 0 {
				t.Errorf("skipped %v", s)
			}
			if got, want := sink.states(), []model.SourceState{model.StateStarting, model.StateOK, model.StateDone}; !slices.Equal(got, want) {
				t.Errorf("states %v, want %v", got, want)
			}
			for _, e := range sink.all() {
				if e.Source != "file:"+filepath.Join("testdata", c.file) {
					t.Fatalf("event source %q", e.Source)
				}
			}
		})
	}
}

// TestSubscriptionMeta checks that the owner of subscription messages
// becomes the account of each function, once.
func TestSubscriptionMeta(t *testing.T) {
	sink := runSource(t, "testdata/subscription.jsonl", nil)
	got := map[string][]string{}
	for _, e := range sink.of(model.KindMeta) {
		if e.Meta.Account != "" {
			got[e.Function] = append(got[e.Function], e.Meta.Account)
		}
	}
	want := map[string][]string{
		"orders":    {"111122223333"},
		"edge-auth": {"444455556666"},
		"mailer":    {"111122223333"},
	}
	if len(got) != len(want) {
		t.Fatalf("accounts %v, want %v", got, want)
	}
	for fn, w := range want {
		if !slices.Equal(got[fn], w) {
			t.Errorf("%s: accounts %v, want %v", fn, got[fn], w)
		}
	}
}

func TestName(t *testing.T) {
	if got := New("-").Name(); got != "stdin" {
		t.Errorf("Name = %q", got)
	}
	if got := New("/var/log/x.log").Name(); got != "file:/var/log/x.log" {
		t.Errorf("Name = %q", got)
	}
}

// TestStdin reads "-" from an injected reader: events carry the stdin
// source name and the default function "stdin".
func TestStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/raw.log")
	if err != nil {
		t.Fatal(err)
	}
	sink := runSource(t, "-", bytes.NewReader(data))
	checkSummary(t, sink.summary(), map[string]summary{
		"stdin": {Invocations: 3, Billed: 3650, Cold: 1, Logs: 13, Streams: []string{""},
			Errors: map[model.ErrorKind]int{model.ErrTimeout: 1, model.ErrRuntimeExit: 1}},
	})
	for _, e := range sink.all() {
		if e.Source != "stdin" {
			t.Fatalf("event source %q", e.Source)
		}
	}
}

func gzipped(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestGzip reads a gzip file and a multi-member gzip stream whose members
// are subscription messages without newlines between them, the way Firehose
// concatenates records.
func TestGzip(t *testing.T) {
	raw, err := os.ReadFile("testdata/raw.log")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "lambda.log.gz")
	if err := os.WriteFile(path, gzipped(t, raw), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := runSource(t, path, nil)
	checkSummary(t, sink.summary(), map[string]summary{
		"lambda": {Invocations: 3, Billed: 3650, Cold: 1, Logs: 13, Streams: []string{""},
			Errors: map[model.ErrorKind]int{model.ErrTimeout: 1, model.ErrRuntimeExit: 1}},
	})

	// Firehose: each record one gzip member, no separators.
	subs, err := os.ReadFile("testdata/subscription.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	members := bytes.Split(bytes.TrimSpace(subs), []byte("\n"))
	sink = runSource(t, "firehose", bytes.NewReader(gzipped(t, members...)), WithFollow(true))
	checkSummary(t, sink.summary(), map[string]summary{
		"orders":    {Invocations: 2, Billed: 3010, Logs: 8, Streams: []string{"2024/05/01/[$LATEST]8e6debb3ccb74abaa38c0e626efbcdd3"}, Errors: map[model.ErrorKind]int{model.ErrTimeout: 1}},
		"edge-auth": {Invocations: 1, Billed: 4, Cold: 1, Logs: 3, Streams: []string{"2024/05/01/[$LATEST]8e6debb3ccb74abaa38c0e626efbcdd3"}},
		"mailer":    {Invocations: 1, Billed: 200, Logs: 3, Streams: []string{"2024/05/01/mailer[$LATEST]0123456789abcdef0123456789abcdef"}},
	})
	if s := sink.skipped(); len(s) > 0 {
		t.Errorf("skipped %v", s)
	}
}

// TestGzipCorrupt reports a damaged gzip stream as an error, after the
// events read before the damage.
func TestGzipCorrupt(t *testing.T) {
	raw, err := os.ReadFile("testdata/raw.log")
	if err != nil {
		t.Fatal(err)
	}
	z := gzipped(t, raw)
	z = append(z[:len(z)-8], 1, 2, 3, 4, 5, 6, 7, 8) // bad checksum and size
	sink := &recSink{}
	err = New("-", WithReader(bytes.NewReader(z)), WithClock(fakeClock)).Run(context.Background(), sink)
	if err == nil {
		t.Fatal("Run returned nil for a corrupt gzip stream")
	}
	if got := sink.states(); got[len(got)-1] != model.StateFailing {
		t.Errorf("states %v, want failing last", got)
	}
}

func TestMissingFile(t *testing.T) {
	sink := &recSink{}
	path := filepath.Join(t.TempDir(), "nope.log")
	err := New(path, WithClock(fakeClock)).Run(context.Background(), sink)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope.log") {
		t.Fatalf("err = %v, want a not-exist error naming the file", err)
	}
	st := sink.of(model.KindStatus)
	if len(st) != 2 || st[1].Status.State != model.StateFailing || !strings.Contains(st[1].Status.LastError, "no such file") {
		t.Errorf("status events %+v", st)
	}
}

// TestPermissionDenied uses a file the test cannot read (skipped as root,
// who can read anything) and a directory, which opens but cannot be read as
// a file.
func TestPermissionDenied(t *testing.T) {
	dir := t.TempDir()
	sink := &recSink{}
	err := New(dir, WithClock(fakeClock)).Run(context.Background(), sink)
	if err == nil {
		t.Fatal("Run of a directory returned nil")
	}
	if got := sink.states(); !slices.Equal(got, []model.SourceState{model.StateStarting, model.StateFailing}) {
		t.Errorf("states %v", got)
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads unreadable files")
	}
	path := filepath.Join(dir, "secret.log")
	if err := os.WriteFile(path, []byte("x\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	sink = &recSink{}
	err = New(path, WithClock(fakeClock)).Run(context.Background(), sink)
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("err = %v, want permission denied", err)
	}
	st := sink.of(model.KindStatus)
	if last := st[len(st)-1].Status; last.State != model.StateFailing || !strings.Contains(last.LastError, "permission denied") {
		t.Errorf("last status %+v", last)
	}
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	boom := errors.New("device on fire")
	sink := &recSink{}
	err := New("-", WithReader(&errReader{data: []byte("START RequestId: x Version: 1\n"), err: boom}), WithClock(fakeClock)).
		Run(context.Background(), sink)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	st := sink.of(model.KindStatus)
	last := st[len(st)-1].Status
	if last.State != model.StateFailing || last.LastError != "device on fire" || last.Name != "stdin" {
		t.Errorf("last status %+v", last)
	}
	if n := len(sink.of(model.KindLog)); n != 1 {
		t.Errorf("%d log lines before the error, want 1", n)
	}
}

// TestStatus checks the status events of a finite read: starting, ok, done,
// with the time of the clock.
func TestStatus(t *testing.T) {
	sink := runSource(t, "testdata/raw.log", nil)
	st := sink.of(model.KindStatus)
	if len(st) < 3 {
		t.Fatalf("status events %+v", st)
	}
	for _, e := range st {
		if e.Function != "" || e.Status.Name != "file:testdata/raw.log" || !e.Time.Equal(fixedNow) {
			t.Errorf("status event %+v", e)
		}
	}
	last := st[len(st)-1].Status
	if last.State != model.StateDone || !last.Updated.Equal(fixedNow) || !strings.Contains(last.Detail, "read") {
		t.Errorf("last status %+v", last)
	}
	// Done comes after every other event.
	all := sink.all()
	if all[len(all)-1].Kind != model.KindStatus {
		t.Errorf("last event is %v", all[len(all)-1].Kind)
	}
}

// TestCancel stops a source reading a stream that never ends: Run returns
// the context's error (the input was not read to its end).
func TestCancel(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	sink := &recSink{}
	go func() { done <- New("-", WithReader(pr), WithClock(fakeClock)).Run(ctx, sink) }()
	if _, err := pw.Write([]byte("START RequestId: x Version: 1\nnext\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(sink.of(model.KindLog)) == 2 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	pw.Close() // let the reading goroutine go
}

// TestCancelBeforeData stops a source whose stream has sent nothing yet:
// Run must not wait for the first bytes (the gzip check) to return.
func TestCancelBeforeData(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New("-", WithReader(pr), WithClock(fakeClock)).Run(ctx, &recSink{}) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	pw.Close()
}

// TestPendingFlushedOnPause checks that a message that may still be
// continued (a REPORT waiting for its X-Ray line) is sent when the input
// pauses, not held until more input comes.
func TestPendingFlushedOnPause(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &recSink{}
	done := make(chan error, 1)
	go func() {
		done <- New("-", WithReader(pr), WithClock(fakeClock), WithPollInterval(10*time.Millisecond)).Run(ctx, sink)
	}()
	report := "REPORT RequestId: 11111111-1111-4111-8111-111111111111\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
	if _, err := pw.Write([]byte(report)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(sink.of(model.KindInvocation)) == 1 })
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNoLogs drops log lines but keeps the figures, and the lines error
// signatures are made of.
func TestNoLogs(t *testing.T) {
	for _, file := range []string{"raw.log", "subscription.jsonl", "tail.txt"} {
		fullSink := runSource(t, "testdata/"+file, nil)
		full := fullSink.summary()
		var signed int
		for _, e := range fullSink.of(model.KindLog) {
			if e.Log.Signed() {
				signed++
			}
		}
		sink := runSource(t, "testdata/"+file, nil, WithLogs(false))
		logs := sink.of(model.KindLog)
		for _, e := range logs {
			if !e.Log.Signed() {
				t.Errorf("%s: log event %q kept", file, e.Log.Message)
			}
		}
		if len(logs) != signed {
			t.Errorf("%s: %d error lines kept, want %d", file, len(logs), signed)
		}
		got := sink.summary()
		for fn, s := range full {
			g := got[fn]
			if g == nil {
				t.Errorf("%s: %s missing", file, fn)
				continue
			}
			s.Logs, g.Logs, s.Streams, g.Streams = 0, 0, nil, nil
			if g.String() != s.String() {
				t.Errorf("%s: %s: got %v, want %v", file, fn, g, s)
			}
		}
	}
}

func TestQuietAppLine(t *testing.T) {
	for in, want := range map[string]bool{
		"2024-05-01T10:00:00.200Z\taaaaaaaa-0000-4000-8000-000000000001\tINFO\thello":              true,
		"2024-05-01T10:00:00.200Z\tundefined\tDEBUG\tloading":                                      true,
		"2024-05-01T10:00:00.200Z\taaaaaaaa-0000-4000-8000-000000000001\tWARN\tslow":               true,
		"2024-05-01T10:00:00.200Z\taaaaaaaa-0000-4000-8000-000000000001\tERROR\tInvoke Error \t{}": false,
		"2024-05-01T10:00:00.200Z aaaaaaaa-0000-4000-8000-000000000001 Task timed out after 3.00":  false,
		"[INFO]\t2024-05-01T10:00:00.200Z\taaaaaaaa-0000-4000-8000-000000000001\thello":            true,
		"[WARNING] something":     true,
		"[ERROR]\tboom":           false,
		"START RequestId: x":      false,
		"INFO\tnot node":          false,
		`{"level":"INFO","x":1}`:  false,
		"2024-05-01 INFO\tx\ty\t": false,
	} {
		if got := quietAppLine([]byte(in)); got != want {
			t.Errorf("quietAppLine(%q) = %v, want %v", in, got, want)
		}
		// The same message as JSON string content, followed by the rest
		// of a document.
		raw := strconv.Quote(in)
		raw = raw[1:] + `,"timestamp":1}`
		if got := quietAppLineRaw([]byte(raw)); got != want {
			t.Errorf("quietAppLineRaw(%q) = %v, want %v", raw, got, want)
		}
	}
	// A quote or backslash in the request ID: not decided without
	// unescaping.
	if quietAppLineRaw([]byte(`2024-05-01T10:00:00.200Z\ta\"b\tINFO\tx"`)) {
		t.Error("quietAppLineRaw accepted an escaped request ID")
	}
}

// TestGenerated reads a generated file of subscription messages with
// several workers and checks every function's figures against what the
// generator wrote: sharding by stream must not lose or reorder anything.
// It also reads the same data gzip-compressed as one Firehose object (no
// newlines), in reads of odd sizes.
func TestGenerated(t *testing.T) {
	var buf bytes.Buffer
	st, err := GenerateSubscription(&buf, 2<<20, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]summary{}
	for fn, n := range st.Invocations {
		s := summary{Invocations: n, Billed: st.Billed[fn], Cold: st.Cold[fn], Errors: map[model.ErrorKind]int{}}
		if st.Timeouts[fn] > 0 {
			s.Errors[model.ErrTimeout] = st.Timeouts[fn]
		}
		want[fn] = s
	}
	check := func(t *testing.T, sink *recSink) {
		t.Helper()
		got := sink.summary()
		for _, s := range got {
			s.Logs, s.Streams = 0, nil
		}
		checkSummary(t, got, want)
		if s := sink.skipped(); len(s) > 0 {
			t.Errorf("skipped %v", s)
		}
		if n := len(sink.of(model.KindLog)); n != st.Events {
			t.Errorf("%d log lines, want %d", n, st.Events)
		}
	}
	t.Run("lines", func(t *testing.T) {
		check(t, runSource(t, "gen", bytes.NewReader(buf.Bytes()), WithWorkers(3), WithBatchSize(100)))
	})
	t.Run("firehose", func(t *testing.T) {
		members := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
		z := gzipped(t, members...)
		check(t, runSource(t, "gen", &oddReader{r: bytes.NewReader(z)}, WithWorkers(2)))
	})
}

// oddReader returns reads of varying, small sizes.
type oddReader struct {
	r io.Reader
	n int
}

func (o *oddReader) Read(p []byte) (int, error) {
	o.n++
	size := 1 + (o.n*7919)%5000
	return o.r.Read(p[:min(len(p), size)])
}

// TestBatches checks that the sink gets batches no larger than the batch
// size.
func TestBatches(t *testing.T) {
	var buf bytes.Buffer
	if _, err := GenerateSubscription(&buf, 256<<10, 3); err != nil {
		t.Fatal(err)
	}
	sink := &sizeSink{}
	if err := New("-", WithReader(&buf), WithBatchSize(64)).Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	// The parser may add a few events past the limit in one Feed.
	if sink.max > 64+8 || sink.max < 32 {
		t.Errorf("largest batch %d for a batch size of 64", sink.max)
	}
}

type sizeSink struct {
	recSink
	max int
}

func (s *sizeSink) Ingest(events ...model.Event) {
	s.mu.Lock()
	s.max = max(s.max, len(events))
	s.mu.Unlock()
}

// TestNoLogsSameSnapshot: a store fed without log lines answers exactly as
// one fed with them, save the lines themselves, also where subscription
// messages with quiet lines are followed by raw output whose platform lines
// take their time from the lines before.
func TestNoLogsSameSnapshot(t *testing.T) {
	mixed := `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/aws/lambda/app","logStream":"s1","logEvents":[` +
		`{"id":"1","timestamp":1714557600000,"message":"START RequestId: 11111111-0000-4000-8000-000000000001 Version: $LATEST\n"},` +
		`{"id":"2","timestamp":1714557605000,"message":"2024-05-01T10:00:05.000Z\t11111111-0000-4000-8000-000000000001\tINFO\thello\n"}]}
START RequestId: 22222222-0000-4000-8000-000000000002 Version: $LATEST
REPORT RequestId: 22222222-0000-4000-8000-000000000002	Duration: 10.00 ms	Billed Duration: 10 ms	Memory Size: 128 MB	Max Memory Used: 50 MB	
{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/aws/lambda/app","logStream":"s1","logEvents":[` +
		`{"id":"3","timestamp":1714557609000,"message":"2024-05-01T10:00:09.000Z\t11111111-0000-4000-8000-000000000001\tWARN\tslow\n"},` +
		`{"id":"4","timestamp":1714557610000,"message":"REPORT RequestId: 11111111-0000-4000-8000-000000000001\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout\n"}]}
2024-05-01T10:00:11.000Z	33333333-0000-4000-8000-000000000003	INFO	raw quiet line
REPORT RequestId: 33333333-0000-4000-8000-000000000003	Duration: 10.00 ms	Billed Duration: 10 ms	Memory Size: 128 MB	Max Memory Used: 50 MB	
`
	inputs := map[string]string{"mixed input": mixed}
	for _, file := range []string{"raw.log", "subscription.jsonl", "tail.txt", "mixed.log", "json-format.log", "filter.json"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		inputs[file] = string(b)
	}
	snap := func(in string, opts ...Option) string {
		store := model.NewStore(model.Options{Clock: fakeClock})
		opts = append([]Option{WithClock(fakeClock), WithWorkers(1), WithReader(strings.NewReader(in))}, opts...)
		if err := New("other.log", opts...).Run(context.Background(), store); err != nil {
			t.Fatalf("Run: %v", err)
		}
		s := store.Snapshot(model.SnapshotOptions{})
		s.Version = 0
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for name, in := range inputs {
		if got, want := snap(in, WithLogs(false)), snap(in); got != want {
			t.Errorf("%s: without logs:\n%s\nwith logs:\n%s", name, got, want)
		}
	}
}
