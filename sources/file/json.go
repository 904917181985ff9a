package file

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON code of the hot path: a structural scanner that
// finds where a document ends in a stream of bytes, and a small decoder that
// reads the two document shapes fntop understands (CloudWatch Logs
// subscription messages and "aws logs filter-log-events" output) without
// building a tree or allocating per value. Header strings are returned raw
// (still escaped, pointing into the document); messages are unescaped in
// one pass into a reused buffer.

// scanResult is the outcome of a docScanner step.
type scanResult uint8

const (
	scanMore    scanResult = iota // the document continues past the data seen
	scanDone                      // the document ends at pos
	scanInvalid                   // the byte at pos cannot be part of a JSON document
)

// Byte classes outside strings.
const (
	clsInvalid uint8 = iota
	clsValue         // whitespace, ':', ',', digits, sign, '.', literal letters
	clsNewline
	clsQuote
	clsOpen
	clsClose
)

var jsonClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r:,0123456789-+.eEtruefalsn") {
		t[c] = clsValue
	}
	t['\n'] = clsNewline
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	return t
}()

// docScanner finds the end of one JSON document that starts with '{'. It is
// resumable: when the data ends inside the document, scan returns scanMore and
// continues from where it stopped once the caller has more bytes. It checks
// structure only (strings, nesting, the bytes allowed between values), which
// is enough to find the end fast and to notice text that is not JSON.
type docScanner struct {
	pos     int  // offset of the next byte to examine, from the document start
	depth   int  // open objects and arrays
	inStr   bool // pos is inside a string
	firstNL int  // offset of the first newline outside strings, -1 if none yet
}

// reset prepares the scanner for a document whose '{' is at offset 0.
func (s *docScanner) reset() { *s = docScanner{pos: 1, depth: 1, firstNL: -1} }

// scan continues over b, which holds the document from its start (offset 0).
// On scanDone pos is the offset just past the closing brace; on scanInvalid it
// is the offending byte; on scanMore every byte before pos has been examined.
func (s *docScanner) scan(b []byte) scanResult {
	i := s.pos
	q, nl := -1, -1 // cached offsets of the next quote and newline
	for i < len(b) {
		if s.inStr {
			if q < i {
				q = indexFrom(b, i, '"')
			}
			if nl < i {
				nl = indexFrom(b, i, '\n')
			}
			stop := q
			if k := bytes.IndexByte(b[i:q], '\\'); k >= 0 {
				stop = i + k
			}
			if nl < stop {
				// A raw newline cannot be inside a JSON string.
				s.pos = nl
				return scanInvalid
			}
			if stop < q { // an escape sequence
				if stop+1 >= len(b) {
					s.pos = stop
					return scanMore
				}
				if b[stop+1] == '\n' {
					s.pos = stop + 1
					return scanInvalid
				}
				i = stop + 2
				continue
			}
			if q == len(b) {
				s.pos = len(b)
				return scanMore
			}
			i = q + 1
			s.inStr = false
			continue
		}
		switch jsonClass[b[i]] {
		case clsValue:
		case clsNewline:
			if s.firstNL < 0 {
				s.firstNL = i
			}
		case clsQuote:
			s.inStr = true
		case clsOpen:
			s.depth++
		case clsClose:
			s.depth--
			if s.depth == 0 {
				s.pos = i + 1
				return scanDone
			}
		default:
			s.pos = i
			return scanInvalid
		}
		i++
	}
	s.pos = i
	return scanMore
}

// indexFrom returns the offset of the first c in b at or after i, or len(b).
func indexFrom(b []byte, i int, c byte) int {
	if k := bytes.IndexByte(b[i:], c); k >= 0 {
		return i + k
	}
	return len(b)
}

// jsonDec is a minimal pull decoder over one complete document.
type jsonDec struct {
	b []byte
	i int
}

