package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// Limits of the fuzzed sources: small, so that the fuzzer reaches them.
const (
	fuzzMaxLine = 1 << 10
	fuzzMaxDoc  = 1 << 12
)

// How FuzzSource hands its input to a Source.
const (
	fuzzPlain     = iota // a reader (a stream: stdin, a pipe)
	fuzzGzip             // the input gzip-compressed, through a reader
	fuzzGzipTwice        // two gzip members of its halves, as Firehose writes
	fuzzFile             // a regular file on disk (mapped, not copied)
	fuzzGzipFile         // a gzip file on disk
	fuzzModes
)

// FuzzSource runs the whole source, with the real Lambda log parser, over
// any input in every format at once (aws logs tail text, filter-log-events
// JSON, subscription messages, raw and JSON-format Lambda lines, gzip),
// read from a stream, a gzip stream or a file. It checks that the source
// ends (no hang) with the right status, that junk is counted as skipped
// rather than dropped or taken for invocations (a line longer than the
// limit is put first and must be counted), that no invocation is made
// without a report in the input, that every event is sane, and that the
// text it keeps is bounded by the input's.
func FuzzSource(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue // directories
		}
		for mode := range uint8(fuzzModes) {
			f.Add(data, mode)
		}
	}
	for _, s := range []string{
		"",
		"\n\n\n",
		"{",
		"}{",
		`{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/a","logStream":"s","logEvents":[{"timestamp":1,"message":"REPORT RequestId: r\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\t"}]}`,
		`{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/a","logEvents":[{"timestamp":-9e18,"message":"\u0000\ud800"}]}{"messageType":"CONTROL_MESSAGE"}`,
		`{"events":[{"timestamp":1e300,"message":"START RequestId: x\n","logStreamName":"2024/05/01/[1]ab"}]}`,
		"2024-05-01T10:00:00+00:00 /aws/lambda/x 2024/05/01/[$LATEST]ab REPORT RequestId: r\tDuration: 1e309 ms\n\tcontinued\n",
		"2024-05-01T10:00:00 short\n\x1b[31m2024-05-01T10:00:01+00:00\x1b[0m s m\n",
		"REPORT RequestId: r\tDuration: -5 ms\tBilled Duration: NaN ms\tMemory Size: 99999999999999999999 MB\n",
		`{"time":"2024-05-01T10:00:00Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":-1,"billedDurationMs":1e400}}}`,
		"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff",
	} {
		f.Add([]byte(s), uint8(fuzzPlain))
		f.Add([]byte(s), uint8(fuzzGzipFile))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		mode %= fuzzModes
		// A line over the limit first: it must be counted, whatever follows.
		long := append(bytes.Repeat([]byte("x"), fuzzMaxLine+1), '\n')
		input := append(long, data...)

		sink := &recSink{}
		opts := []Option{
			WithClock(fakeClock), WithWorkers(2), WithBatchSize(7),
			WithMaxLineSize(fuzzMaxLine), WithMaxDocumentSize(fuzzMaxDoc),
		}
		path := "-"
		switch mode {
		case fuzzPlain:
			opts = append(opts, WithReader(bytes.NewReader(input)))
		case fuzzGzip:
			opts = append(opts, WithReader(bytes.NewReader(fuzzGzipped(t, input))))
		case fuzzGzipTwice:
			half := len(input) / 2
			opts = append(opts, WithReader(bytes.NewReader(fuzzGzipped(t, input[:half], input[half:]))))
		case fuzzFile, fuzzGzipFile:
			path = filepath.Join(t.TempDir(), "fuzz.log")
			content := input
			if mode == fuzzGzipFile {
				path += ".gz"
				content = fuzzGzipped(t, input)
			}
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := New(path, opts...).Run(ctx, sink)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("mode %d: no end after 20s reading %q", mode, data)
		}
		if err != nil {
			t.Fatalf("mode %d: Run: %v", mode, err)
		}
		if st := sink.states(); len(st) == 0 || st[0] != model.StateStarting || st[len(st)-1] != model.StateDone {
			t.Fatalf("mode %d: states %v", mode, st)
		}
		if n := sink.skipped()[reasonLineTooLong]; n < 1 {
			t.Fatalf("mode %d: the long first line was not counted as skipped: %v", mode, sink.skipped())
		}
		fuzzCheckEvents(t, sink.all(), input)
	})
}

