package demo

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

const (
	// ringSize is how many seconds ahead lines may be scheduled: more than
	// the longest Lambda timeout (900 s) plus the longest init (10 s) plus
	// the minute between two releases.
	ringSize = 1024
	ringMask = ringSize - 1
	// batchSize is how many events go to the sink at once.
	batchSize = 1024
	// maxTimeoutMs bounds a function's timeout so that its lines fit the ring.
	maxTimeoutMs = 900_000
	// recyclePeriod is how often the platform replaces all the execution
	// environments of a function that does not deploy (the simulation's
	// state resets there, which keeps it a pure function of time).
	recyclePeriod = 2 * 3600
)

type itemKind uint8

const (
	itemLine      itemKind = iota // a log message, fed to the Lambda log parser
	itemMeta                      // a model.KindMeta event: a deploy's new version and timeout
	itemThrottles                 // a model.KindAggregate of one minute's throttles
	itemEvent                     // a ready event (configuration, status), in a pipeline batch
)

// item is an event scheduled for release once the clock passes at.
type item struct {
	at     int64 // unix ms
	seq    uint64
	fn     int32
	kind   itemKind
	n      int64
	stream string
	msg    string
}

// env is one execution environment: one log stream.
type env struct {
	hi, lo    uint64 // environment id (32 hex digits)
	born      int64  // unix ms
	version   string
	stream    string // formatted on first use
	busyUntil int64  // unix ms
	lastEnd   int64  // unix ms
	ttl       int64  // ms of idleness after which the platform reaps it
	maxMem    int    // MB, max over the invocations since its last init
	fresh     bool   // the next invocation initialises the runtime
}

// fnState is the simulation state of one function.
type fnState struct {
	sp     *spec
	idx    int32
	key    uint64
	up     int // index of the upstream stage, or -1
	arn    string
	period int64 // state resets (deploys, recycles): every period seconds
	offset int64 // at this offset (unix seconds modulo period)

	start     int64 // first simulated second
	envs      []*env
	knot      int64      // wobble knot cached in knotV
	knotV     [2]float64 // wobble values at knots knot and knot+1
	version   string
	timeout   int64 // ms: the configured timeout in force (see spec.timeoutAt)
	throttles int64
	seq       uint64
}

func (f *fnState) curVersion() string {
	switch {
	case f.sp.deploys:
		return f.version
	case f.sp.snapStart != "":
		return f.sp.snapStart
	}
	return "$LATEST"
}

// generator turns (seed, time) into events. It simulates whole seconds, in
// order, and releases the lines they scheduled once the clock passes them.
// Released items go to its deliverer, directly or (while a backfill runs
// a pipeline) through pipe.
type generator struct {
	source string
	seed   uint64
	fns    []fnState
	parser *lambdalog.Parser
	sink   model.Sink
	d      deliverer
	pipe   *pipeline

	nextSec   int64 // next second to simulate
	emitFrom  int64 // first second whose invocations produce events
	relMs     int64 // items at or before this unix ms are released
	sortedSec int64 // buckets up to this second are sorted

	ring [ringSize][]item

	pcg, fpcg *rand.PCG
	rng, frng *rand.Rand
	buf, tmp  []byte
	offs      []int64
	ts        tsCache

	diurnalSec int64
	diurnalCos float64
}

func newGenerator(src *Source, sink model.Sink) *generator {
	g := &generator{
		source: src.Name(),
		seed:   uint64(src.seed),
		parser: lambdalog.NewParser(),
		sink:   sink,
		pcg:    rand.NewPCG(0, 0),
		fpcg:   rand.NewPCG(0, 0),
	}
	g.rng = rand.New(g.pcg)
	g.frng = rand.New(g.fpcg)
	g.diurnalSec = math.MinInt64
	index := make(map[string]int, len(src.fleet))
	for i, sp := range src.fleet {
		index[sp.name] = i
	}
	g.fns = make([]fnState, len(src.fleet))
	names := make([]string, len(src.fleet))
	for i, sp := range src.fleet {
		names[i] = sp.name
	}
	g.d = deliverer{source: g.source, names: names, parser: g.parser, sink: sink,
		out: make([]model.Event, 0, batchSize+64)}
	for i, sp := range src.fleet {
		f := &g.fns[i]
		f.sp, f.idx, f.key, f.up = sp, int32(i), nameKey(sp.name), -1
		if sp.upstream != "" {
			f.up = index[sp.upstream]
		}
		f.arn = "arn:aws:lambda:" + sp.region + ":" + Account + ":function:" + sp.name
		if sp.deploys {
			f.period, f.offset = 3600, deployAt
		} else {
			f.period, f.offset = recyclePeriod, recycleOffset(f.key)
		}
	}
	return g
}

