package triage

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap are the triage view's bindings. Keys() returns a copy with the
// bindings the current state cannot use disabled, so help stays true.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Open       key.Binding // the function (list) or the signature's request (signatures)
	Signatures key.Binding // move into the signature list and back
	Logs       key.Binding // the selected function's logs
	Leave      key.Binding // esc in the signature list: back to the functions
}

// DefaultKeyMap returns the triage view's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:        key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open function")),
		Signatures: key.NewBinding(key.WithKeys("tab", "s"), key.WithHelp("tab/s", "error signatures")),
		Logs:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "function logs")),
		Leave:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to functions")),
	}
}

var _ help.KeyMap = KeyMap{}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Signatures, k.Logs, k.Leave}
}

// FullHelp is the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Open, k.Signatures, k.Logs, k.Leave},
	}
}

// withState enables what the state can act on and names what enter does.
func (k KeyMap) withState(hasFunction, inSignatures, hasSignatures bool) KeyMap {
	k.Open.SetEnabled(hasFunction && (!inSignatures || hasSignatures))
	if inSignatures {
		k.Open.SetHelp("enter", "open the signature's request")
		k.Signatures.SetHelp("tab/s", "back to functions")
	}
	k.Signatures.SetEnabled(hasFunction)
	k.Logs.SetEnabled(hasFunction)
	k.Leave.SetEnabled(inSignatures)
	return k
}