// FuzzGzipStream reads any bytes as a gzip stream (a damaged or hostile
// file): the source ends, never panics, and reports failing when it
// returns an error and done when it does not.
func FuzzGzipStream(f *testing.F) {
	raw, err := os.ReadFile("testdata/raw.log")
	if err != nil {
		f.Fatal(err)
	}
	good := fuzzGzipped(f, raw)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append(good[:len(good)-8:len(good)-8], 1, 2, 3, 4, 5, 6, 7, 8))
	f.Add(append(append([]byte(nil), good...), good...))
	f.Add(append(append([]byte(nil), good...), "trailing"...))
	f.Add([]byte("\x1f\x8b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			data = append([]byte{0x1f, 0x8b}, data...)
		}
		sink := &recSink{}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := New("-", WithReader(bytes.NewReader(data)), WithClock(fakeClock), WithWorkers(1),
			WithMaxLineSize(fuzzMaxLine), WithMaxDocumentSize(fuzzMaxDoc)).Run(ctx, sink)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("no end after 20s reading %q", data)
		}
		st := sink.states()
		want := model.StateDone
		if err != nil {
			want = model.StateFailing
		}
		if len(st) == 0 || st[len(st)-1] != want {
			t.Fatalf("Run: %v, states %v", err, st)
		}
		// What the stream decompresses to (up to the damage) is what the
		// source read.
		var plain bytes.Buffer
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			_, _ = io.Copy(&plain, io.LimitReader(zr, 64<<20))
		}
		fuzzCheckEvents(t, sink.all(), plain.Bytes())
	})
}

func fuzzGzipped(tb testing.TB, parts ...[]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(p); err != nil {
			tb.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return buf.Bytes()
}

// fuzzCheckEvents checks what a source made of input: counts never
// negative, figures finite, every invocation backed by a report in the
// input (junk never becomes an invocation), every named event attributed
// to a function, and the log text no longer than the input.
func fuzzCheckEvents(t *testing.T, evs []model.Event, input []byte) {
	t.Helper()
	// A report is a REPORT line or a platform.report record; JSON may spell
	// either with escapes, so any backslash lifts the bound.
	reports := bytes.Count(input, []byte("REPORT")) + bytes.Count(input, []byte("report"))
	escaped := bytes.IndexByte(input, '\\') >= 0
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	var invocations int
	var text int
	for _, e := range evs {
		switch e.Kind {
		case model.KindInvocation:
			invocations++
			in := e.Invocation
			for _, v := range []float64{in.DurationMs, in.BilledMs, in.InitDurationMs, in.RestoreDurationMs, in.BilledRestoreMs} {
				if !finite(v) {
					t.Fatalf("invocation with a bad figure: %+v", in)
				}
			}
			if in.MemorySizeMB < 0 || in.MaxMemoryUsedMB < 0 || in.RequestID == "" {
				t.Fatalf("bad invocation: %+v", in)
			}
		case model.KindLog:
			text += len(e.Log.Message)
		case model.KindSkipped:
			if e.Skipped.Count <= 0 || e.Skipped.Reason == "" {
				t.Fatalf("bad skipped event: %+v", e.Skipped)
			}
		case model.KindInit:
			if !finite(e.Init.DurationMs) {
				t.Fatalf("bad init: %+v", e.Init)
			}
		case model.KindStatus, model.KindMeta:
		case model.KindAmend, model.KindSeen:
		default:
			t.Fatalf("event of kind %v", e.Kind)
		}
		switch e.Kind {
		case model.KindInvocation, model.KindLog, model.KindAmend, model.KindInit:
			if e.Function == "" {
				t.Fatalf("%v event without a function: %+v", e.Kind, e)
			}
		}
	}
	if !escaped && invocations > reports {
		t.Fatalf("%d invocations from %d reports in %q", invocations, reports, fuzzShort(input))
	}
	if text > len(input) {
		t.Fatalf("%d bytes of log text from %d bytes of input", text, len(input))
	}
}

func fuzzShort(b []byte) string {
	if len(b) > 400 {
		return fmt.Sprintf("%s...(%d bytes)", b[:400], len(b))
	}
	return string(b)
}
