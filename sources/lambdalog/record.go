package lambdalog

import (
	"strings"
	"time"

	"github.com/fntop/fntop/model"
)

// RecordType says what one message is.
type RecordType uint8

// Record types.
const (
	// RecordPlain is text no rule recognised.
	RecordPlain RecordType = iota
	// RecordApp is a runtime application line (Node.js, Python, JSON).
	RecordApp
	// RecordExtension is a TELEMETRY/EXTENSION/LOGS platform line or
	// extension output.
	RecordExtension
	// RecordStart is START or platform.start.
	RecordStart
	// RecordEnd is END or platform.end.
	RecordEnd
	// RecordReport is REPORT or platform.report: Metrics are set.
	RecordReport
	// RecordInitStart is INIT_START or platform.initStart.
	RecordInitStart
	// RecordInitReport is INIT_REPORT or platform.initReport.
	RecordInitReport
	// RecordRestoreStart is RESTORE_START or platform.restoreStart.
	RecordRestoreStart
	// RecordRestoreReport is RESTORE_REPORT or platform.restoreReport.
	RecordRestoreReport
	// RecordTimeout is "<time> <id> Task timed out after N.NN seconds".
	RecordTimeout
	// RecordRuntimeError is "RequestId: <id> Error: <message>" with the
	// "Runtime.<Type>" line that follows it, or a bare "Runtime.<Type>" line.
	RecordRuntimeError
	// RecordInvokeError is a Node.js "Invoke Error" line.
	RecordInvokeError
	// RecordRuntimeDone is a JSON platform.runtimeDone event.
	RecordRuntimeDone
	// RecordPlatformOther is any other JSON platform.* event.
	RecordPlatformOther
	// RecordMalformedReport looks like a REPORT or platform.report but does
	// not parse; Problem says why.
	RecordMalformedReport
)

var recordTypeNames = [...]string{
	RecordPlain:           "plain",
	RecordApp:             "app",
	RecordExtension:       "extension",
	RecordStart:           "start",
	RecordEnd:             "end",
	RecordReport:          "report",
	RecordInitStart:       "init_start",
	RecordInitReport:      "init_report",
	RecordRestoreStart:    "restore_start",
	RecordRestoreReport:   "restore_report",
	RecordTimeout:         "timeout",
	RecordRuntimeError:    "runtime_error",
	RecordInvokeError:     "invoke_error",
	RecordRuntimeDone:     "runtime_done",
	RecordPlatformOther:   "platform_other",
	RecordMalformedReport: "malformed_report",
}

// String names the type for messages and tests.
func (t RecordType) String() string {
	if int(t) < len(recordTypeNames) {
		return recordTypeNames[t]
	}
	return "unknown"
}

// Metrics are the figures of a REPORT, INIT_REPORT, RESTORE_REPORT or
// platform.runtimeDone, in the units Lambda prints (milliseconds, MB).
type Metrics struct {
	DurationMs        float64
	BilledMs          float64
	MemorySizeMB      int
	MaxMemoryUsedMB   int
	InitDurationMs    float64
	RestoreDurationMs float64
	BilledRestoreMs   float64
}

// Record is what one message says on its own. Strings are substrings of the
// message (or, rarely, unescaped copies of JSON strings).
type Record struct {
	Type RecordType
	// Line and Level are what a log view shows for the message.
	Line  model.LineKind
	Level model.Level
	// JSON is set for messages in the JSON log format.
	JSON bool
	// RequestID is the request the message names; empty when it names none
	// (Node.js prints "undefined" during init: that is empty too).
	RequestID string
	// Time is the timestamp inside the message; zero when it has none.
	Time time.Time
	// Version is the function version of a START.
	Version string
	// Metrics of reports and runtimeDone.
	Metrics Metrics
	// Status is the platform status as printed, empty for success (JSON
	// "success" is empty too).
	Status string
	// ErrorType is the platform's Error Type, or the exception type of a
	// failure line ("Runtime.ExitError", "TypeError").
	ErrorType string
	// ErrorMessage is the failure a failure line states ("Task timed out
	// after 3.00 seconds", "Runtime exited with error: exit status 137").
	ErrorMessage string
	// TraceID is the X-Ray trace ID (the Root of a JSON tracing value).
	TraceID string
	// Phase of an INIT_REPORT ("init", "invoke") or JSON init event.
	Phase string
	// InitType is the JSON initializationType ("on-demand",
	// "provisioned-concurrency", "snap-start").
	InitType string
	// Runtime and RuntimeARN of INIT_START/RESTORE_START ("python:3.9.v64").
	Runtime    string
	RuntimeARN string
	// Body is the text after a recognised application prefix (time, request
	// ID, level); for other lines it is empty.
	Body string
	// Problem says why a report-like message is malformed.
	Problem string
}

