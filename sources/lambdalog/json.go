package lambdalog

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/fntop/fntop/model"
)

// The JSON layer is a small validating scanner over strings: it walks an
// object's members and hands out raw value text, so that the hot path
// neither allocates nor decodes what it does not read. Strings with escapes
// are decoded (rare, and only the fields that are read).

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 128

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// scanString scans the string that starts at s[i] == '"' and returns the
// index after its closing quote and whether it holds escapes. It jumps from
// quote to quote; raw control characters are tolerated.
func scanString(s string, i int) (end int, esc, ok bool) {
	i++
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return 0, false, false
		}
		q := i + j
		k := q
		for k > i && s[k-1] == '\\' {
			k--
		}
		if !esc && strings.IndexByte(s[i:q], '\\') >= 0 {
			esc = true
		}
		if (q-k)%2 == 0 {
			return q + 1, esc, true
		}
		i = q + 1 // an escaped quote
	}
}

// scanNumber scans a JSON number at s[i].
func scanNumber(s string, i int) (int, bool) {
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return 0, false
		}
	}
	return i, i > start
}

// scanValue scans any JSON value at s[i] and returns the index after it.
func scanValue(s string, i, depth int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case c == '{':
		return eachMember(s, i, depth+1, nil)
	case c == '[':
		return scanArray(s, i, depth+1)
	case c == '"':
		end, _, ok := scanString(s, i)
		return end, ok
	case c == 't':
		return scanLiteral(s, i, "true")
	case c == 'f':
		return scanLiteral(s, i, "false")
	case c == 'n':
		return scanLiteral(s, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(s, i)
	}
	return 0, false
}

func scanLiteral(s string, i int, lit string) (int, bool) {
	if strings.HasPrefix(s[i:], lit) {
		return i + len(lit), true
	}
	return 0, false
}

func scanArray(s string, i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return 0, false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1, true
	}
	for {
		end, ok := scanValue(s, i, depth)
		if !ok {
			return 0, false
		}
		i = skipWS(s, end)
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// eachMember scans the object at s[i] == '{', calling fn (when not nil) for
// each member with its raw key (between the quotes, undecoded) and its raw
// value text. It returns the index after the object. Members before a
// syntax error have been handed to fn when it fails.
func eachMember(s string, i, depth int, fn func(key, val string)) (int, bool) {
	return walkObject(s, i, depth, func(key string, v int) int {
		end, ok := scanValue(s, v, depth)
		if !ok {
			return walkBad
		}
		if fn != nil {
			fn(key, s[v:end])
		}
		return end
	})
}

// jsonString returns the decoded string of a raw JSON string value, or ""
// when raw is not a string.
func jsonString(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	inner := raw[1 : len(raw)-1]
	if strings.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var out string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return inner
	}
	return out
}

