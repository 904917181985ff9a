package file

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"
)

// This file holds the rules for text lines: "aws logs tail" output, raw
// Lambda output, and the names of functions and streams.

// zone says how a line's leading timestamp gave its time zone.
type zone uint8

const (
	zoneNone   zone = iota // "2024-05-01T10:00:00" (tail --format short)
	zoneZ                  // "...Z" (Lambda runtimes)
	zoneOffset             // "...+00:00" (tail --format detailed)
)

// parseStamp reads an RFC 3339 timestamp at the start of b:
// YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9 digits, and an
// optional "Z" or numeric offset ("+00:00" or "+0000"). A timestamp without
// a zone is UTC. n is the length read.
func parseStamp(b []byte) (t time.Time, n int, z zone, ok bool) {
	st, n, z, ok := readStamp(b)
	if !ok {
		return t, 0, 0, false
	}
	t = time.Date(st.year, time.Month(st.month), st.day, st.hour, st.minute, st.sec, st.nsec, time.UTC)
	if st.offset != 0 {
		t = t.Add(-time.Duration(st.offset) * time.Second)
	}
	return t, n, z, true
}

// stamp is the fields of a timestamp that readStamp read.
type stamp struct {
	year, month, day, hour, minute, sec, nsec int
	offset                                    int // seconds east of UTC
}

// readStamp reads the timestamp that parseStamp parses, without making a
// time of it: for callers that only need to know where it ends.
func readStamp(b []byte) (st stamp, n int, z zone, ok bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return st, 0, 0, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 23 || minute > 59 || sec > 60 {
		return st, 0, 0, false
	}
	st = stamp{year: year, month: month, day: day, hour: hour, minute: minute, sec: sec}
	n = 19
	if n < len(b) && b[n] == '.' {
		k := n + 1
		scale := 100000000
		for k < len(b) && b[k] >= '0' && b[k] <= '9' && k-n <= 9 {
			st.nsec += int(b[k]-'0') * scale
			scale /= 10
			k++
		}
		if k == n+1 {
			return stamp{}, 0, 0, false
		}
		n = k
	}
	switch {
	case n < len(b) && (b[n] == 'Z' || b[n] == 'z'):
		z = zoneZ
		n++
	case n < len(b) && (b[n] == '+' || b[n] == '-'):
		neg := b[n] == '-'
		rest := b[n+1:]
		var oh, om int
		var okh, okm bool
		switch {
		case len(rest) >= 5 && rest[2] == ':':
			oh, okh = digits(rest[0:2])
			om, okm = digits(rest[3:5])
			n += 6
		case len(rest) >= 4:
			oh, okh = digits(rest[0:2])
			om, okm = digits(rest[2:4])
			n += 5
		}
		if !okh || !okm || oh > 23 || om > 59 {
			return stamp{}, 0, 0, false
		}
		st.offset = oh*3600 + om*60
		if neg {
			st.offset = -st.offset
		}
		z = zoneOffset
	}
	return st, n, z, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// looksLikeStream reports whether s is a Lambda log stream name:
// "YYYY/MM/DD/[version]id" or, in a custom log group,
// "YYYY/MM/DD/function[version]id".
func looksLikeStream[T ~string | ~[]byte](s T) bool {
	if len(s) < 13 || s[4] != '/' || s[7] != '/' || s[10] != '/' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for i := 11; i < len(s); i++ {
		if s[i] == '[' {
			return true
		}
	}
	return false
}

// functionFromGroup returns the function a log group belongs to:
// "/aws/lambda/<name>", or "/aws/lambda/us-east-1.<name>" for Lambda@Edge.
// Other groups name no function ("").
func functionFromGroup(group string) string {
	name, ok := strings.CutPrefix(group, "/aws/lambda/")
	if !ok {
		return ""
	}
	// Function names cannot hold a dot, so the prefix is unambiguous.
	return strings.TrimPrefix(name, "us-east-1.")
}

// functionFromStream returns the function named by a stream of a custom log
// group ("2024/05/01/my-fn[$LATEST]8e6d..."), or "".
func functionFromStream(stream string) string {
	if !looksLikeStream(stream) {
		return ""
	}
	rest := stream[11:]
	return rest[:strings.IndexByte(rest, '[')]
}

// defaultFunction is the function of input that names none: the file's base
// name without its usual extensions, or "stdin".
func defaultFunction(path string) string {
	if path == "-" || path == "" {
		return "stdin"
	}
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, ".gz")
	for _, ext := range []string{".log", ".txt", ".json", ".jsonl", ".ndjson", ".out"} {
		if b, ok := strings.CutSuffix(base, ext); ok {
			base = b
			break
		}
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "file"
	}
	return base
}

// cutSpace splits b at its first space.
func cutSpace(b []byte) (before, after []byte, found bool) {
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return b, nil, false
}

// platformPrefixes start Lambda platform lines, which never continue the
// message before them.
var platformPrefixes = [][]byte{
	[]byte("START RequestId: "), []byte("END RequestId: "), []byte("REPORT RequestId: "),
	[]byte("INIT_START "), []byte("INIT_REPORT "), []byte("RESTORE_START "), []byte("RESTORE_REPORT "),
}

func isPlatformLine(b []byte) bool {
	for _, p := range platformPrefixes {
		if bytes.HasPrefix(b, p) {
			return true
		}
	}
	return false
}

