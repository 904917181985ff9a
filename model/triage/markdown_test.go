package triage

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fntop/fntop/model"
)

// hostile is log content that tries to reach the reader's terminal or
// to break out of the report's Markdown.
var hostile = []string{
	"\x1b[31mERROR\x1b[0m payment failed",
	"\x1b]0;pwned\x07 title change, \x1b]52;c;Y3VybCBldmlsLnNo\x07 clipboard",
	"user uploaded \u202egnp.exe\u202c and \u200bzero\u2066width\u2069",
	"``` \n# injected heading\n```\n@channel [click](http://evil.example) <img src=x>",
	"invalid \xff\xfe bytes and a C1 CSI \u009b2J",
	strings.Repeat("long line ", 60),
}

func hostileReport(t *testing.T) (*Report, func(model.LogQuery) []model.LogEntry, *[]model.LogQuery) {
	t.Helper()
	end := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	start := end.Add(-5 * time.Minute)
	c := stats("order-processor", 612, 210, 300)
	c.ColdStarts, c.ColdStartRatio = ptr(int64(6)), ptr(6.0/612)
	c.MemorySizeMB, c.BilledMsTotal, c.CostUSD, c.CostPerHourUSD = 1024, 612*300, 0.01, 0.12
	c.ColdStartCostUSD = 0.0005
	b := stats("order-processor", 7344, 29, 3600)
	b.ColdStarts, b.ColdStartRatio = ptr(int64(12)), ptr(12.0/7344)
	cur := snap(end, 5*time.Minute, c, stats("quiet_fn", 300, 0, 300))
	cur.Sources = []model.SourceInfo{{Name: "aws:us-east-1", State: model.StateFailing, Updated: end.Add(-time.Minute),
		LastError: "dial tcp: \x1b[2J <script>alert(1)</script> @here"}}
	cur.SkippedLines = 3
	cur.SkippedBy = map[string]int64{"malformed REPORT": 3}
	cur.Signatures = []model.Signature{{
		Function: "order-processor", ID: "3f2a9c01", Kind: "function_error", ErrorType: "Error",
		Text: "Error: gateway `<n>` *failed* @channel\x1b[1m", Count: 210, New: true,
		FirstSeen: start.Add(20 * time.Second), LastSeen: end,
		Example: model.SignatureExample{Time: end.Add(-time.Minute), RequestID: "req-1",
			Message: "Error: gateway 502\n```\n# fallback heading\x1b[2J"},
	}}
	base := snap(start.Add(-time.Nanosecond), time.Hour, b, stats("quiet_fn", 3600, 0, 3600))
	base.Changes = []model.Change{{Time: start.Add(-5 * time.Minute), Function: "order-processor", Source: "aws:us-east-1",
		Field: model.ChangeVersion, From: "41", To: "42\u202e"}}
	r := Analyze(cur, base, Options{})
	var asked []model.LogQuery
	logs := func(q model.LogQuery) []model.LogEntry {
		asked = append(asked, q)
		out := []model.LogEntry{
			{Time: end.Add(-61 * time.Second), LogLine: model.LogLine{RequestID: "req-1", Kind: model.LinePlatform,
				Message: "START RequestId: req-1 Version: 42"}},
			{Time: end.Add(-61 * time.Second), LogLine: model.LogLine{RequestID: "req-2", Kind: model.LineApp,
				Message: "OTHER REQUEST must not show"}},
		}
		for _, h := range hostile {
			out = append(out, model.LogEntry{Time: end.Add(-time.Minute), LogLine: model.LogLine{RequestID: "req-1",
				Kind: model.LineApp, Level: model.LevelError, Message: h}})
		}
		out = append(out, model.LogEntry{Time: end.Add(-59 * time.Second), LogLine: model.LogLine{RequestID: "req-1",
			Kind: model.LinePlatform, Message: "END RequestId: req-1"}})
		return out
	}
	return r, logs, &asked
}

// checkSafe fails on anything in a report that a terminal or a Markdown
// renderer would act on.
func checkSafe(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Error("report is not valid UTF-8")
	}
	for i, r := range out {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) ||
			unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			t.Errorf("raw %U at byte %d: %q", r, i, out[max(0, i-30):min(len(out), i+30)])
		}
	}
	inCode := false
	for n, line := range strings.Split(out, "\n") {
		if line == "```" {
			inCode = !inCode
			continue
		}
		if strings.Contains(line, "```") {
			t.Errorf("line %d holds a fence: %q", n+1, line)
		}
		if utf8.RuneCountInString(line) > 240 {
			t.Errorf("line %d is %d runes long", n+1, utf8.RuneCountInString(line))
		}
		if inCode {
			continue
		}
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# fntop incident report") &&
			!strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") {
			t.Errorf("line %d: a heading the report did not write: %q", n+1, line)
		}
		prose := codeSpan.ReplaceAllString(line, "")
		for _, bad := range []string{"<script", "<img", "[click]", "@channel", "@here", "*failed*"} {
			if unescaped(prose, bad) {
				t.Errorf("line %d: unescaped %q outside code: %q", n+1, bad, line)
			}
		}
	}
	if inCode {
		t.Error("a code block is never closed")
	}
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// unescaped reports whether bad occurs in s without a backslash before it.
func unescaped(s, bad string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], bad)
		if j < 0 {
			return false
		}
		if i+j == 0 || s[i+j-1] != '\\' {
			return true
		}
		i += j + 1
	}
}

