package textsafe

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fntop/fntop/model/textsafe/textsafetest"
)

// TestEveryClassIsEscaped: each hostile class comes out with nothing the
// independent checker objects to, and readable (its letters kept).
func TestEveryClassIsEscaped(t *testing.T) {
	for _, c := range textsafetest.Classes {
		if p := textsafetest.Problem(c.Text, false); p == "" {
			t.Errorf("%s: the checker finds nothing in the raw text", c.Name)
		}
		if Safe(c.Text) {
			t.Errorf("%s: Safe(%q)", c.Name, c.Text)
		}
		for _, out := range []string{Text(c.Text), Multiline(c.Text), strings.Join(Lines(c.Text), "\n")} {
			if p := textsafetest.Problem(out, true); p != "" {
				t.Errorf("%s: %s", c.Name, p)
			}
			if !Safe(strings.ReplaceAll(out, "\n", "")) {
				t.Errorf("%s: output not Safe: %q", c.Name, out)
			}
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain\ttext é 日本 🙂", "plain\ttext é 日本 🙂"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"c1 \u009b2J raw \x9b", `c1 \x9b2J raw \x9b`},
		{"bidi \u202egnp.exe \u2066x\u2069", `bidi \u202egnp.exe \u2066x\u2069`},
		{"zw a\u200bb\u200dc\u2060d\ufeff", `zw a\u200bb\u200dc\u2060d\ufeff`},
		{"tag \U000e0041\U000e007f", `tag \U000e0041\U000e007f`},
		{"sep \u2028 \u2029 soft\u00adhyphen", `sep \u2028 \u2029 soft\xadhyphen`},
		{"nonchar \ufffe \U0001ffff", `nonchar \ufffe \U0001ffff`},
		{"bad \xff\xfe \xed\xa0\x80", `bad \xff\xfe \xed\xa0\x80`},
		{"multi\nline\r\n", `multi\nline\r\n`},
		{"del\x7f nul\x00 bel\x07 bs\x08", `del\x7f nul\x00 bel\x07 bs\x08`},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeTab(t *testing.T) {
	var b strings.Builder
	Escape(&b, "a\tb\x1b", "  ")
	if got := b.String(); got != `a  b\x1b` {
		t.Errorf("Escape = %q", got)
	}
}

func TestLinesAndMultiline(t *testing.T) {
	got := Lines("INFO\tEVENT\r{\r  \"k\": \"\x1b[2J\"\r}\n")
	if want := []string{"INFO\tEVENT", "{", `  "k": "\x1b[2J"`, "}"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lines = %q", got)
	}
	if got := Multiline("fntop: bad \x1b]0;x\x07\nhint\rover"); got != "fntop: bad \\x1b]0;x\\x07\nhint\\rover" {
		t.Errorf("Multiline = %q", got)
	}
}

func FuzzText(f *testing.F) {
	for _, c := range textsafetest.Classes {
		f.Add(c.Text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !Safe(out) || !utf8.ValidString(out) {
			t.Fatalf("unsafe output %q for %q", out, s)
		}
		if p := textsafetest.Problem(out, false); p != "" {
			t.Fatalf("%s in output for %q", p, s)
		}
		if Safe(s) != (out == s) {
			t.Fatalf("Safe(%q) = %v but Text changed it to %q", s, Safe(s), out)
		}
	})
}

func BenchmarkTextSafe(b *testing.B) {
	s := "2026-11-25T12:00:00.000Z\tc0ffee\tINFO\tprocessed order 12345 for customer ünïcødé in 12 ms"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Text(s)
	}
}

// TestJSON: a document encoding/json wrote shows nothing raw after JSON
// and decodes to the same strings.
func TestJSON(t *testing.T) {
	var in []string
	for _, c := range textsafetest.Classes {
		in = append(in, strings.ToValidUTF8(c.Text, "\ufffd"))
	}
	doc, err := json.MarshalIndent(map[string]any{"texts": in, "n": 1}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if textsafetest.Problem(string(doc), true) == "" {
		t.Fatal("encoding/json escaped everything itself: the test shows nothing")
	}
	out := JSON(doc)
	if p := textsafetest.Problem(string(out), true); p != "" {
		t.Errorf("%s in\n%s", p, out)
	}
	var back struct{ Texts []string }
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, out)
	}
	if !slices.Equal(back.Texts, in) {
		t.Errorf("decoded %q, want %q", back.Texts, in)
	}
	if plain := []byte(`{"a": "é日本"}`); &JSON(plain)[0] != &plain[0] {
		t.Error("a clean document was copied")
	}
}
