package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// headerView is the title line: the view stack as a breadcrumb on the
// left; the window and PAUSED on the right.
func (m Model) headerView() string {
	st := m.styles
	crumbs := make([]string, 0, len(m.stack))
	for i, f := range m.stack {
		label := f.title()
		if i == len(m.stack)-1 {
			crumbs = append(crumbs, st.Bold.Render(label))
		} else {
			crumbs = append(crumbs, st.Subtle.Render(label))
		}
	}
	left := st.Accent.Bold(true).Render("fntop") + " " + strings.Join(crumbs, st.Subtle.Render(" › "))

	var right []string
	for _, w := range windows {
		label := model.WindowLabel(w)
		if w == m.window {
			right = append(right, st.Selected.Render(label))
		} else {
			right = append(right, st.Subtle.Render(label))
		}
	}
	if !isOffered(m.window) {
		right = append(right, st.Selected.Render(model.WindowLabel(m.window)))
	}
	r := st.Subtle.Render("window ") + strings.Join(right, " ")
	if m.paused {
		r = st.Warn.Bold(true).Render("PAUSED") + "  " + r
	}
	if m.incident.on() {
		r = st.Error.Reverse(true).Render(" INCIDENT T0 "+m.incident.t0.UTC().Format("15:04:05")+" UTC ") + "  " + r
	}
	return spread(left, r, m.width)
}

func isOffered(w time.Duration) bool {
	for _, o := range windows {
		if o == w {
			return true
		}
	}
	return false
}

func (f frame) title() string {
	switch f.kind {
	case kindFunction:
		return termsafe.Text(f.name)
	case kindLogs:
		if f.name == "" {
			return "logs (fleet)"
		}
		return "logs " + termsafe.Text(f.name)
	case kindTriage:
		return "triage"
	case kindInvocation:
		return "request " + termsafe.Text(shortID(f.req))
	}
	return "fleet"
}

// shortID shortens a request ID for the breadcrumb: its first 8
// characters and an ellipsis.
func shortID(id string) string {
	if r := []rune(id); len(r) > 9 {
		return string(r[:8]) + "…"
	}
	return id
}

// statusView is two lines: each source's health, the window, the price
// table and PAUSED; then the short help of the active view and the root.
func (m Model) statusView() string {
	st := m.styles
	var parts []string
	if m.paused {
		parts = append(parts, st.Warn.Bold(true).Reverse(true).Render(" PAUSED "))
	}
	switch {
	case m.incident.on():
		in := st.Error.Reverse(true).Render(" INCIDENT T0 "+m.incident.t0.UTC().Format("15:04:05")+" UTC ") +
			st.Subtle.Render(" collected since: ") + st.Base.Render(sinceText(m.incident.liveEnd.Sub(m.incident.t0))) +
			st.Subtle.Render(", ") + st.Base.Render(fmt.Sprintf("%d invocations", m.incident.collected))
		parts = append(parts, in)
	case m.incident.pinning:
		parts = append(parts, st.Warn.Render("pinning T0…"))
	}
	if m.status.notice != "" {
		style := st.OK
		if m.status.noticeErr {
			style = st.Error
		}
		parts = append(parts, style.Render(termsafe.Text(m.status.notice)))
	}
	for _, s := range m.status.sources {
		parts = append(parts, m.sourceView(s))
	}
	if len(m.status.sources) == 0 {
		parts = append(parts, st.Subtle.Render("no sources yet"))
	}
	if m.status.fetchErr != "" {
		parts = append(parts, st.Error.Render(termsafe.Text(m.status.fetchErr)))
	}
	parts = append(parts, st.Subtle.Render("window ")+st.Base.Render(model.WindowLabel(m.window)))
	if m.status.pricing != "" {
		parts = append(parts, st.Subtle.Render("prices ")+st.Base.Render(termsafe.Text(m.status.pricing)))
	}
	line := ansi.Truncate(strings.Join(parts, st.Subtle.Render("  │  ")), m.width, "…")
	keys := combinedKeys{view: m.active().Keys(), global: m.keys}
	return line + "\n" + ansi.Truncate(m.help.ShortHelpView(keys.ShortHelp()), m.width, "…")
}

