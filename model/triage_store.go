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
	failed   []invSlot // the newest failures, by arrival (sharing x with recent)

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

// invSlot is one recent invocation, kept compact: the fields every
// invocation has inline, request and trace IDs packed (a UUID or an X-Ray
// trace ID in 16 bytes, a short ID as it is), and the rarer fields (init
// and restore durations, failure, long IDs, another source) in x.
type invSlot struct {
	at          time.Time
	stream      string // shared with the function's recent streams
	version     string
	dur, billed float64
	x           *invExtra
	mem, used   int32
	err         ErrorKind
	reqK, trK   idKind
	ids         [2 * packedID]byte // request, then trace ID
}

type invExtra struct {
	source             string
	requestID, traceID string // when they do not pack
	init, restore      float64
	billedRestore      float64
	status, errType    string
	errMsg             string
	mem, used          int // when they do not fit the slot
	wide               bool
}

// idKind says how a slot holds an ID: idNone (empty), idUUID, idXRay,
// idExtra (a string in the slot's extra), or idRaw+n (n bytes as they
// are).
type idKind uint8

const (
	packedID        = 16
	idNone   idKind = 0
	idUUID   idKind = 1
	idXRay   idKind = 2
	idExtra  idKind = 3
	idRaw    idKind = 4
)

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// packHex packs the lower-case hex digits of s (an even number) into dst.
func packHex(dst []byte, s string) bool {
	for i := 0; i+1 < len(s); i += 2 {
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i/2] = hi<<4 | lo
	}
	return true
}

const hexDigits = "0123456789abcdef"

func appendHex(out []byte, b []byte) []byte {
	for _, c := range b {
		out = append(out, hexDigits[c>>4], hexDigits[c&15])
	}
	return out
}

// packID packs id into dst (packedID bytes) and says how; idExtra means it
// does not pack.
func packID(dst []byte, id string) idKind {
	switch {
	case id == "":
		return idNone
	case len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-':
		// A UUID, as Lambda request IDs are.
		if packHex(dst[0:4], id[0:8]) && packHex(dst[4:6], id[9:13]) && packHex(dst[6:8], id[14:18]) &&
			packHex(dst[8:10], id[19:23]) && packHex(dst[10:16], id[24:36]) {
			return idUUID
		}
	case len(id) == 35 && id[0] == '1' && id[1] == '-' && id[10] == '-':
		// An X-Ray trace ID: 1-{8 hex digits}-{24 hex digits}.
		if packHex(dst[0:4], id[2:10]) && packHex(dst[4:16], id[11:35]) {
			return idXRay
		}
	}
	if len(id) <= packedID {
		copy(dst, id)
		return idRaw + idKind(len(id))
	}
	return idExtra
}

// unpackID is the ID packed in b as k says (idExtra: "", the caller
// knows where it is).
func unpackID(k idKind, b []byte) string {
	switch {
	case k == idUUID:
		out := make([]byte, 0, 36)
		out = appendHex(out, b[0:4])
		out = append(out, '-')
		out = appendHex(out, b[4:6])
		out = append(out, '-')
		out = appendHex(out, b[6:8])
		out = append(out, '-')
		out = appendHex(out, b[8:10])
		out = append(out, '-')
		return string(appendHex(out, b[10:16]))
	case k == idXRay:
		out := make([]byte, 0, 35)
		out = append(out, '1', '-')
		out = appendHex(out, b[0:4])
		out = append(out, '-')
		return string(appendHex(out, b[4:16]))
	case k >= idRaw:
		return string(b[:k-idRaw])
	}
	return ""
}

// extra returns the slot's extra fields, making them if needed.
func (sl *invSlot) extra() *invExtra {
	if sl.x == nil {
		sl.x = &invExtra{}
	}
	return sl.x
}

// is reports whether the slot holds request id.
func (sl *invSlot) is(id string) bool {
	switch k := sl.reqK; {
	case k == idExtra:
		return sl.x.requestID == id
	case k >= idRaw:
		return string(sl.ids[:k-idRaw]) == id
	case k == idNone:
		return id == ""
	}
	var p [packedID]byte
	return packID(p[:], id) == sl.reqK && p == [packedID]byte(sl.ids[:packedID])
}

func (sl *invSlot) requestID() string {
	if sl.reqK == idExtra {
		return sl.x.requestID
	}
	return unpackID(sl.reqK, sl.ids[:packedID])
}

func (sl *invSlot) traceID() string {
	if sl.trK == idExtra {
		return sl.x.traceID
	}
	return unpackID(sl.trK, sl.ids[packedID:])
}

