package model

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// maxFingerprint bounds a fingerprint's length in bytes.
const maxFingerprint = 200

// maxFingerprintInput bounds how much of a message is read: the head of a
// message and its first frames are what tell failures apart.
const maxFingerprintInput = 16 << 10

// Fingerprint normalises an error message or a stack trace so that the
// occurrences of one failure share it: what varies between occurrences is
// masked (UUIDs and request IDs as <uuid>, hex strings as <hex>, numbers,
// durations, ports and line:column as <n>, quoted values as '<v>' or
// "<v>", timestamps as <time>, IPs as <ip>, e-mail addresses as <email>,
// URL query strings as ?<query>), whitespace is collapsed, and a leading
// log prefix (timestamp, request ID, level) is dropped. A multi-line stack
// trace keeps its first line and its first 2 frames; a Node.js "Invoke
// Error" or a JSON log line keeps errorType: errorMessage and the first
// frame of its stack. Frames are joined with " | ". The result is valid
// UTF-8 of at most 200 bytes (a longer one is cut, between words where it
// can be, and ends in " …"), and Fingerprint(Fingerprint(x)) ==
// Fingerprint(x) (fuzzed: FuzzFingerprint).
func Fingerprint(msg string) string {
	text, _ := fingerprint(msg)
	return text
}

// fingerprint is Fingerprint that also returns the error type a JSON
// message names. A message cut to length may read otherwise than whole (a
// quote closed by the cut): the result is normalised again until it stays
// the same, which takes one more pass but in contrived cases.
func fingerprint(msg string) (text, errType string) {
	text, errType = fingerprintOnce(msg)
	for range 4 {
		again, _ := fingerprintOnce(text)
		if again == text {
			break
		}
		text = again
	}
	return text, errType
}

func fingerprintOnce(msg string) (text, errType string) {
	if len(msg) > maxFingerprintInput {
		cut := maxFingerprintInput
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	if head, frame, et, ok := jsonError(msg); ok {
		var b fpBuilder
		b.line(head)
		if frame != "" {
			b.frame(frame)
		}
		return b.String(), et
	}
	lines := strings.Split(msg, "\n")
	var b fpBuilder
	i := 0
	for ; i < len(lines); i++ {
		if b.line(lines[i]) {
			i++
			break
		}
	}
	if strings.HasPrefix(string(b.b), "Traceback (most recent call last)") {
		// A Python traceback names its exception on its last line.
		for k := len(lines) - 1; k >= i; k-- {
			if l := strings.TrimRight(lines[k], " \t\r"); l != "" && l[0] != ' ' && l[0] != '\t' {
				b.b = b.b[:0]
				b.line(l)
				break
			}
		}
	}
	frames := 0
	for ; i < len(lines) && frames < 2 && !b.full(); i++ {
		if isFrame(lines[i]) {
			b.frame(lines[i])
			frames++
		}
	}
	return b.String(), ""
}

// jsonError reads a JSON error report: a Node.js "Invoke Error" (or other
// runtime line whose payload follows a tab), or a JSON log line. It returns
// the head ("type: message"), the first frame of the stack and the type.
func jsonError(msg string) (head, frame, errType string, ok bool) {
	t := strings.TrimSpace(msg)
	if !strings.HasPrefix(t, "{") {
		i := strings.Index(t, "\t{")
		if i < 0 {
			return "", "", "", false
		}
		t = strings.TrimSpace(t[i+1:])
	}
	var v struct {
		ErrorType    string          `json:"errorType"`
		ErrorMessage string          `json:"errorMessage"`
		Message      json.RawMessage `json:"message"`
		Msg          string          `json:"msg"`
		Stack        json.RawMessage `json:"stack"`
		StackTrace   json.RawMessage `json:"stackTrace"`
		Err          *struct {
			Type    string          `json:"type"`
			Name    string          `json:"name"`
			Message string          `json:"message"`
			Stack   json.RawMessage `json:"stack"`
		} `json:"err"`
	}
	if json.Unmarshal([]byte(t), &v) != nil {
		// Cut short (a clipped line): the fields may still be there.
		v.ErrorType, v.ErrorMessage = jsonField(t, "errorType"), jsonField(t, "errorMessage")
		if v.ErrorType == "" && v.ErrorMessage == "" {
			return "", "", "", false
		}
	}
	typ, text := v.ErrorType, v.ErrorMessage
	stack := v.Stack
	if len(stack) == 0 {
		stack = v.StackTrace
	}
	if typ == "" && text == "" && v.Err != nil {
		typ, text, stack = v.Err.Type, v.Err.Message, v.Err.Stack
		if typ == "" {
			typ = v.Err.Name
		}
	}
	if typ == "" && text == "" {
		var m string
		if json.Unmarshal(v.Message, &m) == nil && m != "" {
			text = m
		} else {
			text = v.Msg
		}
	}
	if typ == "" && text == "" {
		return "", "", "", false
	}
	text, _, _ = strings.Cut(text, "\n")
	switch {
	case typ != "" && text != "":
		head = typ + ": " + text
	case typ != "":
		head = typ
	default:
		head = text
	}
	return head, firstFrame(stack), typ, true
}

// jsonField reads the string field key of a JSON object that may be cut
// short.
func jsonField(t, key string) string {
	i := strings.Index(t, `"`+key+`":`)
	if i < 0 {
		return ""
	}
	v := strings.TrimLeft(t[i+len(key)+3:], " ")
	if !strings.HasPrefix(v, `"`) {
		return ""
	}
	for j := 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			var out string
			if json.Unmarshal([]byte(v[:j+1]), &out) != nil {
				return ""
			}
			return out
		}
	}
	return ""
}

