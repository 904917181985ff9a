package lambdalog

import (
	"hash/maphash"
	"strings"
	"time"

	"github.com/fntop/fntop/model"
)

// Input is one CloudWatch log event, or one line of raw function output.
type Input struct {
	// Source is the source name put on emitted events.
	Source string
	// Function is the function name put on emitted events.
	Function string
	// Stream is the log stream (one execution environment); "" means
	// unknown, and all such lines of a function share one stream state.
	Stream string
	// Time is the event timestamp. When zero, the timestamp inside the
	// message is used if it has one, else the time of the newest message
	// before it, else the parser's clock.
	Time time.Time
	// Message is the raw message; a trailing "\n" as CloudWatch stores it
	// is stripped.
	Message string
}

// Default limits of a Parser's state.
const (
	DefaultMaxStreams   = 10000
	DefaultMaxPending   = 4096
	DefaultMaxRecent    = 8192
	DefaultMaxFunctions = 10000
	// DefaultMaxLineBytes is CloudWatch's limit for one event.
	DefaultMaxLineBytes = 256 * 1024
)

// Option configures a Parser.
type Option func(*Parser)

// WithClock sets the clock used for messages that carry no time and follow
// no message that did (a message without a time otherwise takes the time of
// the newest message before it). A clock that returns the zero time leaves
// such events untimed, for the store to place.
func WithClock(now func() time.Time) Option {
	return func(p *Parser) {
		if now != nil {
			p.now = now
		}
	}
}

// WithMaxStreams bounds the log streams tracked for attribution.
func WithMaxStreams(n int) Option { return func(p *Parser) { p.maxStreams = n } }

// WithMaxPending bounds the failure lines remembered while they wait for the
// REPORT of their request.
func WithMaxPending(n int) Option { return func(p *Parser) { p.maxPending = n } }

// WithMaxRecent bounds the reported requests remembered so that a failure
// line arriving after its REPORT can amend it.
func WithMaxRecent(n int) Option { return func(p *Parser) { p.maxRecent = n } }

// WithMaxFunctions bounds the functions whose configuration (memory size,
// runtime) is remembered to emit KindMeta only on change.
func WithMaxFunctions(n int) Option { return func(p *Parser) { p.maxFunctions = n } }

// WithMaxLineBytes sets the longest message parsed; longer ones are counted
// as skipped ("line too long") and logged cut to that length.
func WithMaxLineBytes(n int) Option { return func(p *Parser) { p.maxLine = n } }

// WithLogs(false) makes Feed emit no model.KindLog but for the lines error
// signatures are made of (model.LogLine.Signed): it returns only what a
// message says beyond its own presence (invocations, amendments, init
// phases, metadata, skipped counts), and the caller, which learns from
// Line where in time the message was, accounts for the line itself (a
// headless reader, which never shows log text, makes a model.KindSeen of
// it). Every other event is unchanged.
func WithLogs(logs bool) Option { return func(p *Parser) { p.noLogs = !logs } }

// Parser turns Lambda log messages into model events, keeping the bounded
// state that attribution and failure correlation need. It is not safe for
// concurrent use: use one per source goroutine.
type Parser struct {
	now          func() time.Time
	last         time.Time // newest time a message carried
	maxStreams   int
	maxPending   int
	maxRecent    int
	maxFunctions int
	maxLine      int
	noLogs       bool

	streams clockMap[streamKey, streamState]
	pending clockMap[idKey, failure]
	recent  clockMap[idKey, reported]
	funcs   clockMap[string, funcMeta]

	// A one-entry cache of the last stream, the common case of a batch.
	lastStream streamKey
	lastIdx    int32
	lastOK     bool
	// The function and memory size of the last report, to skip the meta
	// lookup when nothing changed.
	lastMetaFn  string
	lastMetaMem int

	// The time Feed gave the last message, and whether it read one.
	line   time.Time
	lineOK bool

	skipped int64
}

// streamKey names one execution environment of one function.
type streamKey struct{ function, stream string }

