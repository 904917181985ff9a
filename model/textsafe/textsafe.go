// Package textsafe makes untrusted text (log messages, names from log
// groups and streams, request IDs, error messages from endpoints) safe to
// show: on a terminal, in a pasted report, in a message on stderr.
//
// Such text can carry ESC and CSI/OSC/DCS/APC sequences (colour, screen
// clearing, title changes, hyperlinks, clipboard writes), C0 and C1
// controls, bidirectional embeddings, overrides and isolates, zero-width
// and tag characters, line separators and invalid UTF-8. Every such
// character is rendered visibly instead, in the Go escape notation a
// developer can read back (\x1b, \u202e, \U000e0041, \xff). Printable text
// in any script passes unchanged.
//
// It is the one implementation of this rule: tui/termsafe (the terminal
// views) and model/triage (the Markdown report) both use it, so that a
// message looks the same wherever it is shown.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const hexdigits = "0123456789abcdef"

// Unsafe reports whether r must not be written raw: C0 controls (tab
// included: callers choose what a tab becomes), DEL, C1 controls, format
// characters (bidi embeddings, overrides, isolates and marks, zero-width
// spaces and joiners, word joiner and invisible operators, the byte order
// mark, tag characters), line and paragraph separators and noncharacters.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r < 0x80:
		return false
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, isolates, deprecated format controls
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tags (invisible ASCII: prompt smuggling)
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe: // noncharacters
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// Safe reports whether s can be written to a terminal unchanged: valid
// UTF-8 without unsafe characters, tabs allowed.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// Text returns s with every unsafe character escaped. Tabs are kept;
// newlines and carriage returns become \n and \r, so that one message
// stays on one line (Lines keeps a message's own lines).
func Text(s string) string {
	if Safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	Escape(&b, s, "\t")
	return b.String()
}

// Escape writes s to b with every unsafe character escaped and every tab
// written as tab ("\t" keeps it; a report may want spaces).
func Escape(b *strings.Builder, s, tab string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1: // a byte of invalid UTF-8 (0x80-0xff)
			hex(b, `\x`, rune(c), 2)
		case r == '\t':
			b.WriteString(tab)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case !Unsafe(r):
			b.WriteString(s[i : i+size])
		case r <= 0xff:
			hex(b, `\x`, r, 2)
		case r <= 0xffff:
			hex(b, `\u`, r, 4)
		default:
			hex(b, `\U`, r, 8)
		}
		i += size
	}
}

func hex(b *strings.Builder, prefix string, r rune, digits int) {
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexdigits[(r>>uint(shift))&0xf])
	}
}

// Lines splits s at \n, \r\n and a lone \r (Node.js separates the lines
// of one event with \r) and makes each line safe. Trailing line breaks
// are dropped; an empty s is one empty line.
func Lines(s string) []string {
	s = strings.TrimRight(s, "\r\n")
	parts := strings.FieldsFunc(strings.ReplaceAll(s, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
	if len(parts) == 0 {
		return []string{""}
	}
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return parts
}

// Multiline is Text keeping line feeds: for messages of several lines
// (usage text, an error with a hint on its second line). A carriage
// return is escaped, since it would let one line overwrite another.
func Multiline(s string) string {
	if !strings.Contains(s, "\n") {
		return Text(s)
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return strings.Join(parts, "\n")
}

// Strip drops every unsafe character, tabs included, and invalid UTF-8
// from s: for text a user types or pastes into an input that draws its
// value raw.
func Strip(s string) string {
	if Safe(s) && !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) && !Unsafe(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// JSON rewrites every unsafe character of an encoded JSON document as a
// \u escape, so that the document means the same but shows nothing raw on
// a terminal: encoding/json escapes C0 controls and U+2028/U+2029, but
// writes DEL, C1 controls, bidi, zero-width and tag characters as they
// are. Line feeds and tabs, which the encoder only writes between tokens,
// are kept; so is invalid UTF-8, which the encoder never writes (it would
// be escaped as \ufffd).
func JSON(doc []byte) []byte {
	clean := true
	for i := 0; i < len(doc); {
		c := doc[i]
		if c < 0x7f && (c >= 0x20 || c == '\n' || c == '\t') {
			i++
			continue
		}
		r, size := utf8.DecodeRune(doc[i:])
		if Unsafe(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return doc
	}
	out := make([]byte, 0, len(doc)+64)
	for i := 0; i < len(doc); {
		c := doc[i]
		if c < 0x7f && (c >= 0x20 || c == '\n' || c == '\t') {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(doc[i:])
		switch {
		case r == utf8.RuneError && size == 1, !Unsafe(r):
			out = append(out, doc[i:i+size]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = appendU(appendU(out, r1), r2)
		default:
			out = appendU(out, r)
		}
		i += size
	}
	return out
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexdigits[r>>12&0xf], hexdigits[r>>8&0xf], hexdigits[r>>4&0xf], hexdigits[r&0xf])
}
