package file

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fntop/fntop/model"
)

// TestMappedFileGrows reads a file that grows after it was mapped: what was
// appended is read too, as a plain read to the end would.
func TestMappedFileGrows(t *testing.T) {
	data, _ := subscription20MB(t)
	data = data[:bytes.IndexByte(data[3<<20:], '\n')+3<<20+1]
	path := filepath.Join(t.TempDir(), "sub.json")
	if err := os.WriteFile(path, data[:1<<20], 0o600); err != nil {
		t.Fatal(err)
	}
	first := true
	grow := func(c *config) {
		c.mapped = func() {
			if first {
				first = false
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err == nil {
					_, err = f.Write(data[1<<20:])
					if cerr := f.Close(); err == nil {
						err = cerr
					}
				}
				if err != nil {
					t.Error(err)
				}
			}
		}
	}
	got := &countSink{}
	if err := New(path, grow, WithLogs(false)).Run(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	want := &countSink{}
	if err := New(path, WithReader(bytes.NewReader(data)), WithLogs(false)).Run(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if got.invocations.Load() != want.invocations.Load() || got.billed != want.billed {
		t.Errorf("read %d invocations (%v ms billed), want %d (%v)", got.invocations.Load(), got.billed, want.invocations.Load(), want.billed)
	}
}

// TestMappedFileShrinks truncates a file once it is mapped: reading it
// fails with an error rather than crashing on the pages that are gone.
func TestMappedFileShrinks(t *testing.T) {
	data, _ := subscription20MB(t)
	path := filepath.Join(t.TempDir(), "sub.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	shrink := func(c *config) {
		c.mapped = func() {
			if err := os.Truncate(path, 0); err != nil {
				t.Error(err)
			}
		}
	}
	sink := &recSink{}
	err := New(path, shrink, WithLogs(false)).Run(context.Background(), sink)
	if !errors.Is(err, errShrank) {
		t.Fatalf("Run: %v, want %v", err, errShrank)
	}
	st := sink.of(model.KindStatus)
	if last := st[len(st)-1].Status; last.State != model.StateFailing || !strings.Contains(last.LastError, "shrank") {
		t.Errorf("last status %+v", last)
	}
}