// streamState is what attribution needs to know of a stream.
type streamState struct {
	current  string // request ID of the last START
	version  string // its function version
	active   bool   // between that START and its END or REPORT
	initType string // initializationType of the last init, when known
}

// reported is what is kept of a REPORT to correlate a late failure line.
type reported struct {
	time            time.Time
	kind            model.ErrorKind
	status          string
	errType         string
	maxMem, memSize int
	durationMs      float64
	billedMs        float64
	amended         bool
}

// funcMeta is the configuration last announced for a function.
type funcMeta struct {
	key      string // the function, as kept in the map
	memoryMB int
	runtime  string
	region   string
}

// failure is what a runtime failure line says about its request.
type failure struct {
	kind    model.ErrorKind
	errType string
	msg     string
}

// idKey is a request ID as a fixed-size map key, so that the correlation
// maps neither allocate nor keep the messages the IDs were cut from. IDs
// longer than the array (request IDs are 36-byte UUIDs) keep a prefix and a
// hash of the whole.
type idKey struct {
	n uint8
	b [47]byte
}

func keyOf(id string) idKey {
	var k idKey
	if len(id) <= len(k.b) {
		k.n = uint8(copy(k.b[:], id))
		return k
	}
	copy(k.b[:39], id)
	sum := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(id); i++ {
		sum ^= uint64(id[i])
		sum *= 1099511628211
	}
	for i := range 8 {
		k.b[39+i] = byte(sum >> (8 * i))
	}
	k.n = 255
	return k
}

// NewParser returns a Parser with the default limits and the wall clock,
// changed by opts.
func NewParser(opts ...Option) *Parser {
	p := &Parser{
		now:          time.Now,
		maxStreams:   DefaultMaxStreams,
		maxPending:   DefaultMaxPending,
		maxRecent:    DefaultMaxRecent,
		maxFunctions: DefaultMaxFunctions,
		maxLine:      DefaultMaxLineBytes,
	}
	for _, o := range opts {
		o(p)
	}
	if p.maxLine < 1 {
		p.maxLine = DefaultMaxLineBytes
	}
	seed := maphash.MakeSeed()
	p.streams = newClockMap[streamKey, streamState](p.maxStreams, hashStream(seed))
	p.pending = newClockMap[idKey, failure](p.maxPending, hashID(seed))
	p.recent = newClockMap[idKey, reported](p.maxRecent, hashID(seed))
	p.funcs = newClockMap[string, funcMeta](p.maxFunctions, hashString(seed))
	return p
}

// Skipped returns how many messages were counted as skipped (each also
// emitted as a model.KindSkipped event): malformed reports and lines over
// the length limit.
func (p *Parser) Skipped() int64 { return p.skipped }

// Skip reasons.
const (
	ReasonMalformedReport     = "malformed REPORT"
	ReasonMalformedJSONReport = "malformed platform.report"
	ReasonLineTooLong         = "line too long"
)

