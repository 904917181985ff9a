package lambdalog

import (
	"strconv"
	"strings"

	"github.com/fntop/fntop/model"
)

// fieldKey names a "Key:" of the text platform lines.
type fieldKey uint8

const (
	fkNone fieldKey = iota
	fkRequestID
	fkVersion
	fkDuration
	fkBilled
	fkMemSize
	fkMaxMem
	fkInit
	fkRestore
	fkBilledRestore
	fkStatus
	fkErrorType
	fkTraceID
	fkSegmentID
	fkSampled
	fkPhase
	fkRuntimeVersion
	fkRuntimeARN
)

// matchKey recognises a known key at the start of s and returns it with the
// length of its text (colon included).
func matchKey(s string) (fieldKey, int) {
	var k fieldKey
	var name string
	switch s[0] {
	case 'R':
		switch {
		case strings.HasPrefix(s, "RequestId:"):
			k, name = fkRequestID, "RequestId:"
		case strings.HasPrefix(s, "Restore Duration:"):
			k, name = fkRestore, "Restore Duration:"
		case strings.HasPrefix(s, "Runtime Version ARN:"):
			k, name = fkRuntimeARN, "Runtime Version ARN:"
		case strings.HasPrefix(s, "Runtime Version:"):
			k, name = fkRuntimeVersion, "Runtime Version:"
		}
	case 'D':
		if strings.HasPrefix(s, "Duration:") {
			k, name = fkDuration, "Duration:"
		}
	case 'B':
		switch {
		case strings.HasPrefix(s, "Billed Duration:"):
			k, name = fkBilled, "Billed Duration:"
		case strings.HasPrefix(s, "Billed Restore Duration:"):
			k, name = fkBilledRestore, "Billed Restore Duration:"
		}
	case 'M':
		switch {
		case strings.HasPrefix(s, "Memory Size:"):
			k, name = fkMemSize, "Memory Size:"
		case strings.HasPrefix(s, "Max Memory Used:"):
			k, name = fkMaxMem, "Max Memory Used:"
		}
	case 'I':
		if strings.HasPrefix(s, "Init Duration:") {
			k, name = fkInit, "Init Duration:"
		}
	case 'S':
		switch {
		case strings.HasPrefix(s, "Status:"):
			k, name = fkStatus, "Status:"
		case strings.HasPrefix(s, "SegmentId:"):
			k, name = fkSegmentID, "SegmentId:"
		case strings.HasPrefix(s, "Sampled:"):
			k, name = fkSampled, "Sampled:"
		}
	case 'E':
		if strings.HasPrefix(s, "Error Type:") {
			k, name = fkErrorType, "Error Type:"
		}
	case 'X':
		if strings.HasPrefix(s, "XRAY TraceId:") {
			k, name = fkTraceID, "XRAY TraceId:"
		}
	case 'T':
		if strings.HasPrefix(s, "TraceId:") {
			k, name = fkTraceID, "TraceId:"
		}
	case 'P':
		if strings.HasPrefix(s, "Phase:") {
			k, name = fkPhase, "Phase:"
		}
	case 'V':
		if strings.HasPrefix(s, "Version:") {
			k, name = fkVersion, "Version:"
		}
	}
	return k, len(name)
}

// nextField reads the next "Key: value [unit]" pair of a platform line from
// s[i:]. Whitespace of any kind separates pairs; a value is one token; a
// following "ms" or "MB" unit is consumed. Tokens that start no known key
// come back one at a time as fkNone so that callers skip them.
func nextField(s string, i int) (k fieldKey, val string, next int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) {
		return fkNone, "", i
	}
	k, n := matchKey(s[i:])
	if k == fkNone {
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		return fkNone, "", i
	}
	i += n
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	val = s[i:j]
	u := j
	for u < len(s) && isBlank(s[u]) {
		u++
	}
	if u+2 <= len(s) && (s[u:u+2] == "ms" || s[u:u+2] == "MB") && (u+2 == len(s) || isSpace(s[u+2])) {
		j = u + 2
	}
	return k, val, j
}

// Bits of the REPORT fields seen.
const (
	seenRequestID = 1 << iota
	seenDuration
	seenBilled
	seenMemSize
	seenMaxMem
	seenRequired = seenRequestID | seenDuration | seenBilled | seenMemSize | seenMaxMem
)

// parseReport parses a text REPORT. s starts with "REPORT".
func parseReport(s string, r *Record) {
	r.Line = model.LinePlatform
	body := s[len("REPORT"):]
	i, seen, problem := reportHead(body, r)
	reportFields(body, r, i, seen, problem)
}

