package logs

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/termsafe"
)

// drawnSGR matches the styling sequences the view writes itself.
var drawnSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// FuzzPrettyJSON checks the JSON pretty-printer of the log view on any
// message: the object it finds is valid JSON equal to the message's tail,
// printing it again changes nothing (idempotence), its size is bounded by
// the message's (no quadratic growth from deep nesting), and the view
// with pretty-printing on (and wrapping) draws no control character but
// its own styling.
func FuzzPrettyJSON(f *testing.F) {
	for _, e := range fixture(true) {
		f.Add(e.Message)
	}
	for _, s := range []string{
		`{}`,
		`Invoke Error 	{"errorType":"Error","errorMessage":"\u001b]0;pwned\u0007","stack":["a\tb"]}`,
		"{\"a\":\"\x1b[2J\u009b\u202e\"} \r\n",
		`{"a":1}{"b":2}`,
		`x {"a": {"b": {"c": [1, 2, {"d": null}]}}}`,
		strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64),
		strings.Repeat(`[`, 500) + strings.Repeat("]", 500) + "}",
		`{"a":` + strings.Repeat(`[`, 2000) + strings.Repeat("]", 2000) + "}",
		`{"a":"\xff\xfe"}`,
		"{ { { { { { { { { {\"a\":1}",
	} {
		f.Add(s)
	}
	st := styles(f, "dark")
	f.Fuzz(func(t *testing.T, msg string) {
		head, obj, ok := prettyJSON(msg)
		if ok {
			tail := strings.TrimRight(msg, " \t\r\n")[len(strings.TrimRight(head, " \t")):]
			tail = strings.TrimLeft(tail, " \t")
			if !json.Valid([]byte(obj)) {
				t.Fatalf("invalid JSON out of %q: %q", msg, obj)
			}
			var a, b bytes.Buffer
			if json.Compact(&a, []byte(obj)) != nil || json.Compact(&b, []byte(tail)) != nil || a.String() != b.String() {
				t.Fatalf("prettyJSON(%q) = %q, %q: not the message's object", msg, head, obj)
			}
			if h2, o2, ok2 := prettyJSON(obj); !ok2 || h2 != "" || o2 != obj {
				t.Fatalf("not idempotent: %q gives %q %q %v", obj, h2, o2, ok2)
			}
			if len(head)+len(obj) > maxPrettyGrowth*len(msg)+64 {
				t.Fatalf("%d bytes pretty-printed from %d", len(head)+len(obj), len(msg))
			}
		}
		m := New(st, "", WithClock(fixedClock), WithLocation(time.UTC))
		m.SetSize(60, 12)
		m.AddLogs([]model.LogEntry{{Seq: 1, Time: t0, Function: "fn", Source: "test",
			LogLine: model.LogLine{Kind: model.LineApp, Level: model.LevelError, Message: msg}}})
		for _, keys := range [][]string{nil, {"j"}, {"w"}} {
			m = press(t, m, keys...)
			for _, l := range m.messageLines(msg) {
				if !termsafe.Safe(l) || strings.Contains(l, "\t") {
					t.Fatalf("unsafe line %q of %q", l, msg)
				}
			}
			checkDrawn(t, m.View(), msg)
		}
	})
}

// checkDrawn fails on any control character in a drawn view but line
// feeds and the view's own styling, and on invalid UTF-8.
func checkDrawn(t *testing.T, view, msg string) {
	t.Helper()
	v := drawnSGR.ReplaceAllString(view, "")
	if !utf8.ValidString(v) {
		t.Fatalf("invalid UTF-8 drawn for %q", msg)
	}
	for _, r := range v {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			t.Fatalf("control %U drawn for %q", r, msg)
		}
	}
}