// Feed parses one message and appends the resulting events to out,
// returning it:
//
//   - a KindLog for every non-empty message (unless WithLogs(false)),
//     attributed to the request it names or else to the invocation in
//     progress in its stream;
//   - a KindInvocation for each valid REPORT or platform.report, with the
//     START's version and any failure lines that came before it;
//   - a KindAmend when a failure line after the REPORT changes its error
//     kind (at most one per request);
//   - a KindInit for INIT_REPORT/platform.initReport and for failed restores;
//   - a KindMeta when a function's memory size, runtime or region changes;
//   - a KindSkipped for report-like lines that do not parse and for lines
//     over the length limit.
func (p *Parser) Feed(in Input, out []model.Event) []model.Event {
	msg := trimEOL(in.Message)
	p.lineOK = msg != ""
	if msg == "" {
		return out
	}
	st := p.stream(in.Function, in.Stream)
	if len(msg) > p.maxLine {
		t := in.Time
		if t.IsZero() {
			t = p.now()
		}
		p.skipped++
		p.line = t
		var e *model.Event
		out, e = push(out, model.KindSkipped, &in, t)
		e.Skipped = model.Skipped{Count: 1, Reason: ReasonLineTooLong}
		if p.noLogs {
			return out
		}
		out, e = push(out, model.KindLog, &in, t)
		e.Log = model.LogLine{Stream: in.Stream, Kind: model.LinePlain, Message: clip(msg, p.maxLine)}
		if st.active {
			e.Log.RequestID = st.current
		}
		return out
	}

	var r Record
	parseInto(msg, &r)
	t := in.Time
	if t.IsZero() {
		t = r.Time
	}
	switch {
	case !t.IsZero():
		p.last = t
	case !p.last.IsZero():
		// Platform lines of raw output carry no time: they happened
		// right after the newest line that did.
		t = p.last
	default:
		t = p.now()
	}
	if r.Type == RecordInitStart || r.Type == RecordRestoreStart {
		// A new environment (or a restored one): nothing is in progress.
		st.active = false
	}
	id := r.RequestID
	if id == "" && st.active {
		id = st.current
	}
	p.line = t
	var e *model.Event
	if line := (model.LogLine{Stream: in.Stream, RequestID: id, Level: r.Level, Kind: r.Line, Message: msg}); !p.noLogs || line.Signed() {
		out, e = push(out, model.KindLog, &in, t)
		e.Log = line
	}

	switch r.Type {
	case RecordStart:
		if r.RequestID != "" {
			st.current = strings.Clone(r.RequestID)
			st.version = internVersion(r.Version)
			st.active = true
		}
	case RecordEnd:
		if st.active && r.RequestID == st.current {
			st.active = false
		}
	case RecordReport:
		out = p.report(&in, t, &r, st, out)
	case RecordMalformedReport:
		if st.active && r.RequestID == st.current {
			st.active = false
		}
		reason := ReasonMalformedReport
		if r.JSON || strings.HasPrefix(r.Problem, "invalid JSON") {
			reason = ReasonMalformedJSONReport
		}
		p.skipped++
		out, e = push(out, model.KindSkipped, &in, t)
		e.Skipped = model.Skipped{Count: 1, Reason: reason}
	case RecordInitStart, RecordRestoreStart:
		st.initType = internInitType(r.InitType)
		if r.Type == RecordRestoreStart {
			st.initType = "snap-start"
		}
		out = p.meta(&in, t, r.Metrics.MemorySizeMB, RuntimeID(r.Runtime), regionOf(r.RuntimeARN), out)
	case RecordInitReport:
		if r.Problem == "" {
			typ := internInitType(r.InitType)
			if typ == "" {
				typ = st.initType
			}
			phase := r.Phase
			if phase == "" {
				phase = "init"
			}
			out, e = push(out, model.KindInit, &in, t)
			e.Init = model.InitPhase{Stream: in.Stream, DurationMs: r.Metrics.InitDurationMs, Phase: phase,
				Status: statusOrSuccess(r.Status), ErrorType: r.ErrorType, Type: typ}
		}
	case RecordRestoreReport:
		// A successful restore shows on the invocation's REPORT (Restore
		// Duration); only a failed one stands alone.
		if r.Problem == "" && r.Status != "" {
			out, e = push(out, model.KindInit, &in, t)
			e.Init = model.InitPhase{Stream: in.Stream, DurationMs: r.Metrics.RestoreDurationMs, Phase: "restore",
				Status: r.Status, ErrorType: r.ErrorType, Type: "snap-start"}
		}
	case RecordTimeout, RecordRuntimeError, RecordInvokeError, RecordRuntimeDone:
		if f := failureOf(&r); f.kind != model.ErrNone && id != "" {
			out = p.fail(&in, t, id, f, out)
		}
	}
	return out
}

// Skip accounts for a line that the caller read but does not feed: an
// application log line (Node.js or Python text format) below ERROR level,
// with in.Time set, which Feed would turn into one KindLog at in.Time and
// nothing else. The parser's clock and the line's stream move as Feed
// would move them, so the lines that follow are read as if it had been
// fed.
func (p *Parser) Skip(in Input) {
	p.stream(in.Function, in.Stream)
	if !in.Time.IsZero() {
		p.last = in.Time
	}
}