func (d *jsonDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte that is not whitespace, or 0 at the end.
func (d *jsonDec) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// consume skips whitespace and then c; it reports whether c was there.
func (d *jsonDec) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// str reads a string and returns its raw content (between the quotes) and
// whether it holds escape sequences. Escapes are validated.
func (d *jsonDec) str() (raw []byte, esc, ok bool) {
	if d.peek() != '"' {
		return nil, false, false
	}
	start := d.i + 1
	end, esc, ok := strEnd(d.b, start)
	if !ok {
		return nil, false, false
	}
	d.i = end + 1
	return d.b[start:end], esc, true
}

// strEnd returns the index of the quote that ends the JSON string whose
// content starts at b[i], and whether the string holds escape sequences,
// which it validates. ok is false when the string does not end in b or
// holds an invalid escape.
func strEnd(b []byte, i int) (end int, esc, ok bool) {
	for {
		i += indexQuoteOrBackslash(b[i:])
		if i >= len(b) {
			return 0, false, false
		}
		if b[i] == '"' {
			return i, esc, true
		}
		esc = true
		if i+1 < len(b) && isSimpleEscape[b[i+1]] {
			i += 2
			continue
		}
		n := escapeLen(b[i:])
		if n == 0 {
			return 0, false, false
		}
		i += n
	}
}

// strAppend reads a string and appends its unescaped content to dst, in one
// pass over the input.
func (d *jsonDec) strAppend(dst []byte) ([]byte, bool) {
	if d.peek() != '"' {
		return dst, false
	}
	b := d.b
	i := d.i + 1
	for {
		j := i + indexQuoteOrBackslash(b[i:])
		if j >= len(b) {
			return dst, false
		}
		dst = append(dst, b[i:j]...)
		if b[j] == '"' {
			d.i = j + 1
			return dst, true
		}
		if j+1 >= len(b) {
			return dst, false
		}
		i = j + 2
		c := b[j+1]
		if isSimpleEscape[c] {
			dst = append(dst, simpleEscapes[c])
			continue
		}
		n := 0
		if c == 'u' {
			n = escapeLen(b[j:])
		}
		if n == 0 {
			return dst, false
		}
		dst = unescape(dst, b[j:j+n])
		i = j + n
	}
}

// isSimpleEscape and simpleEscapes are simpleEscape as tables, for the
// loops that meet an escape every few dozen bytes.
var isSimpleEscape, simpleEscapes = func() (is [256]bool, to [256]byte) {
	for c := range 256 {
		to[c], is[c] = simpleEscape(byte(c))
	}
	return is, to
}()

// simpleEscape returns the byte a one-letter JSON escape (the letter after
// the backslash) stands for.
func simpleEscape(c byte) (byte, bool) {
	switch c {
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	case 'r':
		return '\r', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case '"', '\\', '/':
		return c, true
	}
	return 0, false
}

// escapeLen returns the length of the valid escape sequence that starts b
// (at a backslash), 0 if it is not one. A surrogate pair of \u escapes
// counts as one sequence.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 || !isHex4(b[2:]) {
			return 0
		}
		if r := hexVal(b[2:]); r >= 0xd800 && r < 0xdc00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' && isHex4(b[8:]) {
			return 12
		}
		return 6
	}
	return 0
}

// indexQuoteOrBackslash returns the index of the first '"' or '\\' in b, or
// len(b). It tests sixteen bytes at a time, eight to a word: strings in log
// documents are runs of plain text between escapes, a few dozen bytes
// long.
func indexQuoteOrBackslash(b []byte) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
		qq = lo * '"'
		bs = lo * '\\'
	)
	// match flags the bytes of x that are a quote or a backslash. The lowest
	// flag is exact (borrows only flag bytes above a real match).
	match := func(x uint64) uint64 {
		q, s := x^qq, x^bs
		return ((q-lo)&^q | (s-lo)&^s) & hi
	}
	i := 0
	for ; i+16 <= len(b); i += 16 {
		w := b[i : i+16]
		t0 := match(binary.LittleEndian.Uint64(w))
		t1 := match(binary.LittleEndian.Uint64(w[8:]))
		if t0|t1 != 0 {
			if t0 != 0 {
				return i + bits.TrailingZeros64(t0)/8
			}
			return i + 8 + bits.TrailingZeros64(t1)/8
		}
	}
	if i+8 <= len(b) {
		if t := match(binary.LittleEndian.Uint64(b[i:])); t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
		i += 8
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return len(b)
}

// key reads an object key and the colon after it.
func (d *jsonDec) key() (raw []byte, esc, ok bool) {
	raw, esc, ok = d.str()
	if !ok || !d.consume(':') {
		return nil, false, false
	}
	return raw, esc, true
}

