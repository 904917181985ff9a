package logs

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// maxInput bounds what can be typed into the search or filter line.
const maxInput = 256

// lineInput is the one-line editor of a search or filter: typing appends,
// backspace deletes, ctrl+u clears, ctrl+w deletes a word. (The bubbles
// textinput would pull in a clipboard dependency the module does not
// carry.)
type lineInput struct {
	prompt string
	value  []rune
}

func (in *lineInput) update(k tea.KeyMsg) {
	switch {
	case common.KeyMsgIsText(k):
		if k.Paste {
			return // a pasted block may carry anything; type the pattern
		}
		for _, r := range k.Runes {
			if len(in.value) < maxInput && r >= 0x20 && r != 0x7f {
				in.value = append(in.value, r)
			}
		}
		if k.Type == tea.KeySpace && len(k.Runes) == 0 && len(in.value) < maxInput {
			in.value = append(in.value, ' ')
		}
	case k.Type == tea.KeyBackspace && len(in.value) > 0:
		in.value = in.value[:len(in.value)-1]
	case k.Type == tea.KeyCtrlU:
		in.value = in.value[:0]
	case k.Type == tea.KeyCtrlW:
		v := strings.TrimRight(string(in.value), " ")
		i := strings.LastIndexByte(v, ' ')
		in.value = []rune(v[:i+1])
	}
}

func (in *lineInput) set(s string) { in.value = []rune(s) }

func (in lineInput) text() string { return string(in.value) }

// view renders the prompt, the value (its end when it does not fit) and a
// block cursor.
func (in lineInput) view(width int, cursor string) string {
	if width <= 0 {
		return ""
	}
	v := termsafe.Text(string(in.value))
	room := width - len(in.prompt) - 1
	if room < 0 {
		return ansi.Truncate(in.prompt, width, "")
	}
	if w := ansi.StringWidth(v); w > room {
		v = ansi.TruncateLeft(v, w-room, "")
	}
	return in.prompt + v + cursor
}