// record is the slot's invocation record.
func (sl *invSlot) record(f *fnState) InvocationRecord {
	r := InvocationRecord{Time: sl.at, Function: f.name, Source: f.source}
	inv := &r.Invocation
	inv.RequestID, inv.TraceID = sl.requestID(), sl.traceID()
	inv.Stream, inv.Version = sl.stream, sl.version
	inv.DurationMs, inv.BilledMs = sl.dur, sl.billed
	inv.MemorySizeMB, inv.MaxMemoryUsedMB = int(sl.mem), int(sl.used)
	inv.Error = sl.err
	if x := sl.x; x != nil {
		if x.source != "" {
			r.Source = x.source
		}
		inv.InitDurationMs, inv.RestoreDurationMs, inv.BilledRestoreMs = x.init, x.restore, x.billedRestore
		inv.Status, inv.ErrorType, inv.ErrorMessage = x.status, x.errType, x.errMsg
		if x.wide {
			inv.MemorySizeMB, inv.MaxMemoryUsedMB = x.mem, x.used
		}
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

// failure is a failed invocation's strings, copied once and shared by
// what keeps them (the records and the recent errors).
type failure struct {
	requestID, traceID       string
	status, errType, message string
}

// recordInvocation keeps the invocation in the function's recent ring
// (and its failures ring when it failed). A record of a warm success
// allocates nothing; fl holds the copied strings of a failure.
func (s *Store) recordInvocation(f *fnState, t time.Time, ev *Event, fl *failure) {
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
	*sl = invSlot{at: t, dur: inv.DurationMs, billed: inv.BilledMs, mem: int32(inv.MemorySizeMB), used: int32(inv.MaxMemoryUsedMB), err: inv.Error}
	if int(sl.mem) != inv.MemorySizeMB || int(sl.used) != inv.MaxMemoryUsedMB {
		x := sl.extra()
		x.mem, x.used, x.wide = inv.MemorySizeMB, inv.MaxMemoryUsedMB, true
	}
	if ev.Source != f.source {
		sl.extra().source = strings.Clone(ev.Source)
	}
	sl.stream = f.stream(inv.Stream)
	switch v := inv.Version; {
	case v == f.meta.Version:
		sl.version = f.meta.Version
	case v != "":
		if e := f.findVersion(v); e != nil {
			sl.version = e.v
		} else {
			sl.version = strings.Clone(v)
		}
	}
	if inv.InitDurationMs != 0 || inv.RestoreDurationMs != 0 || inv.BilledRestoreMs != 0 {
		x := sl.extra()
		x.init, x.restore, x.billedRestore = inv.InitDurationMs, inv.RestoreDurationMs, inv.BilledRestoreMs
	}
	if fl != nil {
		x := sl.extra()
		x.status, x.errType, x.errMsg = fl.status, fl.errType, fl.message
	}
	if sl.reqK = packID(sl.ids[:packedID], inv.RequestID); sl.reqK == idExtra {
		sl.extra().requestID = fl.orClone(inv.RequestID, true)
	}
	if sl.trK = packID(sl.ids[packedID:], inv.TraceID); sl.trK == idExtra {
		sl.extra().traceID = fl.orClone(inv.TraceID, false)
	}
	if inv.Error != ErrNone {
		f.pushFailed(*sl)
	}
}

// orClone is the failure's copy of the request (or trace) ID, or a copy of
// id when there is no failure.
func (fl *failure) orClone(id string, request bool) string {
	switch {
	case fl == nil:
		return strings.Clone(id)
	case request:
		return fl.requestID
	}
	return fl.traceID
}

func (f *fnState) pushFailed(rec invSlot) {
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
	msg := s.clip(a.ErrorMessage)
	errType := strings.Clone(a.ErrorType)
	update := func(sl *invSlot) {
		sl.err = a.Error
		x := sl.extra()
		x.status = statusOf(a.Error)
		if a.ErrorType != "" || a.Error == ErrNone {
			x.errType = errType
		}
		if a.ErrorMessage != "" || a.Error == ErrNone {
			x.errMsg = msg
		}
	}
	var found *invSlot
	if a.RequestID != "" {
		for i := range f.recent {
			if sl := &f.recent[i]; sl.is(a.RequestID) {
				update(sl)
				found = sl
			}
		}
	}
	inFailed := false
	for i := 0; i < len(f.failed); i++ {
		r := &f.failed[i]
		if a.RequestID == "" || !r.is(a.RequestID) {
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
		stream = found.stream
	}
	if a.Error != ErrNone && !inFailed {
		if found != nil {
			f.pushFailed(*found)
		} else {
			rec := invSlot{at: t}
			if rec.reqK = packID(rec.ids[:packedID], a.RequestID); rec.reqK == idExtra {
				rec.extra().requestID = strings.Clone(a.RequestID)
			}
			update(&rec)
			f.pushFailed(rec)
		}
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
		if f.failed[i].is(requestID) {
			return f.failed[i].record(f), true
		}
	}
	for i := range f.recent {
		if sl := &f.recent[i]; sl.is(requestID) {
			return sl.record(f), true
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
		out = append(out, f.recent[(f.nextSlot+i)%len(f.recent)].record(f))
	}
	ids := make(map[string]bool, len(out))
	for i := range out {
		ids[out[i].RequestID] = true
	}
	for i := range f.failed {
		if r := f.failed[i].record(f); r.RequestID == "" || !ids[r.RequestID] {
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
