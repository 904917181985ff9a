package file

import (
	"bytes"
	"context"
	"hash/maphash"
	"runtime/debug"
	"sync"
	"time"

	"github.com/fntop/fntop/model"
)

// The splitter is the sequential stage between the reader and the workers:
// it cuts the input into lines and JSON documents, decides each one's format,
// joins continuation lines, and routes the results to the worker that owns
// their log stream.

// splitMode is what the splitter is in the middle of.
type splitMode uint8

const (
	modeLine     splitMode = iota // at the start of (or inside) a text line
	modeDoc                       // inside a JSON document
	modeSkipLine                  // discarding the rest of an unusable line
	modeSkipDoc                   // discarding the rest of an oversized document
)

// pending is the last text message, held back because the next line may
// continue it.
type pending struct {
	active     bool
	tail       bool // an "aws logs tail" event: any non-event line continues it
	fn, stream string
	t          time.Time
	msg        []byte
}

type shard struct {
	w    *worker
	c    *chunk // being filled
	load int64  // bytes routed to w
}

type splitter struct {
	src  *Source
	cfg  *config
	sink model.Sink

	// cur[r:] is the input not yet consumed: cur is either a block being
	// read in place (blk) or win, the splitter's own copy of a line or
	// document that a block boundary cut. In modeLine, from is how far the
	// current line has been searched for its newline; in modeDoc the
	// document starts at r. Both are relative to r, so the rest of a block
	// can move to win without changing them.
	cur   []byte
	blk   *block
	win   []byte
	r     int
	from  int
	mode  splitMode
	noDoc bool // the line at r is text even if it starts with '{'
	doc   docScanner

	pend    pending
	shards  []shard
	wg      sync.WaitGroup
	free    chan *chunk
	pool    *blockPool
	seed    maphash.Seed
	route   map[uint64]int32 // stream hash -> shard
	names   interner
	filter  []filterEvent
	ftext   []byte // messages of a filter-log-events document
	scratch []byte
	skipped map[string]int64

	bytes      int64             // input read
	state      model.SourceState // last state reported
	lastStatus time.Time         // wall time of the last status

	cancel  context.CancelFunc // ends the reading
	failMu  sync.Mutex
	failErr error // the error that ended the reading, if any
}

func newSplitter(s *Source, sink model.Sink, pool *blockPool) *splitter {
	return &splitter{
		src:     s,
		pool:    pool,
		cfg:     &s.cfg,
		sink:    sink,
		seed:    maphash.MakeSeed(),
		route:   make(map[uint64]int32),
		skipped: make(map[string]int64),
		state:   model.StateOK,
	}
}

// start starts the workers. cancel ends ctx.
func (sp *splitter) start(ctx context.Context, cancel context.CancelFunc) {
	sp.cancel = cancel
	n := sp.cfg.workers
	sp.free = make(chan *chunk, 4*n+4)
	sp.shards = make([]shard, n)
	for i := range sp.shards {
		w := newWorker(sp.cfg, sp.src.name, sp.sink, sp.free, sp.pool)
		w.fail = sp.fail
		sp.shards[i].w = w
		sp.wg.Add(1)
		go func() {
			defer sp.wg.Done()
			w.run(ctx)
		}()
	}
}

// stop hands the workers what is left, waits for them, and reports the
// skipped counts.
func (sp *splitter) stop() {
	for i := range sp.shards {
		sp.send(i)
		close(sp.shards[i].w.in)
	}
	sp.wg.Wait()
	sp.emitSkipped()
}

// fail ends the reading with err, unless it already ended with an error.
func (sp *splitter) fail(err error) {
	sp.failMu.Lock()
	if sp.failErr == nil {
		sp.failErr = err
	}
	sp.failMu.Unlock()
	sp.cancel()
}

// err returns the error that ended the reading, if any.
func (sp *splitter) err() error {
	sp.failMu.Lock()
	defer sp.failMu.Unlock()
	return sp.failErr
}

