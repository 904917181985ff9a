package model

import "slices"

// SetFocus records the functions the user is looking at (a function view,
// its logs). Sources that can follow a few functions more closely than the
// whole fleet (more frequent polling, a live tail) read it with Focus; it is
// the one thing that flows from the UI towards the sources, and it goes
// through the model, never to a source directly.
func (s *Store) SetFocus(names ...string) {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	s.focusMu.Lock()
	s.focus = names
	s.focusMu.Unlock()
}

// Focus returns the functions in focus, sorted (nil when none).
func (s *Store) Focus() []string {
	s.focusMu.Lock()
	defer s.focusMu.Unlock()
	return slices.Clone(s.focus)
}
