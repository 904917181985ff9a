package model

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
)

// Resolutions of the time rings. The fine ring serves the 1-minute window
// and short sparklines; the coarse ring serves 5m, 15m and 1h, and holds
// two hours so that a window of up to an hour ending up to an hour ago (the
// baseline of the current hour) is answered at minute granularity; the
// hourly ring holds a day and a bit, for "the same time yesterday".
const (
	FineResolution   = 10 * time.Second
	fineBuckets      = 13 // 2 minutes and the bucket in progress
	CoarseResolution = time.Minute
	coarseBuckets    = 122 // 2 hours, the bucket in progress and one spare
	HourlyResolution = time.Hour
	hourlyBuckets    = 26 // 24 hours, the bucket in progress and one spare

	// RelativeAccuracy is the duration sketches' guaranteed relative error
	// on any quantile (see sketch.go).
	RelativeAccuracy = 0.01

	// Buckets whose sketches a ring keeps unencoded: the newest one or two
	// (the one in progress and the one before, which late events still
	// reach); older ones are frozen (see sketch.go).
	fineHot   = 2
	coarseHot = 2
	hourlyHot = 1
)

// MaxWindow is the longest window the rings answer; longer windows and the
// "all" window (0) are answered from the running totals.
const MaxWindow = time.Hour

// Options configure a Store. The zero value is usable.
type Options struct {
	// Clock gives "now" for windows. Nil means replay mode: now is the time
	// of the newest event seen (for files and backfills of old logs).
	Clock func() time.Time
	// Prices prices invocations; nil means DefaultPrices().
	Prices *PriceTable
	// LogsPerFunction bounds each function's log ring (default 1000).
	LogsPerFunction int
	// LogsTotal bounds the fleet-wide log ring (default 10000).
	LogsTotal int
	// LogBytes bounds the memory of all functions' log rings together
	// (default 256 MiB; see logs.go for what a line costs): past it, the
	// fleet's oldest lines are dropped first.
	LogBytes int64
	// MaxMessageBytes truncates longer log messages (default 16 KiB).
	MaxMessageBytes int
	// RecentErrors bounds each function's list of recent failed
	// invocations (default 50).
	RecentErrors int
}

// Store aggregates events per function and answers snapshots. It is safe
// for concurrent use: any number of sources may ingest while readers take
// snapshots.
type Store struct {
	opts    Options
	mapping mapping.IndexMapping

	focusMu sync.Mutex
	focus   []string // see SetFocus

	mu       sync.Mutex
	version  uint64
	funcs    map[string]*fnState
	names    []string   // sorted function names, rebuilt when a function appears
	order    []*fnState // the functions in the order of names
	sorted   bool
	sources  map[string]*SourceStatus
	srcOrder []string
	skipped  map[string]int64 // reason -> count
	skipSum  int64
	logs     logRing // the fleet's newest lines
	logSeq   uint64
	byID     []*fnState // functions by id, for logOrder
	// logOrder holds, oldest first, the function of every line in the
	// functions' rings (and of lines they dropped themselves, see
	// fnState.logSkip); logBytes is what those rings cost.
	logOrder idQueue
	logBytes int64
	logLines int
	first    time.Time // oldest event time seen
	latest   time.Time // newest event time seen
	// untimedLast is the arrival of the newest event without a time that
	// came before any event with one (replay mode only).
	untimedLast time.Time
	changes     changeRing // the fleet's newest configuration changes

	// Scratch space, used under mu: the snapshot workers' sketch mergers
	// and counters, and the encoding buffer of frozen sketches.
	mergers []*merger
	snapC   []counters
	coldBuf []byte
}

