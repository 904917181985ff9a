// Package model owns fntop's state: the normalized events that sources emit,
// per-function aggregation over time, bounded log buffers, source health, the
// cost model, and the immutable snapshots that readers (the UI and the
// headless commands) render.
//
// Data flows one way: sources -> model -> tui. The model does no I/O and
// imports neither sources nor tui.
package model

import "time"

// Sink receives events from sources. Store implements it; tests use a
// recording sink. Ingest must be safe for concurrent use and must not keep
// the slice after it returns.
type Sink interface {
	Ingest(events ...Event)
}

// Kind says which payload of an Event is set.
type Kind uint8

// Event kinds.
const (
	// KindInvocation is one finished invocation (a REPORT line or a JSON
	// platform.report record): Invocation is set.
	KindInvocation Kind = iota + 1
	// KindAmend changes the outcome of an invocation that was already
	// ingested: a runtime failure line ("Task timed out", "Runtime.ExitError",
	// "Invoke Error") that arrived after the REPORT of its request. Amend is
	// set. Sources emit at most one amendment per request and only when it
	// changes the error kind, so the store never counts an invocation twice.
	KindAmend
	// KindLog is one log line, platform or application: Log is set.
	KindLog
	// KindAggregate carries pre-aggregated counts for a time bucket, for
	// sources that see metrics rather than single invocations (throttles,
	// Prometheus counters, CloudWatch Logs Insights stats): Aggregate is set.
	KindAggregate
	// KindMeta describes a function's configuration (memory, architecture,
	// region, runtime, timeout): Meta is set. Zero fields leave the known
	// value unchanged.
	KindMeta
	// KindStatus is a source's health: Status is set; Function is empty.
	KindStatus
	// KindSkipped counts input a source could not understand: Skipped is set.
	KindSkipped
	// KindInit is an init phase that is not attached to an invocation
	// (INIT_REPORT with a failed status, or a provisioned-concurrency init):
	// Init is set.
	KindInit
	// KindSeen stands for log lines that a source read but did not pass on
	// as KindLog events (a headless snapshot prints no log text): lines of
	// Function at Time and, when Seen.Last is set, up to Seen.Last. The
	// store treats it as it treats those lines, except that it keeps no
	// text: the function becomes known and the time bounds move.
	KindSeen
)

// String names the kind for messages and tests.
func (k Kind) String() string {
	switch k {
	case KindInvocation:
		return "invocation"
	case KindAmend:
		return "amend"
	case KindLog:
		return "log"
	case KindAggregate:
		return "aggregate"
	case KindMeta:
		return "meta"
	case KindStatus:
		return "status"
	case KindSkipped:
		return "skipped"
	case KindInit:
		return "init"
	case KindSeen:
		return "seen"
	}
	return "unknown"
}

// Event is one normalized observation. Exactly the payload named by Kind is
// meaningful. Events are plain values so that batches move without
// allocation.
type Event struct {
	Kind Kind
	// Source names the source that produced the event ("demo", "file:x.log",
	// "aws:us-east-1").
	Source string
	// Function is the function's name; empty for KindStatus and for
	// KindSkipped input that named no function.
	Function string
	// Time is when it happened (event timestamp, not arrival time).
	Time time.Time

	Invocation Invocation
	Amend      Amend
	Log        LogLine
	Aggregate  Aggregate
	Meta       FunctionMeta
	Status     SourceStatus
	Skipped    Skipped
	Init       InitPhase
	Seen       Seen
}

// ErrorKind classifies a failed invocation. ErrNone means success.
type ErrorKind uint8

// Error kinds, from the most specific to the most generic.
const (
	ErrNone ErrorKind = iota
	// ErrTimeout: Status: timeout, JSON status timeout, or "Task timed out".
	ErrTimeout
	// ErrOutOfMemory: Runtime.OutOfMemory, or an error with max memory used
	// equal to the memory size.
	ErrOutOfMemory
	// ErrRuntimeExit: the runtime process died (Runtime.ExitError,
	// "Runtime exited with error").
	ErrRuntimeExit
	// ErrFunction: any other failure (Status: error, JSON error/failure, a
	// Node.js "Invoke Error", an unhandled exception).
	ErrFunction
)

// String names the kind as it appears in JSON and in the UI.
func (e ErrorKind) String() string {
	switch e {
	case ErrNone:
		return "none"
	case ErrTimeout:
		return "timeout"
	case ErrOutOfMemory:
		return "out_of_memory"
	case ErrRuntimeExit:
		return "runtime_exit"
	case ErrFunction:
		return "function_error"
	}
	return "unknown"
}

// Invocation is one finished invocation as its platform report describes it.
// Durations are in milliseconds as Lambda prints them.
type Invocation struct {
	RequestID string
	Stream    string // log stream (one execution environment)
	Version   string // function version from START, when known

	DurationMs      float64
	BilledMs        float64 // as AWS computed it; includes billed init/restore
	MemorySizeMB    int
	MaxMemoryUsedMB int
	// InitDurationMs > 0 marks a cold start.
	InitDurationMs float64
	// RestoreDurationMs > 0 marks a SnapStart restore (also a cold start,
	// counted apart).
	RestoreDurationMs float64
	BilledRestoreMs   float64

	Error     ErrorKind
	Status    string // report status as printed ("timeout", "error"), empty for success
	ErrorType string // "Runtime.ExitError", "Runtime.OutOfMemory", ...
	// ErrorMessage is the failure line that named this request, if any
	// ("Task timed out after 3.00 seconds", "Runtime exited with error: ...").
	ErrorMessage string
	TraceID      string // X-Ray trace ID when present
}