// loop consumes the reader's messages. It returns true at the end of the
// input and false when ctx ends.
func (sp *splitter) loop(ctx context.Context, msgs <-chan readMsg) bool {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for {
		var idle <-chan time.Time
		var timer *time.Timer
		if sp.pend.active {
			// The input paused after a message that could still be
			// continued: send it once the pause lasts.
			timer = time.NewTimer(sp.cfg.poll)
			idle = timer.C
		}
		select {
		case m, ok := <-msgs:
			if timer != nil {
				timer.Stop()
			}
			if !ok {
				sp.process(true)
				sp.flushPending()
				return true
			}
			if err := catchFault(func() { sp.handle(m) }); err != nil {
				if m.blk != nil {
					sp.pool.release(m.blk) // the fault came before handle let go of it
				}
				sp.fail(err)
				return false
			}
			if len(msgs) == 0 {
				sp.flush()
			}
		case <-idle:
			sp.flushPending()
			sp.flush()
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return false
		}
	}
}

func (sp *splitter) handle(m readMsg) {
	if m.err != nil {
		sp.state = model.StateFailing
		sp.src.status(sp.sink, model.StateFailing, m.err.Error(), "retrying")
		sp.lastStatus = time.Now()
		return
	}
	if m.reset {
		sp.flushPending()
		sp.win, sp.cur, sp.r, sp.from, sp.mode, sp.noDoc = sp.win[:0], nil, 0, 0, modeLine, false
	}
	if m.blk == nil {
		return
	}
	sp.bytes += int64(m.n)
	sp.block(m.blk, m.blk.buf[:m.n])
	sp.pool.release(m.blk)
	if sp.state != model.StateOK || time.Since(sp.lastStatus) >= time.Second {
		sp.state = model.StateOK
		sp.src.status(sp.sink, model.StateOK, "", "read "+byteCount(sp.bytes))
		sp.lastStatus = time.Now()
	}
}

// block consumes one block of input, in place where it can.
func (sp *splitter) block(b *block, data []byte) {
	start := 0
	if len(sp.win) > 0 {
		// A line or document that the last block cut: complete it in win,
		// copying as little of this block as possible. A line needs the
		// bytes up to its newline; a document, whose end is not known
		// yet, takes the whole block.
		end := len(data)
		if sp.mode == modeLine {
			if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
				end = nl + 1
			}
		}
		sp.win = append(sp.win, data[:end]...)
		sp.cur, sp.blk, sp.r = sp.win, nil, 0
		sp.process(false)
		if sp.r < len(sp.win) && end < len(data) {
			// Still inside something (a document that began on that
			// line): go on in win.
			sp.win = append(sp.win, data[end:]...)
			sp.cur = sp.win
			sp.process(false)
			end = len(data)
		}
		sp.keep(nil)
		if end == len(data) {
			return
		}
		start = end
	}
	sp.cur, sp.blk, sp.r = data, b, start
	sp.process(false)
	sp.keep(data)
}

// keep moves what is left of cur to the start of win (from a block, by
// copying), so that win holds exactly the unconsumed input.
func (sp *splitter) keep(data []byte) {
	rest := sp.cur[sp.r:]
	switch {
	case data != nil:
		sp.win = append(sp.win[:0], rest...)
	case sp.r > 0:
		sp.win = sp.win[:copy(sp.win, rest)]
	}
	if len(sp.win) == 0 && cap(sp.win) > 4*blockSize {
		sp.win = nil // give back the memory of a large document
	}
	sp.cur, sp.blk, sp.r = sp.win, nil, 0
}

// flush sends partly filled chunks and skipped counts: the input paused.
func (sp *splitter) flush() {
	for i := range sp.shards {
		sp.send(i)
	}
	sp.emitSkipped()
}

// process consumes what it can of cur[r:]; final says no more input comes.
func (sp *splitter) process(final bool) {
	for {
		data := sp.cur[sp.r:]
		var more bool
		switch sp.mode {
		case modeLine:
			more = sp.lineStep(data, final)
		case modeDoc:
			more = sp.docStep(data, final)
		case modeSkipLine:
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				sp.r = len(sp.cur)
				return
			}
			sp.r += i + 1
			sp.mode, more = modeLine, true
		case modeSkipDoc:
			switch sp.doc.scan(data) {
			case scanMore:
				sp.r += sp.doc.pos
				sp.doc.pos = 0
				return
			case scanDone:
				sp.mode = modeLine
			case scanInvalid:
				sp.mode = modeSkipLine
			}
			sp.r += sp.doc.pos
			more = true
		}
		if !more {
			return
		}
	}
}

