package fleet

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/fntop/fntop/tui/common"
)

// The traffic cell's width is taken as sparkPoints without measuring: true
// for every length of series and every level.
func TestSparklineWidthIsKnown(t *testing.T) {
	for n := 0; n <= sparkPoints; n++ {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i % 9) // zero (a space) and every block
		}
		if got := ansi.StringWidth(common.Sparkline(vals, sparkPoints)); got != sparkPoints {
			t.Errorf("%d values: width %d, want %d", n, got, sparkPoints)
		}
	}
}

// Rows are formatted when first drawn: a snapshot formats a screenful, and
// rows scrolled into view are formatted then, with the figures of their
// own function.
func TestRowsFormattedWhenDrawn(t *testing.T) {
	m := newModel(t, 160, 20, bigFleet(2000))
	formatted := func() int {
		n := 0
		for i := range m.rows {
			if m.rows[i].formatted {
				n++
			}
		}
		return n
	}
	if got := formatted(); got == 0 || got > m.bodyRows() {
		t.Fatalf("after a snapshot %d rows formatted, want 1..%d", got, m.bodyRows())
	}
	m = send(t, m, runes("G"))
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	end := min(m.offset+m.bodyRows(), len(m.view))
	if end-m.offset < 2 || m.offset < 1000 {
		t.Fatalf("not scrolled to the end: offset %d of %d", m.offset, len(m.view))
	}
	for i := m.offset; i < end; i++ {
		r := &m.rows[m.view[i]]
		line := lines[m.bodyTop()+i-m.offset]
		want := []string{r.fs.Name, common.Rate(r.fs.RatePerS), count(r.fs.Errors), common.Ms(r.fs.Duration.P99)}
		if !r.formatted {
			t.Errorf("row %d (%s) drawn unformatted", i, r.fs.Name)
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("row %d: %q missing from %q", i, w, line)
			}
		}
	}
	if got := formatted(); got > 2*m.bodyRows() {
		t.Errorf("%d rows formatted after one jump, want at most %d", got, 2*m.bodyRows())
	}
}