// NewStore makes an empty store.
func NewStore(opts Options) *Store {
	if opts.Prices == nil {
		opts.Prices = DefaultPrices()
	}
	if opts.LogsPerFunction <= 0 {
		opts.LogsPerFunction = 1000
	}
	if opts.LogsTotal <= 0 {
		opts.LogsTotal = 10000
	}
	if opts.LogBytes <= 0 {
		opts.LogBytes = DefaultLogBytes
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 16 << 10
	}
	if opts.RecentErrors <= 0 {
		opts.RecentErrors = 50
	}
	m, err := mapping.NewLogarithmicMapping(RelativeAccuracy)
	if err != nil {
		panic("model: sketch mapping: " + err.Error()) // constant input; cannot fail
	}
	return &Store{
		opts:    opts,
		mapping: m,
		funcs:   make(map[string]*fnState),
		sources: make(map[string]*SourceStatus),
		skipped: make(map[string]int64),
		logs:    newLogRing(opts.LogsTotal),
		changes: changeRing{limit: changesTotal},
	}
}

// counters are the additive figures of a time bucket (or of all time).
type counters struct {
	invocations  int64
	errors       int64
	timeouts     int64
	ooms         int64
	runtimeExits int64
	funcErrors   int64
	coldStarts   int64
	restores     int64
	throttles    int64
	billedMs     float64
	gbSeconds    float64
	durationSum  float64
	durationN    int64 // durations counted in durationSum (aggregates may lack them)
	durationMax  float64
	maxMemUsedMB int
	// costUSD is priced at ingest, with the function's price at that time.
	requestUSD float64
	computeUSD float64
	// coldBilledMs is the billed part of cold starts' init, and
	// coldComputeUSD its compute cost.
	coldBilledMs   float64
	coldComputeUSD float64
}

func (c *counters) addKind(k ErrorKind, delta int64) {
	switch k {
	case ErrTimeout:
		c.timeouts += delta
	case ErrOutOfMemory:
		c.ooms += delta
	case ErrRuntimeExit:
		c.runtimeExits += delta
	case ErrFunction:
		c.funcErrors += delta
	}
}

func (c *counters) merge(o *counters) {
	c.invocations += o.invocations
	c.billedMs += o.billedMs
	c.gbSeconds += o.gbSeconds
	c.durationSum += o.durationSum
	c.durationN += o.durationN
	c.durationMax = max(c.durationMax, o.durationMax)
	c.maxMemUsedMB = max(c.maxMemUsedMB, o.maxMemUsedMB)
	c.requestUSD += o.requestUSD
	c.computeUSD += o.computeUSD
	c.errors += o.errors
	c.timeouts += o.timeouts
	c.ooms += o.ooms
	c.runtimeExits += o.runtimeExits
	c.funcErrors += o.funcErrors
	c.coldStarts += o.coldStarts
	c.restores += o.restores
	c.throttles += o.throttles
	c.coldBilledMs += o.coldBilledMs
	c.coldComputeUSD += o.coldComputeUSD
}

// bucket is one time bucket of a ring: counters and, unless the ring keeps
// them hot, where its frozen duration and init sketches are in the ring's
// cold buffer.
type bucket struct {
	idx    int64 // absolute bucket number (unix time / resolution + 1)
	c      counters
	off, n uint32 // the frozen sketches: cold[off:off+n] (n = 0: hot or none)
}

// hotSketch holds the unencoded sketches of one of a ring's buckets.
type hotSketch struct {
	idx  int64 // the bucket's number; 0 = unused
	used uint64
	b    bins
}

// ring keeps the buckets of the last n periods of res seconds up to the
// newest, oldest first, in a circular buffer that grows as buckets appear
// (a function seen for a few minutes costs a few buckets, not n). The
// frozen sketches of its buckets are packed one after the other in cold,
// so that a snapshot reads them in order rather than from many small
// allocations.
type ring struct {
	res   int64 // resolution in seconds
	n     int   // most buckets kept
	buf   []bucket
	head  int // position of the oldest bucket in buf
	count int
	nHot  int
	tick  uint64
	hot   [2]hotSketch
	cold  []byte
	live  int // bytes of cold that buckets use (the rest is garbage)
}

func newRing(res time.Duration, n, hot int) ring {
	return ring{res: int64(res / time.Second), n: n, nHot: hot}
}

