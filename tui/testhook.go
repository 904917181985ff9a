package tui

import tea "github.com/charmbracelet/bubbletea"

// testPanic, when set, is called with every message at the start of
// Update, inside the crash guard: tests set it to make the UI panic where
// a bug would. Only tests set it (the package's own, and binaries built
// with the fntop_crashtest tag, see testhook_crashtest.go); a production
// build leaves it nil.
var testPanic func(tea.Msg)
