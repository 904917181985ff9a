//go:build fntop_crashtest

package tui

import (
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

// A binary built with -tags fntop_crashtest panics inside the UI when the
// key named by $FNTOP_TEST_PANIC_KEY is pressed: the end-to-end test of
// crash handling (terminal restored, stack written, exit status) uses it.
func init() {
	key := os.Getenv("FNTOP_TEST_PANIC_KEY")
	if key == "" {
		return
	}
	testPanic = func(msg tea.Msg) {
		if k, ok := msg.(tea.KeyMsg); ok && k.String() == key {
			panic("injected test panic (FNTOP_TEST_PANIC_KEY=" + key + ")")
		}
	}
}
