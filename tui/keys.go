package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap holds the root's global keys: they work from every view unless
// the view is capturing text (then only ForceQuit does).
type KeyMap struct {
	Quit       key.Binding
	ForceQuit  key.Binding
	Help       key.Binding
	Back       key.Binding
	Window1m   key.Binding
	Window5m   key.Binding
	Window15m  key.Binding
	Window1h   key.Binding
	PrevWindow key.Binding
	NextWindow key.Binding
	Pause      key.Binding
	FleetLogs  key.Binding
	Triage     key.Binding
	Incident   key.Binding
	Export     key.Binding
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Window1m:   key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "window 1m")),
		Window5m:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "window 5m")),
		Window15m:  key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "window 15m")),
		Window1h:   key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "window 1h")),
		PrevWindow: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "shorter window")),
		NextWindow: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "longer window")),
		Pause:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		FleetLogs:  key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "fleet logs")),
		// Not t (the log view's timestamps), I (the fleet's cold-start
		// sort) nor E (its error sort).
		Triage:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "triage (anomalies)")),
		Incident: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "incident mode: pin T0 / leave")),
		Export:   key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "write incident report (.md)")),
	}
}

// ShortHelp is the status bar's share of the global keys.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Back, k.Triage, k.Incident, k.Pause, k.Quit}
}

// FullHelp lists every global key, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Help, k.Back, k.Pause, k.FleetLogs, k.Quit, k.ForceQuit},
		{k.Window1m, k.Window5m, k.Window15m, k.Window1h, k.PrevWindow, k.NextWindow},
		{k.Triage, k.Incident, k.Export},
	}
}

// combinedKeys is the help of the active view followed by the global keys.
type combinedKeys struct {
	view   help.KeyMap
	global KeyMap
}

// ShortHelp starts with "? help" (the rest may be cut off on a narrow
// terminal) and leaves out global keys the view already names.
func (c combinedKeys) ShortHelp() []key.Binding {
	out := []key.Binding{c.global.Help}
	seen := map[string]bool{}
	for _, k := range c.global.Help.Keys() {
		seen[k] = true
	}
	if c.view != nil {
		for _, b := range c.view.ShortHelp() {
			out = append(out, b)
			for _, k := range b.Keys() {
				seen[k] = true
			}
		}
	}
	for _, b := range c.global.ShortHelp() {
		dup := false
		for _, k := range b.Keys() {
			dup = dup || seen[k]
		}
		if !dup {
			out = append(out, b)
		}
	}
	return out
}

func (c combinedKeys) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	if c.view != nil {
		out = append(out, c.view.FullHelp()...)
	}
	return append(out, c.global.FullHelp()...)
}
