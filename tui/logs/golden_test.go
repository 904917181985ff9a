package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/fntop/fntop/model"
)

// TestViewGolden renders the fixture over widths x themes x modes. Run
// `go test ./tui/logs -run Golden -update` to rewrite the files.
func TestViewGolden(t *testing.T) {
	modes := map[string][]string{
		"follow":  nil,
		"grouped": {"g", "o", "N"},
		"wrap":    {"w", "j", "/", "gateway", "enter"},
	}
	for _, w := range []int{80, 120} {
		for _, theme := range []string{"dark", "light", "high-contrast", "nocolor"} {
			for name, keys := range modes {
				t.Run(fmt.Sprintf("%s/%d/%s", name, w, theme), func(t *testing.T) {
					m := New(styles(t, theme), "", WithClock(fixedClock), WithLocation(time.UTC))
					m.SetSize(w, 24)
					m.AddLogs(fixture(true))
					for _, k := range keys {
						if len(k) > 1 && k != "enter" {
							m = typeText(t, m, k)
							continue
						}
						m = press(t, m, k)
					}
					checkFrame(t, m, w, 24)
					golden.RequireEqual(t, []byte(m.View()))
				})
			}
		}
	}
}

func BenchmarkAddLogs(b *testing.B) {
	m := newView(b, "", 200, 50)
	f := &feed{}
	tick := func(i int) []model.LogEntry {
		batch := make([]model.LogEntry, 1000)
		for j := range batch {
			batch[j] = f.line(fmt.Sprint("fn-", j%7), time.Duration(i*1000+j)*time.Millisecond, model.LineApp, model.LevelInfo, "", "2025-03-14T09:26:54.100Z\treq\tINFO\tsome application message with a few words in it")
		}
		return batch
	}
	for i := range 20 {
		m.AddLogs(tick(i))
	}
	batches := make([][]model.LogEntry, 64)
	for i := range batches {
		batches[i] = tick(20 + i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		batch := batches[i%len(batches)]
		for j := range batch { // keep time moving forward
			batch[j].Time = t0.Add(time.Duration((20+i)*1000+j) * time.Millisecond)
			batch[j].Seq = uint64((20+i)*1000 + j)
		}
		m.AddLogs(batch)
	}
}

func benchView(b *testing.B, keys ...string) {
	m := newView(b, "", 200, 50)
	f := &feed{}
	for range 20000 / 19 {
		m.AddLogs(fixture(true))
		_ = f
	}
	for i := range 1000 {
		m.AddLogs([]model.LogEntry{f.line("fn", time.Hour+time.Duration(i), model.LineApp, model.LevelError, "", strings.Repeat("long message \x1b[31m ", 30))})
	}
	m = press(b, m, keys...)
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkLogsView(b *testing.B)        { benchView(b) }
func BenchmarkLogsViewWrapped(b *testing.B) { benchView(b, "w", "j") }
func BenchmarkLogsViewGrouped(b *testing.B) { benchView(b, "g", "o", "up") }
