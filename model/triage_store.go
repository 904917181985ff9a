package model

import (
	"encoding/hex"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds of what the store keeps for triage.
const (
	changesPerFunction = 32
	changesTotal       = 512
	// recentInvocations and recentFailures bound each function's rings
	// of whole invocation records.
	recentInvocations = 64
	recentFailures    = 32
	// signaturesPerFunction bounds each function's signatures; the least
	// recently seen is forgotten first.
	signaturesPerFunction = 64
	// maxSnapshotSignatures bounds Snapshot.Signatures.
	maxSnapshotSignatures = 200
	// maxExampleBytes bounds a signature example's message.
	maxExampleBytes = 2 << 10
	// versionOverlap: an invocation of a version that another
	// invocation ran less than this long before (an execution
	// environment that outlives a deploy, a canary alias) is no change.
	versionOverlap = 10 * time.Minute
	// sigFineSpan is how long a signature keeps 10-second counts before
	// they are merged into minutes; sigKeep is how long it keeps counts
	// at all (what the coarse ring holds).
	sigFineSpan = 3 * 60
	sigKeep     = coarseBuckets * 60
)

// triage is what a function keeps for triage: its configuration changes,
// the versions it ran, its recent invocations and its error signatures.
type triage struct {
	changes changeRing
	// versionLast is when the current version (meta.Version) last ran;
	// versions remembers the others recently run.
	versionLast time.Time
	versions    [4]versionSeen

	recent   []invSlot // ring of recentInvocations, by arrival
	nextSlot int
	streams  [4]string // recent streams, so records share them
	nextStr  int
	failed   []InvocationRecord // the newest failures, by arrival

	sigs []*sigState
}

type versionSeen struct {
	v    string
	last time.Time
}

// changeRing keeps the newest changes, by arrival.
type changeRing struct {
	buf   []Change
	limit int
	next  int
}

func (r *changeRing) push(c Change) {
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, c)
		return
	}
	r.buf[r.next] = c
	r.next = (r.next + 1) % len(r.buf)
}

// appendTo appends the changes in [from, to] (all when both are zero) to
// out.
func (r *changeRing) appendTo(out []Change, from, to time.Time) []Change {
	for i := range r.buf {
		c := &r.buf[(r.next+i)%len(r.buf)]
		if !from.IsZero() && (c.Time.Before(from) || c.Time.After(to)) {
			continue
		}
		out = append(out, *c)
	}
	return out
}

func (s *Store) addChange(f *fnState, c Change) {
	c.Function = f.name
	c.Source = strings.Clone(c.Source)
	c.From, c.To = strings.Clone(c.From), strings.Clone(c.To)
	if f.changes.limit == 0 {
		f.changes.limit = changesPerFunction
	}
	f.changes.push(c)
	s.changes.push(c)
}

// formatMs prints milliseconds without a needless fraction ("3000").
func formatMs(ms float64) string { return strconv.FormatFloat(ms, 'f', -1, 64) }

// setVersion makes v the function's current version, run at t; the one it
// replaces is remembered as recently run.
func (f *fnState) setVersion(v string, t time.Time) {
	if v == f.meta.Version {
		if t.After(f.versionLast) {
			f.versionLast = t
		}
		return
	}
	if f.meta.Version != "" {
		f.noteVersion(f.meta.Version, f.versionLast)
	}
	last := t
	if e := f.findVersion(v); e != nil {
		if e.last.After(last) {
			last = e.last
		}
		*e = versionSeen{}
	}
	f.meta.Version, f.versionLast = strings.Clone(v), last
}

func (f *fnState) findVersion(v string) *versionSeen {
	for i := range f.versions {
		if e := &f.versions[i]; e.v == v && e.v != "" {
			return e
		}
	}
	return nil
}

// noteVersion remembers that version v ran at t, forgetting the version
// that ran least recently when all places are taken.
func (f *fnState) noteVersion(v string, t time.Time) {
	if e := f.findVersion(v); e != nil {
		if t.After(e.last) {
			e.last = t
		}
		return
	}
	old := &f.versions[0]
	for i := range f.versions {
		e := &f.versions[i]
		if e.v == "" {
			old = e
			break
		}
		if e.last.Before(old.last) {
			old = e
		}
	}
	*old = versionSeen{v: v, last: t}
}

