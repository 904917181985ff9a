package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeSubscriptionFile writes CloudWatch Logs subscription documents (one
// per line, one invocation's events each) for several functions until the
// file reaches size bytes. It returns the invocations written and their
// billed milliseconds.
func writeSubscriptionFile(tb testing.TB, path string, size int) (int, float64) {
	tb.Helper()
	var buf bytes.Buffer
	n, billed := 0, 0.0
	for fn := 0; buf.Len() < size; fn++ {
		for _, c := range fleet(uint64(fn), 500, base) {
			var evs []map[string]any
			for j, m := range c.messages() {
				evs = append(evs, map[string]any{"id": fmt.Sprintf("%d%06d%02d", fn, n, j), "timestamp": c.at.UnixMilli(), "message": m + "\n"})
			}
			b, err := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "123456789012",
				"logGroup": fmt.Sprintf("/aws/lambda/fn-%03d", fn), "logStream": c.stream,
				"subscriptionFilters": []string{"fntop"}, "logEvents": evs})
			if err != nil {
				tb.Fatal(err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
			n++
			billed += float64(c.billed)
			if buf.Len() >= size {
				break
			}
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return n, billed
}

// BenchmarkSnapshotInput20MB measures what `fntop snapshot --json --input
// FILE` does on a 20 MB subscription-format file: read, parse, aggregate,
// snapshot, encode. Compare with `grep REPORT FILE | awk` on the file that
// FNTOP_BENCH_KEEP=PATH leaves behind.
func BenchmarkSnapshotInput20MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "sub20.json")
	if keep := os.Getenv("FNTOP_BENCH_KEEP"); keep != "" {
		path = keep
	}
	const size = 20 << 20
	n, billed := writeSubscriptionFile(b, path, size)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		code := run(context.Background(), []string{"snapshot", "--json", "--input", path}, env{stdout: &out, stderr: os.Stderr})
		if code != 0 {
			b.Fatalf("exit %d", code)
		}
		if i == 0 {
			snap := decodeSnapshot(b, out.String())
			if snap.Totals.Invocations != int64(n) || snap.Totals.BilledMsTotal != billed {
				b.Fatalf("snapshot: %d invocations %v billed, want %d %v", snap.Totals.Invocations, snap.Totals.BilledMsTotal, n, billed)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "invocations/s")
}