// firstFrame finds the first stack frame in a JSON stack: an array of
// lines (Node.js) or of frames (Python), or one string of lines.
func firstFrame(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var lines []string
	var one string
	if json.Unmarshal(raw, &lines) != nil {
		if json.Unmarshal(raw, &one) != nil {
			return ""
		}
		lines = []string{one}
	}
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			if isFrame(part) {
				return part
			}
		}
	}
	return ""
}

// isFrame reports whether a line looks like a stack frame: "at f (file:1:2)"
// (Node.js, Java, .NET), `File "x.py", line 3, in f` (Python), or
// "/path/file.go:12 +0x1d" (Go).
func isFrame(line string) bool {
	t := strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(t, "at "), strings.HasPrefix(t, `File "`):
		return true
	case strings.HasPrefix(t, "/") && strings.Contains(t, ".go:"):
		return true
	}
	return false
}

// fpBuilder writes a fingerprint, bounded in length.
type fpBuilder struct {
	b     []byte
	trunc bool
}

func (b *fpBuilder) full() bool { return b.trunc || len(b.b) >= maxFingerprint }

func (b *fpBuilder) String() string {
	out := b.b
	for len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	if len(out) > maxFingerprint || b.trunc {
		// Cut at a space if there is one near the end (what ends at a
		// space reads the same before " …"), else between words (a cut
		// word could read as another token) and between runes.
		const ell = " …"
		cut := min(len(out), maxFingerprint-len(ell))
		if sp := strings.LastIndexByte(string(out[:cut+1]), ' '); sp > cut-60 {
			cut = sp
		}
		for cut > 0 && cut < len(out) && (isAlnum(out[cut-1]) && isAlnum(out[cut]) || !utf8.RuneStart(out[cut])) {
			cut--
		}
		for cut > 0 && out[cut-1] == ' ' {
			cut--
		}
		out = append(out[:cut:cut], ell...)
	}
	return string(out)
}

// line writes a message's first line, masked and without its log prefix;
// it reports whether anything was written.
func (b *fpBuilder) line(s string) bool {
	masked := mask(s, true)
	rest := stripPrefix(masked)
	if rest == "" {
		return false
	}
	b.b = append(b.b, rest...)
	if len(b.b) > maxFingerprint+16 {
		b.trunc = true
	}
	return true
}

// frame writes " | " and a stack frame, masked, its quotes dropped.
func (b *fpBuilder) frame(s string) {
	if b.full() {
		return
	}
	m := mask(strings.NewReplacer(`"`, "", `'`, "", "|", "/").Replace(s), false)
	if m == "" {
		return
	}
	b.b = append(b.b, " | "...)
	b.b = append(b.b, m...)
	if len(b.b) > maxFingerprint+16 {
		b.trunc = true
	}
}

