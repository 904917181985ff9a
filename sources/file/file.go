// Package file is a source that reads Lambda logs from a file or from
// standard input, plain or gzip-compressed (several gzip members in a row
// are read as one stream), once or following the file as it grows.
//
// The format is decided per line or per JSON document, so inputs may mix
// them:
//
//   - A line whose first non-blank byte is '{' starts a JSON document, which
//     may span lines (pretty-printed) or share one with the next document
//     ("}{", as Firehose concatenates records). A document with a
//     "messageType" member is a CloudWatch Logs subscription message:
//     DATA_MESSAGE events are read, CONTROL_MESSAGE is dropped silently, and
//     the log group names the function ("/aws/lambda/<name>",
//     "/aws/lambda/us-east-1.<name>" for Lambda@Edge); its owner becomes the
//     function's account (a KindMeta). A document with an "events" array is
//     "aws logs filter-log-events" output. Any other JSON (a JSON-format
//     Lambda log line) is raw text, each of its lines a message.
//   - A line "<RFC 3339 time> <stream> <message>" is "aws logs tail" output,
//     "<time> <group> <stream> <message>" when the CLI prints the group, and
//     "<time> <message>" for --format short (a time without zone). The
//     stream must look like a Lambda stream ("YYYY/MM/DD/...[...]") unless
//     the time has a numeric offset, as the CLI prints it; so a runtime's
//     own "<time>Z <request id> Task timed out" line, and Node.js lines
//     ("<time>\t<request id>\t<LEVEL>\t"), stay raw. Lines that follow a
//     tail event and do not start with a timestamp or a platform keyword
//     (stack traces, the X-Ray trailer) continue it. Colors (--color on) are
//     removed.
//   - Anything else is raw Lambda output, one message a line. An
//     "XRAY TraceId:" line continues the REPORT before it, and a
//     "Runtime.<Type>" line continues the "RequestId: <id> Error:" line
//     before it.
//
// A stream of a custom log group names its function
// ("YYYY/MM/DD/<function>[version]id"). Input that names no function (raw
// output, filter-log-events output, tail output without a group) belongs to
// the WithFunction name, else to a name derived from the file name ("app"
// for app.log.gz) or "stdin"; a custom group that names none belongs to the
// WithFunction name, else to the group.
//
// Messages go through a lambdalog.Parser and the resulting events reach the
// sink in batches. Decoding and parsing run on several goroutines, sharded by
// log stream, so every stream keeps its order. A plain regular file that is
// not followed is mapped into memory and read where it lies, not copied; if
// it shrinks meanwhile, Run fails rather than read pages that are gone.
package file

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// Defaults of the options.
const (
	DefaultPollInterval    = 250 * time.Millisecond
	DefaultBatchSize       = 512
	DefaultMaxLineSize     = 4 << 20
	DefaultMaxDocumentSize = 64 << 20
)

// Reasons of the KindSkipped events this package emits itself. The parser
// adds its own.
const (
	reasonLineTooLong = "line too long"
	reasonDocTooLarge = "JSON document too large"
	reasonInvalidJSON = "invalid JSON"
	reasonTruncated   = "truncated JSON"
	reasonMessageType = "unknown message type"
)

// Source reads one file or standard input. Create it with New.
type Source struct {
	path string
	name string
	cfg  config
}

type config struct {
	function    string // --function: the function of input that names none
	defFunction string // used when neither the input nor function names one
	follow      bool
	poll        time.Duration
	now         func() time.Time
	batch       int
	reader      io.Reader
	maxLine     int
	maxDoc      int
	workers     int
	noLogs      bool
	newParser   func() parser
	mapped      func() // called when a block of the file is mapped (tests)
}

// Option configures a Source.
type Option func(*config)

// WithFunction names the function of input that does not name one itself
// (raw Lambda output, filter-log-events output, tail output of a function's
// own log group): every such event then belongs to name. Input that names its
// function (a /aws/lambda/ log group, a stream of a custom log group) keeps
// it. Without it such input belongs to the file's base name ("app" for
// "app.log.gz") or to "stdin".
func WithFunction(name string) Option { return func(c *config) { c.function = name } }

// WithFollow keeps reading a file as it grows, like "tail -f", reopening it
// when it is truncated or replaced (log rotation). Run then returns only
// when its context ends. Standard input and injected readers are read to
// their end either way, and gzip-compressed files are read once.
func WithFollow(follow bool) Option { return func(c *config) { c.follow = follow } }

// WithPollInterval sets how often a followed file is checked for new data,
// truncation and rotation, and how long an event that may still have
// continuation lines waits for them when the input pauses.
func WithPollInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.poll = d
		}
	}
}

// WithClock sets the clock used for status events and skipped counts.
// Messages whose time is not known are left untimed for the store to place.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithBatchSize sets how many events each Ingest call carries at most
// (when input keeps coming; a pause flushes a partial batch).
func WithBatchSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batch = n
		}
	}
}

// WithReader reads r instead of opening the path: for tests, or for any
// stream. The source does not close it.
func WithReader(r io.Reader) Option { return func(c *config) { c.reader = r } }

// WithMaxLineSize sets the longest line kept; longer lines are skipped and
// counted, never buffered whole.
func WithMaxLineSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxLine = n
		}
	}
}

// WithMaxDocumentSize sets the largest JSON document (subscription message or
// filter-log-events output) kept; larger ones are skipped and counted.
func WithMaxDocumentSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxDoc = n
		}
	}
}

