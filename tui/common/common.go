// Package common holds what every view of fntop's terminal UI shares: the
// styles built once from the theme, the read-only data interface the views
// are fed from, the navigation messages views send to the root, and number
// formatting. Views never talk to a source or a cloud: they render
// snapshots the root hands them.
package common

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/themes"
	"github.com/fntop/fntop/tui/termsafe"
)

// Data is what the UI reads; *model.Store implements it. Calls are made
// from tea.Cmd goroutines, never from Update or View.
type Data interface {
	Snapshot(model.SnapshotOptions) *model.Snapshot
	Logs(model.LogQuery) []model.LogEntry
	// Invocation is the stored record of one request of a function
	// (false when the store does not hold it, or no longer).
	Invocation(function, requestID string) (model.InvocationRecord, bool)
	// RecentInvocations are a function's stored invocations, oldest
	// first; limit > 0 keeps the newest limit.
	RecentInvocations(function string, limit int) []model.InvocationRecord
}

// Navigation messages: views ask the root to change view by returning a
// command that yields one of these.
type (
	// OpenFunctionMsg opens the function view of Name.
	OpenFunctionMsg struct{ Name string }
	// OpenLogsMsg opens the logs view of Function ("" = the whole fleet).
	OpenLogsMsg struct{ Function string }
	// BackMsg returns to the previous view.
	BackMsg struct{}
	// OpenTriageMsg opens the triage view.
	OpenTriageMsg struct{}
	// OpenInvocationMsg opens the invocation view of one request of
	// Function.
	OpenInvocationMsg struct{ Function, RequestID string }
)

// Styles are every lipgloss style the UI uses, built once from a theme.
type Styles struct {
	Theme themes.Theme

	Base      lipgloss.Style
	Subtle    lipgloss.Style
	Accent    lipgloss.Style
	Bold      lipgloss.Style
	Header    lipgloss.Style // column headers and title bars
	Selected  lipgloss.Style // the row under the cursor
	Match     lipgloss.Style // search matches
	OK        lipgloss.Style
	Warn      lipgloss.Style
	Error     lipgloss.Style
	Cold      lipgloss.Style
	Border    lipgloss.Style // box borders (use with lipgloss.RoundedBorder)
	StatusBar lipgloss.Style

	// Chart colours for series (invocations, errors, cold starts, ...).
	Chart1, Chart2, Chart3 lipgloss.Color
	ErrorColor, WarnColor  lipgloss.Color
	OKColor, ColdColor     lipgloss.Color
	SubtleColor            lipgloss.Color
}

// NewStyles builds the styles of a theme. With NoColor every style keeps
// only attributes (bold, reverse, underline), so state stays visible.
func NewStyles(t themes.Theme) Styles {
	c := func(s string) lipgloss.Color {
		if t.NoColor {
			return lipgloss.Color("")
		}
		return lipgloss.Color(s)
	}
	fg := func(s string) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(s)) }
	st := Styles{
		Theme:       t,
		Base:        fg(t.FG),
		Subtle:      fg(t.Subtle),
		Accent:      fg(t.Accent),
		Bold:        fg(t.FG).Bold(true),
		Header:      lipgloss.NewStyle().Foreground(c(t.HeaderFG)).Background(c(t.HeaderBG)).Bold(true),
		Selected:    lipgloss.NewStyle().Foreground(c(t.SelectionFG)).Background(c(t.SelectionBG)),
		Match:       lipgloss.NewStyle().Foreground(c(t.MatchFG)).Background(c(t.MatchBG)),
		OK:          fg(t.OK),
		Warn:        fg(t.Warn),
		Error:       fg(t.Error).Bold(true),
		Cold:        fg(t.Cold),
		Border:      fg(t.Border),
		StatusBar:   lipgloss.NewStyle().Foreground(c(t.FG)),
		Chart1:      c(t.Chart1),
		Chart2:      c(t.Chart2),
		Chart3:      c(t.Chart3),
		ErrorColor:  c(t.Error),
		WarnColor:   c(t.Warn),
		OKColor:     c(t.OK),
		ColdColor:   c(t.Cold),
		SubtleColor: c(t.Subtle),
	}
	if t.NoColor {
		st.Selected = lipgloss.NewStyle().Reverse(true)
		st.Match = lipgloss.NewStyle().Reverse(true).Underline(true)
		st.Header = lipgloss.NewStyle().Bold(true).Underline(true)
		st.Error = lipgloss.NewStyle().Bold(true)
	}
	return st
}

// Severity grades a figure for colouring.
type Severity int

// Severities, from fine to bad.
const (
	SevNone Severity = iota
	SevOK
	SevWarn
	SevError
)

