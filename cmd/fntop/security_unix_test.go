//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fntop/fntop/model/textsafe/textsafetest"
)

// TestProgressLineIsSafe: the progress line names the input, whose path
// can carry escape sequences. The input is a named pipe with such a name
// that is written slowly, so that the progress line is drawn.
func TestProgressLineIsSafe(t *testing.T) {
	sub, _ := hostileInput(t)
	path := filepath.Join(t.TempDir(), "in-\x1b]0;pwned\x07\x1b[2J\u202e\u200b\x9b.jsonl")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close() //nolint:errcheck // the reader's failure shows in the test
		half := len(sub) / 2
		f.Write(sub[:half])                //nolint:errcheck // the reader's failure shows in the test
		time.Sleep(700 * time.Millisecond) // the progress line ticks every 250 ms
		f.Write(sub[half:])                //nolint:errcheck // as above
	}()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := run(ctx, []string{"snapshot", "--input", path}, env{stdout: &out, stderr: &errb, errTTY: true})
	if code != 0 {
		t.Fatalf("exit %d: %q", code, errb.String())
	}
	stderr := errb.String()
	if !strings.Contains(stderr, "reading file:") {
		t.Fatalf("no progress line drawn: %q", stderr)
	}
	if p := textsafetest.Problem(withoutProgress(stderr), true); p != "" {
		t.Errorf("progress line: %s", p)
	}
	if !strings.Contains(stderr, `\x1b]0;pwned\x07`) {
		t.Errorf("the input's name is not shown escaped: %q", stderr)
	}
}