// Line returns the time the last call of Feed placed its message at (the
// time of its KindLog, with logs), and false if that call read no message
// (an empty one).
func (p *Parser) Line() (time.Time, bool) { return p.line, p.lineOK }

// stream returns the state of a function's log stream, creating it.
func (p *Parser) stream(function, stream string) *streamState {
	k := streamKey{function, stream}
	if p.lastOK && k == p.lastStream {
		s := p.streams.slot(p.lastIdx)
		s.ref = true
		return &s.val
	}
	i := p.streams.slotOf(k)
	if i < 0 {
		k = streamKey{strings.Clone(function), strings.Clone(stream)}
		i, _ = p.streams.putSlot(k)
	}
	s := p.streams.slot(i)
	s.ref = true
	p.lastStream, p.lastIdx, p.lastOK = k, i, true
	return &s.val
}

// report turns a parsed REPORT into an invocation.
func (p *Parser) report(in *Input, t time.Time, r *Record, st *streamState, out []model.Event) []model.Event {
	m := &r.Metrics
	key := keyOf(r.RequestID)
	rec, existed := p.recent.put(key)
	if existed && rec.time.Equal(t) && rec.durationMs == m.DurationMs && rec.billedMs == m.BilledMs {
		// The same REPORT delivered twice (an overlapping poll): count it
		// once. A retry of the request has its own time and duration.
		return out
	}
	version, id := "", r.RequestID
	if id == st.current {
		// The START's copy of the ID: the message's own is not kept.
		version, id = st.version, st.current
		st.active = false
	}
	var f failure
	if p.pending.len() > 0 {
		if pf := p.pending.get(key); pf != nil {
			f = *pf
			p.pending.del(key)
		}
	}
	kind := classify(r.Status, r.ErrorType, m.MaxMemoryUsedMB, m.MemorySizeMB, f)
	errType := r.ErrorType
	if errType == "" {
		errType = f.errType
	}
	*rec = reported{time: t, kind: kind, status: internStatus(r.Status), errType: internErrorType(errType),
		maxMem: m.MaxMemoryUsedMB, memSize: m.MemorySizeMB, durationMs: m.DurationMs, billedMs: m.BilledMs}

	out = p.meta(in, t, m.MemorySizeMB, "", "", out)
	out, e := push(out, model.KindInvocation, in, t)
	e.Invocation = model.Invocation{
		RequestID:         id,
		Stream:            in.Stream,
		Version:           version,
		DurationMs:        m.DurationMs,
		BilledMs:          m.BilledMs,
		MemorySizeMB:      m.MemorySizeMB,
		MaxMemoryUsedMB:   m.MaxMemoryUsedMB,
		InitDurationMs:    m.InitDurationMs,
		RestoreDurationMs: m.RestoreDurationMs,
		BilledRestoreMs:   m.BilledRestoreMs,
		Error:             kind,
		Status:            r.Status,
		ErrorType:         errType,
		ErrorMessage:      f.msg,
		TraceID:           r.TraceID,
	}
	return out
}

// fail correlates a failure line with the report of its request: it amends
// a report already seen, or waits for the report.
func (p *Parser) fail(in *Input, t time.Time, id string, f failure, out []model.Event) []model.Event {
	key := keyOf(id)
	if rep := p.recent.get(key); rep != nil {
		if rep.amended {
			return out
		}
		// An amendment only makes the classification more specific: a
		// runtime exit logged after a timeout does not undo the timeout.
		kind := classify(rep.status, rep.errType, rep.maxMem, rep.memSize, f)
		if Rank(kind) <= Rank(rep.kind) {
			return out
		}
		errType := rep.errType
		if errType == "" {
			errType = f.errType
		}
		var e *model.Event
		out, e = push(out, model.KindAmend, in, t)
		e.Amend = model.Amend{RequestID: id, InvocationTime: rep.time, Prev: rep.kind, Error: kind,
			ErrorType: errType, ErrorMessage: f.msg}
		rep.kind, rep.amended = kind, true
		return out
	}
	f.errType = internErrorType(f.errType)
	f.msg = strings.Clone(f.msg)
	pf, existed := p.pending.put(key)
	if !existed || Rank(f.kind) > Rank(pf.kind) {
		if existed && f.msg == "" {
			f.msg = pf.msg
		}
		if existed && f.errType == "" {
			f.errType = pf.errType
		}
		*pf = f
	} else if pf.errType == "" {
		pf.errType = f.errType
	}
	return out
}

