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
	if w.cfg.noLogs && quietAppLine(msg) {
		return
	}
	n := len(w.out)
	w.out = w.parser.Feed(lambdalog.Input{Source: w.name, Function: fn, Stream: stream, Time: t, Message: string(msg)}, w.out)
	if w.cfg.noLogs {
		w.out = dropLogs(w.out, n)
	}
	if len(w.out) >= w.cfg.batch {
		w.flush()
	}
}

// dropLogs removes the KindLog events of out[from:].
func dropLogs(out []model.Event, from int) []model.Event {
	j := from
	for i := from; i < len(out); i++ {
		if out[i].Kind == model.KindLog {
			continue
		}
		if i != j {
			out[j] = out[i]
		}
		j++
	}
	return out[:j]
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
	for _, e := range m.events {
		w.feed(fn, stream, time.UnixMilli(e.ts).UTC(), m.text[e.off:e.end])
	}
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