// levels are the words a log prefix names levels with (upper case only:
// "Error:" and "panic:" begin messages).
var levels = map[string]bool{
	"TRACE": true, "DEBUG": true, "INFO": true, "WARN": true, "WARNING": true,
	"ERROR": true, "FATAL": true, "CRITICAL": true, "ERR": true, "PANIC": true,
}

// stripPrefix drops leading timestamps, request IDs and level names
// ("[ERROR]", "ERROR:", "RequestId:") from a masked line, as often as they
// come.
func stripPrefix(s string) string {
	for {
		s = strings.TrimLeft(s, " ")
		tok, rest, _ := strings.Cut(s, " ")
		w := strings.TrimSuffix(tok, ":")
		if len(w) > 2 && w[0] == '[' && w[len(w)-1] == ']' {
			w = w[1 : len(w)-1]
		}
		switch {
		case tok == "":
			return ""
		case w == "<time>" || w == "<uuid>" || strings.EqualFold(w, "RequestId") || levels[w]:
			s = rest
		default:
			return s
		}
	}
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) || c == '_' }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// mask masks what varies in one line and collapses its whitespace
// (control characters count as whitespace); quotes says whether quoted
// values are masked.
func mask(s string, quotes bool) string {
	out := make([]byte, 0, min(len(s), maxFingerprint+64))
	space := false
	urlEnd := -1 // inside a URL until here
	for i := 0; i < len(s) && len(out) < maxFingerprint+64; {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			space = true
			i++
			continue
		}
		if space {
			if len(out) > 0 {
				out = append(out, ' ')
			}
			space = false
		}
		// A mask ends in '>': what follows one is no word start, as what
		// followed the masked value was none either.
		boundary := i == 0 || !isAlnum(s[i-1]) && s[i-1] != '>'
		if i < urlEnd && (c == '?' || c == '#') {
			out = append(out, c)
			out = append(out, "<query>"...)
			i = urlEnd
			continue
		}
		if boundary {
			if n := matchURL(s[i:]); n > 0 {
				urlEnd = i + n
			}
			if n := matchTime(s[i:]); n > 0 {
				out, i = append(out, "<time>"...), i+n
				continue
			}
			if n := matchUUID(s[i:]); n > 0 {
				out, i = append(out, "<uuid>"...), i+n
				continue
			}
			if n := matchIP(s[i:]); n > 0 {
				out, i = append(out, "<ip>"...), i+n
				continue
			}
			if n := matchEmail(s[i:]); n > 0 {
				out, i = append(out, "<email>"...), i+n
				continue
			}
			if n := matchHex(s[i:]); n > 0 {
				out, i = append(out, "<hex>"...), i+n
				continue
			}
		}
		if quotes && (c == '"' || c == '\'' && boundary) {
			if n := matchQuoted(s[i:]); n > 0 {
				out = append(out, c)
				out = append(out, "<v>"...)
				out = append(out, c)
				i += n
				continue
			}
		}
		if isDigit(c) {
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			// A short number that ends a word is part of a name ("S3",
			// "base64", "utf8"), not a value.
			if i > 0 && isLetter(s[i-1]) && j-i <= 3 {
				out, i = append(out, s[i:j]...), j
				continue
			}
			if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
				j++
				for j < len(s) && isDigit(s[j]) {
					j++
				}
			}
			out, i = append(out, "<n>"...), j
			continue
		}
		if isLetter(c) || c == '_' {
			// A word: copied whole, its long digit runs masked.
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			for k := i; k < j; {
				if !isDigit(s[k]) {
					out = append(out, s[k])
					k++
					continue
				}
				e := k
				for e < j && isDigit(s[e]) {
					e++
				}
				if e-k <= 3 {
					out = append(out, s[k:e]...)
				} else {
					out = append(out, "<n>"...)
				}
				k = e
			}
			i = j
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 || isUnicodeSpace(r) {
				space = true
				i += max(n, 1)
				continue
			}
			out, i = append(out, s[i:i+n]...), i+n
			continue
		}
		out, i = append(out, c), i+1
	}
	return strings.TrimRight(string(out), " ")
}

func isUnicodeSpace(r rune) bool {
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200A || 0x80 <= r && r < 0xA0
}

// digits counts the digits at the start of s, up to limit.
func digits(s string, limit int) int {
	n := 0
	for n < len(s) && n < limit && isDigit(s[n]) {
		n++
	}
	return n
}

