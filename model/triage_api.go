package model

import "time"

// The types of this file are what the store keeps for triage: configuration
// changes (deploy markers), error signatures and recent invocations. The
// analysis built on them (baselines, anomaly flags, ranking, reports) lives
// in model/triage.

// Change is one change of a function's configuration that a source
// reported: a new version (a deploy), another memory size, timeout or
// reserved concurrency, or another number of replicas. A value learnt for
// the first time is not a change.
type Change struct {
	Time     time.Time `json:"time"`
	Function string    `json:"function"`
	Source   string    `json:"source"`
	// Field is what changed: one of the Change* constants.
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Fields of a Change.
const (
	ChangeVersion     = "version"
	ChangeMemory      = "memory_mb"
	ChangeTimeout     = "timeout_ms"
	ChangeConcurrency = "reserved_concurrency"
	ChangeReplicas    = "replicas"
	ChangeRuntime     = "runtime"
	ChangeArch        = "architecture"
)

// Signature is one kind of failure of one function: the failed invocations
// (or error log lines) whose normalised message is the same. Counts are
// over the snapshot's window.
type Signature struct {
	Function string `json:"function"`
	// ID is a short stable hash of Function, Kind and Text (hex), for
	// references ("sig 3f2a9c01").
	ID string `json:"id"`
	// Kind is the error kind of the invocations ("timeout",
	// "out_of_memory", "runtime_exit", "function_error") or "log" for
	// application log lines at ERROR level or above.
	Kind string `json:"kind"`
	// ErrorType is the runtime's error type when known
	// ("Runtime.ExitError", "TypeError").
	ErrorType string `json:"error_type,omitempty"`
	// Text is the normalised message (see Fingerprint).
	Text  string `json:"text"`
	Count int64  `json:"count"`
	// FirstSeen and LastSeen bound every occurrence the store knows of,
	// in or before the window.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// New is true when the signature first occurred inside the window
	// while the store holds history from before the window (otherwise
	// nothing can be said to be new).
	New bool `json:"new"`
	// Example is the latest occurrence: its request (when known), time
	// and raw message, bounded in size.
	Example SignatureExample `json:"example"`
}

// SignatureExample is one occurrence of a signature.
type SignatureExample struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id,omitempty"`
	Stream    string    `json:"stream,omitempty"`
	Message   string    `json:"message"`
}

// InvocationRecord is one invocation the store remembers whole, for the
// invocation view: its report figures and where it ran.
type InvocationRecord struct {
	Time     time.Time
	Function string
	Source   string
	Invocation
}