// at returns the i-th oldest bucket.
func (r *ring) at(i int) *bucket {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// pos returns the position of bucket idx, or where it would go.
func (r *ring) pos(idx int64) (int, bool) {
	if r.count == 0 {
		return 0, false
	}
	last := r.at(r.count - 1).idx
	if idx > last {
		return r.count, false
	}
	if d := last - idx; d < int64(r.count) {
		// Buckets are usually consecutive: try where it would be.
		if p := r.count - 1 - int(d); r.at(p).idx == idx {
			return p, true
		}
	}
	lo, hi := 0, r.count
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.at(m).idx < idx {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < r.count && r.at(lo).idx == idx
}

// slot returns the bucket for time t, making it if needed, or nil when t
// is older than the ring holds.
func (r *ring) slot(t time.Time) *bucket {
	idx := t.Unix()/r.res + 1 // +1 keeps 0 free to mean "unused"
	if r.count > 0 {
		last := r.at(r.count - 1)
		switch {
		case last.idx == idx:
			return last
		case idx < last.idx:
			if idx <= last.idx-int64(r.n) {
				return nil // too old for the ring
			}
			p, ok := r.pos(idx)
			if ok {
				return r.at(p)
			}
			return r.insert(p, idx)
		}
		for r.count > 0 && r.at(0).idx <= idx-int64(r.n) {
			r.dropOldest()
		}
	}
	return r.insert(r.count, idx)
}

func (r *ring) dropOldest() {
	b := r.at(0)
	r.release(b)
	b.idx, b.c = 0, counters{}
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.count--
}

// insert makes bucket idx at position p (only ever fewer than n buckets
// are kept before: those within n periods of the newest).
func (r *ring) insert(p int, idx int64) *bucket {
	if r.count == len(r.buf) {
		if len(r.buf) >= r.n {
			r.dropOldest() // cannot happen: see above
			p = max(p-1, 0)
		} else {
			// Small steps: buckets are large, and copies rare.
			g := make([]bucket, min(r.n, len(r.buf)+max(2, len(r.buf)/8)))
			for i := 0; i < r.count; i++ {
				g[i] = *r.at(i)
			}
			r.buf, r.head = g, 0
		}
	}
	for i := r.count; i > p; i-- {
		*r.at(i) = *r.at(i - 1)
	}
	r.count++
	b := r.at(p)
	*b = bucket{idx: idx}
	return b
}

// find returns the bucket for absolute number idx if the ring holds it.
func (r *ring) find(idx int64) *bucket {
	if p, ok := r.pos(idx); ok {
		return r.at(p)
	}
	return nil
}

// hotBins returns the unencoded sketches of bucket b, thawing them (and
// freezing the least recently used hot bucket) when they are frozen.
func (r *ring) hotBins(b *bucket, enc *[]byte) *bins {
	r.tick++
	var h *hotSketch
	for i := range r.hot[:r.nHot] {
		if r.hot[i].idx == b.idx {
			r.hot[i].used = r.tick
			return &r.hot[i].b
		}
		if h == nil || r.hot[i].used < h.used {
			h = &r.hot[i]
		}
	}
	if h.idx != 0 {
		if ob := r.find(h.idx); ob != nil {
			r.freeze(ob, h.b, enc)
		}
	}
	h.idx, h.used = b.idx, r.tick
	h.b.thaw(r.coldOf(b))
	r.release(b)
	return &h.b
}

func (r *ring) coldOf(b *bucket) []byte { return r.cold[b.off : b.off+b.n] }

// release forgets bucket b's frozen sketches.
func (r *ring) release(b *bucket) {
	r.live -= int(b.n)
	b.off, b.n = 0, 0
}

// freeze encodes h as bucket b's frozen sketches, at the end of cold.
func (r *ring) freeze(b *bucket, h bins, enc *[]byte) {
	r.release(b)
	if len(h) == 0 {
		return
	}
	e := h.appendCold((*enc)[:0])
	*enc = e
	if len(r.cold)+len(e) > cap(r.cold) {
		r.compact(len(e))
	}
	b.off, b.n = uint32(len(r.cold)), uint32(len(e))
	r.cold = append(r.cold, e...)
	r.live += len(e)
}

// compact copies the frozen sketches in use, in bucket order, to a new
// buffer with room for need more bytes and an eighth to spare.
func (r *ring) compact(need int) {
	size := r.live + need
	c := make([]byte, 0, size+size/8+64)
	for i := 0; i < r.count; i++ {
		if b := r.at(i); b.n > 0 {
			off := len(c)
			c = append(c, r.coldOf(b)...)
			b.off = uint32(off)
		}
	}
	r.cold = c
}

// mergeSketches adds bucket b's sketches to g.
func (r *ring) mergeSketches(g *merger, b *bucket) {
	for i := range r.hot[:r.nHot] {
		if r.hot[i].idx == b.idx {
			g.addBins(r.hot[i].b)
			return
		}
	}
	if b.n > 0 {
		g.addCold(r.coldOf(b))
	}
}

// fnState is everything the store keeps for one function.
type fnState struct {
	name   string
	source string
	meta   FunctionMeta
	price  Price

	throttlesKnown bool
	coldKnown      bool
	durationKnown  bool

	total   counters
	totalSk bins // all-time duration and init sketches
	fine    ring
	coarse  ring
	hourly  ring

	firstSeen, lastSeen time.Time
	recentErr           []ErrorSample
	id                  uint32 // index in Store.byID
	logs                logRing
	logSkip             int       // lines dropped by the ring itself, still in Store.logOrder
	reqIDs              [2]string // the last request IDs of its lines, shared by them
	nextReq             int

	triage // changes, signatures, recent invocations (triage_store.go)
}

// ErrorSample is one failed invocation, kept for display.
type ErrorSample struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	Kind      string    `json:"kind"`
	ErrorType string    `json:"error_type,omitempty"`
	Message   string    `json:"message,omitempty"`
}

func (s *Store) fn(name, source string) *fnState {
	f := s.funcs[name]
	if f != nil {
		return f
	}
	f = &fnState{
		name:   name,
		source: source,
		fine:   newRing(FineResolution, fineBuckets, fineHot),
		coarse: newRing(CoarseResolution, coarseBuckets, coarseHot),
		hourly: newRing(HourlyResolution, hourlyBuckets, hourlyHot),
		logs:   newLogRing(s.opts.LogsPerFunction),
	}
	f.price = s.opts.Prices.Lookup("", ArchUnknown)
	f.id = uint32(len(s.byID))
	s.byID = append(s.byID, f)
	s.funcs[name] = f
	s.sorted = false
	return f
}

// Ingest implements Sink.
func (s *Store) Ingest(events ...Event) {
	if len(events) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	for i := range events {
		s.ingest(&events[i])
	}
}

func (s *Store) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	if s.latest.IsZero() {
		return s.untimedLast
	}
	return s.latest
}