// endsWord reports whether s[n:] does not continue a word.
func endsWord(s string, n int) bool { return n >= len(s) || !isAlnum(s[n]) }

// matchTime matches an ISO 8601 date and time ("2026-11-25T12:00:00.123Z",
// "2026-11-25 12:00:00,123+01:00").
func matchTime(s string) int {
	if len(s) < 16 || digits(s, 4) != 4 || s[4] != '-' || digits(s[5:], 2) != 2 || s[7] != '-' ||
		digits(s[8:], 2) != 2 || (s[10] != 'T' && s[10] != ' ') || digits(s[11:], 2) != 2 || s[13] != ':' ||
		digits(s[14:], 2) != 2 {
		return 0
	}
	n := 16
	if n+2 < len(s) && s[n] == ':' && digits(s[n+1:], 2) == 2 {
		n += 3
		if n+1 < len(s) && (s[n] == '.' || s[n] == ',') && isDigit(s[n+1]) {
			n++
			for n < len(s) && isDigit(s[n]) {
				n++
			}
		}
	}
	switch {
	case n < len(s) && s[n] == 'Z':
		n++
	case n+2 < len(s) && (s[n] == '+' || s[n] == '-') && digits(s[n+1:], 2) == 2:
		m := n + 3
		if m+2 < len(s)+1 && m < len(s) && s[m] == ':' {
			m++
		}
		if digits(s[m:], 2) == 2 {
			n = m + 2
		}
	}
	if !endsWord(s, n) {
		return 0
	}
	return n
}

// matchUUID matches 8-4-4-4-12 hex digits.
func matchUUID(s string) int {
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	if !endsWord(s, 36) {
		return 0
	}
	return 36
}

// matchIP matches an IPv4 address.
func matchIP(s string) int {
	n := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if n >= len(s) || s[n] != '.' {
				return 0
			}
			n++
		}
		d := digits(s[n:], 3)
		if d == 0 {
			return 0
		}
		n += d
	}
	if !endsWord(s, n) || n < len(s) && s[n] == '.' && n+1 < len(s) && isDigit(s[n+1]) {
		return 0
	}
	return n
}

// matchHex matches 0x-prefixed hex, or a run of at least 8 hex digits,
// letters and digits mixed, that makes a word of its own.
func matchHex(s string) int {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		n := 2
		for n < len(s) && isHex(s[n]) {
			n++
		}
		if endsWord(s, n) {
			return n
		}
		return 0
	}
	n, digit, letter := 0, false, false
	for n < len(s) && isHex(s[n]) {
		digit = digit || isDigit(s[n])
		letter = letter || !isDigit(s[n])
		n++
	}
	if n < 8 || !digit || !letter || !endsWord(s, n) {
		return 0
	}
	return n
}

func isEmailLocal(c byte) bool { return isAlnum(c) || c == '.' || c == '+' || c == '-' }

// matchEmail matches local@domain.tld.
func matchEmail(s string) int {
	n := 0
	for n < len(s) && isEmailLocal(s[n]) {
		n++
	}
	if n == 0 || n >= len(s) || s[n] != '@' {
		return 0
	}
	n++
	start, dots := n, 0
	for n < len(s) && (isAlnum(s[n]) || s[n] == '-' || s[n] == '.' && n+1 < len(s) && isAlnum(s[n+1])) {
		if s[n] == '.' {
			dots++
		}
		n++
	}
	if n == start || dots == 0 {
		return 0
	}
	return n
}

// matchURL returns the length of an http(s) URL at the start of s.
func matchURL(s string) int {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return 0
	}
	n := 0
	for n < len(s) && s[n] > ' ' && s[n] != '"' && s[n] != '\'' && s[n] != ')' && s[n] != ']' {
		n++
	}
	return n
}

// matchQuoted matches a quoted value on one line: "..." or '...', the
// closing single quote not followed by a letter (so "can't" and "it's"
// quote nothing).
func matchQuoted(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			return 0
		case c == '\\' && q == '"':
			i++
		case c == q:
			// A mask begins with '<': what it masks was a word.
			if q == '\'' && i+1 < len(s) && (isAlnum(s[i+1]) || s[i+1] == '<') {
				continue
			}
			return i + 1
		}
	}
	return 0
}