// invocationVersion handles an invocation whose version is not the
// function's current one: a version learnt for the first time is kept; a
// version that ran within versionOverlap of t (an environment started
// before a deploy, or a canary alias splitting traffic) is no change; any
// other is a deploy (or a rollback) and becomes the current version.
func (s *Store) invocationVersion(f *fnState, t time.Time, ev *Event) {
	v := ev.Invocation.Version
	if f.meta.Version == "" {
		f.setVersion(v, t)
		return
	}
	if e := f.findVersion(v); e != nil {
		if d := t.Sub(e.last); d <= versionOverlap && d >= -versionOverlap {
			if t.After(e.last) {
				e.last = t
			}
			return
		}
	}
	if d := t.Sub(f.versionLast); d < -versionOverlap {
		// Older than the current version's runs by far (a replay of an
		// old stream): remembered, not a change.
		f.noteVersion(strings.Clone(v), t)
		return
	}
	s.addChange(f, Change{Time: t, Source: ev.Source, Field: ChangeVersion, From: f.meta.Version, To: v})
	f.setVersion(v, t)
}

// invSlot is one recent invocation. The request and trace IDs live in ids
// when they fit (the record's strings are then empty), so that keeping a
// record allocates nothing and pins no source buffer.
type invSlot struct {
	rec          InvocationRecord
	ids          [80]byte
	reqN, traceN uint8
	reqIn, trIn  bool
}

const idBytes = 40

// setIDs stores the request and trace IDs, inline when they fit.
func (sl *invSlot) setIDs(req, trace string) {
	sl.rec.RequestID, sl.rec.TraceID = "", ""
	sl.reqIn, sl.trIn = len(req) <= idBytes, len(trace) <= idBytes
	if sl.reqIn {
		sl.reqN = uint8(copy(sl.ids[:idBytes], req))
	} else {
		sl.rec.RequestID = strings.Clone(req)
	}
	if sl.trIn {
		sl.traceN = uint8(copy(sl.ids[idBytes:], trace))
	} else {
		sl.rec.TraceID = strings.Clone(trace)
	}
}

// is reports whether the slot holds request id.
func (sl *invSlot) is(id string) bool {
	if sl.reqIn {
		return string(sl.ids[:sl.reqN]) == id
	}
	return sl.rec.RequestID == id
}

func (sl *invSlot) record() InvocationRecord {
	r := sl.rec
	if sl.reqIn {
		r.RequestID = string(sl.ids[:sl.reqN])
	}
	if sl.trIn {
		r.TraceID = string(sl.ids[idBytes : idBytes+int(sl.traceN)])
	}
	return r
}

// stream returns a stored copy of stream, shared with the records before.
func (f *fnState) stream(st string) string {
	if st == "" {
		return ""
	}
	for _, k := range f.streams {
		if k == st {
			return k
		}
	}
	k := strings.Clone(st)
	f.streams[f.nextStr] = k
	f.nextStr = (f.nextStr + 1) % len(f.streams)
	return k
}

// recordInvocation keeps the invocation in the function's recent ring
// (and its failures ring when it failed). Only failures allocate: their
// strings are copied.
func (s *Store) recordInvocation(f *fnState, t time.Time, ev *Event) {
	var sl *invSlot
	if n := len(f.recent); n < recentInvocations {
		if n == cap(f.recent) {
			grown := make([]invSlot, n, min(max(2*n, 4), recentInvocations))
			copy(grown, f.recent)
			f.recent = grown
		}
		f.recent = f.recent[:n+1]
		sl = &f.recent[n]
	} else {
		sl = &f.recent[f.nextSlot]
		f.nextSlot = (f.nextSlot + 1) % recentInvocations
	}
	inv := &ev.Invocation
	sl.rec = InvocationRecord{Time: t, Function: f.name, Source: f.source, Invocation: *inv}
	rec := &sl.rec
	if ev.Source != f.source {
		rec.Source = strings.Clone(ev.Source)
	}
	rec.Stream = f.stream(inv.Stream)
	switch v := inv.Version; {
	case v == f.meta.Version:
		rec.Version = f.meta.Version
	case v != "":
		if e := f.findVersion(v); e != nil {
			rec.Version = e.v
		} else {
			rec.Version = strings.Clone(v)
		}
	}
	failed := inv.Error != ErrNone || inv.Status != "" || inv.ErrorType != "" || inv.ErrorMessage != ""
	if failed {
		rec.Status = strings.Clone(inv.Status)
		rec.ErrorType = strings.Clone(inv.ErrorType)
		rec.ErrorMessage = s.clip(inv.ErrorMessage)
	}
	sl.setIDs(inv.RequestID, inv.TraceID)
	if inv.Error != ErrNone {
		r := *rec
		r.RequestID, r.TraceID = strings.Clone(inv.RequestID), strings.Clone(inv.TraceID)
		f.pushFailed(r)
	}
}

func (f *fnState) pushFailed(rec InvocationRecord) {
	if len(f.failed) < recentFailures {
		f.failed = append(f.failed, rec)
		return
	}
	copy(f.failed, f.failed[1:])
	f.failed[len(f.failed)-1] = rec
}

func statusOf(k ErrorKind) string {
	switch k {
	case ErrNone:
		return ""
	case ErrTimeout:
		return "timeout"
	}
	return "error"
}