// WithWorkers sets how many goroutines decode and parse (default: GOMAXPROCS).
func WithWorkers(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.workers = n
		}
	}
}

// WithLogs(false) drops the text of log lines: no model.KindLog event is
// emitted, each becomes (merged with the other lines of its function that
// an Ingest call carries) a model.KindSeen that keeps only its function
// and time, and application log lines below ERROR
// level (Node.js and Python text formats, which carry no invocation figures)
// that have a time from the input are not parsed at all (nor, in
// subscription messages, unescaped). Invocations, amendments, init phases,
// metadata, skipped counts and the time bounds the lines give the store are
// unchanged. It is for headless figures (a snapshot) over large inputs,
// where log lines are most of the work.
func WithLogs(logs bool) Option { return func(c *config) { c.noLogs = !logs } }

// New returns a source that reads path, or standard input when path is "-".
func New(path string, opts ...Option) *Source {
	s := &Source{
		path: path,
		cfg: config{
			defFunction: defaultFunction(path),
			poll:        DefaultPollInterval,
			now:         time.Now,
			batch:       DefaultBatchSize,
			maxLine:     DefaultMaxLineSize,
			maxDoc:      DefaultMaxDocumentSize,
			workers:     runtime.GOMAXPROCS(0),
		},
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.newParser == nil {
		maxLine, logs := s.cfg.maxLine, !s.cfg.noLogs
		s.cfg.newParser = func() parser {
			// Lines of raw output before the first one with a time stay
			// untimed (zero): the store places them, and the time it took
			// to read the input never becomes part of a window.
			return lambdalog.NewParser(lambdalog.WithClock(untimed), lambdalog.WithMaxLineBytes(maxLine), lambdalog.WithLogs(logs))
		}
	}
	s.name = "file:" + path
	if path == "-" {
		s.name = "stdin"
	}
	return s
}

// Name is "file:<path>", or "stdin".
func (s *Source) Name() string { return s.name }

// Run reads the input and sends its events to sink. Without WithFollow (and
// always for standard input, injected readers and gzip files) it returns nil
// once the input is read to its end, or the error that stopped it. When
// following it returns nil when ctx ends, retrying read errors meanwhile.
// It reports its health as model.KindStatus events: starting, ok while
// reading, done at the end, failing with the last error.
func (s *Source) Run(ctx context.Context, sink model.Sink) error {
	s.status(sink, model.StateStarting, "", "opening")
	in, err := s.open()
	if err != nil {
		s.status(sink, model.StateFailing, err.Error(), "")
		return fmt.Errorf("%s: %w", s.name, err)
	}
	isFile := in.regular
	following := s.cfg.follow && isFile && !in.gzip
	detail := "reading"
	if following {
		detail = "following"
	}
	s.status(sink, model.StateOK, "", detail)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan readMsg, 4)
	pool := newBlockPool()
	var readErr error
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		defer close(msgs)
		readErr = in.read(ctx, following, s.cfg.poll, msgs, pool)
	}()
	if isFile {
		// A regular file never blocks a read for long: wait for the
		// reader so that the file is closed when Run returns, and let go
		// of the blocks it sent that were not read (a mapped file's). A
		// stream (stdin, a pipe) may block until its writer goes, so its
		// reader is left to finish alone; it no longer touches the sink.
		defer func() {
			cancel()
			readers.Wait()
			for m := range msgs {
				if m.blk != nil {
					pool.release(m.blk)
				}
			}
		}()
	}

	sp := newSplitter(s, sink, pool)
	sp.start(ctx, cancel)
	eof := sp.loop(ctx, msgs)
	sp.stop()
	if err := sp.err(); err != nil {
		s.status(sink, model.StateFailing, err.Error(), "")
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if !eof { // ctx ended
		if following {
			return nil
		}
		return ctx.Err()
	}
	readers.Wait() // msgs is closed: the reader has returned
	if readErr != nil {
		s.status(sink, model.StateFailing, readErr.Error(), "")
		return fmt.Errorf("%s: %w", s.name, readErr)
	}
	s.status(sink, model.StateDone, "", fmt.Sprintf("read %s", byteCount(sp.bytes)))
	return nil
}

// status emits a KindStatus event.
func (s *Source) status(sink model.Sink, state model.SourceState, lastErr, detail string) {
	now := s.cfg.now()
	st := model.SourceStatus{Name: s.name, State: state, LastError: lastErr, Detail: detail}
	if state == model.StateOK || state == model.StateDone {
		st.Updated = now
	}
	sink.Ingest(model.Event{Kind: model.KindStatus, Source: s.name, Time: now, Status: st})
}

// open opens the input. A regular file is checked for gzip at once; a
// stream is checked by the reading goroutine, since its first bytes may be
// long in coming.
func (s *Source) open() (*input, error) {
	in := &input{path: s.path, mapped: s.cfg.mapped}
	switch {
	case s.cfg.reader != nil:
		in.src = s.cfg.reader
	case s.path == "-":
		in.src = os.Stdin
	default:
		f, err := os.Open(s.path)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			_ = f.Close() // opened for reading: nothing to lose
			return nil, err
		}
		if fi.IsDir() {
			_ = f.Close()
			return nil, fmt.Errorf("open %s: is a directory", s.path)
		}
		in.file, in.info, in.src = f, fi, f
		in.regular = fi.Mode().IsRegular()
	}
	if in.regular {
		if err := in.setReader(in.src); err != nil {
			in.close()
			return nil, err
		}
	}
	return in, nil
}

// byteCount formats a size for status details.
func byteCount(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func untimed() time.Time { return time.Time{} }