// int reads a number as an int64, truncating a fraction or exponent.
func (d *jsonDec) int() (int64, bool) {
	d.ws()
	// The common case, a timestamp: digits alone, without a leading zero.
	b, i := d.b, d.i
	var n int64
	j := i
	for j < len(b) && j-i < 18 && b[j]-'0' <= 9 {
		n = n*10 + int64(b[j]-'0')
		j++
	}
	if j > i && b[i] != '0' && (j == len(b) || !isNumberByte[b[j]]) {
		d.i = j
		return n, true
	}
	start := d.i
	end, ok := numberEnd(d.b, start)
	if !ok {
		return 0, false
	}
	d.i = end
	num := d.b[start:end]
	neg := num[0] == '-'
	if neg {
		num = num[1:]
	}
	if len(num) <= 18 {
		var n int64
		for _, c := range num {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int64(c-'0')
		}
		if n >= 0 {
			if neg {
				n = -n
			}
			return n, true
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:end]), 64)
	if err != nil || f > 9.2e18 || f < -9.2e18 {
		return 0, false
	}
	return int64(f), true
}

// isNumberByte says which bytes may continue a JSON number.
var isNumberByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789.eE+-") {
		t[c] = true
	}
	return t
}()

// numberEnd returns the end of the JSON number at i:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) (int, bool) {
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return i, false
		}
	}
	return i, true
}

// skip skips one value of any type. It keeps its own stack of open
// containers rather than recursing, so deep nesting cannot exhaust the
// goroutine stack.
func (d *jsonDec) skip() bool {
	var small [32]bool
	stack := small[:0] // true for an object
	for {
		// One value.
		switch c := d.peek(); c {
		case '"':
			if _, _, ok := d.str(); !ok {
				return false
			}
		case '{', '[':
			d.i++
			if d.peek() == c+2 { // '{'+2 is '}', '['+2 is ']': empty
				d.i++
				break
			}
			stack = append(stack, c == '{')
			if c == '{' {
				if _, _, ok := d.key(); !ok {
					return false
				}
			}
			continue
		case 't':
			if !d.literal("true") {
				return false
			}
		case 'f':
			if !d.literal("false") {
				return false
			}
		case 'n':
			if !d.literal("null") {
				return false
			}
		default:
			end, ok := numberEnd(d.b, d.i)
			if !ok {
				return false
			}
			d.i = end
		}
		// After a value: close containers until a comma asks for another.
	closing:
		for {
			if len(stack) == 0 {
				return true
			}
			obj := stack[len(stack)-1]
			switch d.peek() {
			case ',':
				d.i++
				if obj {
					if _, _, ok := d.key(); !ok {
						return false
					}
				}
				break closing
			case '}':
				if !obj {
					return false
				}
			case ']':
				if obj {
					return false
				}
			default:
				return false
			}
			d.i++
			stack = stack[:len(stack)-1]
		}
	}
}