// lineStep handles the line at the start of data. It reports whether it
// consumed something and processing should go on.
func (sp *splitter) lineStep(data []byte, final bool) bool {
	if len(data) == 0 {
		return false
	}
	if !sp.noDoc && sp.from == 0 {
		k := 0
		for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r') {
			k++
		}
		if k < len(data) && data[k] == '{' {
			if k == 0 {
				switch sp.docLine(data, final) {
				case lineDone:
					return true
				case lineWait:
					return false
				}
			}
			sp.r += k
			sp.mode = modeDoc
			sp.doc.reset()
			return true
		}
		if k == len(data) && !final && k <= sp.cfg.maxLine {
			return false // only blanks so far: a '{' may follow
		}
	}
	i := bytes.IndexByte(data[sp.from:], '\n')
	if i < 0 {
		switch {
		case len(data) > sp.cfg.maxLine:
			sp.skip(reasonLineTooLong)
			sp.mode = modeSkipLine
		case final:
			sp.text(data)
		default:
			sp.from = len(data)
			return false
		}
		sp.r, sp.from, sp.noDoc = len(sp.cur), 0, false
		return false
	}
	nl := sp.from + i
	if nl > sp.cfg.maxLine {
		sp.skip(reasonLineTooLong)
	} else {
		sp.text(data[:nl])
	}
	sp.r += nl + 1
	sp.from, sp.noDoc = 0, false
	return true
}

// docLine results.
const (
	lineNo   = iota // not a one-line subscription message: scan it as a document
	lineDone        // handled
	lineWait        // the line is not complete yet
)

// docLineMax is the longest line docLine takes. Longer ones, such as a
// whole Firehose object of concatenated messages without newlines, go
// through the document scanner, which needs no newline.
const docLineMax = 4 << 20

// docLine is the fast path for the common case of one subscription message
// per line: it takes the line as the document without scanning it byte by
// byte, reading only its first members to route it. The worker's decoder
// validates the whole. Lines that may hold more than one document ("}{")
// or do not end with '}' take the general path.
func (sp *splitter) docLine(data []byte, final bool) int {
	nl := bytes.IndexByte(data, '\n')
	next := nl + 1
	if nl < 0 {
		if !final {
			if len(data) > docLineMax {
				return lineNo
			}
			return lineWait
		}
		nl, next = len(data), len(data)
	}
	end := nl
	for end > 0 && (data[end-1] == ' ' || data[end-1] == '\t' || data[end-1] == '\r') {
		end--
	}
	line := data[:end]
	if end < 2 || line[end-1] != '}' || end > sp.cfg.maxDoc || bytes.Contains(line, docJoint) {
		return lineNo
	}
	h, ok := tailHeader(line)
	if !ok {
		h = scanHeader(line)
	}
	if h.kind != docSub {
		return lineNo
	}
	if string(h.msgType) != "CONTROL_MESSAGE" {
		sp.flushPending()
		sp.dispatch(itemSub, "", "", time.Time{}, maphash.Bytes(sp.seed, h.stream), line, true)
	}
	sp.r += next
	return lineDone
}

// docJoint is where two concatenated documents meet.
var docJoint = []byte("}{")

// docStep continues the JSON document at the start of data.
func (sp *splitter) docStep(data []byte, final bool) bool {
	switch sp.doc.scan(data) {
	case scanMore:
		if sp.doc.pos > sp.cfg.maxDoc {
			sp.skip(reasonDocTooLarge)
			sp.mode = modeSkipDoc
			sp.r += sp.doc.pos
			sp.doc.pos = 0
			return true
		}
		if !final {
			return false
		}
		// The input ends inside the document.
		if looksLikeDoc(data) {
			sp.skip(reasonTruncated)
			sp.r, sp.mode = len(sp.cur), modeLine
			return false
		}
	case scanDone:
		if sp.doc.pos > sp.cfg.maxDoc {
			sp.skip(reasonDocTooLarge)
			sp.r += sp.doc.pos
			sp.mode = modeLine
			return true
		}
		if sp.document(data[:sp.doc.pos]) {
			sp.r += sp.doc.pos
			sp.mode = modeLine
			return true
		}
	case scanInvalid:
		p := sp.doc.pos
		if looksLikeDoc(data[:p]) {
			// A broken subscription message or filter-log-events output:
			// drop it up to the line that broke it.
			sp.skip(reasonInvalidJSON)
			switch fnl := sp.doc.firstNL; {
			case data[p] == '\n':
				sp.r += p + 1
				sp.mode = modeLine
			case fnl < 0 || p < fnl:
				sp.r += p
				sp.mode = modeSkipLine
			default:
				sp.r += bytes.LastIndexByte(data[:p], '\n') + 1
				sp.mode = modeLine
			}
			return true
		}
	}
	// Not a document fntop reads: its lines are text.
	sp.mode, sp.noDoc = modeLine, true
	return true
}