// amendTriage applies an amendment to the stored records of its request
// and counts its signature when it turns a success into a failure.
func (s *Store) amendTriage(f *fnState, t time.Time, ev *Event) {
	a := &ev.Amend
	update := func(r *InvocationRecord) {
		r.Error, r.Status = a.Error, statusOf(a.Error)
		if a.ErrorType != "" || a.Error == ErrNone {
			r.ErrorType = strings.Clone(a.ErrorType)
		}
		if a.ErrorMessage != "" || a.Error == ErrNone {
			r.ErrorMessage = s.clip(a.ErrorMessage)
		}
	}
	var found *invSlot
	if a.RequestID != "" {
		for i := range f.recent {
			if sl := &f.recent[i]; sl.is(a.RequestID) {
				update(&sl.rec)
				found = sl
			}
		}
	}
	inFailed := false
	for i := 0; i < len(f.failed); i++ {
		r := &f.failed[i]
		if a.RequestID == "" || r.RequestID != a.RequestID {
			continue
		}
		if a.Error == ErrNone { // no longer a failure
			f.failed = append(f.failed[:i], f.failed[i+1:]...)
			i--
			continue
		}
		update(r)
		inFailed = true
	}
	stream := ""
	if found != nil {
		stream = found.rec.Stream
	}
	if a.Error != ErrNone && !inFailed {
		var rec InvocationRecord
		if found != nil {
			rec = found.record()
		} else {
			rec = InvocationRecord{Time: t, Function: f.name, Source: f.source}
			rec.RequestID = strings.Clone(a.RequestID)
			update(&rec)
		}
		f.pushFailed(rec)
	}
	if a.Prev == ErrNone && a.Error != ErrNone {
		s.invocationSignature(f, t, a.Error, a.ErrorType, a.ErrorMessage, "", a.RequestID, stream)
	}
}

// Invocation returns the stored record of one request of a function: one
// of its last 64 invocations or of its last 32 failures.
func (s *Store) Invocation(function, requestID string) (InvocationRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.funcs[function]
	if f == nil || requestID == "" {
		return InvocationRecord{}, false
	}
	for i := len(f.failed) - 1; i >= 0; i-- {
		if f.failed[i].RequestID == requestID {
			return f.failed[i], true
		}
	}
	for i := range f.recent {
		if sl := &f.recent[i]; sl.is(requestID) {
			return sl.record(), true
		}
	}
	return InvocationRecord{}, false
}