// observe places an event in time and keeps the bounds of what was seen.
// An event without a time (raw output carries none on its platform lines)
// happened now for a live store; in replay mode it happened with the newest
// event seen, or, before any, at its arrival (and the "all" window has no
// measured length while no event carries a time).
func (s *Store) observe(t time.Time) time.Time {
	if t.IsZero() {
		switch {
		case s.opts.Clock != nil:
			return s.opts.Clock()
		case !s.latest.IsZero():
			return s.latest
		}
		s.untimedLast = time.Now()
		return s.untimedLast
	}
	if s.first.IsZero() || t.Before(s.first) {
		s.first = t
	}
	if t.After(s.latest) {
		s.latest = t
	}
	return t
}

func (s *Store) ingest(ev *Event) {
	switch ev.Kind {
	case KindStatus:
		s.setStatus(ev)
		return
	case KindSkipped:
		n := ev.Skipped.Count
		if n <= 0 {
			n = 1
		}
		s.skipped[ev.Skipped.Reason] += n
		s.skipSum += n
		return
	}
	if ev.Function == "" {
		return
	}
	if ev.Kind == KindMeta {
		// Configuration is not activity: it moves no time bound.
		s.setMeta(s.fn(ev.Function, ev.Source), ev)
		return
	}
	t := s.observe(ev.Time)
	f := s.fn(ev.Function, ev.Source)
	f.seen(t)
	switch ev.Kind {
	case KindInvocation:
		s.addInvocation(f, t, ev)
	case KindAmend:
		s.amend(f, ev)
	case KindLog:
		s.addLog(f, t, ev)
	case KindSeen:
		if last := ev.Seen.Last; !last.IsZero() {
			f.seen(s.observe(last))
		}
	case KindAggregate:
		s.addAggregate(f, t, &ev.Aggregate)
	case KindInit:
		// Init phases outside a report are shown in logs; failed inits are
		// not invocations and are not counted as such.
	}
}

