package file

import (
	"context"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// itemKind says what a work item carries.
type itemKind uint8

const (
	itemText itemKind = iota // one message, already split into its fields
	itemSub                  // one subscription message document, to decode
)

// item is one unit of work. Its bytes are blk.buf[off:end], or
// chunk.buf[off:end] when blk is nil.
type item struct {
	kind       itemKind
	fn, stream string
	t          time.Time
	blk        *block
	off, end   int
}

// chunk is a batch of items for one worker. The splitter fills it and the
// worker hands it back for reuse once done.
type chunk struct {
	buf    []byte   // copied item bytes
	items  []item   //
	blocks []*block // blocks the items point into, each held once
	last   *block   // the last of blocks
	size   int      // item bytes
}

// Chunk limits: a chunk is sent when it holds this many bytes or items.
const (
	chunkBytes = 128 << 10
	chunkItems = 2048
	// chunkKeep is the largest buffer kept for reuse; chunks that carried a
	// larger document give their memory back.
	chunkKeep = 4 << 20
)

// parser is what a worker needs of lambdalog.Parser; tests replace it to
// record the inputs.
type parser interface {
	Feed(in lambdalog.Input, out []model.Event) []model.Event
	Skip(in lambdalog.Input)
}

// worker decodes and parses the items of one shard. Every stream is routed
// to one shard, so each stream's messages reach the shard's parser in order.
// The parser keys its state by function and stream, so equal stream names of
// two functions never share state.
type worker struct {
	cfg     *config
	name    string // source name
	sink    model.Sink
	in      chan *chunk
	free    chan *chunk
	pool    *blockPool
	parser  parser
	out     []model.Event
	sub     subMessage
	scratch []byte // an unescaped message
	names   interner
	account map[string]string // function -> account announced in a KindMeta
}

func newWorker(cfg *config, name string, sink model.Sink, free chan *chunk, pool *blockPool) *worker {
	return &worker{
		pool:    pool,
		cfg:     cfg,
		name:    name,
		sink:    sink,
		in:      make(chan *chunk, 2),
		free:    free,
		parser:  cfg.newParser(),
		out:     make([]model.Event, 0, cfg.batch+64),
		account: make(map[string]string),
	}
}

// run processes chunks until in is closed. Once ctx ends it only drains.
func (w *worker) run(ctx context.Context) {
	for c := range w.in {
		if ctx.Err() == nil {
			w.process(c)
		}
		for _, b := range c.blocks {
			w.pool.release(b)
		}
		recycle(w.free, c)
		if len(w.in) == 0 {
			w.flush()
		}
	}
	if ctx.Err() == nil {
		w.flush()
	}
}

func (w *worker) process(c *chunk) {
	for i := range c.items {
		it := &c.items[i]
		var b []byte
		if it.blk != nil {
			b = it.blk.buf[it.off:it.end]
		} else {
			b = c.buf[it.off:it.end]
		}
		switch it.kind {
		case itemText:
			w.feed(it.fn, it.stream, it.t, b)
		case itemSub:
			w.subscription(b)
		}
	}
}

func (w *worker) feed(fn, stream string, t time.Time, msg []byte) {
	// CloudWatch stores a newline at the end of each message.
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	if w.cfg.noLogs && w.quiet(fn, stream, t, msg) {
		return
	}
	n := len(w.out)
	w.out = w.parser.Feed(lambdalog.Input{Source: w.name, Function: fn, Stream: stream, Time: t, Message: string(msg)}, w.out)
	if w.cfg.noLogs {
		w.out = w.unlog(w.out, n)
	}
	if len(w.out) >= w.cfg.batch {
		w.flush()
	}
}

// quiet handles a message of a timed event that is a quiet application
// line (see quietAppLine) without parsing it, as a KindSeen at t, and
// reports whether it did. The parser would have made a KindLog at t of it
// and nothing else: it takes the time of such a line from the event, and
// only a line too long for it says more (a skipped count), so those are
// left to it, as are untimed lines, whose own time the parser's clock
// follows.
func (w *worker) quiet(fn, stream string, t time.Time, msg []byte) bool {
	if t.IsZero() || len(msg) > w.cfg.maxLine || !quietAppLine(msg) {
		return false
	}
	w.skip(fn, stream, t)
	return true
}

// skip passes over a quiet line of fn's stream at t (never zero): the
// parser is told, and a KindSeen stands for it.
func (w *worker) skip(fn, stream string, t time.Time) {
	w.parser.Skip(lambdalog.Input{Source: w.name, Function: fn, Stream: stream, Time: t})
	w.out = appendSeen(w.out, w.name, fn, t)
	if len(w.out) >= w.cfg.batch {
		w.flush()
	}
}

// unlog turns the KindLog events of out[from:] into KindSeen events,
// merging runs of them (see appendSeen).
func (w *worker) unlog(out []model.Event, from int) []model.Event {
	j := from
	for i := from; i < len(out); i++ {
		if out[i].Kind == model.KindLog {
			e := out[i] // out[j] may be out[i]
			if j > 0 && mergeSeen(&out[j-1], e.Source, e.Function, e.Time) {
				continue
			}
			out[j] = model.Event{Kind: model.KindSeen, Source: e.Source, Function: e.Function, Time: e.Time}
		} else if i != j {
			out[j] = out[i]
		}
		j++
	}
	clear(out[j:]) // drop string references
	return out[:j]
}

// appendSeen adds a KindSeen for a line of fn at t to out, merged into the
// last event when that is a KindSeen of the same function and source.
func appendSeen(out []model.Event, src, fn string, t time.Time) []model.Event {
	if n := len(out); n > 0 && mergeSeen(&out[n-1], src, fn, t) {
		return out
	}
	return append(out, model.Event{Kind: model.KindSeen, Source: src, Function: fn, Time: t})
}

// mergeSeen widens e, if it is a KindSeen of fn and src, to take in a line
// at t, and reports whether it did. Only timed lines are merged: the store
// places an untimed one with the newest event before it, so it must arrive
// alone and in its place. A merged event has the oldest time as its Time
// and the newest as its Seen.Last.
func mergeSeen(e *model.Event, src, fn string, t time.Time) bool {
	if e.Kind != model.KindSeen || t.IsZero() || e.Time.IsZero() || e.Function != fn || e.Source != src {
		return false
	}
	last := e.Seen.Last
	if last.IsZero() {
		last = e.Time
	}
	switch {
	case t.Before(e.Time):
		e.Time, e.Seen.Last = t, last
	case t.After(last):
		e.Seen.Last = t
	}
	return true
}

func (w *worker) flush() {
	if len(w.out) == 0 {
		return
	}
	w.sink.Ingest(w.out...)
	w.out = w.out[:0]
}

func (w *worker) skipped(fn, reason string) {
	w.out = append(w.out, model.Event{
		Kind: model.KindSkipped, Source: w.name, Function: fn, Time: w.cfg.now(),
		Skipped: model.Skipped{Count: 1, Reason: reason},
	})
}

// subscription decodes a subscription message and feeds its log events.
// A line that turns out to hold more messages after the first has them
// decoded in turn.
func (w *worker) subscription(doc []byte) {
	for len(doc) > 0 {
		n, ok := decodeSub(doc, &w.sub, w.cfg.noLogs)
		if !ok {
			w.skipped("", reasonInvalidJSON)
			return
		}
		w.subMessage(&w.sub)
		doc = doc[n:]
	}
}

func (w *worker) subMessage(m *subMessage) {
	switch string(m.msgType) {
	case "DATA_MESSAGE":
	case "CONTROL_MESSAGE":
		return
	default:
		w.skipped("", reasonMessageType)
		return
	}
	group := w.names.get(m.group, m.groupEsc)
	stream := w.names.get(m.stream, m.streamEsc)
	fn := functionOf(group, stream, w.cfg)
	if len(m.owner) > 0 {
		owner := w.names.get(m.owner, m.ownerEsc)
		if w.account[fn] != owner {
			w.account[fn] = owner
			w.out = append(w.out, model.Event{
				Kind: model.KindMeta, Source: w.name, Function: fn, Time: w.cfg.now(),
				Meta: model.FunctionMeta{Account: owner},
			})
		}
	}
	for i := range m.events {
		e := &m.events[i]
		t := time.UnixMilli(e.ts).UTC()
		if e.quiet == nil {
			w.feed(fn, stream, t, m.text[e.off:e.end])
			continue
		}
		// A quiet line, still escaped. Its length bounds the unescaped
		// length from above.
		if !t.IsZero() && len(e.quiet) <= w.cfg.maxLine {
			w.skip(fn, stream, t)
			continue
		}
		w.scratch = unescape(w.scratch[:0], e.quiet)
		w.feed(fn, stream, t, w.scratch)
	}
	clear(m.events) // drop references to the document
}

func recycle(free chan *chunk, c *chunk) {
	if cap(c.buf) > chunkKeep {
		c.buf = nil
	}
	clear(c.items) // drop string and block references
	clear(c.blocks)
	*c = chunk{buf: c.buf[:0], items: c.items[:0], blocks: c.blocks[:0]}
	select {
	case free <- c:
	default:
	}
}

// interner keeps one string per distinct name, so that a name read many
// times is allocated once. It forgets everything when it grows too large.
type interner struct {
	m       map[string]string
	scratch []byte
}

const internMax = 1 << 16

// get returns raw (unescaped first if esc) as an interned string.
func (n *interner) get(raw []byte, esc bool) string {
	if esc {
		n.scratch = unescape(n.scratch[:0], raw)
		raw = n.scratch
	}
	if s, ok := n.m[string(raw)]; ok {
		return s
	}
	if n.m == nil || len(n.m) >= internMax {
		n.m = make(map[string]string)
	}
	s := string(raw)
	n.m[s] = s
	return s
}

// functionOf returns the function that events of a log group and stream
// belong to: the one the group names, else the one the stream of a custom
// group names, else the configured function, else the group itself, else
// the source's default. Names cut from group or stream share their memory.
func functionOf(group, stream string, cfg *config) string {
	if fn := functionFromGroup(group); fn != "" {
		return fn
	}
	if fn := functionFromStream(stream); fn != "" {
		return fn
	}
	switch {
	case cfg.function != "":
		return cfg.function
	case group != "":
		return group
	}
	return cfg.defFunction
}
