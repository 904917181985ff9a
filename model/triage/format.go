package triage

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/fntop/fntop/model/textsafe"
)

// Figures for people.

func pct(p float64) string {
	v := p * 100
	switch {
	case v == 0:
		return "0%"
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.0f%%", v)
	case math.Abs(v) >= 0.1:
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.2f%%", v)
}

func ms(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.0f s", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func perS(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f/s", r)
	case r >= 1:
		return fmt.Sprintf("%.1f/s", r)
	case r >= 0.01 || r == 0:
		return fmt.Sprintf("%.2f/s", r)
	}
	return fmt.Sprintf("%.2f/min", r*60)
}

func usd(v float64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	switch {
	case v == 0:
		return "$0"
	case v >= 100:
		return fmt.Sprintf("%s$%.0f", sign, v)
	case v >= 0.01:
		return fmt.Sprintf("%s$%.2f", sign, v)
	}
	return fmt.Sprintf("%s$%.4f", sign, v)
}

// Text from logs and sources is untrusted: it may hold ESC and CSI/OSC
// sequences, C1 controls, bidirectional overrides, zero-width and other
// invisible format characters, and invalid UTF-8. plain renders each such
// character visibly, in the Go escape notation the terminal views use
// (\x1b, \u202e, \xff), so that pasted reports show what the log held.

// escapeTo writes s with every invisible character escaped (the rule of
// model/textsafe, shared with the terminal views). tab is what a tab
// becomes.
func escapeTo(b *strings.Builder, s, tab string) { textsafe.Escape(b, s, tab) }

// plain makes untrusted text one safe line: nothing invisible, newlines
// as \n.
func plain(s string) string {
	var b strings.Builder
	escapeTo(&b, s, " ")
	return b.String()
}

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n-1 {
			break
		}
		k++
	}
	return s[:i] + "…"
}

// mdEscape escapes the Markdown metacharacters of safe text for use
// outside code: emphasis, code, links, HTML, tables, headings,
// strikethrough, entities and mentions (GitHub does not link an escaped
// @; Slack does not ping it).
func mdEscape(s string) string {
	const meta = "\\`*_[]<>|~#@&"
	if !strings.ContainsAny(s, meta) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(meta, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// text makes untrusted text safe Markdown outside code, at most n runes.
func text(s string, n int) string { return mdEscape(clip(plain(s), n)) }

// code makes untrusted text an inline code span (names, signatures): no
// escapes are needed inside one, but a backtick would end it, so it
// becomes an apostrophe.
func code(s string, n int) string {
	s = strings.ReplaceAll(clip(plain(s), n), "`", "'")
	if strings.TrimSpace(s) == "" {
		return "` `"
	}
	return "`" + s + "`"
}

// codeLines renders untrusted text as lines for a fenced code block: the
// message's own lines (split at \n, \r\n and a lone \r, as Node.js
// separates them), each escaped, at most n runes long, and with no run of
// three backticks, which would end the fence in Slack or CommonMark
// (``` becomes “\`).
func codeLines(s string, n int) []string {
	s = strings.TrimRight(s, "\r\n")
	parts := strings.FieldsFunc(strings.ReplaceAll(s, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
	if len(parts) == 0 {
		parts = []string{""}
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		var b strings.Builder
		escapeTo(&b, p, "  ")
		out = append(out, breakFence(clip(b.String(), n)))
	}
	return out
}

// breakFence keeps runs of backticks below three.
func breakFence(s string) string {
	if !strings.Contains(s, "```") {
		return s
	}
	var b strings.Builder
	run := 0
	for _, r := range s {
		if r != '`' {
			run = 0
			b.WriteRune(r)
			continue
		}
		if run == 2 {
			b.WriteByte('\\')
			run = 0
		}
		b.WriteRune(r)
		run++
	}
	return b.String()
}
