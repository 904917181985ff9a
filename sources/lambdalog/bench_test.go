package lambdalog

import (
	"fmt"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// benchFeed feeds the messages round robin through one parser, reusing the
// output slice as a source does, and reports lines per second.
func benchFeed(b *testing.B, msgs []string, stream func(i int) string, opts ...Option) {
	b.Helper()
	p := NewParser(opts...)
	out := make([]model.Event, 0, 16)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	b.SetBytes(int64(total / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := msgs[i%len(msgs)]
		out = p.Feed(Input{Source: "bench", Function: "fn", Stream: stream(i), Time: base.Add(time.Duration(i)), Message: m}, out[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	if _, ok := p.Line(); !ok {
		b.Fatal("no line read")
	}
}

// distinct makes n messages from a format with one %s for a request ID.
func distinct(n int, format string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, fmt.Sprintf("%08x-9cdd-4145-b1f6-7c50ef8a2a36", i))
	}
	return out
}

const benchStreams = 64

func streamName(i int) string {
	return streamNames[i%benchStreams]
}

var streamNames = func() []string {
	s := make([]string, benchStreams)
	for i := range s {
		s[i] = fmt.Sprintf("2026/11/20/[$LATEST]%032x", i)
	}
	return s
}()

// BenchmarkParseReport: Feed on text REPORT lines (the hot path), each a new
// request, spread over streams, with the KindLog, KindInvocation and the
// correlation bookkeeping.
func BenchmarkParseReport(b *testing.B) {
	msgs := distinct(16384, "REPORT RequestId: %s\tDuration: 1233.96 ms\tBilled Duration: 1698 ms\tMemory Size: 256 MB\tMax Memory Used: 123 MB\tInit Duration: 463.51 ms\t\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParseReportXRay: a REPORT with the X-Ray trailer.
func BenchmarkParseReportXRay(b *testing.B) {
	msgs := distinct(16384, "REPORT RequestId: %s\tDuration: 2.37 ms\tBilled Duration: 3 ms\tMemory Size: 1024 MB\tMax Memory Used: 95 MB\t\nXRAY TraceId: 1-6ac7d554-62c6be2f6c1bd8032dac9acf\tSegmentId: 854892f93105b5ae\tSampled: true\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParseJSONReport: Feed on JSON platform.report events.
func BenchmarkParseJSONReport(b *testing.B) {
	msgs := distinct(16384, `{"time":"2026-10-08T07:30:29.470Z","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,"maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success","tracing":{"type":"X-Amzn-Trace-Id","value":"Root=1-692cc6c7-f2ce8d3383524609b99c07a9"}}}`+"\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParseAppLine: Node.js text application lines.
func BenchmarkParseAppLine(b *testing.B) {
	msgs := distinct(1024, "2026-11-20T10:00:01.123Z\t%s\tINFO\tprocessed order 12345 for customer 987 in 12 ms\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParsePythonLine: Python text application lines.
func BenchmarkParsePythonLine(b *testing.B) {
	msgs := distinct(1024, "[INFO]\t2026-11-20T10:00:01.123Z\t%s\tprocessed order 12345 for customer 987 in 12 ms\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParseJSONAppLine: JSON application lines.
func BenchmarkParseJSONAppLine(b *testing.B) {
	msgs := distinct(1024, `{"timestamp":"2026-11-20T10:00:01.123Z","level":"INFO","requestId":"%s","message":"processed order 12345 for customer 987 in 12 ms","logger":"root"}`+"\n")
	benchFeed(b, msgs, streamName)
}

// BenchmarkParsePlainLine: unrecognised output, attributed by stream.
func BenchmarkParsePlainLine(b *testing.B) {
	benchFeed(b, []string{"processed order 12345 for customer 987 in 12 ms\n"}, streamName)
}

// BenchmarkParseMessageReport: the stateless layer alone.
func BenchmarkParseMessageReport(b *testing.B) {
	msg := "REPORT RequestId: 79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36\tDuration: 1233.96 ms\tBilled Duration: 1698 ms\tMemory Size: 256 MB\tMax Memory Used: 123 MB\tInit Duration: 463.51 ms\t\n"
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if r := ParseMessage(msg); r.Type != RecordReport {
			b.Fatal(r.Type)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkFeedMixed: whole invocations as a text function logs them
// (START, two app lines, END, REPORT), over many streams.
func BenchmarkFeedMixed(b *testing.B) { benchFeedMixed(b) }

// BenchmarkFeedMixedNoLogs: the same for a headless reader, without log
// events.
func BenchmarkFeedMixedNoLogs(b *testing.B) { benchFeedMixed(b, WithLogs(false)) }

func benchFeedMixed(b *testing.B, opts ...Option) {
	var msgs []string
	for i := range 4096 {
		id := fmt.Sprintf("%08x-9cdd-4145-b1f6-7c50ef8a2a36", i)
		msgs = append(msgs,
			"START RequestId: "+id+" Version: $LATEST\n",
			"2026-11-20T10:00:01.123Z\t"+id+"\tINFO\tprocessed order 12345\n",
			"plain output without a request ID\n",
			"END RequestId: "+id+"\n",
			"REPORT RequestId: "+id+"\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t\n")
	}
	benchFeed(b, msgs, func(i int) string { return streamNames[(i/5)%benchStreams] }, opts...)
}