var (
	prefixReport  = []byte("REPORT ")
	prefixXRay    = []byte("XRAY TraceId:")
	prefixReqID   = []byte("RequestId: ")
	prefixRuntime = []byte("Runtime.")
	infixError    = []byte(" Error: ")
)

// joinsNext says whether a raw line may be continued by the next one: a
// REPORT by its X-Ray trailer, and "RequestId: <id> Error: <message>" by the
// "Runtime.<Type>" line the runtime prints after it.
func joinsNext(line []byte) bool {
	return bytes.HasPrefix(line, prefixReport) ||
		bytes.HasPrefix(line, prefixReqID) && bytes.Contains(line, infixError)
}

// continues says whether line continues a pending raw line.
func continues(pending, line []byte) bool {
	if bytes.HasPrefix(pending, prefixReport) {
		return bytes.HasPrefix(line, prefixXRay)
	}
	return bytes.HasPrefix(line, prefixRuntime) && bytes.IndexByte(line, ' ') < 0
}

// stripANSI removes terminal escape sequences (the colors of "aws logs tail
// --color on") from line, appending the result to dst.
func stripANSI(dst, line []byte) []byte {
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == 0x1b && i+1 < len(line) && line[i+1] == '[' {
			j := i + 2
			for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
				j++
			}
			if j < len(line) && line[j] >= '@' && line[j] <= '~' {
				i = j
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// quietLevels are the application log levels that carry no invocation
// figures, each with the tab that ends it.
var quietLevels = [][]byte{[]byte("INFO\t"), []byte("DEBUG\t"), []byte("WARN\t"), []byte("TRACE\t")}

// quietPython are the same levels as the Python runtime prints them.
var quietPython = [][]byte{[]byte("[INFO]"), []byte("[DEBUG]"), []byte("[WARNING]"), []byte("[WARN]"), []byte("[TRACE]")}

// quietAppLine reports whether msg is a Node.js ("<time>\t<request
// id>\t<LEVEL>\t...") or Python ("[LEVEL]\t...") application line below
// ERROR: it can only become a log line, never change an invocation. Errors
// stay (a Node.js "Invoke Error" is an ERROR line), and so does anything
// else.
func quietAppLine(msg []byte) bool {
	if len(msg) < 8 {
		return false
	}
	if msg[0] == '[' {
		for _, p := range quietPython {
			if bytes.HasPrefix(msg, p) && len(msg) > len(p) && (msg[len(p)] == '\t' || msg[len(p)] == ' ') {
				return true
			}
		}
		return false
	}
	_, i, _, ok := readStamp(msg)
	if !ok || i >= len(msg) || msg[i] != '\t' {
		return false
	}
	rest := msg[i+1:]
	j := bytes.IndexByte(rest[:min(len(rest), 48)], '\t')
	if j < 1 {
		return false
	}
	rest = rest[j+1:]
	for _, l := range quietLevels {
		if bytes.HasPrefix(rest, l) {
			return true
		}
	}
	return false
}

var (
	rawTab         = []byte(`\t`)
	quietLevelsRaw = [][]byte{[]byte(`INFO\t`), []byte(`DEBUG\t`), []byte(`WARN\t`), []byte(`TRACE\t`)}
	quietPythonRaw = [][]byte{[]byte(`[INFO]`), []byte(`[DEBUG]`), []byte(`[WARNING]`), []byte(`[WARN]`), []byte(`[TRACE]`)}
)

// quietAppLineRaw is quietAppLine on a message still in JSON form: raw is
// the content of a JSON string from after its opening quote (it may run on
// past the closing quote). It decides without unescaping, and says true
// only when the unescaped message surely starts like a quiet line: the time
// and request ID hold no quote or backslash, so every "\t" matched is a
// tab.
func quietAppLineRaw(raw []byte) bool { return quietPrefixRaw(raw) > 0 }

// quietPrefixRaw is quietAppLineRaw returning the length of the prefix it
// read (through the level and the separator after it), which holds no
// quote and only valid escapes, or 0 when raw is not a quiet line.
func quietPrefixRaw(raw []byte) int {
	if len(raw) < 10 {
		return 0
	}
	if raw[0] == '[' {
		for _, p := range quietPythonRaw {
			if bytes.HasPrefix(raw, p) {
				rest := raw[len(p):]
				switch {
				case bytes.HasPrefix(rest, rawTab):
					return len(p) + len(rawTab)
				case len(rest) > 0 && rest[0] == ' ':
					return len(p) + 1
				}
				return 0
			}
		}
		return 0
	}
	_, i, _, ok := readStamp(raw)
	if !ok || !bytes.HasPrefix(raw[i:], rawTab) {
		return 0
	}
	rest := raw[i+2:]
	j := bytes.Index(rest[:min(len(rest), 50)], rawTab)
	if j < 1 || hasQuoteOrBackslash(rest[:j]) {
		return 0
	}
	rest = rest[j+2:]
	for _, l := range quietLevelsRaw {
		if bytes.HasPrefix(rest, l) {
			return i + 2 + j + 2 + len(l)
		}
	}
	return 0
}

// hasQuoteOrBackslash reports whether raw JSON string content may differ
// from its unescaped form, or end inside b.
func hasQuoteOrBackslash(b []byte) bool {
	return bytes.IndexByte(b, '"') >= 0 || bytes.IndexByte(b, '\\') >= 0
}