func (d *jsonDec) literal(lit string) bool {
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// nextMember moves to the next member of an object whose '{' has been
// consumed; first says whether none was read yet. It returns the key, or
// done at the closing brace.
func (d *jsonDec) nextMember(first bool) (key []byte, esc, done, ok bool) {
	switch d.peek() {
	case '}':
		d.i++
		return nil, false, true, true
	case ',':
		if first {
			return nil, false, false, false
		}
		d.i++
	default:
		if !first {
			return nil, false, false, false
		}
	}
	key, esc, ok = d.key()
	return key, esc, false, ok
}

// nextElem moves to the next element of an array whose '[' has been
// consumed. It returns done at the closing bracket.
func (d *jsonDec) nextElem(first bool) (done, ok bool) {
	switch d.peek() {
	case ']':
		d.i++
		return true, true
	case ',':
		if first {
			return false, false
		}
		d.i++
		return false, true
	default:
		return false, first
	}
}

// keyIs compares a raw key with a name. Keys with escapes are unescaped first.
func keyIs(raw []byte, esc bool, name string) bool {
	if !esc {
		return string(raw) == name
	}
	return string(unescape(nil, raw)) == name
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// unescape appends the decoded form of a raw JSON string (validated by str)
// to dst. Lone surrogates become U+FFFD; other bytes are copied as they are,
// invalid UTF-8 included.
func unescape(dst, raw []byte) []byte {
	for {
		k := bytes.IndexByte(raw, '\\')
		if k < 0 || k+1 >= len(raw) {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:k]...)
		c := raw[k+1]
		raw = raw[k+2:]
		if c != 'u' {
			if v, ok := simpleEscape(c); ok {
				c = v
			}
			dst = append(dst, c) // validated input: '"', '\\', '/' stand for themselves
			continue
		}
		if len(raw) < 4 || !isHex4(raw) {
			dst = append(dst, '\\', 'u')
			continue
		}
		r := hexVal(raw)
		raw = raw[4:]
		if utf16.IsSurrogate(r) {
			r2 := rune(utf8.RuneError)
			if len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' && isHex4(raw[2:]) {
				r2 = hexVal(raw[2:])
			}
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				raw = raw[6:]
				r = d
			} else {
				r = utf8.RuneError
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// docKind says what a complete JSON document is.
type docKind uint8

const (
	docOther  docKind = iota // anything else: a raw (JSON-format) log line
	docSub                   // a CloudWatch Logs subscription message
	docFilter                // "aws logs filter-log-events" output
)

// docHeader is what the splitter needs to know of a document: its kind and,
// for a subscription message, the raw (still escaped) message type and
// stream that route it to a worker.
type docHeader struct {
	kind    docKind
	msgType []byte
	stream  []byte
}

// scanHeader walks the top-level members of doc, skipping values, until it
// knows the document's kind (and, for subscription messages, its type and
// stream). A document that does not decode is docOther unless a member
// already identified it.
func scanHeader(doc []byte) docHeader {
	var h docHeader
	d := jsonDec{b: doc}
	if !d.consume('{') {
		return h
	}
	var haveType, haveStream bool
	for first := true; ; first = false {
		k, esc, done, ok := d.nextMember(first)
		if !ok || done {
			return h
		}
		switch {
		case keyIs(k, esc, "messageType"):
			v, _, ok := d.str()
			if !ok {
				return h
			}
			h.kind, h.msgType, haveType = docSub, v, true
		case keyIs(k, esc, "logStream"):
			v, _, ok := d.str()
			if !ok {
				return h
			}
			h.stream, haveStream = v, true
		case keyIs(k, esc, "events") && h.kind == docOther:
			if d.peek() == '[' {
				h.kind = docFilter
				return h
			}
			if !d.skip() {
				return h
			}
		default:
			if !d.skip() {
				return h
			}
		}
		if haveType && haveStream {
			return h
		}
	}
}

// tailHeader reads the header of a one-line subscription message from its
// last members, walking back from the closing brace. Many producers write
// "logEvents" first, and scanHeader would walk the whole array (the bulk of
// the document) to reach the header, which the worker then decodes again.
//
// It reads only members whose keys are plain strings and whose values are
// plain strings or arrays of them ("plain": without escapes), which are
// top-level members whatever the document holds before them, and reports
// false as soon as it meets anything else before it has both the message
// type and the stream (the last of each, as the decoder keeps). It does not
// validate what it does not read: a document broken before its header is
// then a subscription message that the worker counts as invalid JSON.
func tailHeader(doc []byte) (docHeader, bool) {
	var h docHeader
	i := len(doc) - 1
	if i < 1 || doc[i] != '}' || doc[0] != '{' {
		return h, false
	}
	// back skips whitespace before end and returns the index of the byte
	// before it, or -1.
	back := func(end int) int {
		for end >= 0 {
			switch doc[end] {
			case ' ', '\t', '\n', '\r':
				end--
			default:
				return end
			}
		}
		return -1
	}
	// plain reads the plain string that ends with the quote at end and
	// returns its content and the index before its opening quote.
	plain := func(end int) ([]byte, int, bool) {
		if end < 1 || doc[end] != '"' {
			return nil, 0, false
		}
		start := lastQuoteOrBackslash(doc[:end])
		if start < 1 || doc[start] != '"' || doc[start-1] == '\\' {
			return nil, 0, false
		}
		return doc[start+1 : end], start - 1, true
	}
	var haveType, haveStream bool
	i--
	for {
		i = back(i)
		if i < 0 {
			return h, false
		}
		var val []byte
		var isStr, ok bool
		switch doc[i] {
		case '"':
			val, i, ok = plain(i)
			isStr = true
		case ']':
			i--
			for first := true; ; first = false {
				if i = back(i); i < 0 {
					return h, false
				}
				if doc[i] == '[' {
					i--
					ok = true
					break
				}
				if !first {
					if doc[i] != ',' {
						return h, false
					}
					if i = back(i - 1); i < 0 {
						return h, false
					}
				}
				if _, i, ok = plain(i); !ok {
					return h, false
				}
			}
		}
		if !ok {
			return h, false
		}
		if i = back(i); i < 0 || doc[i] != ':' {
			return h, false
		}
		if i = back(i - 1); i < 0 {
			return h, false
		}
		key, j, ok := plain(i)
		if !ok {
			return h, false
		}
		switch string(key) {
		case "messageType":
			if !isStr {
				return h, false
			}
			if !haveType {
				h.msgType, haveType = val, true
			}
		case "logStream":
			if !isStr {
				return h, false
			}
			if !haveStream {
				h.stream, haveStream = val, true
			}
		}
		if haveType && haveStream {
			h.kind = docSub
			return h, true
		}
		if i = back(j); i < 0 || doc[i] != ',' {
			return h, false
		}
		i--
	}
}

// lastQuoteOrBackslash returns the index of the last '"' or '\\' in b, or
// -1. It tests eight bytes at a time.
func lastQuoteOrBackslash(b []byte) int {
	const (
		lo  = 0x0101010101010101
		lo7 = 0x7f7f7f7f7f7f7f7f
		qq  = lo * '"'
		bs  = lo * '\\'
	)
	// zero flags the zero bytes of x, exactly (the high bit of each).
	zero := func(x uint64) uint64 { return ^((x&lo7 + lo7) | x | lo7) }
	i := len(b)
	for ; i >= 8; i -= 8 {
		x := binary.LittleEndian.Uint64(b[i-8:])
		if t := zero(x^qq) | zero(x^bs); t != 0 {
			return i - 8 + (63-bits.LeadingZeros64(t))/8
		}
	}
	for i--; i >= 0; i-- {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return -1
}

// docKeys are the members that open the documents fntop decodes; a broken
// or truncated document that starts with one of them is counted as skipped
// rather than read as text.
var docKeys = map[string]bool{
	"messageType": true, "owner": true, "logGroup": true, "logStream": true,
	"subscriptionFilters": true, "logEvents": true, "events": true,
	"searchedLogStreams": true, "nextToken": true,
}

// looksLikeDoc reports whether a document prefix (starting with '{') opens
// with a member of a subscription message or filter-log-events output.
func looksLikeDoc(prefix []byte) bool {
	d := jsonDec{b: prefix, i: 1}
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	end := indexFrom(d.b, d.i+1, '"')
	if end == len(d.b) || end-d.i > 32 {
		return false
	}
	return docKeys[string(d.b[d.i+1:end])]
}

// subEvent is one log event: its timestamp (ms) and its unescaped message,
// text[off:end] of the decoded document.
type subEvent struct {
	ts       int64
	off, end int
	// quiet, when set (with dropQuiet), is the message of a quiet
	// application line still in JSON form: off and end are unused.
	quiet []byte
}

// subMessage is a decoded subscription message. The byte slices of the
// header point into the document (still escaped); messages are unescaped
// into text.
type subMessage struct {
	msgType, owner, group, stream []byte
	groupEsc, streamEsc, ownerEsc bool
	events                        []subEvent
	text                          []byte
	dropQuiet                     bool
}

// decodeSub decodes the subscription message at the start of doc into m,
// reusing m.events. It returns the length of doc used: all of it, unless
// another document follows. With dropQuiet, the message of an event that is
// a quiet application line (see quietAppLine) is not unescaped: the event
// keeps it raw, in quiet.
func decodeSub(doc []byte, m *subMessage, dropQuiet bool) (int, bool) {
	*m = subMessage{events: m.events[:0], text: m.text[:0], dropQuiet: dropQuiet}
	d := jsonDec{b: doc}
	if !d.consume('{') {
		return 0, false
	}
	for first := true; ; first = false {
		k, esc, done, ok := d.nextMember(first)
		if !ok {
			return 0, false
		}
		if done {
			break
		}
		switch {
		case keyIs(k, esc, "messageType"):
			m.msgType, _, ok = d.str()
		case keyIs(k, esc, "owner"):
			m.owner, m.ownerEsc, ok = d.str()
		case keyIs(k, esc, "logGroup"):
			m.group, m.groupEsc, ok = d.str()
		case keyIs(k, esc, "logStream"):
			m.stream, m.streamEsc, ok = d.str()
		case keyIs(k, esc, "logEvents"):
			ok = d.logEvents(m)
		default:
			ok = d.skip()
		}
		if !ok {
			return 0, false
		}
	}
	switch d.peek() {
	case 0:
		return len(doc), true
	case '{':
		return d.i, true
	}
	return 0, false
}

func (d *jsonDec) logEvents(m *subMessage) bool {
	if !d.consume('[') {
		return false
	}
	for first := true; ; first = false {
		done, ok := d.nextElem(first)
		if !ok {
			return false
		}
		if done {
			return true
		}
		if !d.consume('{') {
			return false
		}
		var e subEvent
		for f := true; ; f = false {
			k, done, ok := d.eventMember(f)
			if !ok {
				return false
			}
			if done {
				break
			}
			switch k {
			case eventMessage:
				if m.dropQuiet && d.peek() == '"' {
					if n := quietPrefixRaw(d.b[d.i+1:]); n > 0 {
						// The prefix read is plain: scan on from its end.
						start := d.i + 1
						var end int
						if end, _, ok = strEnd(d.b, start+n); ok {
							e.quiet, d.i = d.b[start:end], end+1
						}
						break
					}
				}
				e.quiet = nil
				e.off = len(m.text)
				m.text, ok = d.strAppend(m.text)
				e.end = len(m.text)
			case eventTimestamp:
				e.ts, ok = d.int()
			default:
				if d.peek() == '"' { // "id", as a rule
					_, _, ok = d.str()
				} else {
					ok = d.skip()
				}
			}
			if !ok {
				return false
			}
		}
		m.events = append(m.events, e)
	}
}

// The members of a log event that decodeSub reads.
const (
	eventOther = iota
	eventMessage
	eventTimestamp
)

// eventMember is nextMember for the members of a log event. It tells the
// two it reads by their quoted names, which need no scan, and returns
// eventOther for the rest.
func (d *jsonDec) eventMember(first bool) (key int, done, ok bool) {
	switch d.peek() {
	case '}':
		d.i++
		return 0, true, true
	case ',':
		if first {
			return 0, false, false
		}
		d.i++
	default:
		if !first {
			return 0, false, false
		}
	}
	if d.peek() == '"' {
		if rest := d.b[d.i:]; len(rest) >= 12 {
			n := 0
			switch w := binary.LittleEndian.Uint64(rest); {
			case w&0xffffffff == quotedID:
				key, n = eventOther, 4
			case w == quotedMessage && rest[8] == '"':
				key, n = eventMessage, 9
			case w == quotedTimestamp && string(rest[8:11]) == `mp"`:
				key, n = eventTimestamp, 11
			}
			if n > 0 {
				d.i += n
				return key, false, d.consume(':')
			}
		}
	}
	k, esc, ok := d.key()
	switch {
	case !ok:
		return 0, false, false
	case keyIs(k, esc, "message"):
		return eventMessage, false, true
	case keyIs(k, esc, "timestamp"):
		return eventTimestamp, false, true
	}
	return eventOther, false, true
}

// The keys eventMember tells without a scan, quotes included, as
// little-endian words: `"id"`, and the first eight bytes of `"message"` and
// `"timestamp"`.
const (
	quotedID        = 0x22646922
	quotedMessage   = 0x6567617373656d22
	quotedTimestamp = 0x617473656d697422
)

// filterEvent is one event of filter-log-events output.
type filterEvent struct {
	subEvent
	stream, group       []byte
	streamEsc, groupEsc bool
}

// decodeFilter decodes filter-log-events output, appending its events to
// events and their unescaped messages to *text.
func decodeFilter(doc []byte, events []filterEvent, text *[]byte) ([]filterEvent, bool) {
	d := jsonDec{b: doc}
	if !d.consume('{') {
		return events, false
	}
	for first := true; ; first = false {
		k, esc, done, ok := d.nextMember(first)
		if !ok {
			return events, false
		}
		if done {
			break
		}
		if keyIs(k, esc, "events") {
			events, ok = d.filterEvents(events, text)
		} else {
			ok = d.skip()
		}
		if !ok {
			return events, false
		}
	}
	return events, d.peek() == 0
}

func (d *jsonDec) filterEvents(events []filterEvent, text *[]byte) ([]filterEvent, bool) {
	if !d.consume('[') {
		return events, false
	}
	for first := true; ; first = false {
		done, ok := d.nextElem(first)
		if !ok {
			return events, false
		}
		if done {
			return events, true
		}
		if !d.consume('{') {
			return events, false
		}
		var e filterEvent
		for f := true; ; f = false {
			k, esc, done, ok := d.nextMember(f)
			if !ok {
				return events, false
			}
			if done {
				break
			}
			switch {
			case keyIs(k, esc, "message"):
				e.off = len(*text)
				*text, ok = d.strAppend(*text)
				e.end = len(*text)
			case keyIs(k, esc, "timestamp"):
				e.ts, ok = d.int()
			case keyIs(k, esc, "logStreamName"):
				e.stream, e.streamEsc, ok = d.str()
			case keyIs(k, esc, "logGroupName"):
				e.group, e.groupEsc, ok = d.str()
			default:
				ok = d.skip()
			}
			if !ok {
				return events, false
			}
		}
		events = append(events, e)
	}
}
