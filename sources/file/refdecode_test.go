package file

// The subscription and filter-log-events decoders as they were before they
// were made faster (commit 74bca3b), kept as the reference that the fuzz
// test FuzzDecodeMatchesReference holds the current ones to.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// refDec is a minimal pull decoder over one complete document.
type refDec struct {
	b []byte
	i int
}

func (d *refDec) ws() {
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
func (d *refDec) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// consume skips whitespace and then c; it reports whether c was there.
func (d *refDec) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// str reads a string and returns its raw content (between the quotes) and
// whether it holds escape sequences. Escapes are validated.
func (d *refDec) str() (raw []byte, esc, ok bool) {
	if d.peek() != '"' {
		return nil, false, false
	}
	b := d.b
	start := d.i + 1
	i := start
	for {
		j := i + refIndexQB(b[i:])
		if j >= len(b) {
			return nil, false, false
		}
		if b[j] == '"' {
			d.i = j + 1
			return b[start:j], esc, true
		}
		n := escapeLen(b[j:])
		if n == 0 {
			return nil, false, false
		}
		esc = true
		i = j + n
	}
}

// strAppend reads a string and appends its unescaped content to dst, in one
// pass over the input.
func (d *refDec) strAppend(dst []byte) ([]byte, bool) {
	if d.peek() != '"' {
		return dst, false
	}
	b := d.b
	i := d.i + 1
	for {
		j := i + refIndexQB(b[i:])
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
		if v, ok := simpleEscape(c); ok {
			dst = append(dst, v)
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

// refIndexQB returns the index of the first '"' or '\\' in b, or
// len(b). It tests eight bytes at a time: strings in log documents are long
// runs of plain text between escapes.
func refIndexQB(b []byte) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
		qq = lo * '"'
		bs = lo * '\\'
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, s := x^qq, x^bs
		// A zero byte of q or s is a match. The lowest flagged byte is
		// exact (borrows only flag bytes above a real match).
		if t := ((q-lo)&^q | (s-lo)&^s) & hi; t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return len(b)
}

// key reads an object key and the colon after it.
func (d *refDec) key() (raw []byte, esc, ok bool) {
	raw, esc, ok = d.str()
	if !ok || !d.consume(':') {
		return nil, false, false
	}
	return raw, esc, true
}

// int reads a number as an int64, truncating a fraction or exponent.
func (d *refDec) int() (int64, bool) {
	d.ws()
	start := d.i
	end, ok := refNumberEnd(d.b, start)
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

// refNumberEnd returns the end of the JSON number at i:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func refNumberEnd(b []byte, i int) (int, bool) {
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
func (d *refDec) skip() bool {
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
			end, ok := refNumberEnd(d.b, d.i)
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

func (d *refDec) literal(lit string) bool {
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// nextMember moves to the next member of an object whose '{' has been
// consumed; first says whether none was read yet. It returns the key, or
// done at the closing brace.
func (d *refDec) nextMember(first bool) (key []byte, esc, done, ok bool) {
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
func (d *refDec) nextElem(first bool) (done, ok bool) {
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

// refScanHeader walks the top-level members of doc, skipping values, until it
// knows the document's kind (and, for subscription messages, its type and
// stream). A document that does not decode is docOther unless a member
// already identified it.
func refScanHeader(doc []byte) docHeader {
	var h docHeader
	d := refDec{b: doc}
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

// refTailHeader reads the header of a one-line subscription message from its
// last members, walking back from the closing brace. Many producers write
// "logEvents" first, and refScanHeader would walk the whole array (the bulk of
// the document) to reach the header, which the worker then decodes again.
//
// It reads only members whose keys are plain strings and whose values are
// plain strings or arrays of them ("plain": without escapes), which are
// top-level members whatever the document holds before them, and reports
// false as soon as it meets anything else before it has both the message
// type and the stream (the last of each, as the decoder keeps). It does not
// validate what it does not read: a document broken before its header is
// then a subscription message that the worker counts as invalid JSON.
func refTailHeader(doc []byte) (docHeader, bool) {
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
		start := bytes.LastIndexByte(doc[:end], '"')
		if start < 1 || doc[start-1] == '\\' || bytes.IndexByte(doc[start+1:end], '\\') >= 0 {
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

// refDecodeSub decodes the subscription message at the start of doc into m,
// reusing m.events. It returns the length of doc used: all of it, unless
// another document follows. With dropQuiet, the message of an event that is
// a quiet application line (see quietAppLine) is not unescaped: the event
// keeps it raw, in quiet.
func refDecodeSub(doc []byte, m *subMessage, dropQuiet bool) (int, bool) {
	*m = subMessage{events: m.events[:0], text: m.text[:0], dropQuiet: dropQuiet}
	d := refDec{b: doc}
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

func (d *refDec) logEvents(m *subMessage) bool {
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
			k, esc, done, ok := d.nextMember(f)
			if !ok {
				return false
			}
			if done {
				break
			}
			switch {
			case keyIs(k, esc, "message"):
				if m.dropQuiet && d.peek() == '"' && quietAppLineRaw(d.b[d.i+1:]) {
					e.quiet, _, ok = d.str()
					break
				}
				e.quiet = nil
				e.off = len(m.text)
				m.text, ok = d.strAppend(m.text)
				e.end = len(m.text)
			case keyIs(k, esc, "timestamp"):
				e.ts, ok = d.int()
			default:
				ok = d.skip()
			}
			if !ok {
				return false
			}
		}
		m.events = append(m.events, e)
	}
}

// refDecodeFilter decodes filter-log-events output, appending its events to
// events and their unescaped messages to *text.
func refDecodeFilter(doc []byte, events []filterEvent, text *[]byte) ([]filterEvent, bool) {
	d := refDec{b: doc}
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

func (d *refDec) filterEvents(events []filterEvent, text *[]byte) ([]filterEvent, bool) {
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

// FuzzDecodeMatchesReference holds the decoders to the reference: the same
// outcome, the same events (times, messages, quiet lines left escaped) and
// the same headers, on any input.
func FuzzDecodeMatchesReference(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			for _, line := range bytes.Split(data, []byte("\n")) {
				f.Add(line)
			}
		}
	}
	var gen bytes.Buffer
	if _, err := GenerateSubscription(&gen, 64<<10, 1); err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(gen.Bytes(), []byte("\n")) {
		f.Add(line)
	}
	for _, s := range []string{
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":01,"message":"x"}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":-5,"message":"x"},{"timestamp":1e3,"id":2}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":12345678901234567890,"message":"x"}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1.5,"message":"x\u00"}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"i\u0064":"1","message":"2024-05-01T10:00:00.200Z\tab\tINFO\thi\n","timestamp":1}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"message":"[INFO]\tx\" ","timestamp":1},{"message":"[INFO] \q"}]}`,
		`{"logEvents":[],"logStream":"a\"b","messageType":"DATA_MESSAGE"}`,
		`{"logEvents":[],"logStream":"ab\\","messageType":"DATA_MESSAGE"}`,
		`{"events":[{"message":"a","timestamp":1,"logStreamName":"s","logGroupName":"/aws/lambda/x"}],"searchedLogStreams":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, quiet := range []bool{false, true} {
			var got, want subMessage
			gn, gok := decodeSub(doc, &got, quiet)
			wn, wok := refDecodeSub(doc, &want, quiet)
			if gn != wn || gok != wok {
				t.Fatalf("decodeSub(%q, %v) = %d %v, reference %d %v", doc, quiet, gn, gok, wn, wok)
			}
			if gok && describeSub(&got) != describeSub(&want) {
				t.Fatalf("decodeSub(%q, %v):\n%s\nreference:\n%s", doc, quiet, describeSub(&got), describeSub(&want))
			}
		}
		if g, w := scanHeader(doc), refScanHeader(doc); fmt.Sprintf("%q", g) != fmt.Sprintf("%q", w) {
			t.Fatalf("scanHeader(%q) = %q, reference %q", doc, g, w)
		}
		g, gok := tailHeader(doc)
		w, wok := refTailHeader(doc)
		if gok != wok || fmt.Sprintf("%q", g) != fmt.Sprintf("%q", w) {
			t.Fatalf("tailHeader(%q) = %q %v, reference %q %v", doc, g, gok, w, wok)
		}
		var gtext, wtext []byte
		gev, gok := decodeFilter(doc, nil, &gtext)
		wev, wok := refDecodeFilter(doc, nil, &wtext)
		if gok != wok || fmt.Sprintf("%+v", gev) != fmt.Sprintf("%+v", wev) || !bytes.Equal(gtext, wtext) {
			t.Fatalf("decodeFilter(%q) = %+v %v, reference %+v %v", doc, gev, gok, wev, wok)
		}
	})
}

// describeSub prints what a decoded message holds.
func describeSub(m *subMessage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q %q %q %v %v %v\n", m.msgType, m.owner, m.group, m.stream, m.groupEsc, m.streamEsc, m.ownerEsc)
	for _, e := range m.events {
		if e.quiet != nil {
			fmt.Fprintf(&b, "%d quiet %q\n", e.ts, e.quiet)
		} else {
			fmt.Fprintf(&b, "%d %q\n", e.ts, m.text[e.off:e.end])
		}
	}
	return b.String()
}