// Cold reports whether the invocation started a fresh environment.
func (i *Invocation) Cold() bool { return i.InitDurationMs > 0 || i.RestoreDurationMs > 0 }

// Amend reclassifies an invocation already ingested. InvocationTime is the
// time of the original invocation event (so the change lands in the right
// time bucket); Prev is the error kind it was ingested with.
type Amend struct {
	RequestID      string
	InvocationTime time.Time
	Prev           ErrorKind
	Error          ErrorKind
	ErrorType      string
	ErrorMessage   string
}

// Seen is the extent of the log lines a KindSeen event stands for: the
// newest of them was at Last (zero when there was only one, at the event's
// Time). Sources merge runs of lines only when every line has a time.
type Seen struct {
	Last time.Time
}

// Level of a log line. LevelNone for platform and unrecognised lines.
type Level uint8

// Log levels, ordered by severity.
const (
	LevelNone Level = iota
	LevelTrace
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
	LevelFatal
)

// String is the upper-case name as runtimes print it ("" for LevelNone).
func (l Level) String() string {
	switch l {
	case LevelTrace:
		return "TRACE"
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	case LevelFatal:
		return "FATAL"
	}
	return ""
}

// LineKind says what produced a log line.
type LineKind uint8

// Line kinds.
const (
	LinePlain     LineKind = iota // unrecognised text
	LinePlatform                  // START, END, REPORT, INIT_*, RESTORE_*, platform.* JSON
	LineApp                       // runtime application log (Node, Python, JSON app lines)
	LineFailure                   // runtime failure line (timeout, runtime exit, Invoke Error)
	LineExtension                 // TELEMETRY, EXTENSION and extension output
)

// LogLine is one log message, attributed to a function and, where known, to
// a request. Message is the raw text (it may contain control characters:
// renderers must make them visible, never send them to a terminal).
type LogLine struct {
	Stream    string
	RequestID string
	Level     Level
	Kind      LineKind
	Message   string
}

// Signed reports whether the line is counted under an error signature: an
// application or plain line at ERROR level or above. Failure and platform
// lines are not: the invocations they belong to are counted instead.
// Sources that drop log text (headless snapshots) still pass such lines on.
func (l *LogLine) Signed() bool {
	return l.Level >= LevelError && l.Kind != LineFailure && l.Kind != LinePlatform
}

// Aggregate is a pre-aggregated bucket from a metric-shaped source. Counts
// are increments over [Time, Time+Span). Has* fields say which figures the
// source knows; unknown figures stay unavailable (null), not zero.
type Aggregate struct {
	Span time.Duration

	Invocations int64
	Errors      int64
	Timeouts    int64
	ColdStarts  int64
	Throttles   int64

	HasInvocations bool
	HasErrors      bool
	HasTimeouts    bool
	HasColdStarts  bool
	HasThrottles   bool

	// Optional duration summary for the bucket (milliseconds); Count 0 means
	// none.
	Duration DurationSummary
	BilledMs float64
	// GBSeconds, when > 0, is the compute the bucket used.
	GBSeconds float64
}

// DurationSummary is a small summary of durations (milliseconds) for
// sources that cannot give every value.
type DurationSummary struct {
	Count         int64
	Sum, Max      float64
	P50, P90, P99 float64
}

// Arch is a function's instruction set architecture.
type Arch string

// Architectures Lambda prices differently.
const (
	ArchUnknown Arch = ""
	ArchX86     Arch = "x86_64"
	ArchARM     Arch = "arm64"
)

// Platforms: where a function runs. Only AWS Lambda functions are priced.
const (
	PlatformLambda = "aws-lambda"
)

// FunctionMeta is configuration a source knows about a function.
type FunctionMeta struct {
	Region       string
	Account      string
	Arch         Arch
	Runtime      string
	MemorySizeMB int
	TimeoutMs    float64
	Version      string
	// Platform is where the function runs ("" is AWS Lambda, the
	// default; "openfaas", "knative", ...). Functions off Lambda have no
	// price table: their cost is unavailable (null), not zero.
	Platform string
	// Replicas is the number of running instances when ReplicasKnown (a
	// gauge of the platform; zero is a real value: scaled to zero).
	Replicas      int
	ReplicasKnown bool
	// ReservedConcurrency caps the function's concurrent executions when
	// ReservedConcurrencyKnown (AWS reserved concurrency).
	ReservedConcurrency      int
	ReservedConcurrencyKnown bool
}

// SourceState is a source's health.
type SourceState string

// Source states, from good to bad.
const (
	StateStarting    SourceState = "starting"
	StateBackfilling SourceState = "backfilling"
	StateOK          SourceState = "ok"
	StateLagging     SourceState = "lagging"
	StateThrottled   SourceState = "throttled"
	StateFailing     SourceState = "failing"
	StateDone        SourceState = "done" // a finite input was read to its end
)

// SourceStatus is what a source says of itself.
type SourceStatus struct {
	Name      string
	State     SourceState
	LastError string
	// Detail is a short human text ("backfilling 12/40 groups", "retrying in 4s").
	Detail string
	// Lag is how far behind real time the newest data is, when known.
	Lag time.Duration
	// Updated is when the source last received data successfully.
	Updated time.Time
}

// Skipped counts input that was not understood. Reason is short and stable
// ("malformed REPORT", "invalid JSON", "line too long").
type Skipped struct {
	Count  int64
	Reason string
}

// InitPhase is an init phase outside an invocation's report.
type InitPhase struct {
	Stream     string
	DurationMs float64
	Phase      string // "init" | "invoke"
	Status     string // "success" | "error" | "timeout"
	ErrorType  string
	// Type is "on-demand", "provisioned-concurrency" or "snap-start" when
	// known.
	Type string
}
