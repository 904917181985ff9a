package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain\ttext é 日本", "plain\ttext é 日本"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},                                         // OSC title change
		{"\x1b]52;c;ZXZpbA==\x1b\\", `\x1b]52;c;ZXZpbA==\x1b\`},                          // OSC 52 clipboard
		{"\x1b]8;;http://x\x1b\\a\x1b]8;;\x1b\\", `\x1b]8;;http://x\x1b\a\x1b]8;;\x1b\`}, // hyperlink
		{"c1 \u009b2J", `c1 \x9b2J`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"iso \u2066x\u2069", `iso \u2066x\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"multi\nline\r\nnode\rsep", `multi\nline\r\nnode\rsep`},
		{"del\x7f nul\x00", `del\x7f nul\x00`},
		{"zw a\u200bb\u200dc\u2060d\ufeff", `zw a\u200bb\u200dc\u2060d\ufeff`}, // zero-width
		{"tag \U000e0041\U000e007f", `tag \U000e0041\U000e007f`},               // tag characters
	} {
		got := Text(tc.in)
		if got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !Safe(got) {
			t.Errorf("output of %q is not safe: %q", tc.in, got)
		}
	}
}

func TestLines(t *testing.T) {
	got := Lines("INFO\tEVENT\r{\r  \"k\": \"\x1b[2J\"\r}\n")
	want := []string{"INFO\tEVENT", "{", `  "k": "\x1b[2J"`, "}"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lines = %q", got)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a\x1b[0m", "\xff", "\u202e", "\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !Safe(out) || !utf8.ValidString(out) {
			t.Fatalf("unsafe output %q for %q", out, s)
		}
		for _, r := range out {
			if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("control %U in output for %q", r, s)
			}
		}
	})
}