// seen widens the function's activity bounds to include t.
func (f *fnState) seen(t time.Time) {
	if f.firstSeen.IsZero() || t.Before(f.firstSeen) {
		f.firstSeen = t
	}
	if t.After(f.lastSeen) {
		f.lastSeen = t
	}
}

func (s *Store) setStatus(ev *Event) {
	st := ev.Status
	if st.Name == "" {
		st.Name = ev.Source
	}
	cur, ok := s.sources[st.Name]
	if !ok {
		cur = &SourceStatus{}
		s.sources[st.Name] = cur
		s.srcOrder = append(s.srcOrder, st.Name)
	}
	if st.Updated.IsZero() {
		st.Updated = cur.Updated
	}
	*cur = st
}

// setMeta keeps what a KindMeta event says of a function and records each
// known value that changes (a value learnt for the first time is not a
// change).
func (s *Store) setMeta(f *fnState, ev *Event) {
	m := &ev.Meta
	at := ev.Time
	if at.IsZero() {
		at = s.now()
	}
	change := func(field, from, to string) {
		s.addChange(f, Change{Time: at, Function: f.name, Source: ev.Source, Field: field, From: from, To: to})
	}
	if m.Region != "" {
		f.meta.Region = m.Region
	}
	if m.Account != "" {
		f.meta.Account = m.Account
	}
	if m.Arch != ArchUnknown {
		if f.meta.Arch != ArchUnknown && f.meta.Arch != m.Arch {
			change(ChangeArch, string(f.meta.Arch), string(m.Arch))
		}
		f.meta.Arch = m.Arch
	}
	if m.Runtime != "" {
		if f.meta.Runtime != "" && f.meta.Runtime != m.Runtime {
			change(ChangeRuntime, f.meta.Runtime, m.Runtime)
		}
		f.meta.Runtime = m.Runtime
	}
	if m.MemorySizeMB > 0 {
		if f.meta.MemorySizeMB > 0 && f.meta.MemorySizeMB != m.MemorySizeMB {
			change(ChangeMemory, strconv.Itoa(f.meta.MemorySizeMB), strconv.Itoa(m.MemorySizeMB))
		}
		f.meta.MemorySizeMB = m.MemorySizeMB
	}
	if m.TimeoutMs > 0 {
		if f.meta.TimeoutMs > 0 && f.meta.TimeoutMs != m.TimeoutMs {
			change(ChangeTimeout, formatMs(f.meta.TimeoutMs), formatMs(m.TimeoutMs))
		}
		f.meta.TimeoutMs = m.TimeoutMs
	}
	if m.Version != "" {
		if f.meta.Version != "" && f.meta.Version != m.Version {
			change(ChangeVersion, f.meta.Version, m.Version)
		}
		f.setVersion(m.Version, at)
	}
	if m.Platform != "" {
		f.meta.Platform = m.Platform
	}
	if m.ReplicasKnown {
		if f.meta.ReplicasKnown && f.meta.Replicas != m.Replicas {
			change(ChangeReplicas, strconv.Itoa(f.meta.Replicas), strconv.Itoa(m.Replicas))
		}
		f.meta.Replicas, f.meta.ReplicasKnown = m.Replicas, true
	}
	if m.ReservedConcurrencyKnown {
		if f.meta.ReservedConcurrencyKnown && f.meta.ReservedConcurrency != m.ReservedConcurrency {
			change(ChangeConcurrency, strconv.Itoa(f.meta.ReservedConcurrency), strconv.Itoa(m.ReservedConcurrency))
		}
		f.meta.ReservedConcurrency, f.meta.ReservedConcurrencyKnown = m.ReservedConcurrency, true
	}
	f.price = s.opts.Prices.Lookup(f.meta.Region, f.meta.Arch)
}

