package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// reportLine is a REPORT of request n, billed n ms.
func reportLine(n int) string {
	return fmt.Sprintf("REPORT RequestId: %08d-0000-4000-8000-000000000000\tDuration: %d.00 ms\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n", n, n, n)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// billed returns the billed durations of the invocations seen, in order.
func billed(sink *recSink) []int {
	var out []int
	for _, e := range sink.of(model.KindInvocation) {
		out = append(out, int(e.Invocation.BilledMs))
	}
	return out
}

// TestFollow appends to a followed file (a line in two writes), truncates
// it, and rotates it, and checks that every REPORT is read once.
func TestFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fn.log")
	appendFile(t, path, reportLine(1))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &recSink{}
	done := make(chan error, 1)
	src := New(path, WithFollow(true), WithPollInterval(5*time.Millisecond), WithClock(fakeClock))
	go func() { done <- src.Run(ctx, sink) }()
	wait := func(want ...int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !slices.Equal(billed(sink), want) {
			if time.Now().After(deadline) {
				t.Fatalf("billed %v, want %v", billed(sink), want)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	wait(1)

	// Growth, with a line written in two parts.
	line := reportLine(2)
	appendFile(t, path, line[:30])
	time.Sleep(30 * time.Millisecond)
	if got := billed(sink); !slices.Equal(got, []int{1}) {
		t.Fatalf("half a line was read: %v", got)
	}
	appendFile(t, path, line[30:]+reportLine(3))
	wait(1, 2, 3)

	// Truncation: the file starts over, shorter than what was read.
	if err := os.WriteFile(path, []byte(reportLine(4)), 0o644); err != nil {
		t.Fatal(err)
	}
	wait(1, 2, 3, 4)

	// Rotation: the last lines of the old file, then the new file.
	appendFile(t, path, reportLine(5))
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".1", reportLine(6))
	appendFile(t, path, reportLine(7))
	wait(1, 2, 3, 4, 5, 6, 7)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil when following", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	states := sink.states()
	if slices.Contains(states, model.StateDone) || states[0] != model.StateStarting || !slices.Contains(states, model.StateOK) {
		t.Errorf("states %v", states)
	}
	for _, e := range sink.of(model.KindStatus) {
		if e.Status.State == model.StateOK && !strings.Contains(e.Status.Detail, "follow") && !strings.Contains(e.Status.Detail, "read") {
			t.Errorf("status detail %q", e.Status.Detail)
		}
	}
}

// TestFollowEmptyThenData follows a file that is empty at first.
func TestFollowEmptyThenData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fn.log")
	appendFile(t, path, "")
	ctx, cancel := context.WithCancel(context.Background())
	sink := &recSink{}
	done := make(chan error, 1)
	go func() {
		done <- New(path, WithFollow(true), WithPollInterval(5*time.Millisecond), WithClock(fakeClock)).Run(ctx, sink)
	}()
	time.Sleep(20 * time.Millisecond)
	appendFile(t, path, reportLine(9))
	waitFor(t, func() bool { return slices.Equal(billed(sink), []int{9}) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestFollowGzip reads a gzip file once even when asked to follow.
func TestFollowGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fn.log.gz")
	if err := os.WriteFile(path, gzipped(t, []byte(reportLine(3))), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := &recSink{}
	err := New(path, WithFollow(true), WithClock(fakeClock)).Run(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if got := billed(sink); !slices.Equal(got, []int{3}) {
		t.Errorf("billed %v", got)
	}
	if got := sink.states(); got[len(got)-1] != model.StateDone {
		t.Errorf("states %v", got)
	}
}