// jsonNumber returns a raw JSON number as a non-negative finite float64.
func jsonNumber(raw string) (float64, bool) {
	if f, ok := parseDecimal(raw); ok {
		return f, true
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// jsonInt returns a raw JSON number as a non-negative int that fits in 32
// bits (memory figures).
func jsonInt(raw string) (int, bool) {
	f, ok := jsonNumber(raw)
	if !ok || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// Results of a walkObject callback besides the end of the value it read.
const (
	walkSkip = -1 // the walker scans past the value
	walkBad  = -2 // the value is invalid: stop
)

// walkObject scans the object at s[i] == '{' in one pass. For each member it
// calls fn with the raw key and the index of the value; fn either reads the
// value itself and returns the index after it, or returns walkSkip to have
// it scanned, or walkBad. It returns the index after the object.
func walkObject(s string, i, depth int, fn func(key string, v int) int) (int, bool) {
	if depth > maxJSONDepth || i >= len(s) || s[i] != '{' {
		return 0, false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return 0, false
		}
		kend, _, ok := scanString(s, i)
		if !ok {
			return 0, false
		}
		key := s[i+1 : kend-1]
		i = skipWS(s, kend)
		if i >= len(s) || s[i] != ':' {
			return 0, false
		}
		i = skipWS(s, i+1)
		vend := fn(key, i)
		switch vend {
		case walkSkip:
			if vend, ok = scanValue(s, i, depth); !ok {
				return 0, false
			}
		case walkBad:
			return 0, false
		}
		i = skipWS(s, vend)
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// valueAt scans the value at s[i] and returns its raw text and end, or
// walkBad as the end.
func valueAt(s string, i, depth int) (string, int) {
	end, ok := scanValue(s, i, depth)
	if !ok {
		return "", walkBad
	}
	return s[i:end], end
}

// parseJSON handles a message that starts with '{'.
func parseJSON(s string, r *Record) {
	var typ, tm, ts, level, reqID, record, errMsg, errType string
	platform := false
	recordAt := -1
	end, ok := walkObject(s, 0, 0, func(key string, v int) int {
		var end int
		switch key {
		case "type":
			typ, end = valueAt(s, v, 1)
			platform = strings.HasPrefix(typ, `"platform.`)
		case "time":
			tm, end = valueAt(s, v, 1)
		case "record":
			if platform && strings.HasPrefix(typ, `"`) && !strings.Contains(typ, `\`) {
				// The usual order (time, type, record): read the record
				// in the same pass.
				recordAt = v
				return parsePlatform(typ[1:len(typ)-1], s, v, r)
			}
			record, end = valueAt(s, v, 1)
		case "timestamp":
			ts, end = valueAt(s, v, 1)
		case "level":
			level, end = valueAt(s, v, 1)
		case "requestId", "AWSRequestId", "AWSRequestID", "awsRequestId", "function_request_id":
			var val string
			if val, end = valueAt(s, v, 1); reqID == "" {
				reqID = val
			}
		case "errorMessage":
			errMsg, end = valueAt(s, v, 1)
		case "errorType":
			errType, end = valueAt(s, v, 1)
		default:
			return walkSkip
		}
		return end
	})
	if !ok || skipWS(s, end) != len(s) {
		*r = Record{Type: RecordPlain, Line: model.LinePlain}
		if strings.Contains(s, `"platform.report"`) {
			r.Type, r.Line, r.Problem = RecordMalformedReport, model.LinePlatform, "invalid JSON"
		}
		return
	}
	r.JSON = true
	kind := jsonString(typ)
	if kind == "" && level == "" && errMsg != "" && errType != "" {
		// The error a runtime reports for a failed invocation, as
		// aws-lambda-go logs it ({"errorMessage":...,"errorType":...}, with
		// a stackTrace for panics) and Python prints an unhandled exception.
		r.Type, r.Line, r.Level = RecordInvokeError, model.LineFailure, model.LevelError
		r.RequestID = requestID(jsonString(reqID))
		r.ErrorType = clip(jsonString(errType), 128)
		r.ErrorMessage = clip(jsonString(errMsg), maxErrorMessage)
		return
	}
	if strings.HasPrefix(kind, "platform.") {
		if t, ok := parseTimeString(jsonString(tm)); ok {
			r.Time = t
		}
		if recordAt < 0 {
			// The record came before the type, or there is none.
			if record == "" {
				record = "{}"
			}
			if end := parsePlatform(kind, record, 0, r); end == walkBad && r.Type != RecordMalformedReport {
				r.Type, r.Problem = RecordPlatformOther, ""
			}
		}
		checkPlatform(r)
		return
	}
	switch kind {
	case "function":
		// A Telemetry API capture: the record is the function's own line.
		if t, ok := parseTimeString(jsonString(tm)); ok {
			r.Time = t
		}
		r.Type, r.Line, r.Level = RecordApp, model.LineApp, model.LevelInfo
		return
	case "extension":
		if t, ok := parseTimeString(jsonString(tm)); ok {
			r.Time = t
		}
		r.Type, r.Line = RecordExtension, model.LineExtension
		return
	}
	r.Type, r.Line = RecordApp, model.LineApp
	r.RequestID = requestID(jsonString(reqID))
	r.Level = jsonLevel(level)
	if ts == "" {
		ts = tm
	}
	if t, ok := parseTimeString(jsonString(ts)); ok {
		r.Time = t
	}
}

// jsonLevel maps an application "level" to a model level: names as the
// runtimes print them, pino-style numbers, and INFO for anything else
// (Java's UNDEFINED, a missing level).
func jsonLevel(raw string) model.Level {
	if raw == "" {
		return model.LevelInfo
	}
	if raw[0] == '"' {
		if l, ok := parseLevel(jsonString(raw)); ok {
			return l
		}
		return model.LevelInfo
	}
	switch raw {
	case "10":
		return model.LevelTrace
	case "20":
		return model.LevelDebug
	case "40":
		return model.LevelWarn
	case "50":
		return model.LevelError
	case "60":
		return model.LevelFatal
	}
	return model.LevelInfo
}

// parsePlatform sets r's type from a platform event kind and reads the
// record at s[at]; it returns the index after the record, walkSkip when the
// kind's record is not read, or walkBad when the record is not a valid
// object. Problems with the figures are left for checkPlatform.
func parsePlatform(kind, s string, at int, r *Record) int {
	r.Line = model.LinePlatform
	switch kind {
	case "platform.start":
		r.Type = RecordStart
	case "platform.end":
		r.Type = RecordEnd
	case "platform.report":
		r.Type = RecordReport
	case "platform.runtimeDone":
		r.Type = RecordRuntimeDone
	case "platform.initStart":
		r.Type = RecordInitStart
	case "platform.initReport":
		r.Type = RecordInitReport
	case "platform.restoreStart":
		r.Type = RecordRestoreStart
	case "platform.restoreReport":
		r.Type = RecordRestoreReport
	case "platform.extension", "platform.telemetrySubscription", "platform.logsSubscription":
		r.Type, r.Line = RecordPlatformOther, model.LineExtension
		return walkSkip
	default:
		r.Type = RecordPlatformOther
		return walkSkip
	}
	if at >= len(s) || s[at] != '{' {
		if r.Type == RecordReport {
			r.Type, r.Problem = RecordMalformedReport, "record is not an object"
			return walkSkip // still valid JSON
		}
		return walkSkip
	}
	var memBytes float64
	sawMetrics := false
	end, ok := walkObject(s, at, 1, func(key string, v int) int {
		var val string
		var end int
		switch key {
		case "metrics":
			sawMetrics = true
			return parseMetrics(s, v, r)
		case "tracing":
			if v < len(s) && s[v] == '{' {
				e, ok := walkObject(s, v, 2, func(key string, v int) int {
					if key != "value" {
						return walkSkip
					}
					val, end := valueAt(s, v, 3)
					r.TraceID = traceRoot(jsonString(val))
					return end
				})
				if !ok {
					return walkBad
				}
				return e
			}
			return walkSkip
		case "requestId", "version", "functionVersion", "status", "errorType", "phase",
			"initializationType", "runtimeVersion", "runtimeVersionArn", "instanceMaxMemory":
			val, end = valueAt(s, v, 2)
		default:
			return walkSkip
		}
		switch key {
		case "requestId":
			r.RequestID = jsonString(val)
		case "version":
			r.Version = jsonString(val)
		case "functionVersion":
			if r.Version == "" {
				r.Version = jsonString(val)
			}
		case "status":
			r.Status = normStatus(jsonString(val))
		case "errorType":
			r.ErrorType = jsonString(val)
		case "phase":
			r.Phase = jsonString(val)
		case "initializationType":
			r.InitType = jsonString(val)
		case "runtimeVersion":
			r.Runtime = jsonString(val)
		case "runtimeVersionArn":
			r.RuntimeARN = jsonString(val)
		case "instanceMaxMemory":
			if f, ok := jsonNumber(val); ok {
				memBytes = f
			}
		}
		return end
	})
	if !ok {
		return walkBad
	}
	if memBytes > 0 && memBytes < 1<<44 {
		r.Metrics.MemorySizeMB = int(memBytes / (1 << 20))
	}
	if !sawMetrics && r.Problem == "" {
		r.Problem = problemNoDuration
	}
	return end
}

// Marks parseMetrics leaves in Problem for checkPlatform.
const (
	problemNoDuration = "missing metrics.durationMs"
)

// parseMetrics reads a record's "metrics" object at s[v] into r and returns
// the index after it. An invalid figure is noted in r.Problem.
func parseMetrics(s string, v int, r *Record) int {
	if v >= len(s) || s[v] != '{' {
		return walkSkip
	}
	haveDuration := false
	end, ok := walkObject(s, v, 2, func(key string, v int) int {
		val, end := valueAt(s, v, 3)
		if end == walkBad {
			return walkBad
		}
		var ok = true
		switch key {
		case "durationMs":
			var d float64
			d, ok = jsonNumber(val)
			switch r.Type {
			case RecordInitReport:
				r.Metrics.InitDurationMs = d
			case RecordRestoreReport:
				r.Metrics.RestoreDurationMs = d
			default:
				r.Metrics.DurationMs = d
			}
			haveDuration = ok
		case "billedDurationMs":
			r.Metrics.BilledMs, ok = jsonNumber(val)
		case "memorySizeMB":
			r.Metrics.MemorySizeMB, ok = jsonInt(val)
		case "maxMemoryUsedMB":
			r.Metrics.MaxMemoryUsedMB, ok = jsonInt(val)
		case "initDurationMs":
			r.Metrics.InitDurationMs, ok = jsonNumber(val)
		case "restoreDurationMs":
			r.Metrics.RestoreDurationMs, ok = jsonNumber(val)
		case "billedRestoreDurationMs":
			r.Metrics.BilledRestoreMs, ok = jsonNumber(val)
		}
		if !ok && r.Problem == "" {
			r.Problem = "invalid metrics." + key
		}
		return end
	})
	if !ok {
		return walkBad
	}
	if !haveDuration && r.Problem == "" {
		r.Problem = problemNoDuration
	}
	return end
}

// checkPlatform settles a parsed platform event: a report needs a request
// ID and valid figures with a duration; a failed runtimeDone is a failure
// line.
func checkPlatform(r *Record) {
	switch r.Type {
	case RecordReport:
		switch {
		case r.RequestID == "":
			r.Type, r.Problem = RecordMalformedReport, "missing requestId"
		case r.Problem != "":
			r.Type = RecordMalformedReport
		}
	case RecordMalformedReport:
	case RecordInitReport, RecordRestoreReport:
		if r.Problem != "" {
			r.Problem = "missing or invalid metrics.durationMs"
		}
	case RecordRuntimeDone:
		r.Problem = "" // its figures are informative only
		if r.Status != "" {
			r.Line, r.Level = model.LineFailure, model.LevelError
		}
	default:
		r.Problem = ""
	}
}

// traceRoot returns the Root of an X-Amzn-Trace-Id header value
// ("Root=1-...;Parent=...;Sampled=1"), or the value itself when it has none.
func traceRoot(v string) string {
	i := strings.Index(v, "Root=")
	if i < 0 {
		return v
	}
	v = v[i+len("Root="):]
	if j := strings.IndexByte(v, ';'); j >= 0 {
		v = v[:j]
	}
	return v
}

// parseInvokeError fills a Node.js "Invoke Error" record from the text
// after "Invoke Error" (a tab, then the error as JSON, possibly pretty
// printed or cut short).
func parseInvokeError(s string, r *Record) {
	r.Type, r.Line, r.Level = RecordInvokeError, model.LineFailure, model.LevelError
	js := strings.TrimLeft(s, " \t")
	var typ, msg string
	if strings.HasPrefix(js, "{") {
		// A cut-off object still yields the members before the cut.
		eachMember(js, 0, 0, func(key, val string) {
			switch key {
			case "errorType":
				typ = val
			case "errorMessage":
				msg = val
			}
		})
	}
	r.ErrorType = clip(jsonString(typ), 128)
	r.ErrorMessage = clip(jsonString(msg), maxErrorMessage)
	if r.ErrorMessage == "" {
		r.ErrorMessage = "Invoke Error"
	}
}