// sourceView is one source's health: "● demo ok · updated 2s ago".
func (m Model) sourceView(s model.SourceInfo) string {
	st := m.styles
	var sev lipgloss.Style
	switch s.State {
	case model.StateOK:
		sev = st.OK
	case model.StateFailing:
		sev = st.Error
	case model.StateDone:
		sev = st.Subtle
	default: // starting, backfilling, lagging, throttled
		sev = st.Warn
	}
	out := sev.Render("●") + " " + st.Base.Render(termsafe.Text(s.Name)) + " " + sev.Render(string(s.State))
	if s.Detail != "" && s.State != model.StateOK {
		out += " " + st.Subtle.Render(termsafe.Text(s.Detail))
	}
	if s.LagS >= 1 {
		out += " " + st.Warn.Render(fmt.Sprintf("lag %.0fs", s.LagS))
	}
	if s.LastError != "" {
		out += " " + st.Error.Render(termsafe.Text(s.LastError))
	}
	if !s.Updated.IsZero() {
		out += " " + st.Subtle.Render("· updated "+common.Ago(m.clock(), s.Updated))
	}
	return out
}

// helpView is the full help: the global keys, then the active view's, in
// columns that wrap to the width.
func (m Model) helpView() string {
	st := m.styles
	var b strings.Builder
	b.WriteString(st.Header.Render(" Keys ") + st.Subtle.Render("  ? or esc closes") + "\n\n")
	b.WriteString(st.Bold.Render("Everywhere") + "\n")
	b.WriteString(m.helpColumns(m.keys.FullHelp()) + "\n\n")
	b.WriteString(st.Bold.Render(m.top().kindTitle()) + "\n")
	b.WriteString(m.helpColumns(m.active().Keys().FullHelp()))
	return b.String()
}

func (f frame) kindTitle() string {
	return [...]string{kindFleet: "Fleet", kindFunction: "Function", kindLogs: "Logs", kindTriage: "Triage", kindInvocation: "Invocation"}[f.kind]
}

// sinceText is how long incident mode has collected: "42s", "3m05s",
// "1h02m".
func sinceText(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// helpColumns draws groups of keys as columns, starting a new row of
// columns when the next one does not fit.
func (m Model) helpColumns(groups [][]key.Binding) string {
	const gap = "   "
	var rows, row []string
	rowW := 0
	for _, g := range groups {
		col := m.helpColumn(g)
		if col == "" {
			continue
		}
		w := lipgloss.Width(col)
		if len(row) > 0 && rowW+len(gap)+w > m.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		if len(row) > 0 {
			row = append(row, gap)
			rowW += len(gap)
		}
		row = append(row, col)
		rowW += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n")
}

func (m Model) helpColumn(g []key.Binding) string {
	keyW := 0
	for _, k := range g {
		if k.Enabled() {
			keyW = max(keyW, lipgloss.Width(k.Help().Key))
		}
	}
	var lines []string
	for _, k := range g {
		if !k.Enabled() {
			continue
		}
		h := k.Help()
		lines = append(lines, m.styles.Accent.Render(h.Key+strings.Repeat(" ", keyW-lipgloss.Width(h.Key)))+" "+m.styles.Base.Render(h.Desc))
	}
	return strings.Join(lines, "\n")
}

// spread puts left and right on one line of width w, truncating left
// first when they do not fit.
func spread(left, right string, w int) string {
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if rw+1 > w {
		return ansi.Truncate(left, w, "…")
	}
	if lw+1+rw > w {
		left = ansi.Truncate(left, w-rw-1, "…")
		lw = lipgloss.Width(left)
	}
	return left + strings.Repeat(" ", w-lw-rw) + right
}

// fit makes s exactly h lines, each at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// tooSmallView says the terminal is too small, in whatever room there is.
func tooSmallView(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	msg := fmt.Sprintf("terminal too small (need %dx%d, have %dx%d)", MinWidth, MinHeight, w, h)
	wrapped := ansi.Wrap(msg, w, "")
	lines := strings.Split(wrapped, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(strings.TrimRight(l, " "), w, "")
	}
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
}
