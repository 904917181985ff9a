package file

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// countSink counts events and sums billed durations, the least a sink can do.
type countSink struct {
	events, invocations atomic.Int64
	mu                  sync.Mutex
	billed              float64
}

func (c *countSink) Ingest(events ...model.Event) {
	c.events.Add(int64(len(events)))
	var n int64
	var billed float64
	for i := range events {
		if events[i].Kind == model.KindInvocation {
			n++
			billed += events[i].Invocation.BilledMs
		}
	}
	c.invocations.Add(n)
	c.mu.Lock()
	c.billed += billed
	c.mu.Unlock()
}

var bench20 struct {
	once  sync.Once
	data  []byte
	stats genStats
}

func subscription20MB(tb testing.TB) ([]byte, genStats) {
	bench20.once.Do(func() {
		var buf bytes.Buffer
		st, err := GenerateSubscription(&buf, 20<<20, 1)
		if err != nil {
			tb.Fatal(err)
		}
		bench20.data, bench20.stats = buf.Bytes(), st
	})
	return bench20.data, bench20.stats
}

// BenchmarkSubscription20MB reads 20 MB of subscription messages through
// the whole pipeline (splitting, decoding, the Lambda parser) into a
// counting sink.
func BenchmarkSubscription20MB(b *testing.B) { benchSubscription(b) }

// BenchmarkSubscription20MBNoLogs is the same without log lines, as a
// headless snapshot reads.
func BenchmarkSubscription20MBNoLogs(b *testing.B) { benchSubscription(b, WithLogs(false)) }

// BenchmarkSubscription20MBFileNoLogs reads the same from a file, as
// `fntop snapshot --input FILE` does.
func BenchmarkSubscription20MBFileNoLogs(b *testing.B) {
	data, _ := subscription20MB(b)
	path := filepath.Join(b.TempDir(), "sub.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	benchSubscriptionPath(b, path, nil, WithLogs(false))
}

func benchSubscription(b *testing.B, opts ...Option) {
	data, _ := subscription20MB(b)
	reader := func() Option { return WithReader(bytes.NewReader(data)) }
	benchSubscriptionPath(b, "bench.json", reader, opts...)
}

// benchSubscriptionPath reads the 20 MB of subscription messages from path,
// or from the reader each call of reader gives when it is not nil, into a
// counting sink.
func benchSubscriptionPath(b *testing.B, path string, reader func() Option, opts ...Option) {
	data, st := subscription20MB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var events int64
	start := time.Now()
	for b.Loop() {
		sink := &countSink{}
		o := opts
		if reader != nil {
			o = append([]Option{reader()}, opts...)
		}
		err := New(path, o...).Run(context.Background(), sink)
		if err != nil {
			b.Fatal(err)
		}
		if got := sink.invocations.Load(); got != int64(st.totalInvocations()) {
			b.Fatalf("invocations = %d, want %d", got, st.totalInvocations())
		}
		events += sink.events.Load()
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkSubscriptionDecode measures decoding alone: the splitter's
// document scan and the workers' decoder, without the parser.
func BenchmarkSubscriptionDecode(b *testing.B) { benchDecode(b) }

// BenchmarkSubscriptionDecodeNoLogs is decoding alone without log lines.
func BenchmarkSubscriptionDecodeNoLogs(b *testing.B) { benchDecode(b, WithLogs(false)) }

func benchDecode(b *testing.B, opts ...Option) {
	data, _ := subscription20MB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	nop := func(c *config) { c.newParser = func() parser { return nopParser{} } }
	for b.Loop() {
		err := New("bench.json", append([]Option{WithReader(bytes.NewReader(data)), nop}, opts...)...).Run(context.Background(), &countSink{})
		if err != nil {
			b.Fatal(err)
		}
	}
}

type nopParser struct{}

func (nopParser) Feed(_ lambdalog.Input, out []model.Event) []model.Event { return out }

func (nopParser) Skip(lambdalog.Input) {}

func (nopParser) Line() (time.Time, bool) { return time.Time{}, false }

// TestWriteSubscriptionFile writes a generated file for measurements from
// the shell: FNTOP_GEN_FILE=/tmp/sub.json FNTOP_GEN_SIZE=20971520 go test
// -run TestWriteSubscriptionFile ./sources/file/
func TestWriteSubscriptionFile(t *testing.T) {
	path := os.Getenv("FNTOP_GEN_FILE")
	if path == "" {
		t.Skip("FNTOP_GEN_FILE not set")
	}
	size := 20 << 20
	if s := os.Getenv("FNTOP_GEN_SIZE"); s != "" {
		if _, err := fmt.Sscan(s, &size); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := GenerateSubscription(f, size, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var billed float64
	for _, v := range st.Billed {
		billed += v
	}
	t.Logf("%s: %d bytes, %d documents, %d events, %d invocations, billed %.0f ms",
		path, st.Bytes, st.Docs, st.Events, st.totalInvocations(), billed)
}

// TestReadFileTimed reads FNTOP_READ_FILE with the real parser (none with
// FNTOP_NOPARSE set) and a counting sink, for timing a whole process from
// the shell.
func TestReadFileTimed(t *testing.T) {
	path := os.Getenv("FNTOP_READ_FILE")
	if path == "" {
		t.Skip("FNTOP_READ_FILE not set")
	}
	sink := &countSink{}
	start := time.Now()
	opts := []Option{WithLogs(os.Getenv("FNTOP_NOLOGS") == "")}
	if os.Getenv("FNTOP_NOPARSE") != "" {
		opts = append(opts, func(c *config) { c.newParser = func() parser { return nopParser{} } })
	}
	if err := New(path, opts...).Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %v, %d events, %d invocations, billed %.0f ms", path, time.Since(start),
		sink.events.Load(), sink.invocations.Load(), sink.billed)
}

// BenchmarkDecodeSub measures the subscription decoder alone on one
// goroutine, over the documents of the 20 MB file, leaving quiet lines
// escaped as a headless reading does.
func BenchmarkDecodeSub(b *testing.B) {
	data, _ := subscription20MB(b)
	docs := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var m subMessage
	for b.Loop() {
		for _, doc := range docs {
			if _, ok := decodeSub(doc, &m, true); !ok {
				b.Fatalf("invalid document %q", doc)
			}
		}
	}
}