// recycleOffset picks when in its two-hour cycle a function's environments
// are recycled, away from the minutes of the incidents.
func recycleOffset(k uint64) int64 {
	var quiet []int64
	for m := range int64(60) {
		if (m >= 8 && m <= 16) || (m >= 23 && m <= 31) || (m >= 38 && m <= 44) {
			continue
		}
		quiet = append(quiet, m)
	}
	h := mix64(k ^ tagAnchor)
	return int64(h>>1&1)*3600 + quiet[h>>8%uint64(len(quiet))]*60 + int64(h>>20%60)
}

// reset starts the simulation over so that the next release covers
// (nowMs-historyMs, ...]: every function is simulated silently from its last
// state reset before that window, then with events inside it.
func (g *generator) reset(nowMs, historyMs int64) {
	windowStart := nowMs - max(historyMs, 0)
	g.emitFrom = floorDiv(windowStart+999, 1000)
	g.nextSec = g.emitFrom
	for i := range g.fns {
		f := &g.fns[i]
		f.start = g.emitFrom - posMod(g.emitFrom-f.offset, f.period)
		f.envs = f.envs[:0]
		f.throttles = 0
		g.nextSec = min(g.nextSec, f.start)
	}
	g.relMs = g.emitFrom*1000 - 1
	g.sortedSec = floorDiv(g.relMs, 1000)
	for i := range g.ring {
		clear(g.ring[i])
		g.ring[i] = g.ring[i][:0]
	}
}

// metas emits the configuration of every function as of unix ms at.
func (g *generator) metas(at int64) {
	t := time.UnixMilli(at).UTC()
	sec := floorDiv(at, 1000)
	for i := range g.fns {
		f := &g.fns[i]
		version := f.curVersion()
		if f.sp.deploys {
			version = deployVersion(sec)
		}
		g.emit(g.meta(f, t, version, sec))
	}
}

// meta is the whole configuration of f at unix second sec.
func (g *generator) meta(f *fnState, t time.Time, version string, sec int64) model.Event {
	sp := f.sp
	return model.Event{
		Kind: model.KindMeta, Source: g.source, Function: sp.name, Time: t,
		Meta: model.FunctionMeta{
			Region: sp.region, Account: Account, Arch: sp.arch, Runtime: sp.rt.id,
			MemorySizeMB: sp.memMB, TimeoutMs: float64(sp.timeoutAt(sec)), Version: version,
			ReservedConcurrency: sp.reserved, ReservedConcurrencyKnown: sp.reserved > 0,
		},
	}
}

// advance simulates every second up to the one holding nowMs and releases
// the events scheduled at or before nowMs. It checks ctx between simulated
// minutes.
func (g *generator) advance(ctx context.Context, nowMs int64) error {
	nowSec := floorDiv(nowMs, 1000)
	for s := g.nextSec; s <= nowSec; s++ {
		if posMod(s, 60) == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		emit := s >= g.emitFrom
		for i := range g.fns {
			if f := &g.fns[i]; s >= f.start {
				g.simulate(f, s, emit)
			}
		}
		g.nextSec = s + 1
		// Release as we go so that the ring never holds more than its span.
		if posMod(s, 60) == 59 {
			g.release(min(nowMs, s*1000+999))
		}
	}
	g.release(nowMs)
	return nil
}

// release delivers, in (time, function, generation) order, the items
// scheduled in (relMs, nowMs].
func (g *generator) release(nowMs int64) {
	if nowMs <= g.relMs {
		return
	}
	last := min(floorDiv(nowMs, 1000), g.nextSec-1)
	if last*1000+999 < nowMs {
		nowMs = last*1000 + 999
	}
	for sec := floorDiv(g.relMs+1, 1000); sec <= last; sec++ {
		b := g.ring[sec&ringMask]
		if sec > g.sortedSec {
			slices.SortFunc(b, func(x, y item) int {
				if c := cmp.Compare(x.at, y.at); c != 0 {
					return c
				}
				if c := cmp.Compare(x.fn, y.fn); c != 0 {
					return c
				}
				return cmp.Compare(x.seq, y.seq)
			})
			g.sortedSec = sec
		}
		k := 0
		for k < len(b) && b[k].at <= nowMs {
			g.deliver(&b[k])
			k++
		}
		n := copy(b, b[k:])
		clear(b[n:])
		g.ring[sec&ringMask] = b[:n]
	}
	g.relMs = max(g.relMs, nowMs)
}

func (g *generator) push(it item) {
	b := &g.ring[floorDiv(it.at, 1000)&ringMask]
	*b = append(*b, it)
}

