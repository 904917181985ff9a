package file

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// TestBadInput feeds input that cannot all be used and checks what is
// skipped, counted, and still read.
func TestBadInput(t *testing.T) {
	good := subDoc("/aws/lambda/a", "s", "good") + "\n"
	goodWant := `a|s|2024-05-01T10:00:00Z|"good"`
	sub := subDoc("/aws/lambda/a", "s", "cut here")
	cases := []struct {
		name    string
		in      string
		opts    []Option
		want    []string
		skipped map[string]int64
	}{
		{
			name:    "subscription message truncated at the end",
			in:      good + sub[:len(sub)/2],
			want:    []string{goodWant},
			skipped: map[string]int64{reasonTruncated: 1},
		},
		{
			name:    "filter output truncated at the end",
			in:      good + "{\n    \"events\": [\n        {\n            \"message\": \"x",
			want:    []string{goodWant},
			skipped: map[string]int64{reasonTruncated: 1},
		},
		{
			name:    "subscription message cut by a newline",
			in:      sub[:len(sub)/2] + "\n" + good,
			want:    []string{goodWant},
			skipped: map[string]int64{reasonInvalidJSON: 1},
		},
		{
			name:    "broken filter output followed by a document",
			in:      "{\n    \"events\": [\n        {\n            \"message\": \"x\n" + good,
			want:    []string{goodWant},
			skipped: map[string]int64{reasonInvalidJSON: 1},
		},
		{
			name:    "subscription message with a bad value",
			in:      `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/a","logStream":"s","logEvents":[{"timestamp":tru,"message":"m"}]}` + "\n" + good,
			want:    []string{goodWant},
			skipped: map[string]int64{reasonInvalidJSON: 1},
		},
		{
			name:    "filter output with a bad value",
			in:      `{"events":[{"timestamp":"x","message":"m"}]}` + "\n" + good,
			want:    []string{goodWant},
			skipped: map[string]int64{reasonInvalidJSON: 1},
		},
		{
			name:    "unknown message type",
			in:      `{"messageType":"SOMETHING_NEW","logGroup":"/aws/lambda/a","logStream":"s","logEvents":[]}` + "\n" + good,
			want:    []string{goodWant},
			skipped: map[string]int64{reasonMessageType: 1},
		},
		{
			name:    "line over the limit",
			in:      strings.Repeat("x", 5000) + "\nnext\n" + strings.Repeat("y", 3000),
			opts:    []Option{WithMaxLineSize(1000)},
			want:    []string{`stdin||-|"next"`},
			skipped: map[string]int64{reasonLineTooLong: 2},
		},
		{
			name:    "document over the limit",
			in:      "{\n\"events\": [\n" + strings.Repeat(`{"message": "aaaaaaaaaa"},`+"\n", 300) + "{}]}\n" + good,
			opts:    []Option{WithMaxDocumentSize(2000)},
			want:    []string{goodWant},
			skipped: map[string]int64{reasonDocTooLarge: 1},
		},
		{
			name:    "one-line document over the limit",
			in:      subDoc("/aws/lambda/a", "s", strings.Repeat("z", 3000)) + "\n" + good,
			opts:    []Option{WithMaxDocumentSize(2000)},
			want:    []string{goodWant},
			skipped: map[string]int64{reasonDocTooLarge: 1},
		},
		{
			name: "invalid UTF-8 passes through",
			in:   "bad \xff\xfe bytes\n" + subDoc("/aws/lambda/a", "s", "in json \xc3\x28"),
			want: []string{`stdin||-|"bad \xff\xfe bytes"`, `a|s|2024-05-01T10:00:00Z|"in json \xc3("`},
		},
		{
			name: "deep nesting",
			in: `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/a","logStream":"s","x":` +
				strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `,"logEvents":[{"timestamp":1714557600000,"message":"deep"}]}` + "\n",
			want: []string{`a|s|2024-05-01T10:00:00Z|"deep"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, sink := feedText(t, c.in, c.opts...)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			skipped := sink.skipped()
			if len(skipped) != len(c.skipped) {
				t.Errorf("skipped %v, want %v", skipped, c.skipped)
			}
			for r, n := range c.skipped {
				if skipped[r] != n {
					t.Errorf("skipped %v, want %v", skipped, c.skipped)
				}
			}
			for _, e := range sink.of(model.KindSkipped) {
				if e.Source != "stdin" || !e.Time.Equal(fixedNow) {
					t.Errorf("skipped event %+v", e)
				}
			}
		})
	}
}

// TestLongLine reads a 1 MB line whole, with the real parser.
func TestLongLine(t *testing.T) {
	long := "START RequestId: x Version: 1 " + strings.Repeat("a", 1<<20)
	got, _ := feedText(t, "first\n"+long+"\nlast\n")
	if len(got) != 3 || !strings.Contains(got[1], strings.Repeat("a", 1<<20)) {
		t.Fatalf("got %d inputs", len(got))
	}
	sink := runSource(t, "-", strings.NewReader("first\n"+long+"\nlast\n"))
	logs := sink.of(model.KindLog)
	if len(logs) != 3 || len(logs[1].Log.Message) != len(long) {
		t.Errorf("%d log lines", len(logs))
	}
	if s := sink.skipped(); len(s) > 0 {
		t.Errorf("skipped %v", s)
	}
}

// endless yields n bytes of c with no newline, then "\nend\n".
type endless struct {
	n int
	c byte
	t []byte
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n == 0 {
		if e.t == nil {
			e.t = []byte("\nend\n")
		}
		if len(e.t) == 0 {
			return 0, io.EOF
		}
		k := copy(p, e.t)
		e.t = e.t[k:]
		return k, nil
	}
	k := min(len(p), e.n)
	for i := range k {
		p[i] = e.c
	}
	e.n -= k
	return k, nil
}

// TestBoundedMemory reads a 256 MB line and a 256 MB document and checks
// that neither is kept whole.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 512 MB")
	}
	for _, c := range []struct {
		name   string
		r      io.Reader
		reason string
	}{
		{"line", &endless{n: 256 << 20, c: 'x'}, reasonLineTooLong},
		{"document", io.MultiReader(strings.NewReader(`{"messageType":"DATA_MESSAGE","x":"`), &endless{n: 256 << 20, c: 'x'}), reasonDocTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, sink := feedSinkText(t, c.r, WithMaxLineSize(1<<20), WithMaxDocumentSize(8<<20))
			runtime.ReadMemStats(&after)
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
				t.Errorf("allocated %d MB for a 256 MB input", grown>>20)
			}
			if s := sink.skipped(); s[c.reason] != 1 || len(s) != 1 {
				t.Errorf("skipped %v", s)
			}
			if len(got) != 1 || got[0] != `stdin||-|"end"` {
				t.Errorf("got %q", got)
			}
		})
	}
}

func feedSinkText(t *testing.T, r io.Reader, opts ...Option) ([]string, *recSink) {
	sink := &recSink{}
	return feedSink(t, r, sink, opts...), sink
}

// TestRandomBytes reads random bytes, and random bytes mixed with JSON
// punctuation, without panicking or hanging, with the real parser.
func TestRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("{}[]\":,\\\n tabc0123456789-eEnulfrsXRAYSTARTEND")
	for round := range 20 {
		b := make([]byte, 64<<10)
		for i := range b {
			if round%2 == 0 {
				b[i] = byte(rng.UintN(256))
			} else {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			sink := &recSink{}
			err := New("-", WithReader(bytes.NewReader(b)), WithClock(fakeClock), WithMaxLineSize(4096), WithMaxDocumentSize(8192)).
				Run(context.Background(), sink)
			if err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: no end after 20s", round)
		}
	}
}