// ErrorKind classifies the record on its own: a report by its status and
// error type (and the out-of-memory heuristic), a failure line by what it
// states. Other records are ErrNone.
func (r *Record) ErrorKind() model.ErrorKind {
	switch r.Type {
	case RecordReport:
		return classify(r.Status, r.ErrorType, r.Metrics.MaxMemoryUsedMB, r.Metrics.MemorySizeMB, failure{})
	case RecordTimeout, RecordRuntimeError, RecordInvokeError, RecordRuntimeDone:
		return failureOf(r).kind
	}
	return model.ErrNone
}

// ParseMessage classifies and parses one message. It never fails: what it
// does not recognise is RecordPlain, and a report-like message that does not
// parse is RecordMalformedReport.
func ParseMessage(msg string) Record {
	var r Record
	parseInto(trimEOL(msg), &r)
	return r
}

// trimEOL removes the line endings CloudWatch and files leave at the end of
// a message.
func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

const bom = "\uFEFF"

// parseInto fills r from msg, which has no trailing line ending.
func parseInto(msg string, r *Record) {
	s := strings.TrimPrefix(msg, bom)
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	r.Line = model.LinePlain
	if s == "" {
		return
	}
	switch s[0] {
	case 'R':
		if hasWordPrefix(s, "REPORT") {
			parseReport(s, r)
			return
		}
		if hasWordPrefix(s, "RESTORE_REPORT") {
			parseInitReport(s[len("RESTORE_REPORT"):], r, RecordRestoreReport)
			return
		}
		if hasWordPrefix(s, "RESTORE_START") {
			parseRuntimeStart(s[len("RESTORE_START"):], r, RecordRestoreStart)
			return
		}
		if strings.HasPrefix(s, "RequestId:") && parseRuntimeError(s, r) {
			return
		}
	case 'S':
		if hasWordPrefix(s, "START") && parseStartEnd(s[len("START"):], r, RecordStart) {
			return
		}
	case 'E':
		if hasWordPrefix(s, "END") && parseStartEnd(s[len("END"):], r, RecordEnd) {
			return
		}
		if hasWordPrefix(s, "EXTENSION") {
			r.Type, r.Line = RecordExtension, model.LineExtension
			return
		}
	case 'I':
		if hasWordPrefix(s, "INIT_REPORT") {
			parseInitReport(s[len("INIT_REPORT"):], r, RecordInitReport)
			return
		}
		if hasWordPrefix(s, "INIT_START") {
			parseRuntimeStart(s[len("INIT_START"):], r, RecordInitStart)
			return
		}
	case 'T':
		if hasWordPrefix(s, "TELEMETRY") {
			r.Type, r.Line = RecordExtension, model.LineExtension
			return
		}
		if strings.HasPrefix(s, "Task timed out after") {
			setTimeout(s, r)
			return
		}
	case 'L':
		if hasWordPrefix(s, "LOGS") && strings.Contains(s[:min(len(s), 16)], "Name:") {
			r.Type, r.Line = RecordExtension, model.LineExtension
			return
		}
	case '[':
		if parsePython(s, r) || parseExtensionPrefix(s, r) {
			return
		}
	case '{':
		parseJSON(s, r)
		return
	}
	if s[0] >= '0' && s[0] <= '9' {
		if parseTimed(s, r) {
			return
		}
		if rest, ok := cutGoLogPrefix(s); ok && strings.HasPrefix(rest, "{") {
			// Go's log package (aws-lambda-go reports handler errors and
			// panics this way): only the runtime's error object matters.
			var jr Record
			parseJSON(rest, &jr)
			if jr.Type == RecordInvokeError {
				*r = jr
				return
			}
		}
	}
	if parseBareRuntimeError(s, r) {
		return
	}
	r.Type = RecordPlain
}