// meta emits a KindMeta when a function's memory size, runtime or region
// differs from what was last announced. Zero values change nothing.
func (p *Parser) meta(in *Input, t time.Time, memoryMB int, runtime, region string, out []model.Event) []model.Event {
	if in.Function == "" || (memoryMB <= 0 && runtime == "" && region == "") {
		return out
	}
	if runtime == "" && region == "" && memoryMB == p.lastMetaMem && in.Function == p.lastMetaFn {
		return out // the common case: the same function's next report
	}
	fm := p.funcs.get(in.Function)
	if fm == nil {
		key := strings.Clone(in.Function)
		fm, _ = p.funcs.put(key)
		fm.key = key
	}
	var ev model.FunctionMeta
	changed := false
	if memoryMB > 0 && memoryMB != fm.memoryMB {
		fm.memoryMB, ev.MemorySizeMB, changed = memoryMB, memoryMB, true
	}
	if runtime != "" && runtime != fm.runtime {
		fm.runtime = strings.Clone(runtime)
		ev.Runtime, changed = fm.runtime, true
	}
	if region != "" && region != fm.region {
		fm.region = strings.Clone(region)
		ev.Region, changed = fm.region, true
	}
	p.lastMetaFn, p.lastMetaMem = fm.key, fm.memoryMB
	if !changed {
		return out
	}
	out, e := push(out, model.KindMeta, in, t)
	e.Meta = ev
	return out
}

// failureOf says what a failure record states.
func failureOf(r *Record) failure {
	f := failure{errType: r.ErrorType, msg: r.ErrorMessage}
	oom := r.ErrorType == "Runtime.OutOfMemory"
	switch r.Type {
	case RecordTimeout:
		f.kind = model.ErrTimeout
	case RecordRuntimeError:
		oom = oom || saysOutOfMemory(r.ErrorType) || saysOutOfMemory(r.ErrorMessage)
		if r.ErrorType == "Runtime.ExitError" || strings.Contains(r.ErrorMessage, "Runtime exited") {
			f.kind = model.ErrRuntimeExit
		} else {
			f.kind = model.ErrFunction
		}
	case RecordInvokeError:
		f.kind = model.ErrFunction
	case RecordRuntimeDone:
		switch r.Status {
		case "":
			return failure{}
		case "timeout":
			f.kind = model.ErrTimeout
		default:
			if r.ErrorType == "Runtime.ExitError" {
				f.kind = model.ErrRuntimeExit
			} else {
				f.kind = model.ErrFunction
			}
		}
	default:
		return failure{}
	}
	if oom {
		f.kind = model.ErrOutOfMemory
	}
	return f
}

// saysOutOfMemory reports whether an error type or message names an
// out-of-memory condition ("Runtime.OutOfMemory", "java.lang.OutOfMemoryError",
// "JavaScript heap out of memory").
func saysOutOfMemory(s string) bool {
	return strings.Contains(s, "OutOfMemory") || containsFold(s, "out of memory")
}