// deliver hands a released item on: to the pipeline while one runs, to
// the deliverer otherwise.
func (g *generator) deliver(it *item) {
	if g.pipe != nil {
		g.pipe.add(*it, nil)
		return
	}
	g.d.deliver(it)
}

// emit hands on a ready event, in order with the released items.
func (g *generator) emit(ev model.Event) {
	if g.pipe != nil {
		g.pipe.add(item{kind: itemEvent}, &ev)
		return
	}
	g.d.out = append(g.d.out, ev)
	if len(g.d.out) >= batchSize {
		g.d.flush()
	}
}

// flush sends what was handed on so far towards the sink.
func (g *generator) flush() {
	if g.pipe != nil {
		g.pipe.send()
		return
	}
	g.d.flush()
}

// simulate runs second s of function f: state resets, idle reaping,
// arrivals, and the minute's throttle count.
func (g *generator) simulate(f *fnState, s int64, emit bool) {
	sp := f.sp
	f.seq = uint64(s) << 20
	if s == f.start || posMod(s-f.offset, f.period) == 0 {
		// A deploy or a platform recycle: in-flight invocations finish on
		// the old environments, new ones start on new environments.
		f.envs = f.envs[:0]
		f.timeout = sp.timeoutAt(s)
		if sp.deploys {
			f.version = deployVersion(s)
			if emit {
				g.push(item{at: s * 1000, seq: f.nextSeq(), fn: f.idx, kind: itemMeta, msg: f.version, n: f.timeout})
			}
		}
	}
	ms := s * 1000
	if len(f.envs) > 0 {
		f.envs = slices.DeleteFunc(f.envs, func(e *env) bool {
			return e.busyUntil <= ms && e.lastEnd+e.ttl <= ms
		})
	}
	if n := g.count(f, s); n > 0 {
		g.arrivals(f, s, n, emit)
	}
	if posMod(s, 60) == 59 {
		if emit {
			g.push(item{at: ms + 1000, seq: f.nextSeq(), fn: f.idx, kind: itemThrottles, n: f.throttles})
		}
		f.throttles = 0
	}
}

func (f *fnState) nextSeq() uint64 {
	f.seq++
	return f.seq
}

// count is the number of invocations of f that arrive in second s: a pure
// function of (seed, function, s).
func (g *generator) count(f *fnState, s int64) int {
	sp := f.sp
	switch {
	case sp.every > 0:
		if posMod(s-sp.phase, sp.every) == 0 {
			return 1
		}
		return 0
	case f.up >= 0:
		up := g.count(&g.fns[f.up], s-1)
		h := key(g.seed, f.key, uint64(s), tagChain)
		k := 0
		for range up {
			h = mix64(h + golden)
			if unit(h) < sp.fraction {
				k++
			}
		}
		return k
	}
	lam := sp.rate * g.diurnal(s, sp.diurnal) * g.wobble(f, s)
	if sp.burst {
		lam += burstExtra(s)
	}
	return poisson(lam, unit(key(g.seed, f.key, uint64(s), tagCount)))
}

// diurnal is the daily load curve: 1 at 16:00 UTC, 0.3 at 04:00 UTC, for a
// function that follows it with the given weight.
func (g *generator) diurnal(s int64, weight float64) float64 {
	if s != g.diurnalSec {
		g.diurnalSec = s
		h := float64(posMod(s, 86400)) / 3600
		g.diurnalCos = math.Cos(2 * math.Pi * (h - 16) / 24)
	}
	d := 0.65 + 0.35*g.diurnalCos
	return 1 - weight*(1-d)
}

// wobble is a smooth per-function drift of the rate (0.8..1.2), with knots
// every two minutes, so that functions do not all move in step.
func (g *generator) wobble(f *fnState, s int64) float64 {
	k := floorDiv(s, 120)
	if k != f.knot || f.knotV == [2]float64{} {
		f.knot = k
		f.knotV[0] = unit(key(g.seed, f.key, uint64(k), tagWobble))
		f.knotV[1] = unit(key(g.seed, f.key, uint64(k+1), tagWobble))
	}
	fr := float64(s-k*120) / 120
	t := fr * fr * (3 - 2*fr)
	v0, v1 := f.knotV[0], f.knotV[1]
	return 0.8 + 0.4*(v0+(v1-v0)*t)
}

// fate is how an invocation ends.
type fate uint8

const (
	fateOK      fate = iota
	fateError        // the handler threw
	fateTimeout      // Task timed out
	fateOOM          // Runtime.OutOfMemory in the REPORT
	fateExitOOM      // killed: "Runtime exited with error: signal: killed" + Runtime.ExitError
)