// hasWordPrefix reports whether s starts with word followed by whitespace or
// the end of s.
func hasWordPrefix(s, word string) bool {
	if !strings.HasPrefix(s, word) {
		return false
	}
	return len(s) == len(word) || isSpace(s[len(word)])
}

func isSpace(c byte) bool { return spaces[c] }

var spaces = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// isBlank is for the separators inside one line.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// skipBlanks drops the spaces and tabs at the start of s.
func skipBlanks(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	return s
}

// hasSpace reports whether s holds a byte isSpace accepts.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

// nextToken returns the run of non-space bytes at or after i and the index
// after it.
func nextToken(s string, i int) (tok string, next int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], j
}

// firstLine returns s up to its first "\n" or "\r".
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// maxErrorMessage bounds the failure text kept on invocations.
const maxErrorMessage = 1024

// clip shortens s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-4 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i]
}

// parseStartEnd reads " RequestId: <id> [Version: <v>]".
func parseStartEnd(s string, r *Record, t RecordType) bool {
	return startEndAsPrinted(s, r, t) || startEndFields(s, r, t)
}

// startEndAsPrinted reads the line as Lambda prints it (" RequestId: <id>",
// with " Version: <v>" after it for a START) as startEndFields would, but
// without its loop, and reports whether the line was so.
func startEndAsPrinted(s string, r *Record, t RecordType) bool {
	rest, ok := strings.CutPrefix(s, " RequestId: ")
	if !ok {
		return false
	}
	id, v := rest, ""
	if t == RecordStart {
		if id, v, ok = strings.Cut(rest, " Version: "); !ok || v == "" || hasSpace(v) {
			return false
		}
	}
	if id == "" || hasSpace(id) {
		return false
	}
	r.RequestID, r.Version = id, v
	r.Type, r.Line = t, model.LinePlatform
	return true
}

// startEndFields reads the fields of a START or END in any order.
func startEndFields(s string, r *Record, t RecordType) bool {
	seen := false
	for i := 0; i < len(s); {
		k, v, next := nextField(s, i)
		i = next
		switch k {
		case fkRequestID:
			r.RequestID, seen = v, true
		case fkVersion:
			r.Version = v
		}
	}
	if !seen {
		return false
	}
	r.Type, r.Line = t, model.LinePlatform
	return true
}

// parseRuntimeStart reads INIT_START / RESTORE_START fields.
func parseRuntimeStart(s string, r *Record, t RecordType) {
	r.Type, r.Line = t, model.LinePlatform
	for i := 0; i < len(s); {
		k, v, next := nextField(s, i)
		i = next
		switch k {
		case fkRuntimeVersion:
			r.Runtime = v
		case fkRuntimeARN:
			r.RuntimeARN = v
		}
	}
}

// parseInitReport reads INIT_REPORT / RESTORE_REPORT fields. A missing or
// invalid duration leaves Problem set; such a record is shown but not
// counted.
func parseInitReport(s string, r *Record, t RecordType) {
	r.Type, r.Line = t, model.LinePlatform
	have := false
	for i := 0; i < len(s); {
		k, v, next := nextField(s, i)
		i = next
		switch k {
		case fkInit, fkRestore:
			d, ok := parseDuration(v)
			if !ok {
				r.Problem = "invalid duration"
				return
			}
			if t == RecordRestoreReport {
				r.Metrics.RestoreDurationMs = d
			} else {
				r.Metrics.InitDurationMs = d
			}
			have = true
		case fkPhase:
			r.Phase = v
		case fkStatus:
			r.Status = normStatus(v)
		case fkErrorType:
			r.ErrorType = v
		}
	}
	if !have {
		r.Problem = "missing duration"
	}
}

