package file

import (
	"context"
	"encoding/binary"
	"runtime/debug"
	"time"
	"unsafe"

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
// record the inputs. The message of an Input lies in a buffer the worker
// reuses: a parser must not keep it (nor any part of it) past the call,
// though the events it returns may point into it (the worker moves them
// to a copy; see detach).
type parser interface {
	Feed(in lambdalog.Input, out []model.Event) []model.Event
	Skip(in lambdalog.Input)
	Line() (time.Time, bool)
}

// worker decodes and parses the items of one shard. Every stream is routed
// to one shard, so each stream's messages reach the shard's parser in order.
// The parser keys its state by function and stream, so equal stream names of
// two functions never share state.
type worker struct {
	fail    func(error) // stops the reading with an error
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
	// The function and account of the last document: announced.
	lastAccount [2]string
	// Without logs: the KindSeen events of the batch, by function.
	seenAt  [seenSlots]seenRef
	seenGen uint64
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
		seenGen: 1,
	}
}

// run processes chunks until in is closed. Once ctx ends it only drains.
func (w *worker) run(ctx context.Context) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for c := range w.in {
		if ctx.Err() == nil {
			if err := catchFault(func() { w.process(c) }); err != nil {
				w.fail(err)
			}
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
	// The parser reads the message where it lies, which the next item
	// overwrites: what it emits that points into it moves to a copy.
	in := lambdalog.Input{Source: w.name, Function: fn, Stream: stream, Time: t, Message: unsafe.String(unsafe.SliceData(msg), len(msg))}
	w.out = w.parser.Feed(in, w.out)
	detach(w.out[n:], msg)
	if w.cfg.noLogs {
		w.settle(n)
		if t, ok := w.parser.Line(); ok {
			w.seen(fn, t)
		}
	}
	if len(w.out) >= w.cfg.batch {
		w.flush()
	}
}

// detach makes the strings of events that point into msg point into a
// copy of the part of msg they cover instead, so that the events outlive
// the buffer msg lies in. Strings from elsewhere (the parser's own, the
// worker's names) are left as they are.
func detach(events []model.Event, msg []byte) {
	if len(msg) == 0 {
		return
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(msg)))
	var inMsg [8]*string // the strings found in msg, up to the first 8
	n := 0
	from, to := uintptr(len(msg)), uintptr(0)
	find := func(s *string) {
		if len(*s) == 0 {
			return
		}
		off := uintptr(unsafe.Pointer(unsafe.StringData(*s))) - lo
		if off >= uintptr(len(msg)) {
			return
		}
		if n < len(inMsg) {
			inMsg[n] = s
		}
		n++
		from, to = min(from, off), max(to, off+uintptr(len(*s)))
	}
	for i := range events {
		e := &events[i]
		find(&e.Source)
		find(&e.Function)
		if e.Kind == model.KindSeen { // the common case: it holds no more
			continue
		}
		for _, s := range eventStrings(e) {
			find(s)
		}
	}
	if n == 0 {
		return
	}
	own := string(msg[from:to])
	rebase := func(s *string) {
		if off := uintptr(unsafe.Pointer(unsafe.StringData(*s))) - lo; len(*s) > 0 && off < uintptr(len(msg)) {
			*s = own[off-from : off-from+uintptr(len(*s))]
		}
	}
	if n <= len(inMsg) {
		for _, s := range inMsg[:n] {
			rebase(s)
		}
		return
	}
	for i := range events {
		e := &events[i]
		rebase(&e.Source)
		rebase(&e.Function)
		if e.Kind != model.KindSeen {
			for _, s := range eventStrings(e) {
				rebase(s)
			}
		}
	}
}