func (s *Store) addInvocation(f *fnState, t time.Time, ev *Event) {
	inv := &ev.Invocation
	if inv.Version != "" {
		if inv.Version == f.meta.Version {
			if t.After(f.versionLast) {
				f.versionLast = t
			}
		} else {
			s.invocationVersion(f, t, ev)
		}
	}
	var c counters
	c.invocations = 1
	if inv.Error != ErrNone {
		c.errors = 1
		c.addKind(inv.Error, 1)
	}
	if inv.InitDurationMs > 0 {
		c.coldStarts = 1
	}
	if inv.RestoreDurationMs > 0 {
		c.restores = 1
		if inv.InitDurationMs <= 0 {
			c.coldStarts = 1
		}
	}
	mem := inv.MemorySizeMB
	if mem <= 0 {
		mem = f.meta.MemorySizeMB
	} else if mem != f.meta.MemorySizeMB {
		f.meta.MemorySizeMB = mem
	}
	c.billedMs = inv.BilledMs
	c.gbSeconds = GBSeconds(inv.BilledMs, mem)
	c.durationSum = inv.DurationMs
	c.durationN = 1
	c.durationMax = inv.DurationMs
	c.maxMemUsedMB = inv.MaxMemoryUsedMB
	c.requestUSD = f.price.RequestUSD
	c.computeUSD = c.gbSeconds * f.price.GBSecondUSD
	if inv.InitDurationMs > 0 {
		// Billed duration includes the billed init (since 2025-08-01):
		// the init's share is what was billed beyond the handler's run.
		c.coldBilledMs = max(min(inv.InitDurationMs, inv.BilledMs-inv.DurationMs), 0)
		c.coldComputeUSD = GBSeconds(c.coldBilledMs, mem) * f.price.GBSecondUSD
	}
	f.coldKnown = true
	f.durationKnown = true

	f.total.merge(&c)
	dv := newSkValue(s.mapping, inv.DurationMs, kindDuration)
	var iv skValue
	if inv.InitDurationMs > 0 {
		iv = newSkValue(s.mapping, inv.InitDurationMs, kindInit)
	}
	addValues(&f.totalSk, dv, iv)
	for _, r := range [3]*ring{&f.fine, &f.coarse, &f.hourly} {
		b := r.slot(t)
		if b == nil {
			continue
		}
		b.c.merge(&c)
		if dv.ok || iv.ok {
			addValues(r.hotBins(b, &s.coldBuf), dv, iv)
		}
	}
	if inv.Error == ErrNone && inv.Status == "" && inv.ErrorType == "" && inv.ErrorMessage == "" {
		s.recordInvocation(f, t, ev, nil)
		return
	}
	fl := &failure{
		requestID: strings.Clone(inv.RequestID), traceID: strings.Clone(inv.TraceID),
		status: strings.Clone(inv.Status), errType: strings.Clone(inv.ErrorType), message: s.clip(inv.ErrorMessage),
	}
	s.recordInvocation(f, t, ev, fl)
	if inv.Error != ErrNone {
		f.addError(ErrorSample{Time: t, RequestID: fl.requestID, Kind: inv.Error.String(), ErrorType: fl.errType, Message: fl.message}, s.opts.RecentErrors)
		s.invocationSignature(f, t, inv.Error, inv.ErrorType, inv.ErrorMessage, inv.Status, inv.RequestID, inv.Stream)
	}
}

// addValues counts one invocation's duration and init duration; values
// that are not ok (negative or non-finite, which a broken source could
// send, or absent) are left out rather than poisoning the sketch.
func addValues(b *bins, dv, iv skValue) {
	if dv.ok {
		b.add(dv.key, countOne)
	}
	if iv.ok {
		b.add(iv.key, countOne)
	}
}