func TestMarkdownReport(t *testing.T) {
	r, logs, asked := hostileReport(t)
	var buf bytes.Buffer
	if err := r.Markdown(&buf, logs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkSafe(t, out)
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report does not marshal: %v", err)
	}

	// Structure: the sections in order.
	last := -1
	for _, h := range []string{"# fntop incident report: 2026-11-25 10:30 UTC", "**Summary:**", "## Top offenders",
		"### 1. `order-processor`", "## Fleet", "## Sources", "## Method"} {
		i := strings.Index(out, h)
		if i < 0 || i < last {
			t.Errorf("section %q missing or out of order (at %d, after %d)", h, i, last)
		}
		last = max(last, i)
	}
	if strings.Contains(out, "quiet_fn") && strings.Contains(out, "### 2.") {
		t.Error("an unflagged function listed among the offenders")
	}
	for _, want := range []string{
		"`order-processor`: errors 34% (baseline 0.4%), 210 of 612",    // the summary
		"**error-rate spike**: errors 34% (baseline 0.4%), 210 of 612", // a flag
		"**NEW**", // a new signature
		"`Error: gateway '<n>' *failed* @channel\\x1b[1m`", // its text, in code
		"\\x1b[31mERROR\\x1b[0m payment failed",            // ESC made visible
		"\\x1b]0;pwned\\x07",                               // OSC
		"\\u202egnp.exe\\u202c",                            // bidi override
		"\\xff\\xfe",                                       // invalid UTF-8
		"``\\` ",                                           // a fence broken
		"deploy: version 41 → 42\\\\u202e",                 // the change, escaped
		"dial tcp: \\\\x1b\\[2J \\<script\\>alert(1)\\</script\\> \\@here", // source error
		"3 input lines skipped (malformed REPORT 3)",
		"the preceding hour",
		"cold starts",
		"/month",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "OTHER REQUEST") {
		t.Error("a line of another request is in the sample")
	}
	if len(*asked) != 1 || (*asked)[0] != (model.LogQuery{Function: "order-processor", RequestID: "req-1", Limit: 20}) {
		t.Errorf("log queries %+v", *asked)
	}
	// The sample block: at most five log lines (plus their continuation
	// lines), the error lines chosen over START and END.
	block := between(out, "Example failed request `req-1`", "Changes:")
	if n := strings.Count(block, "\n10:29:0"); n < 3 || n > 5 {
		t.Errorf("sample holds %d lines, want 3 to 5:\n%s", n, block)
	}
	if strings.Contains(block, "START RequestId") {
		t.Errorf("START chosen over error lines:\n%s", block)
	}
}

// Without logs the signature's example message stands in, as safely.
func TestMarkdownFallsBackToExample(t *testing.T) {
	r, _, _ := hostileReport(t)
	var buf bytes.Buffer
	if err := r.Markdown(&buf, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkSafe(t, out)
	block := between(out, "Example failed request", "Changes:")
	for _, want := range []string{"Error: gateway 502", "``\\`", "# fallback heading\\x1b[2J"} {
		if !strings.Contains(block, want) {
			t.Errorf("fallback lacks %q:\n%s", want, block)
		}
	}
}

func TestMarkdownNothingFlagged(t *testing.T) {
	end := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	r := Analyze(snap(end, 5*time.Minute, stats("a", 100, 0, 300)), nil, Options{})
	var buf bytes.Buffer
	if err := r.Markdown(&buf, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkSafe(t, out)
	if !strings.Contains(out, "nothing unusual") || strings.Contains(out, "## Top offenders") {
		t.Errorf("report:\n%s", out)
	}
	if !strings.Contains(out, "none: only absolute rules applied") {
		t.Errorf("baseline not described:\n%s", out)
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		s = s[:j]
	}
	return s
}

func TestSanitisers(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"plain ESC", plain("a\x1b[2Jb"), `a\x1b[2Jb`},
		{"plain newline and tab", plain("a\nb\tc\rd"), `a\nb c\rd`},
		{"plain bidi", plain("x\u202ey"), `x\u202ey`},
		{"plain tag character", plain("x\U000E0041y"), `x\U000e0041y`},
		{"plain invalid", plain("a\xffb"), `a\xffb`},
		{"plain C1", plain("a\u009bb"), `a\x9bb`},
		{"plain keeps text", plain("naïve 日本 ✓"), "naïve 日本 ✓"},
		{"escape markdown", mdEscape("*a* _b_ [c](d) <e> `f` #g @h |i| ~j~ &k; \\"), `\*a\* \_b\_ \[c\](d) \<e\> \` + "`" + `f\` + "`" + ` \#g \@h \|i\| \~j\~ \&k; \\`},
		{"code span", code("a`b", 10), "`a'b`"},
		{"code span empty", code("", 10), "` `"},
		{"clip", clip("abcdef", 4), "abc…"},
		{"clip short", clip("abc", 4), "abc"},
		{"break fence", breakFence("x``````y"), "x``\\``\\``y"},
		{"break fence short runs", breakFence("a``b`c"), "a``b`c"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	lines := codeLines("one\r\ntwo\rthree\n```\n", 80)
	if strings.Join(lines, "|") != "one|two|three|``\\`" {
		t.Errorf("codeLines = %q", lines)
	}
}