// eventStrings returns the string fields of e's payloads.
func eventStrings(e *model.Event) [29]*string {
	return [...]*string{
		&e.Invocation.RequestID, &e.Invocation.Stream, &e.Invocation.Version, &e.Invocation.Status,
		&e.Invocation.ErrorType, &e.Invocation.ErrorMessage, &e.Invocation.TraceID,
		&e.Amend.RequestID, &e.Amend.ErrorType, &e.Amend.ErrorMessage,
		&e.Log.Stream, &e.Log.RequestID, &e.Log.Message,
		&e.Meta.Region, &e.Meta.Account, (*string)(&e.Meta.Arch), &e.Meta.Runtime, &e.Meta.Version, &e.Meta.Platform,
		&e.Status.Name, (*string)(&e.Status.State), &e.Status.LastError, &e.Status.Detail,
		&e.Skipped.Reason,
		&e.Init.Stream, &e.Init.Phase, &e.Init.Status, &e.Init.ErrorType, &e.Init.Type,
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
	w.seen(fn, t)
	if len(w.out) >= w.cfg.batch {
		w.flush()
	}
}

// seen accounts for a line of fn at t that is not passed on: it widens the
// batch's KindSeen of fn, or adds one.
func (w *worker) seen(fn string, t time.Time) {
	if t.IsZero() {
		// The store places an untimed event with the newest one before
		// it: no later line may move ahead of it.
		w.seenGen++
	} else if w.mergeSeen(w.name, fn, t, t) {
		return
	} else {
		w.seenAt[seenSlot(fn)] = seenRef{fn: fn, at: len(w.out), gen: w.seenGen}
	}
	w.out = append(w.out, model.Event{Kind: model.KindSeen, Source: w.name, Function: fn, Time: t})
}

// seenRef says where in the batch the KindSeen of a function's lines is.
// It is valid while gen is the worker's seenGen.
type seenRef struct {
	fn  string
	at  int
	gen uint64
}

// seenSlots is how many functions a batch gathers the lines of at once,
// each in the slot its name's address picks (names are interned): the
// lines of a function whose slot another took get a KindSeen of their own.
const seenSlots = 64

func seenSlot(fn string) int {
	return int((uint64(uintptr(unsafe.Pointer(unsafe.StringData(fn)))) * 0x9E3779B97F4A7C15) >> 58)
}

// settle turns the KindLog events of the batch from index from on into
// KindSeen events, and merges each KindSeen there into the batch's earlier
// one of the same function, if any: a batch carries about one KindSeen per
// function rather than one per run of lines. A timed KindSeen only moves
// time bounds, whatever its place among the other events of the batch,
// except ahead of an untimed event, which the store places with the newest
// event before it: such an event ends the gathering.
func (w *worker) settle(from int) {
	out := w.out
	j := from
	for i := from; i < len(out); i++ {
		e := &out[i]
		if e.Kind == model.KindLog && !e.Log.Signed() {
			*e = model.Event{Kind: model.KindSeen, Source: e.Source, Function: e.Function, Time: e.Time}
		}
		switch {
		case e.Time.IsZero() || e.Kind == model.KindAmend && e.Amend.InvocationTime.IsZero():
			w.seenGen++
		case e.Kind == model.KindSeen:
			last := e.Seen.Last
			if last.IsZero() {
				last = e.Time
			}
			if w.mergeSeen(e.Source, e.Function, e.Time, last) {
				continue
			}
			w.seenAt[seenSlot(e.Function)] = seenRef{fn: e.Function, at: j, gen: w.seenGen}
		}
		if i != j {
			out[j] = *e
		}
		j++
	}
	clear(out[j:]) // drop string references
	w.out = out[:j]
}

// mergeSeen widens the batch's KindSeen of fn from source src, if it has
// one, to take in timed lines from first to last, and reports whether it
// did. Names are compared by address: a name read anew (the interner
// forgets when it grows large) only costs a KindSeen of its own.
func (w *worker) mergeSeen(src, fn string, first, last time.Time) bool {
	r := &w.seenAt[seenSlot(fn)]
	if r.gen != w.seenGen || len(r.fn) != len(fn) || unsafe.StringData(r.fn) != unsafe.StringData(fn) {
		return false
	}
	d := &w.out[r.at]
	if d.Kind != model.KindSeen || d.Source != src || d.Time.IsZero() {
		return false
	}
	dlast := d.Seen.Last
	if dlast.IsZero() {
		dlast = d.Time
	}
	if first.Before(d.Time) {
		d.Time = first
	}
	if last.After(dlast) {
		dlast = last
	}
	if !dlast.Equal(d.Time) {
		d.Seen.Last = dlast
	}
	return true
}

func (w *worker) flush() {
	if len(w.out) == 0 {
		return
	}
	w.sink.Ingest(w.out...)
	w.out = w.out[:0]
	w.seenGen++
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
		if last := [2]string{fn, owner}; last != w.lastAccount {
			w.lastAccount = last
			if w.account[fn] != owner {
				w.account[fn] = owner
				w.out = append(w.out, model.Event{
					Kind: model.KindMeta, Source: w.name, Function: fn, Time: w.cfg.now(),
					Meta: model.FunctionMeta{Account: owner},
				})
			}
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
	// recent holds names lately returned, each in the slot its length and
	// last bytes pick: a document's names are found there without hashing
	// them whole.
	recent [64]string
}

const internMax = 1 << 16

// get returns raw (unescaped first if esc) as an interned string.
func (n *interner) get(raw []byte, esc bool) string {
	if esc {
		n.scratch = unescape(n.scratch[:0], raw)
		raw = n.scratch
	}
	slot := &n.recent[recentSlot(raw)]
	if len(raw) > 0 && *slot == string(raw) {
		return *slot
	}
	s, ok := n.m[string(raw)]
	if !ok {
		if n.m == nil || len(n.m) >= internMax {
			n.m = make(map[string]string)
			clear(n.recent[:])
		}
		s = string(raw)
		n.m[s] = s
	}
	*slot = s
	return s
}

// recentSlot picks the slot of interner.recent for a name.
func recentSlot(b []byte) int {
	var x uint64
	if len(b) >= 8 {
		x = binary.LittleEndian.Uint64(b[len(b)-8:])
	} else {
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
	}
	return int(((x ^ uint64(len(b))) * 0x9E3779B97F4A7C15) >> 58)
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
