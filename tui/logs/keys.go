package logs

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the log view's key bindings. Keys() returns a copy with the
// bindings that do not apply in the current state disabled, so the help
// screen only lists what works.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right                           key.Binding
	Follow                                key.Binding
	Search, Filter                        key.Binding
	Next, Prev                            key.Binding
	Clear                                 key.Binding
	JSON, Timestamps, UTC, Wrap           key.Binding
	Group, Fold, UnfoldAll, FoldAll       key.Binding
	// Request opens the invocation view of the request of the line (or
	// group) under the cursor.
	Request key.Binding

	// While a search or filter is typed.
	Apply, Cancel key.Binding
}

// DefaultKeyMap returns the k9s-like bindings of the log view.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up (pauses)")),
		Down:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:       key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "oldest line")),
		End:        key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "newest line, follow")),
		Left:       key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "scroll left")),
		Right:      key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "scroll right")),
		Follow:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "autoscroll on/off")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search (regex)")),
		Filter:     key.NewBinding(key.WithKeys("f", "&"), key.WithHelp("f/&", "filter (regex, ! inverts)")),
		Next:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next failure")),
		Prev:       key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous failure")),
		Clear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search/filter, back")),
		JSON:       key.NewBinding(key.WithKeys("j", "J"), key.WithHelp("j", "pretty JSON")),
		Timestamps: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timestamps")),
		UTC:        key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "UTC/local time")),
		Wrap:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap")),
		Group:      key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "group by request")),
		Fold:       key.NewBinding(key.WithKeys("enter", " "), key.WithHelp("enter/space", "fold/unfold request")),
		UnfoldAll:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "unfold all")),
		FoldAll:    key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "fold all")),
		Request:    key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter/r", "open the line's request")),
		Apply:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	if k.Apply.Enabled() {
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Follow, k.Search, k.Filter, k.Next, k.Prev, k.Wrap, k.Group, k.Request, k.Clear}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	if k.Apply.Enabled() {
		return [][]key.Binding{{k.Apply, k.Cancel}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Left, k.Right},
		{k.Follow, k.Search, k.Filter, k.Next, k.Prev, k.Clear},
		{k.JSON, k.Timestamps, k.UTC, k.Wrap},
		{k.Group, k.Fold, k.UnfoldAll, k.FoldAll, k.Request},
	}
}