// document handles a complete JSON document. It returns false for a
// document that is not a subscription message or filter-log-events output.
func (sp *splitter) document(doc []byte) bool {
	h := scanHeader(doc)
	switch h.kind {
	case docSub:
		if string(h.msgType) == "CONTROL_MESSAGE" {
			return true
		}
		sp.flushPending()
		sp.dispatch(itemSub, "", "", time.Time{}, maphash.Bytes(sp.seed, h.stream), doc, true)
		return true
	case docFilter:
		sp.flushPending()
		events, ok := decodeFilter(doc, sp.filter[:0], &sp.ftext)
		if ok {
			for i := range events {
				e := &events[i]
				stream := sp.names.get(e.stream, e.streamEsc)
				group := sp.names.get(e.group, e.groupEsc)
				fn := functionOf(group, stream, sp.cfg)
				msg := bytes.TrimSuffix(sp.ftext[e.off:e.end], []byte{'\n'})
				sp.dispatchText(fn, stream, time.UnixMilli(e.ts).UTC(), msg, false)
			}
		} else {
			sp.skip(reasonInvalidJSON)
		}
		sp.ftext = sp.ftext[:0]
		clear(events)
		sp.filter = events[:0]
		return true
	}
	return false
}

// text handles one text line (without its newline).
func (sp *splitter) text(line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	ref := true // line is part of cur
	if len(line) > 0 && line[0] == 0x1b {
		sp.scratch = stripANSI(sp.scratch[:0], line)
		line, ref = sp.scratch, false
	}
	t, n, z, stamped := parseStamp(line)
	if p := &sp.pend; p.active {
		switch {
		case p.tail && !(stamped && n < len(line) && (line[n] == ' ' || line[n] == '\t')) && !isPlatformLine(line):
			if !sp.appendPending(line) {
				fn, stream, t := p.fn, p.stream, p.t
				sp.flushPending()
				sp.setPending(true, fn, stream, t, line)
			}
			return
		case !p.tail && continues(p.msg, line):
			if sp.appendPending(line) {
				sp.flushPending()
				return
			}
		}
	}
	if stamped && n < len(line) && line[n] == ' ' && sp.tail(line, t, n, z) {
		return
	}
	sp.flushPending()
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	fn := sp.cfg.function
	if fn == "" {
		fn = sp.cfg.defFunction
	}
	if joinsNext(line) {
		sp.setPending(false, fn, "", time.Time{}, line)
		return
	}
	sp.dispatchText(fn, "", time.Time{}, line, ref)
}

// tail handles a line that starts with a timestamp and a space, if it is
// "aws logs tail" output:
//
//	<time> <stream> <message>
//	<time> <group> <stream> <message>
//	<time> <message>                   (--format short: no time zone)
//
// A Lambda runtime's own "<time>Z <request id> ..." lines are not.
func (sp *splitter) tail(line []byte, t time.Time, n int, z zone) bool {
	rest := line[n+1:]
	tok2, after2, _ := cutSpace(rest)
	var group, stream, msg []byte
	if looksLikeStream(tok2) {
		stream, msg = tok2, after2
	} else {
		tok3, after3, _ := cutSpace(after2)
		switch {
		case looksLikeStream(tok3):
			group, stream, msg = tok2, tok3, after3
		case z == zoneOffset:
			if len(tok2) > 0 && tok2[0] == '/' && len(tok3) > 0 {
				group, stream, msg = tok2, tok3, after3
			} else {
				stream, msg = tok2, after2
			}
		case z == zoneNone:
			msg = rest
		default:
			return false
		}
	}
	sp.flushPending()
	g := sp.names.get(group, false)
	s := sp.names.get(stream, false)
	sp.setPending(true, functionOf(g, s, sp.cfg), s, t, msg)
	return true
}

func (sp *splitter) setPending(tail bool, fn, stream string, t time.Time, msg []byte) {
	p := &sp.pend
	p.active, p.tail, p.fn, p.stream, p.t = true, tail, fn, stream, t
	p.msg = append(p.msg[:0], msg...)
}