// RecentInvocations returns copies of a function's stored invocations,
// oldest first (by time): its last 64 invocations and, older than those,
// its last 32 failures. A limit > 0 keeps the newest limit records.
func (s *Store) RecentInvocations(function string, limit int) []InvocationRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.funcs[function]
	if f == nil {
		return nil
	}
	out := make([]InvocationRecord, 0, len(f.recent)+len(f.failed))
	for i := range f.recent {
		out = append(out, f.recent[(f.nextSlot+i)%len(f.recent)].record())
	}
	ids := make(map[string]bool, len(out))
	for i := range out {
		ids[out[i].RequestID] = true
	}
	for _, r := range f.failed {
		if r.RequestID == "" || !ids[r.RequestID] {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// sigState is one error signature of one function.
type sigState struct {
	id, kind, errType, text string
	hash                    uint32
	first, last             time.Time
	total                   int64
	example                 SignatureExample
	// counts are occurrences per bucket, by bucket start: 10-second
	// buckets for the last sigFineSpan seconds, minutes before that, for
	// sigKeep seconds before the newest.
	counts []sigCount
}

type sigCount struct {
	at int64 // unix seconds of the bucket's start
	n  int32
	w  int32 // the bucket's width in seconds
}

func sigHash(function, kind, text string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(function))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return h.Sum32()
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// add counts one occurrence at t.
func (g *sigState) add(t time.Time) {
	g.total++
	if g.first.IsZero() || t.Before(g.first) {
		g.first = t
	}
	if t.After(g.last) {
		g.last = t
	}
	sec := t.Unix()
	at := sec - floorMod(sec, 10)
	n := len(g.counts)
	if n > 0 {
		if e := &g.counts[n-1]; at >= e.at && at < e.at+int64(e.w) {
			e.n++
			return
		}
	}
	i := sort.Search(n, func(i int) bool { return g.counts[i].at > at })
	if i > 0 {
		if e := &g.counts[i-1]; at < e.at+int64(e.w) {
			e.n++
			return
		}
	}
	if n > 0 && at < g.counts[n-1].at-sigKeep {
		return // older than the counts reach
	}
	g.counts = append(g.counts, sigCount{})
	copy(g.counts[i+1:], g.counts[i:])
	g.counts[i] = sigCount{at: at, n: 1, w: 10}
	g.compact()
}

// compact merges 10-second counts older than sigFineSpan into minutes and
// drops counts older than sigKeep.
func (g *sigState) compact() {
	newest := g.counts[len(g.counts)-1].at
	out := g.counts[:0]
	for _, e := range g.counts {
		if e.at+int64(e.w) <= newest-sigKeep {
			continue
		}
		if e.w < 60 && e.at < newest-sigFineSpan {
			e.at -= floorMod(e.at, 60)
			e.w = 60
		}
		if k := len(out); k > 0 && out[k-1].at == e.at && out[k-1].w == e.w {
			out[k-1].n += e.n
			continue
		}
		out = append(out, e)
	}
	g.counts = out
}

// countIn counts the occurrences in buckets that start in [from, to].
func (g *sigState) countIn(from, to time.Time) int64 {
	lo, hi := from.Unix(), to.Unix()
	var n int64
	for _, e := range g.counts {
		if e.at >= lo && e.at <= hi {
			n += int64(e.n)
		}
	}
	return n
}

// signature finds or makes the function's signature of kind and text.
func (f *fnState) signature(kind, errType, text string) *sigState {
	h := sigHash(f.name, kind, text)
	for _, g := range f.sigs {
		if g.hash == h && g.kind == kind && g.text == text {
			return g
		}
	}
	var b [4]byte
	b[0], b[1], b[2], b[3] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	g := &sigState{id: hex.EncodeToString(b[:]), kind: kind, errType: strings.Clone(errType), text: text, hash: h}
	if len(f.sigs) < signaturesPerFunction {
		f.sigs = append(f.sigs, g)
		return g
	}
	old := 0
	for i, o := range f.sigs {
		if o.last.Before(f.sigs[old].last) {
			old = i
		}
	}
	f.sigs[old] = g
	return g
}

// clipExample copies at most maxExampleBytes of msg.
func clipExample(msg string) string {
	if len(msg) <= maxExampleBytes {
		return strings.Clone(msg)
	}
	cut := maxExampleBytes
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return strings.Clone(msg[:cut]) + "…"
}

func (g *sigState) occur(t time.Time, requestID, stream, raw string) {
	g.add(t)
	if t.Before(g.example.Time) {
		return
	}
	g.example = SignatureExample{Time: t, RequestID: strings.Clone(requestID), Stream: strings.Clone(stream), Message: clipExample(raw)}
}

// invocationSignature counts a failed invocation under its kind and the
// fingerprint of its message.
func (s *Store) invocationSignature(f *fnState, t time.Time, kind ErrorKind, errType, msg, status, requestID, stream string) {
	raw := msg
	switch {
	case errType != "" && msg != "":
		raw = errType + ": " + msg
	case errType != "":
		raw = errType
	case msg == "" && status != "":
		raw = "Status: " + status
	case msg == "":
		raw = kind.String()
	}
	text, _ := fingerprint(raw)
	g := f.signature(kind.String(), errType, text)
	if g.errType == "" && errType != "" {
		g.errType = strings.Clone(errType)
	}
	g.occur(t, requestID, stream, raw)
}

// logSignature counts an application log line at ERROR level or above.
func (s *Store) logSignature(f *fnState, t time.Time, e *LogEntry) {
	text, errType := fingerprint(e.Message)
	g := f.signature("log", errType, text)
	g.occur(t, e.RequestID, e.Stream, e.Message)
}

// signaturesIn appends the function's signatures with occurrences in
// [from, to] (all when from is zero) to out.
func (f *fnState) signaturesIn(out []Signature, from, to, history time.Time) []Signature {
	for _, g := range f.sigs {
		n := g.total
		if !from.IsZero() {
			n = g.countIn(from, to)
		}
		if n == 0 {
			continue
		}
		sig := Signature{
			Function: f.name, ID: g.id, Kind: g.kind, ErrorType: g.errType, Text: g.text, Count: n,
			FirstSeen: g.first, LastSeen: g.last, Example: g.example,
		}
		sig.New = !from.IsZero() && !g.first.Before(from) && !g.first.After(to) &&
			!history.IsZero() && history.Before(from)
		out = append(out, sig)
	}
	return out
}

// sortSignatures orders signatures by count, then the most recent first,
// and keeps at most maxSnapshotSignatures.
func sortSignatures(sigs []Signature) []Signature {
	sort.Slice(sigs, func(i, j int) bool {
		a, b := &sigs[i], &sigs[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.LastSeen.Equal(b.LastSeen) {
			return a.LastSeen.After(b.LastSeen)
		}
		if a.Function != b.Function {
			return a.Function < b.Function
		}
		return a.ID < b.ID
	})
	if len(sigs) > maxSnapshotSignatures {
		sigs = sigs[:maxSnapshotSignatures]
	}
	return sigs
}
