package model

import (
	"strings"
	"time"
	"unsafe"
)

// DefaultLogBytes is the default of Options.LogBytes.
const DefaultLogBytes = 256 << 20

// logEntrySize is what a stored line costs besides its message: its slot
// in a ring. The cost of a line (logCost) is that plus the message; the
// request ID and stream are shared by the lines of a request.
const logEntrySize = int64(unsafe.Sizeof(LogEntry{}))

// Log retention. Each function keeps its newest Options.LogsPerFunction
// lines in a ring that grows as lines arrive; all these rings together
// cost at most Options.LogBytes (slots and messages): past it, the oldest
// line of the whole fleet is dropped, whatever its function, so that a
// flood over many functions costs a bounded amount of memory. The fleet's
// newest Options.LogsTotal lines are kept apart (they share the messages).

func (s *Store) addLog(f *fnState, t time.Time, ev *Event) {
	s.logSeq++
	e := LogEntry{Seq: s.logSeq, Time: t, Function: f.name, Source: f.source, LogLine: ev.Log}
	if ev.Source != f.source {
		e.Source = strings.Clone(ev.Source)
	}
	e.Message = s.clip(ev.Log.Message)
	e.Stream = f.stream(ev.Log.Stream)
	e.RequestID = f.requestID(ev.Log.RequestID)
	s.keepLog(f, &e)
	s.logs.push(&e)
	if ev.Log.Signed() {
		s.logSignature(f, t, &e)
	}
}

// requestID returns a stored copy of id, shared with the lines before
// (the lines of a request arrive together).
func (f *fnState) requestID(id string) string {
	if id == "" {
		return ""
	}
	for _, k := range f.reqIDs {
		if k == id {
			return k
		}
	}
	k := strings.Clone(id)
	f.reqIDs[f.nextReq] = k
	f.nextReq = (f.nextReq + 1) % len(f.reqIDs)
	return k
}

// keepLog adds e to f's ring and drops the fleet's oldest lines while the
// rings cost more than the budget.
func (s *Store) keepLog(f *fnState, e *LogEntry) {
	r := &f.logs
	before := r.capacity()
	oldLen, dropped := r.push(e)
	s.logBytes += (r.capacity()-before)*logEntrySize + int64(len(e.Message))
	if dropped {
		s.logBytes -= int64(oldLen)
		f.logSkip++ // its place in logOrder goes with the next pop of f
	} else {
		s.logLines++
	}
	s.logOrder.push(f.id)
	for s.logBytes > s.opts.LogBytes {
		id, ok := s.logOrder.pop()
		if !ok {
			break
		}
		g := s.byID[id]
		if g.logSkip > 0 {
			g.logSkip--
			continue
		}
		s.dropOldestLog(g)
	}
	if s.logOrder.n > 2*s.logLines+1024 {
		s.compactLogOrder()
	}
}

// dropOldestLog drops g's oldest line, and shrinks its ring when it is
// mostly empty.
func (s *Store) dropOldestLog(g *fnState) {
	r := &g.logs
	oldLen, ok := r.popOldest()
	if !ok {
		return
	}
	s.logLines--
	s.logBytes -= int64(oldLen)
	switch c := r.capacity(); {
	case r.n == 0:
		r.buf, r.head = nil, 0
		s.logBytes -= c * logEntrySize
	case c > 4 && int64(r.n) <= c/4:
		r.resize(int(c / 2))
		s.logBytes -= (c - r.capacity()) * logEntrySize
	}
}

// compactLogOrder removes from logOrder the lines that rings dropped
// themselves: a function's first logSkip entries. It works in place (the
// entries kept move towards the head, never past one not yet read).
func (s *Store) compactLogOrder() {
	q := &s.logOrder
	w := 0
	for i := 0; i < q.n; i++ {
		id := q.at(i)
		if g := s.byID[id]; g.logSkip > 0 {
			g.logSkip--
			continue
		}
		q.set(w, id)
		w++
	}
	q.n = w
}

// LogEntry is one stored log line.
type LogEntry struct {
	Seq      uint64
	Time     time.Time
	Function string
	Source   string
	LogLine
}