// addError keeps the newest failed invocations in time order (then by
// request ID), so the list and the last error do not depend on the order in
// which concurrent readers delivered them.
func (f *fnState) addError(e ErrorSample, limit int) {
	i := sort.Search(len(f.recentErr), func(i int) bool {
		o := &f.recentErr[i]
		return o.Time.After(e.Time) || o.Time.Equal(e.Time) && o.RequestID > e.RequestID
	})
	if len(f.recentErr) >= limit {
		if i == 0 {
			return // older than everything kept
		}
		copy(f.recentErr, f.recentErr[1:i])
		f.recentErr[i-1] = e
		return
	}
	if n := len(f.recentErr); n == cap(f.recentErr) {
		// Grow by a quarter, but never past the limit.
		g := make([]ErrorSample, n, min(max(n+n/4, n+4), limit))
		copy(g, f.recentErr)
		f.recentErr = g
	}
	f.recentErr = append(f.recentErr, ErrorSample{})
	copy(f.recentErr[i+1:], f.recentErr[i:])
	f.recentErr[i] = e
}

func (s *Store) amend(f *fnState, ev *Event) {
	a := &ev.Amend
	if a.Prev == a.Error {
		return
	}
	apply := func(c *counters) {
		switch {
		case a.Prev == ErrNone:
			c.errors++
		case a.Error == ErrNone:
			c.errors--
		}
		c.addKind(a.Prev, -1)
		c.addKind(a.Error, 1)
	}
	apply(&f.total)
	t := a.InvocationTime
	if !t.IsZero() {
		if b := f.fine.find(t.Unix()/f.fine.res + 1); b != nil {
			apply(&b.c)
		}
		if b := f.coarse.find(t.Unix()/f.coarse.res + 1); b != nil {
			apply(&b.c)
		}
		if b := f.hourly.find(t.Unix()/f.hourly.res + 1); b != nil {
			apply(&b.c)
		}
	} else {
		t = s.now()
	}
	if a.Error != ErrNone {
		f.addError(ErrorSample{Time: t, RequestID: a.RequestID, Kind: a.Error.String(), ErrorType: a.ErrorType, Message: s.clip(a.ErrorMessage)}, s.opts.RecentErrors)
	}
	s.amendTriage(f, t, ev)
}

func (s *Store) addAggregate(f *fnState, t time.Time, a *Aggregate) {
	var c counters
	c.invocations = a.Invocations
	c.errors = a.Errors
	c.timeouts = a.Timeouts
	c.coldStarts = a.ColdStarts
	c.throttles = a.Throttles
	c.billedMs = a.BilledMs
	c.gbSeconds = a.GBSeconds
	if a.Duration.Count > 0 {
		c.durationSum = a.Duration.Sum
		c.durationN = a.Duration.Count
		c.durationMax = a.Duration.Max
		f.durationKnown = true
	}
	c.requestUSD = float64(a.Invocations) * f.price.RequestUSD
	c.computeUSD = a.GBSeconds * f.price.GBSecondUSD
	if a.HasThrottles {
		f.throttlesKnown = true
	}
	if a.HasColdStarts {
		f.coldKnown = true
	}
	f.total.merge(&c)
	arr, np, ok := summaryPoints(&a.Duration)
	pts := arr[:np]
	if ok {
		s.addPoints(&f.totalSk, pts)
	}
	for _, r := range [3]*ring{&f.fine, &f.coarse, &f.hourly} {
		b := r.slot(t)
		if b == nil {
			continue
		}
		b.c.merge(&c)
		if ok {
			s.addPoints(r.hotBins(b, &s.coldBuf), pts)
		}
	}
}

// summaryPoint is a duration with a weight, standing for that many
// invocations in a duration sketch.
type summaryPoint struct{ v, n float64 }

// nSummaryPoints is the most weighted points that stand for one summary.
const nSummaryPoints = 13