// appendPending adds a continuation line to the pending message, unless
// that would make it longer than a line may be.
func (sp *splitter) appendPending(line []byte) bool {
	p := &sp.pend
	if len(p.msg)+1+len(line) > sp.cfg.maxLine {
		return false
	}
	p.msg = append(p.msg, '\n')
	p.msg = append(p.msg, line...)
	return true
}

func (sp *splitter) flushPending() {
	p := &sp.pend
	if !p.active {
		return
	}
	p.active = false
	msg := p.msg
	if p.tail {
		msg = bytes.TrimRight(msg, "\n")
	}
	sp.dispatchText(p.fn, p.stream, p.t, msg, false)
	if cap(p.msg) > 1<<20 {
		p.msg = nil
	}
}

// dispatchText routes one message to the worker of its stream.
func (sp *splitter) dispatchText(fn, stream string, t time.Time, msg []byte, ref bool) {
	key := stream
	if key == "" {
		key = fn
	}
	sp.dispatch(itemText, fn, stream, t, maphash.String(sp.seed, key), msg, ref)
}

// dispatch adds an item to the chunk of the worker of hash. With ref, data
// is part of cur: when cur is a block, the item points into it (and the
// chunk holds the block); otherwise data is copied into the chunk.
func (sp *splitter) dispatch(kind itemKind, fn, stream string, t time.Time, hash uint64, data []byte, ref bool) {
	i := sp.shardOf(hash)
	sp.shards[i].load += int64(len(data))
	sh := &sp.shards[i]
	c := sh.c
	if c == nil {
		select {
		case c = <-sp.free:
		default:
			c = &chunk{}
		}
		sh.c = c
	}
	it := item{kind: kind, fn: fn, stream: stream, t: t}
	if b := sp.blk; ref && b != nil && len(data) > 0 {
		off := cap(b.buf) - cap(data)
		if off >= 0 && off < len(b.buf) && &b.buf[off] == &data[0] {
			if c.last != b {
				b.refs.Add(1)
				c.blocks = append(c.blocks, b)
				c.last = b
			}
			it.blk, it.off, it.end = b, off, off+len(data)
			c.items = append(c.items, it)
			c.size += len(data)
			if c.size >= chunkBytes || len(c.items) >= chunkItems {
				sp.send(i)
			}
			return
		}
	}
	it.off = len(c.buf)
	c.buf = append(c.buf, data...)
	it.end = len(c.buf)
	c.items = append(c.items, it)
	c.size += len(data)
	if c.size >= chunkBytes || len(c.items) >= chunkItems {
		sp.send(i)
	}
}

// shardOf returns the worker of a stream (given by its hash). A stream
// seen for the first time goes to the worker that was given the fewest
// bytes so far, and stays there: its parser state lives in that worker.
// Once routeMax streams are known, new ones are placed by hash alone.
func (sp *splitter) shardOf(hash uint64) int {
	if len(sp.shards) == 1 {
		return 0
	}
	if i, ok := sp.route[hash]; ok {
		return int(i)
	}
	if len(sp.route) >= routeMax {
		return int(hash % uint64(len(sp.shards)))
	}
	best := 0
	for i := range sp.shards {
		if sp.shards[i].load < sp.shards[best].load {
			best = i
		}
	}
	sp.route[hash] = int32(best)
	return best
}

// routeMax bounds the streams whose worker is remembered.
const routeMax = 1 << 18

// send hands shard i its chunk. Workers always drain their input, so this
// only waits while a worker is busy (back pressure on the reader).
func (sp *splitter) send(i int) {
	sh := &sp.shards[i]
	if sh.c == nil || len(sh.c.items) == 0 {
		return
	}
	sh.w.in <- sh.c
	sh.c = nil
}

func (sp *splitter) skip(reason string) { sp.skipped[reason]++ }

// emitSkipped reports the input the splitter could not use since last time.
func (sp *splitter) emitSkipped() {
	if len(sp.skipped) == 0 {
		return
	}
	now := sp.cfg.now()
	events := make([]model.Event, 0, len(sp.skipped))
	for reason, n := range sp.skipped {
		events = append(events, model.Event{
			Kind: model.KindSkipped, Source: sp.src.name, Time: now,
			Skipped: model.Skipped{Count: n, Reason: reason},
		})
	}
	clear(sp.skipped)
	sp.sink.Ingest(events...)
}