// parseRuntimeError reads "RequestId: <id> Error: <message>[\nRuntime.<Type>]".
func parseRuntimeError(s string, r *Record) bool {
	line := firstLine(s)
	id, i := nextToken(line, len("RequestId:"))
	if id == "" {
		return false
	}
	rest := strings.TrimLeft(line[i:], " \t")
	if !strings.HasPrefix(rest, "Error:") {
		return false
	}
	r.Type, r.Line, r.Level = RecordRuntimeError, model.LineFailure, model.LevelError
	r.RequestID = id
	r.ErrorMessage = clip(strings.TrimSpace(rest[len("Error:"):]), maxErrorMessage)
	r.ErrorType = runtimeTypeLine(s[len(line):])
	return true
}

// runtimeTypeLine returns the "Runtime.<Type>" token that makes up the
// first non-empty line of s, or "".
func runtimeTypeLine(s string) string {
	s = strings.TrimLeft(s, "\r\n")
	line := strings.TrimSpace(firstLine(s))
	if isRuntimeType(line) {
		return line
	}
	return ""
}

// isRuntimeType reports whether s is one "Runtime.<Identifier>" token.
func isRuntimeType(s string) bool {
	if !strings.HasPrefix(s, "Runtime.") || len(s) == len("Runtime.") || len(s) > 64 {
		return false
	}
	for i := len("Runtime."); i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// parseBareRuntimeError recognises a failure event that names no request:
// "Runtime.<Type>" alone, or "<message>\nRuntime.<Type>" as the runtime
// prints it when it cannot name the request ("Unknown application error
// occurred\nRuntime.Unknown").
func parseBareRuntimeError(s string, r *Record) bool {
	if !strings.Contains(s, "Runtime.") {
		return false
	}
	last := strings.TrimRight(s, " \t\r\n")
	head := ""
	if i := strings.LastIndexAny(last, "\r\n"); i >= 0 {
		head, last = strings.TrimSpace(last[:i]), strings.TrimSpace(last[i+1:])
		if strings.ContainsAny(head, "\r\n") {
			return false // a longer text that happens to end with a type name
		}
	}
	if !isRuntimeType(last) {
		return false
	}
	r.Type, r.Line, r.Level = RecordRuntimeError, model.LineFailure, model.LevelError
	r.ErrorType = last
	r.ErrorMessage = clip(head, maxErrorMessage)
	return true
}

// setTimeout fills a "Task timed out after N.NN seconds" record from s,
// which starts with that text.
func setTimeout(s string, r *Record) {
	r.Type, r.Line, r.Level = RecordTimeout, model.LineFailure, model.LevelError
	r.ErrorMessage = clip(strings.TrimSpace(firstLine(s)), maxErrorMessage)
}

// parseTimed handles lines that start with an ISO timestamp: Node.js
// application lines, Invoke Error lines and timeout lines. Other text after
// a timestamp is plain, with its time kept.
func parseTimed(s string, r *Record) bool {
	ts, n, ok := parseISOTime(s)
	if !ok || n == len(s) || !isSpace(s[n]) {
		return false
	}
	r.Time = ts
	if rest := skipBlanks(s[n:]); strings.HasPrefix(rest, "Task timed out after") {
		setTimeout(rest, r)
		return true
	}
	id, i := nextToken(s, n)
	rest := skipBlanks(s[i:])
	if strings.HasPrefix(rest, "Task timed out after") {
		r.RequestID = requestID(id)
		setTimeout(rest, r)
		return true
	}
	lvlTok, j := levelToken(rest)
	lvl, okLvl := parseLevel(lvlTok)
	if !okLvl || id == "" {
		r.Type = RecordPlain
		return true
	}
	r.Type, r.Line, r.Level = RecordApp, model.LineApp, lvl
	r.RequestID = requestID(id)
	body := rest[j:]
	if len(body) > 0 && isBlank(body[0]) {
		body = body[1:]
	}
	r.Body = body
	if lvl == model.LevelError && strings.HasPrefix(body, "Invoke Error") {
		parseInvokeError(body[len("Invoke Error"):], r)
	}
	return true
}

// levelToken returns the level word at the start of s (up to a tab, space
// or line break) and the index after it.
func levelToken(s string) (string, int) {
	j := 0
	for j < len(s) && !isSpace(s[j]) && j < 16 {
		j++
	}
	return s[:j], j
}

// requestID maps Node.js's "undefined" (a line logged outside a handler) to
// no request.
func requestID(id string) string {
	if id == "undefined" || id == "null" {
		return ""
	}
	return id
}

// parsePython reads "[LEVEL]\t<time>\t<id>\t<message>" and "[LEVEL] <message>".
func parsePython(s string, r *Record) bool {
	end := strings.IndexByte(s, ']')
	if end < 2 || end > 10 {
		return false
	}
	lvl, ok := parseLevel(s[1:end])
	if !ok || (end+1 < len(s) && !isSpace(s[end+1])) {
		return false
	}
	r.Type, r.Line, r.Level = RecordApp, model.LineApp, lvl
	rest := s[end+1:]
	if len(rest) > 0 && isBlank(rest[0]) {
		rest = rest[1:]
	}
	r.Body = rest
	if ts, n, ok := parseISOTime(rest); ok && n < len(rest) && isBlank(rest[n]) {
		id, i := nextToken(rest, n)
		if id != "" && i < len(rest) && isBlank(rest[i]) {
			r.Time = ts
			r.RequestID = requestID(id)
			r.Body = rest[i+1:]
		} else if id != "" && i == len(rest) {
			r.Time = ts
			r.RequestID = requestID(id)
			r.Body = ""
		}
	}
	return true
}

// parseExtensionPrefix recognises extension output such as
// "[AWS Parameters and Secrets Lambda Extension] 2024/04/11 ...".
func parseExtensionPrefix(s string, r *Record) bool {
	end := strings.IndexByte(s, ']')
	if end < 0 || end > 96 {
		return false
	}
	name := s[1:end]
	if !containsFold(name, "extension") {
		return false
	}
	r.Type, r.Line = RecordExtension, model.LineExtension
	r.Body = strings.TrimLeft(s[end+1:], " \t")
	return true
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// parseLevel maps the level names runtimes print to model levels.
func parseLevel(s string) (model.Level, bool) {
	switch s {
	case "INFO", "info", "Info":
		return model.LevelInfo, true
	case "ERROR", "error", "Error":
		return model.LevelError, true
	case "WARN", "warn", "WARNING", "warning", "Warn", "Warning":
		return model.LevelWarn, true
	case "DEBUG", "debug", "Debug":
		return model.LevelDebug, true
	case "TRACE", "trace", "Trace":
		return model.LevelTrace, true
	case "FATAL", "fatal", "CRITICAL", "critical", "Fatal", "Critical":
		return model.LevelFatal, true
	}
	return model.LevelNone, false
}

// normStatus maps a printed platform status to Record.Status: "" for
// success, otherwise the status (interned for the common values).
func normStatus(s string) string {
	switch s {
	case "", "success", "Success", "SUCCESS":
		return ""
	case "timeout":
		return "timeout"
	case "error":
		return "error"
	case "failure":
		return "failure"
	}
	return s
}

// cutGoLogPrefix removes the "2006/01/02 15:04:05 " prefix of Go's log
// package (with optional microseconds) and returns the rest.
func cutGoLogPrefix(s string) (string, bool) {
	const layout = "2006/01/02 15:04:05"
	if len(s) <= len(layout) {
		return "", false
	}
	for i := 0; i < len(layout); i++ {
		c, l := s[i], layout[i]
		if l >= '0' && l <= '9' {
			if c < '0' || c > '9' {
				return "", false
			}
		} else if c != l {
			return "", false
		}
	}
	rest := s[len(layout):]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		rest = rest[i:]
	}
	if len(rest) == 0 || rest[0] != ' ' {
		return "", false
	}
	return rest[1:], true
}