// classify decides an invocation's error kind from its report (status,
// error type, memory) and the failure lines that named it, most specific
// kind first. A runtime exit, or a bare error status, with Max Memory Used
// at the memory size is counted as out of memory; a timeout stays a timeout.
func classify(status, errType string, maxMem, memSize int, f failure) model.ErrorKind {
	if errType == "Runtime.OutOfMemory" || f.kind == model.ErrOutOfMemory {
		return model.ErrOutOfMemory
	}
	if status == "timeout" || f.kind == model.ErrTimeout {
		return model.ErrTimeout
	}
	full := memSize > 0 && maxMem >= memSize
	if errType == "Runtime.ExitError" || f.kind == model.ErrRuntimeExit {
		if full {
			return model.ErrOutOfMemory
		}
		return model.ErrRuntimeExit
	}
	if status != "" {
		if full && (errType == "" || errType == "Runtime.Unknown") && f.kind == model.ErrNone {
			return model.ErrOutOfMemory
		}
		return model.ErrFunction
	}
	if f.kind == model.ErrFunction {
		return model.ErrFunction
	}
	return model.ErrNone
}

// Rank orders failure kinds by how much they say: a failure of a higher
// rank changes the kind of an invocation already classified. Sources that
// count failures themselves (Logs Insights rows) use the same order.
func Rank(k model.ErrorKind) int {
	switch k {
	case model.ErrOutOfMemory:
		return 4
	case model.ErrTimeout:
		return 3
	case model.ErrRuntimeExit:
		return 2
	case model.ErrFunction:
		return 1
	}
	return 0
}

func statusOrSuccess(s string) string {
	if s == "" {
		return "success"
	}
	return s
}

// regionOf returns the region of an ARN ("arn:aws:lambda:us-east-1::...").
func regionOf(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	rest := arn[len("arn:"):]
	for range 2 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// The intern helpers return constants for common values and copies of the
// rest, so that state kept across messages does not pin message buffers.

func internVersion(v string) string {
	if v == "$LATEST" {
		return "$LATEST"
	}
	return strings.Clone(v)
}

func internInitType(v string) string {
	switch v {
	case "":
		return ""
	case "on-demand":
		return "on-demand"
	case "provisioned-concurrency":
		return "provisioned-concurrency"
	case "snap-start":
		return "snap-start"
	}
	return strings.Clone(v)
}

func internStatus(v string) string {
	switch v {
	case "", "timeout", "error", "failure":
		return normStatus(v)
	}
	return strings.Clone(v)
}

func internErrorType(v string) string {
	switch v {
	case "":
		return ""
	case "Runtime.ExitError":
		return "Runtime.ExitError"
	case "Runtime.OutOfMemory":
		return "Runtime.OutOfMemory"
	case "Runtime.Unknown":
		return "Runtime.Unknown"
	}
	return strings.Clone(v)
}

// push appends a zero event with its header set and returns a pointer to it,
// so that the large Event is filled in place rather than copied.
func push(out []model.Event, kind model.Kind, in *Input, t time.Time) ([]model.Event, *model.Event) {
	if n := len(out); n < cap(out) {
		out = out[:n+1]
		out[n] = model.Event{}
	} else {
		out = append(out, model.Event{})
	}
	e := &out[len(out)-1]
	e.Kind, e.Source, e.Function, e.Time = kind, in.Source, in.Function, t
	return out, e
}

// RuntimeID turns the runtime version a log prints ("nodejs:22.v58",
// "python:3.13.v31", "provided:al2023.v94", "java:21.v40") into the runtime
// identifier the Lambda API and consoles use ("nodejs22.x", "python3.13",
// "provided.al2023", "java21"), so that both name a runtime the same way.
// Anything it does not recognise is returned unchanged.
func RuntimeID(v string) string {
	name, ver, ok := strings.Cut(v, ":")
	if !ok {
		return v
	}
	if i := strings.Index(ver, ".v"); i >= 0 {
		ver = ver[:i]
	}
	switch name {
	case "nodejs": // "22", or "22.mainline" on newer images
		major, _, _ := strings.Cut(ver, ".")
		return "nodejs" + major + ".x"
	case "provided":
		return "provided." + ver
	case "python", "java", "dotnet", "ruby":
		return name + ver
	}
	return v
}
