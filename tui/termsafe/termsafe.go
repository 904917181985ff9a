// Package termsafe makes text from logs safe to write to a terminal.
//
// Log messages are written by functions fntop does not control: they can
// carry ESC and CSI/OSC sequences (colour, title changes, hyperlinks,
// clipboard writes), C1 controls, bidirectional overrides and invalid UTF-8.
// None of it may reach the terminal raw. Text renders every such character
// visibly instead, in the Go escape notation a developer can read back
// (\x1b, \u202e, \xff).
package termsafe

import (
	"strings"
	"unicode/utf8"
)

const hexdigits = "0123456789abcdef"

// unsafe reports whether r must not be written raw. Tab is kept: Lambda
// separates fields with it and terminals render it harmlessly.
func unsafe(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f: // C0 controls and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls (8-bit CSI, OSC, ...)
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidi embeddings, overrides, isolates and marks
	case r == 0xfeff, r == 0xfffe, r == 0xffff:
		return true // byte order mark and noncharacters
	}
	return false
}

// Safe reports whether s can be written to a terminal unchanged.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// Text returns s with every unsafe character replaced by a visible escape.
// Newlines and carriage returns become \n and \r, so one message stays on
// one line; use Lines to keep a message's own line structure.
func Text(s string) string {
	if Safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	write(&b, s)
	return b.String()
}

func write(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&0xf])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 || unsafe(r) && r <= 0xff:
			b.WriteString(`\x`)
			b.WriteByte(hexdigits[r>>4])
			b.WriteByte(hexdigits[r&0xf])
		case unsafe(r):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexdigits[(r>>uint(shift))&0xf])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}

// Lines splits s at \n, \r\n and lone \r (Node.js uses \r between the lines
// of one event) and makes each line safe.
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
