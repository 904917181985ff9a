package main

import (
	"bytes"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// grepAwk sums the billed milliseconds of the REPORT lines of $1, the
// shell one-liner fntop is compared with (printf, not print: awk prints
// large sums in exponent form).
const grepAwk = `grep REPORT "$1" | awk -F'Billed Duration: ' '{for(i=2;i<=NF;i++) s+=$i} END{printf "%.0f\n", s}'`

// BenchmarkSnapshotVsGrep runs, as processes on the same 20 MB
// subscription-format file, `fntop snapshot --json --input FILE` (built
// once a run) and `grep REPORT FILE | awk` summing billed durations, each
// as its own sub-benchmark, and checks that both find the file's billed
// total.
func BenchmarkSnapshotVsGrep(b *testing.B) {
	for _, tool := range []string{"sh", "grep", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not installed: the grep | awk comparison needs sh, grep and awk", tool)
		}
	}
	const size = 20 << 20
	dir := b.TempDir()
	bin, sub := filepath.Join(dir, "fntop"), filepath.Join(dir, "sub20.json")
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Fatalf("building fntop needs the go command: %v", err)
	}
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, bytes.TrimSpace(out))
	}
	n, billed := writeSubscriptionFile(b, sub, size)

	b.Run("fntop", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			out, err := exec.Command(bin, "snapshot", "--json", "--input", sub).Output()
			if err != nil {
				b.Fatal(err)
			}
			snap := decodeSnapshot(b, string(out))
			if snap.Totals.Invocations != int64(n) || snap.Totals.BilledMsTotal != billed {
				b.Fatalf("fntop: %d invocations %v ms billed, want %d %v", snap.Totals.Invocations, snap.Totals.BilledMsTotal, n, billed)
			}
		}
	})
	b.Run("grep-awk", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			out, err := exec.Command("sh", "-c", grepAwk, "sh", sub).Output()
			if err != nil {
				b.Fatal(err)
			}
			got, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			if err != nil || math.Abs(got-billed) > 0.5 {
				b.Fatalf("grep | awk printed %q, want %.0f", out, billed)
			}
		}
	})
}