// invocation is one simulated invocation, ready to be written as log lines.
type invocation struct {
	f      *fnState
	e      *env
	arrive int64 // unix ms
	start  int64 // unix ms: START
	end    int64 // unix ms: END and REPORT

	durUs, initUs, restoreUs int64
	billedRestoreMs          int64
	timeoutMs                int64 // the configured timeout it ran under
	mem, maxMem              int
	fate                     fate
	cold                     bool
	detail                   uint64
}

func (g *generator) arrivals(f *fnState, s int64, n int, emit bool) {
	g.pcg.Seed(key(g.seed, f.key, uint64(s), tagInvocation), key(g.seed, f.key, uint64(s), tagInvocation2))
	g.offs = g.offs[:0]
	for range n {
		g.offs = append(g.offs, int64(g.rng.IntN(1000)))
	}
	slices.Sort(g.offs)
	for _, off := range g.offs {
		g.invoke(f, s, s*1000+off, emit)
	}
}

// invoke runs one invocation that arrives at unix ms a: its draws (always
// the same number, in the same order), its environment, its fate.
func (g *generator) invoke(f *fnState, s, a int64, emit bool) {
	sp, r := f.sp, g.rng
	z := r.NormFloat64()
	tailU, tailX := r.Float64(), r.Float64()
	fateU := r.Float64()
	memU := r.Float64()
	initZ := r.NormFloat64()
	detail := r.Uint64()

	durMs := sp.medianMs * math.Exp(sp.sigma*z)
	if tailU < sp.tailP {
		durMs *= 2 + 6*tailX
	}
	errP := sp.fail.p
	if sp.spike && inSpike(s) {
		durMs *= 1.6
		errP = spikeErrorP
	}
	mem := sp.memBase + int(float64(sp.memJitter)*memU)
	ft := fateOK
	switch p := fateU; {
	case p < sp.timeoutP:
		ft = fateTimeout
	case p < sp.timeoutP+sp.oomP:
		ft = fateOOM
	case p < sp.timeoutP+sp.oomP+sp.exitOOMP:
		ft = fateExitOOM
	case p < sp.timeoutP+sp.oomP+sp.exitOOMP+errP:
		ft = fateError
	}
	if mem >= sp.memMB && ft != fateExitOOM {
		ft = fateOOM
	}
	timeout := min(f.timeout, maxTimeoutMs)
	switch {
	case ft == fateOOM || ft == fateExitOOM:
		durMs = min(durMs, float64(timeout)*0.9)
	case ft == fateTimeout || durMs >= float64(timeout):
		ft, durMs = fateTimeout, float64(timeout)
	}
	durUs := int64(durMs * 1000)
	if ft == fateTimeout {
		durUs = timeout * 1000
	}

	// Route to the most recently used idle environment, as Lambda keeps
	// its warm environments busy and lets the others go idle.
	var e *env
	for _, c := range f.envs {
		if c.busyUntil <= a && (e == nil || c.lastEnd > e.lastEnd) {
			e = c
		}
	}
	if e == nil {
		if sp.reserved > 0 && len(f.envs) >= sp.reserved {
			f.throttles++
			return
		}
		h := key(g.seed, f.key, uint64(a), tagEnv+uint64(len(f.envs))<<8)
		e = &env{
			hi: h, lo: mix64(h ^ golden), born: a, version: f.curVersion(),
			ttl: (300 + int64(h%420)) * 1000, fresh: true,
		}
		f.envs = append(f.envs, e)
	}
	inv := invocation{f: f, e: e, arrive: a, durUs: durUs, timeoutMs: timeout, mem: mem, fate: ft, detail: detail}
	if e.fresh {
		inv.cold = true
		if sp.snapStart != "" {
			inv.restoreUs = int64(sp.initMs * math.Exp(0.2*initZ) * 1000)
			inv.billedRestoreMs = ceilDiv(inv.restoreUs*2/5, 1000)
		} else {
			median := sp.initMs
			if median == 0 {
				median = sp.rt.initMs
			}
			inv.initUs = int64(min(median*math.Exp(0.25*initZ), 9_800) * 1000)
		}
		e.fresh, e.maxMem = false, 0
	}
	inv.start = a + (inv.initUs+inv.restoreUs)/1000
	inv.end = inv.start + durUs/1000
	e.busyUntil, e.lastEnd = inv.end+2, inv.end
	e.maxMem = max(e.maxMem, mem)
	inv.maxMem = min(e.maxMem, sp.memMB)
	if ft == fateOOM || ft == fateExitOOM || ft == fateTimeout {
		if ft != fateTimeout {
			inv.maxMem = sp.memMB
		}
		// The runtime is restarted: the next invocation on this
		// environment initialises again.
		e.fresh = true
	}
	if emit {
		g.write(&inv)
	}
}
