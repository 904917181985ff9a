package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// benchInvocations is how many invocations each format benchmark reads:
// four log lines each (START, a Node.js line, END, REPORT).
const benchInvocations = 10000

// benchLine is one log line of the format benchmarks.
type benchLine struct {
	stream string
	at     time.Time
	msg    string // with its trailing newline, as CloudWatch keeps it
}

// benchLines makes the log lines of n invocations spread over 16 streams.
func benchLines(n int) []benchLine {
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var out []benchLine
	for i := range n {
		stream := fmt.Sprintf("2024/05/01/[$LATEST]%032x", i%16)
		id := fmt.Sprintf("%08x-9cdd-4145-b1f6-7c50ef8a2a36", i)
		at := base.Add(time.Duration(i) * time.Millisecond)
		dur := 5 + float64(i%400)
		for j, m := range []string{
			"START RequestId: " + id + " Version: $LATEST\n",
			at.Format("2006-01-02T15:04:05.000Z") + "\t" + id + "\tINFO\tprocessed order 12345 for customer 987\n",
			"END RequestId: " + id + "\n",
			fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t\n", id, dur, dur+1),
		} {
			out = append(out, benchLine{stream: stream, at: at.Add(time.Duration(j) * 100 * time.Microsecond), msg: m})
		}
	}
	return out
}

// Each formatter writes the lines in one of the input formats.
var benchFormats = []struct {
	name   string
	format func([]benchLine) []byte
}{
	{"raw", func(lines []benchLine) []byte {
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(l.msg)
		}
		return b.Bytes()
	}},
	{"tail", func(lines []benchLine) []byte {
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(l.at.Format("2006-01-02T15:04:05.000000-07:00"))
			b.WriteByte(' ')
			b.WriteString(l.stream)
			b.WriteByte(' ')
			b.WriteString(l.msg)
		}
		return b.Bytes()
	}},
	{"filter-log-events", func(lines []benchLine) []byte {
		type event struct {
			Stream    string `json:"logStreamName"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		}
		var b bytes.Buffer
		for len(lines) > 0 {
			page := lines[:min(100, len(lines))]
			lines = lines[len(page):]
			evs := make([]event, len(page))
			for i, l := range page {
				evs[i] = event{l.stream, l.at.UnixMilli(), l.msg}
			}
			doc, _ := json.Marshal(map[string]any{"events": evs})
			b.Write(doc)
			b.WriteByte('\n')
		}
		return b.Bytes()
	}},
	{"subscription", func(lines []benchLine) []byte {
		type event struct {
			ID        string `json:"id"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		}
		// One document per stream and run of 20 lines, as CloudWatch
		// batches a stream's events.
		byStream := map[string][]benchLine{}
		var order []string
		for _, l := range lines {
			if byStream[l.stream] == nil {
				order = append(order, l.stream)
			}
			byStream[l.stream] = append(byStream[l.stream], l)
		}
		var b bytes.Buffer
		for len(order) > 0 {
			for _, s := range order {
				ls := byStream[s]
				page := ls[:min(20, len(ls))]
				byStream[s] = ls[len(page):]
				evs := make([]event, len(page))
				for i, l := range page {
					evs[i] = event{fmt.Sprint(l.at.UnixNano()), l.at.UnixMilli(), l.msg}
				}
				doc, _ := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "123456789012",
					"logGroup": "/aws/lambda/bench", "logStream": s, "subscriptionFilters": []string{"fntop"}, "logEvents": evs})
				b.Write(doc)
				b.WriteByte('\n')
			}
			order = slicesFilter(order, func(s string) bool { return len(byStream[s]) > 0 })
		}
		return b.Bytes()
	}},
}

func slicesFilter(s []string, keep func(string) bool) []string {
	out := s[:0]
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// BenchmarkFormat reads the same 40,000 log lines (10,000 invocations)
// written in each input format through the whole source (splitting,
// decoding, the Lambda parser) into a counting sink, and reports lines/s
// and MB/s. Run with -cpu 1 for the figure per core: the source then
// decodes and parses on one worker.
func BenchmarkFormat(b *testing.B) {
	lines := benchLines(benchInvocations)
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			data := f.format(lines)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				sink := &countSink{}
				if err := New("bench.log", WithReader(bytes.NewReader(data))).Run(context.Background(), sink); err != nil {
					b.Fatal(err)
				}
				if got := sink.invocations.Load(); got != benchInvocations {
					b.Fatalf("%s: %d invocations, want %d", f.name, got, benchInvocations)
				}
			}
			b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