// summaryPoints turns a duration summary of n invocations into weighted
// points: one invocation at each of P50, P90, P99 and Max, at the ranks
// where the sketch looks for those quantiles, and the invocations ranked
// between them spread log-evenly between the two values (those below P50
// down to 0.6·P50, where the summary says nothing). A sketch of one summary then
// answers its quantiles (within its accuracy), and the quantiles of many
// minutes merged fall where the invocations are, instead of piling up on
// each minute's quantiles. Missing upper quantiles fall back to the one
// below. It reports false when the summary has no count or no P50 (the
// duration then has an average and a maximum but no quantiles).
func summaryPoints(d *DurationSummary) ([nSummaryPoints]summaryPoint, int, bool) {
	var pts [nSummaryPoints]summaryPoint
	if d.Count <= 0 || !(d.P50 > 0) {
		return pts, 0, false
	}
	n := float64(d.Count)
	vals := [4]float64{d.P50, max(d.P90, d.P50), 0, 0}
	vals[2] = max(d.P99, vals[1])
	vals[3] = max(d.Max, vals[2])
	// The sketch answers quantile q with the invocation ranked
	// floor(q(n-1))+1: put each value there.
	rank := func(q float64) float64 { return math.Floor(q*(n-1)) + 1 }
	ranks := [4]float64{rank(0.5), rank(0.9), rank(0.99), n}
	for i := 1; i < 4; i++ {
		ranks[i] = max(ranks[i], ranks[i-1])
	}
	spread := [4]int{3, 3, 2, 1} // points for the invocations ranked below each value
	k := 0
	add := func(v, w float64) {
		if w > 0 {
			pts[k] = summaryPoint{v, w}
			k++
		}
	}
	// Nearest-rank quantiles (Logs Insights' pct) name the
	// ceil(q·n)-th invocation: where that is the same invocation as the
	// next value's (below 100 invocations P99 is the maximum), the value is
	// not another invocation and only the next one is placed.
	same := [4]bool{}
	nearest := [4]float64{math.Ceil(0.5 * n), math.Ceil(0.9 * n), math.Ceil(0.99 * n), n}
	for i := range 3 {
		same[i] = nearest[i] >= nearest[i+1]
	}
	prevRank, prevVal := 0.0, 0.6*d.P50
	for i, r := range ranks {
		if r == prevRank || same[i] {
			continue // the same invocation as another value
		}
		// A thousandth of an invocation moves from the spread to the
		// value, so that rounding never lifts the spread's cumulative
		// count onto the value's rank.
		at := 1.0
		if between := r - prevRank - 1; between > 0 {
			m := spread[i]
			for j := 1; j <= m; j++ {
				// Above the median, durations crowd at the low end of each
				// gap (long tails): the points sit at squared fractions of
				// it, on a log scale.
				f := float64(j) / float64(m+1)
				if i > 0 {
					f *= f
				}
				add(prevVal*math.Pow(vals[i]/prevVal, f), (between-1e-3)/float64(m))
			}
			at += 1e-3
		}
		add(vals[i], at)
		prevRank, prevVal = r, vals[i]
	}
	return pts, k, true
}

// addPoints adds weighted durations to a duration sketch, skipping values
// that are not ok (see addValues).
func (s *Store) addPoints(b *bins, pts []summaryPoint) {
	for _, p := range pts {
		v := newSkValue(s.mapping, p.v, kindDuration)
		n, ok := toFixed(p.n)
		if v.ok && ok {
			b.add(v.key, n)
		}
	}
}

// clip bounds a message's size and detaches it from any larger buffer it
// was cut from.
func (s *Store) clip(msg string) string {
	limit := s.opts.MaxMessageBytes
	if len(msg) <= limit {
		return strings.Clone(msg)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…[truncated]"
}

// Functions returns the names of all known functions, sorted.
func (s *Store) Functions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sortNames()
	return append([]string(nil), s.names...)
}

func (s *Store) sortNames() {
	if s.sorted {
		return
	}
	s.names = s.names[:0]
	for n := range s.funcs {
		s.names = append(s.names, n)
	}
	sort.Strings(s.names)
	s.order = s.order[:0]
	for _, n := range s.names {
		s.order = append(s.order, s.funcs[n])
	}
	s.sorted = true
}
