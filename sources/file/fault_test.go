package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// faultRun follows path (or reads r) into sink until the returned stop
// is called; stop checks that Run returns within a second.
func faultRun(t *testing.T, src *Source, sink model.Sink) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Second):
			t.Fatal("Run did not return within a second of its context's end")
			return nil
		}
	}
}

func waitBilled(t *testing.T, sink *recSink, want []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(billed(sink), want) {
		if time.Now().After(deadline) {
			t.Fatalf("billed %v, want %v; states %v", billed(sink), want, sink.states())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func reports(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(reportLine(i))
	}
	return b.String()
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestFollowFaults: a followed file that goes away, comes back, is
// replaced by something unreadable and then by a file again, is truncated
// in place. Every REPORT written is read once; the unreadable path is
// reported as failing with the error, and reading goes on (ok) once the
// file is back.
func TestFollowFaults(t *testing.T) {
	cases := []struct {
		name string
		// fault runs after reports 1-3 were read; it returns the
		// error the status must show ("" for none) and the reports
		// expected once the file is back.
		fault func(t *testing.T, path string) (errHas string, heal func(), want []int)
	}{
		{"deleted, then back", func(t *testing.T, path string) (string, func(), []int) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			return "", func() { appendFile(t, path, reports(4, 6)) }, seq(1, 6)
		}},
		{"replaced by a directory, then a file again", func(t *testing.T, path string) (string, func(), []int) {
			appendFile(t, path, reportLine(4)) // read before the switch
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			return "is a directory", func() {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				appendFile(t, path, reports(5, 7))
			}, seq(1, 7)
		}},
		{"truncated in place, then written", func(t *testing.T, path string) (string, func(), []int) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			return "", func() { appendFile(t, path, reports(4, 5)) }, seq(1, 5)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "fn.log")
			appendFile(t, path, reports(1, 3))
			sink := &recSink{}
			stop := faultRun(t, New(path, WithFollow(true), WithPollInterval(5*time.Millisecond)), sink)
			waitBilled(t, sink, seq(1, 3))
			marks := len(sink.of(model.KindStatus))
			errHas, heal, want := tc.fault(t, path)
			time.Sleep(100 * time.Millisecond) // twenty polls with the fault on
			sts := sink.of(model.KindStatus)[marks:]
			if errHas != "" {
				found := false
				for _, e := range sts {
					if e.Status.State == model.StateFailing && strings.Contains(e.Status.LastError, errHas) {
						found = true
					}
				}
				if !found {
					t.Errorf("no failing status with %q: %+v", errHas, sts)
				}
			}
			// No spinning: statuses are not repeated for every poll.
			if len(sts) > 5 {
				t.Errorf("%d status events in twenty polls", len(sts))
			}
			heal()
			waitBilled(t, sink, want)
			deadline := time.Now().Add(5 * time.Second)
			for sink.states()[len(sink.states())-1] != model.StateOK && time.Now().Before(deadline) {
				time.Sleep(2 * time.Millisecond)
			}
			if st := sink.states(); st[len(st)-1] != model.StateOK {
				t.Errorf("states %v, want ok at the end", st)
			}
			if err := stop(); err != nil {
				t.Errorf("Run = %v, want nil when following", err)
			}
		})
	}
}

// midReader gives data, then fails with err (and keeps failing).
type midReader struct {
	data []byte
	err  error
}

func (r *midReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data[:min(len(r.data), 100)]) // small reads: the error comes mid-stream
	r.data = r.data[n:]
	return n, nil
}

// TestReaderErrorsMidway: every complete line before the error is
// delivered, the half line after the last newline is not invented into
// an invocation, the status says failing with the error, and Run returns
// it.
func TestReaderErrorsMidway(t *testing.T) {
	boom := errors.New("connection to the log shipper lost")
	half := reportLine(501)
	r := &midReader{data: []byte(reports(1, 500) + half[:40]), err: boom}
	sink := &recSink{}
	err := New("-", WithReader(r), WithClock(fakeClock)).Run(context.Background(), sink)
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the reader's error", err)
	}
	if got := billed(sink); !slices.Equal(got, seq(1, 500)) {
		t.Errorf("%d invocations, want 1..500", len(got))
	}
	st := sink.of(model.KindStatus)
	if last := st[len(st)-1].Status; last.State != model.StateFailing || last.LastError != boom.Error() {
		t.Errorf("last status %+v", last)
	}
}

// TestStdinHangs: a stdin that sent some lines and then nothing: the
// lines are delivered, a followed file in the same store keeps being
// read, and Run returns within a second of its context's end (without
// waiting for the writer).
func TestStdinHangs(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	store := model.NewStore(model.Options{Clock: time.Now})
	sink := &recSink{}
	tee := teeSink{sink, store}
	stopStdin := faultRun(t, New("-", WithReader(pr), WithClock(fakeClock)), tee)
	if _, err := pw.Write([]byte(reports(1, 2))); err != nil {
		t.Fatal(err)
	}
	waitBilled(t, sink, seq(1, 2))

	path := filepath.Join(t.TempDir(), "other.log")
	appendFile(t, path, reports(10, 11))
	other := &recSink{}
	stopFile := faultRun(t, New(path, WithFollow(true), WithPollInterval(5*time.Millisecond)), teeSink{other, store})
	waitBilled(t, other, seq(10, 11))
	appendFile(t, path, reports(12, 12))
	waitBilled(t, other, seq(10, 12))
	if n := len(store.Snapshot(model.SnapshotOptions{Window: model.WindowAll}).Functions); n != 2 {
		t.Errorf("the store shows %d functions, want stdin and other", n)
	}
	if err := stopStdin(); !errors.Is(err, context.Canceled) {
		t.Errorf("stdin Run = %v, want context.Canceled", err)
	}
	if err := stopFile(); err != nil {
		t.Errorf("file Run = %v", err)
	}
	pw.Close() // the reading goroutine ends with its writer
}

type teeSink struct {
	rec   *recSink
	store *model.Store
}

func (s teeSink) Ingest(evs ...model.Event) {
	s.rec.Ingest(evs...)
	s.store.Ingest(evs...)
}

// TestTimesHoursOff: lines whose times are hours ahead of or behind the
// clock (a writer's clock off, or old logs) are all read once, at their
// own times: the file source has no window that drops them.
func TestTimesHoursOff(t *testing.T) {
	var b strings.Builder
	base := fixedNow
	offsets := []time.Duration{5 * time.Hour, -5 * time.Hour, 0, 26 * time.Hour, -26 * time.Hour}
	for i, off := range offsets {
		fmt.Fprintf(&b, "%s 2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef %s",
			base.Add(off).Format("2006-01-02T15:04:05.000000+00:00"), reportLine(i+1))
	}
	sink := runSource(t, "-", strings.NewReader(b.String()))
	inv := sink.of(model.KindInvocation)
	if len(inv) != len(offsets) {
		t.Fatalf("%d invocations, want %d", len(inv), len(offsets))
	}
	for i, e := range inv {
		if want := base.Add(offsets[i]); !e.Time.Equal(want) {
			t.Errorf("invocation %d at %v, want %v", i+1, e.Time, want)
		}
	}
}
