package fleet

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap are the fleet view's bindings. It satisfies help.KeyMap; the
// bindings the current state cannot use are disabled, so help stays true.
type KeyMap struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Home, End        key.Binding

	Open key.Binding // the function under the cursor
	Logs key.Binding // its logs

	Filter      key.Binding // start typing a filter
	ClearFilter key.Binding // esc with an active filter
	Apply       key.Binding // enter while typing a filter
	Cancel      key.Binding // esc while typing a filter

	// Sort holds one binding per sortable column, in column order.
	// Pressing a column's key again reverses the order.
	Sort [numColumns]key.Binding
}

// DefaultKeyMap returns the fleet view's default bindings (k9s style:
// shift+letter sorts by a column).
func DefaultKeyMap() KeyMap {
	km := KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open function")),
		Logs:        key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (regex, !inverts)")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Apply:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel filter")),
	}
	for c := range numColumns {
		d := columns[c]
		if d.sortKey == "" {
			km.Sort[c] = key.NewBinding(key.WithDisabled())
			continue
		}
		km.Sort[c] = key.NewBinding(key.WithKeys(d.sortKey), key.WithHelp(d.sortKey, "sort "+d.help))
	}
	return km
}

var _ help.KeyMap = KeyMap{}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Apply, k.Cancel, k.Open, k.Logs, k.Filter, k.ClearFilter, k.Sort[ColFlags], k.Sort[ColRate], k.Sort[ColErrors], k.Sort[ColP99]}
}

// FullHelp is the help screen: navigation, actions, then the sort keys.
func (k KeyMap) FullHelp() [][]key.Binding {
	var sorts []key.Binding
	for _, b := range k.Sort {
		if len(b.Keys()) > 0 {
			sorts = append(sorts, b)
		}
	}
	half := (len(sorts) + 1) / 2
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Open, k.Logs, k.Filter, k.ClearFilter, k.Apply, k.Cancel},
		sorts[:half],
		sorts[half:],
	}
}

// withState enables the bindings the view can act on in its state.
func (k KeyMap) withState(capturing, filtered, hasRows bool) KeyMap {
	nav := !capturing
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Home, &k.End, &k.Filter, &k.Logs} {
		b.SetEnabled(nav)
	}
	k.Open.SetEnabled(nav && hasRows)
	k.ClearFilter.SetEnabled(nav && filtered)
	k.Apply.SetEnabled(capturing)
	k.Cancel.SetEnabled(capturing)
	for i := range k.Sort {
		if len(k.Sort[i].Keys()) > 0 {
			k.Sort[i].SetEnabled(nav)
		}
	}
	return k
}