// Style returns the style of a severity.
func (s Styles) Style(sev Severity) lipgloss.Style {
	switch sev {
	case SevOK:
		return s.OK
	case SevWarn:
		return s.Warn
	case SevError:
		return s.Error
	}
	return s.Base
}

// ErrorRateSeverity grades an error rate: any error is a warning, 5% or
// more is an error.
func ErrorRateSeverity(rate float64) Severity {
	switch {
	case rate >= 0.05:
		return SevError
	case rate > 0:
		return SevWarn
	}
	return SevNone
}

// MemorySeverity grades memory used against configured: 80% is a warning,
// 95% (out of memory territory) an error.
func MemorySeverity(ratio *float64) Severity {
	if ratio == nil {
		return SevNone
	}
	switch {
	case *ratio >= 0.95:
		return SevError
	case *ratio >= 0.8:
		return SevWarn
	}
	return SevNone
}

// Ms formats milliseconds compactly: "0.8ms", "42ms", "1.2s", "2m03s".
func Ms(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "-"
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	case ms < 60000:
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	d := time.Duration(ms) * time.Millisecond
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// USD formats money with the precision small amounts need.
func USD(v float64) string {
	switch {
	case v == 0:
		return "$0"
	case v < 0.0001:
		return fmt.Sprintf("$%.6f", v)
	case v < 0.01:
		return fmt.Sprintf("$%.4f", v)
	case v < 1000:
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("$%.0f", v)
}

// Pct formats a ratio as a percentage.
func Pct(r float64) string {
	if r > 0 && r < 0.001 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// Rate formats a per-second rate.
func Rate(r float64) string {
	switch {
	case r == 0:
		return "0"
	case r < 0.1:
		return fmt.Sprintf("%.3f", r)
	case r < 100:
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// Count formats an optional count; nil (the source cannot know) is "-".
func Count(v *int64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

// Ago says how long ago t was: "2s ago", "3m ago"; "never" for zero.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh ago", int(d.Hours()))
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as a line of block characters, scaled to the
// largest value, width cells wide (the newest values when there are more).
func Sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	hi := 0.0
	for _, v := range values {
		if v > hi {
			hi = v
		}
	}
	out := make([]rune, 0, width)
	for i := len(values); i < width; i++ {
		out = append(out, ' ')
	}
	for _, v := range values {
		switch {
		case hi == 0 || v <= 0 || math.IsNaN(v):
			out = append(out, ' ')
		default:
			i := int(v / hi * float64(len(sparkRunes)-1))
			out = append(out, sparkRunes[min(max(i, 0), len(sparkRunes)-1)])
		}
	}
	return string(out)
}

// ChangeText says a configuration change for people: "version 41 → 42",
// "timeout 15 s → 20 s", "memory 512 MB → 1024 MB". Values from sources
// are made terminal-safe.
func ChangeText(c model.Change) string {
	from, to := c.From, c.To
	label := c.Field
	unit := func(f func(string) string) { from, to = f(from), f(to) }
	switch c.Field {
	case model.ChangeVersion:
		label = "version"
	case model.ChangeTimeout:
		label = "timeout"
		unit(func(v string) string {
			if ms, err := strconv.ParseFloat(v, 64); err == nil {
				return strconv.FormatFloat(ms/1000, 'f', -1, 64) + " s"
			}
			return v
		})
	case model.ChangeMemory:
		label = "memory"
		unit(func(v string) string {
			if _, err := strconv.Atoi(v); err == nil {
				return v + " MB"
			}
			return v
		})
	case model.ChangeConcurrency:
		label = "reserved concurrency"
	case model.ChangeReplicas:
		label = "replicas"
	case model.ChangeRuntime:
		label = "runtime"
	case model.ChangeArch:
		label = "architecture"
	}
	if from == "" {
		from = "?"
	}
	if to == "" {
		to = "?"
	}
	return termsafe.Text(label) + " " + termsafe.Text(from) + " → " + termsafe.Text(to)
}

// Flow joins items with two spaces, wrapping to width; an item wider than
// the width is truncated.
func Flow(items []string, width int) []string {
	var out []string
	cur, curW := "", 0
	for _, it := range items {
		iw := ansi.StringWidth(it)
		switch {
		case curW == 0:
		case curW+2+iw <= width:
			cur += "  " + it
			curW += 2 + iw
			continue
		default:
			out = append(out, Fit(cur, width))
		}
		cur, curW = it, iw
	}
	if curW > 0 {
		out = append(out, Fit(cur, width))
	}
	return out
}

// Fit truncates s to width cells, with an ellipsis.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}
