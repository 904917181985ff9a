package function

import "github.com/charmbracelet/bubbles/key"

// KeyMap are the keys of the function view. It satisfies help.KeyMap.
type KeyMap struct {
	Logs     key.Binding
	Back     key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	// The recent errors: mark the next older or newer one, and open the
	// marked one's request in the invocation view.
	NextError key.Binding
	PrevError key.Binding
	OpenError key.Binding
}

// DefaultKeyMap returns the default keys of the function view.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Logs:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		NextError: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "mark older error")),
		PrevError: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "mark newer error")),
		OpenError: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open error's request")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Logs, k.OpenError, k.Back, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Logs, k.Back, k.OpenError, k.NextError, k.PrevError},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
	}
}

// setErrors enables the error keys only when there are errors to mark.
func (k *KeyMap) setErrors(on bool) {
	for _, b := range []*key.Binding{&k.NextError, &k.PrevError, &k.OpenError} {
		b.SetEnabled(on)
	}
}

// setScrollable enables the scroll keys only when the lower panes overflow,
// so the help screen shows what works.
func (k *KeyMap) setScrollable(on bool) {
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(on)
	}
}