// logRing keeps the newest lines up to limit, oldest first, in a circular
// buffer that grows as lines arrive (a function without logs costs no
// buffer) and shrinks when the fleet's budget takes its lines.
type logRing struct {
	buf   []LogEntry
	limit int
	head  int // position of the oldest line
	n     int
}

func newLogRing(n int) logRing { return logRing{limit: n} }

func (r *logRing) capacity() int64 { return int64(len(r.buf)) }

func (r *logRing) at(i int) *LogEntry {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// resize moves the lines to a buffer of c slots (c >= n).
func (r *logRing) resize(c int) {
	nb := make([]LogEntry, c)
	for i := 0; i < r.n; i++ {
		nb[i] = *r.at(i)
	}
	r.buf, r.head = nb, 0
}

// push adds a copy of e, dropping the oldest line when the ring holds
// limit lines (and then returning the length of its message).
func (r *logRing) push(e *LogEntry) (int, bool) {
	if r.n == r.limit {
		p := r.at(0)
		n := len(p.Message)
		*p = *e
		r.head++
		if r.head == len(r.buf) {
			r.head = 0
		}
		return n, true
	}
	if r.n == len(r.buf) {
		// Grow by doubling, but never past the limit.
		r.resize(min(max(2*len(r.buf), 4), r.limit))
	}
	*r.at(r.n) = *e
	r.n++
	return 0, false
}

// popOldest removes the oldest line and returns the length of its
// message.
func (r *logRing) popOldest() (int, bool) {
	if r.n == 0 {
		return 0, false
	}
	p := r.at(0)
	n := len(p.Message)
	*p = LogEntry{}
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return n, true
}

// each visits entries oldest first.
func (r *logRing) each(fn func(*LogEntry) bool) {
	for i := 0; i < r.n; i++ {
		if !fn(r.at(i)) {
			return
		}
	}
}

// idQueue is a growing circular queue of function ids.
type idQueue struct {
	buf     []uint32
	head, n int
}

func (q *idQueue) at(i int) uint32 {
	j := q.head + i
	if j >= len(q.buf) {
		j -= len(q.buf)
	}
	return q.buf[j]
}

func (q *idQueue) set(i int, id uint32) {
	j := q.head + i
	if j >= len(q.buf) {
		j -= len(q.buf)
	}
	q.buf[j] = id
}

func (q *idQueue) push(id uint32) {
	if q.n == len(q.buf) {
		nb := make([]uint32, max(2*len(q.buf), 1024))
		for i := 0; i < q.n; i++ {
			nb[i] = q.at(i)
		}
		q.buf, q.head = nb, 0
	}
	j := q.head + q.n
	if j >= len(q.buf) {
		j -= len(q.buf)
	}
	q.buf[j] = id
	q.n++
}

func (q *idQueue) pop() (uint32, bool) {
	if q.n == 0 {
		return 0, false
	}
	id := q.buf[q.head]
	q.head++
	if q.head == len(q.buf) {
		q.head = 0
	}
	q.n--
	return id, true
}

// LogQuery selects stored log lines.
type LogQuery struct {
	Function string // "" = the whole fleet
	AfterSeq uint64 // only entries newer than this sequence number
	// RequestID keeps only the lines of one request (its platform lines
	// and the lines attributed to it); "" keeps all.
	RequestID string
	Limit     int // newest Limit entries; 0 = all kept
}

// Logs returns copies of stored log lines, oldest first.
func (s *Store) Logs(q LogQuery) []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &s.logs
	if q.Function != "" {
		f := s.funcs[q.Function]
		if f == nil {
			return nil
		}
		r = &f.logs
	}
	out := make([]LogEntry, 0, r.n)
	r.each(func(e *LogEntry) bool {
		if e.Seq > q.AfterSeq && (q.RequestID == "" || e.RequestID == q.RequestID) {
			out = append(out, *e)
		}
		return true
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out
}

// LogStats is what the log rings hold and cost.
type LogStats struct {
	// Lines are the lines in the functions' rings; Bytes what those
	// rings cost (slots and messages), at most Options.LogBytes.
	Lines int
	Bytes int64
}

// LogStats reports what the functions' log rings hold and cost.
func (s *Store) LogStats() LogStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return LogStats{Lines: s.logLines, Bytes: s.logBytes}
}