// reportFields reads the fields of a REPORT's body from index i on, with
// the fields seen and the first problem before i, and settles the record.
func reportFields(body string, r *Record, i int, seen uint8, problem string) {
	for i < len(body) {
		k, v, next := nextField(body, i)
		i = next
		var ok = true
		switch k {
		case fkNone:
			continue
		case fkRequestID:
			r.RequestID = v
			ok = v != ""
			seen |= seenRequestID
		case fkDuration:
			r.Metrics.DurationMs, ok = parseDuration(v)
			seen |= seenDuration
		case fkBilled:
			r.Metrics.BilledMs, ok = parseDuration(v)
			seen |= seenBilled
		case fkMemSize:
			r.Metrics.MemorySizeMB, ok = parseMB(v)
			seen |= seenMemSize
		case fkMaxMem:
			r.Metrics.MaxMemoryUsedMB, ok = parseMB(v)
			seen |= seenMaxMem
		case fkInit:
			r.Metrics.InitDurationMs, ok = parseDuration(v)
		case fkRestore:
			r.Metrics.RestoreDurationMs, ok = parseDuration(v)
		case fkBilledRestore:
			r.Metrics.BilledRestoreMs, ok = parseDuration(v)
		case fkStatus:
			r.Status = normStatus(v)
		case fkErrorType:
			r.ErrorType = v
		case fkTraceID:
			r.TraceID = v
		}
		if !ok && problem == "" {
			problem = invalidField(k)
		}
	}
	switch {
	case seen&(seenRequestID|seenDuration) == 0:
		// "REPORT" followed by neither a request ID nor a duration is not
		// a platform line at all.
		*r = Record{Type: RecordPlain, Line: model.LinePlain}
	case problem != "":
		r.Type, r.Problem = RecordMalformedReport, problem
	case seen&seenRequired != seenRequired:
		r.Type, r.Problem = RecordMalformedReport, missingField(seen)
	default:
		r.Type = RecordReport
	}
}

// reportHead reads the five fields a REPORT starts with when they are
// printed as Lambda prints them, tab-separated in their usual order, as the
// loop of parseReport would read them, and returns where that loop goes on
// with the fields seen and the first problem. It reads nothing (returns 0)
// from any other text.
func reportHead(body string, r *Record) (next int, seen uint8, problem string) {
	i := 0
	// field reads prefix, a value token and, unless unit is empty, a space
	// and unit followed by whitespace or the end.
	field := func(prefix, unit string) (string, bool) {
		if !strings.HasPrefix(body[i:], prefix) {
			return "", false
		}
		j := i + len(prefix)
		k := j
		for k < len(body) && !isSpace(body[k]) {
			k++
		}
		if k == j {
			return "", false
		}
		if unit != "" {
			u := k + 1 + len(unit)
			if u > len(body) || body[k] != ' ' || body[k+1:u] != unit || u < len(body) && !isSpace(body[u]) {
				return "", false
			}
			i = u
		} else {
			i = k
		}
		return body[j:k], true
	}
	id, ok1 := field(" RequestId: ", "")
	dur, ok2 := field("\tDuration: ", "ms")
	billed, ok3 := field("\tBilled Duration: ", "ms")
	mem, ok4 := field("\tMemory Size: ", "MB")
	used, ok5 := field("\tMax Memory Used: ", "MB")
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return 0, 0, ""
	}
	r.RequestID = id
	var ok [4]bool
	r.Metrics.DurationMs, ok[0] = parseDuration(dur)
	r.Metrics.BilledMs, ok[1] = parseDuration(billed)
	r.Metrics.MemorySizeMB, ok[2] = parseMB(mem)
	r.Metrics.MaxMemoryUsedMB, ok[3] = parseMB(used)
	for n, k := range [...]fieldKey{fkDuration, fkBilled, fkMemSize, fkMaxMem} {
		if !ok[n] {
			problem = invalidField(k)
			break
		}
	}
	return i, seenRequired, problem
}

func invalidField(k fieldKey) string {
	switch k {
	case fkRequestID:
		return "empty RequestId"
	case fkDuration:
		return "invalid Duration"
	case fkBilled:
		return "invalid Billed Duration"
	case fkMemSize:
		return "invalid Memory Size"
	case fkMaxMem:
		return "invalid Max Memory Used"
	case fkInit:
		return "invalid Init Duration"
	case fkRestore:
		return "invalid Restore Duration"
	case fkBilledRestore:
		return "invalid Billed Restore Duration"
	}
	return "invalid field"
}

func missingField(seen uint8) string {
	switch {
	case seen&seenRequestID == 0:
		return "missing RequestId"
	case seen&seenDuration == 0:
		return "missing Duration"
	case seen&seenBilled == 0:
		return "missing Billed Duration"
	case seen&seenMemSize == 0:
		return "missing Memory Size"
	}
	return "missing Max Memory Used"
}

// parseDuration parses a non-negative decimal number of milliseconds; a
// "ms" stuck to the number ("45000ms") is accepted.
func parseDuration(s string) (float64, bool) {
	s = strings.TrimSuffix(s, "ms")
	return parseDecimal(s)
}

// parseMB parses a non-negative whole number of megabytes; a "MB" stuck to
// the number is accepted.
func parseMB(s string) (int, bool) {
	s = strings.TrimSuffix(s, "MB")
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal parses digits with an optional fraction ("1234", "12.34").
// Signs, exponents and special values are rejected. Numbers of at most 15
// significant digits take an exact fast path (an exactly representable
// mantissa divided by an exact power of ten rounds correctly); longer ones
// go through strconv.
func parseDecimal(s string) (float64, bool) {
	var mant uint64
	digits, sig, frac := 0, 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if frac >= 0 {
				return 0, false
			}
			frac = 0
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		digits++
		if sig > 0 || c != '0' {
			sig++
		}
		if frac >= 0 {
			frac++
		}
		if sig <= 15 {
			mant = mant*10 + uint64(c-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if frac < 0 {
		frac = 0
	}
	if sig <= 15 && frac < len(pow10) {
		return float64(mant) / pow10[frac], true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
