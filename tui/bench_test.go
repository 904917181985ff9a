package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/demo"
)

// benchModel is the root at 200x60 on a demo fleet of n functions, with
// the view on top of the stack opened by opts and its data applied.
func benchModel(b *testing.B, n int, opts Options) (Model, dataMsg) {
	b.Helper()
	st := model.NewStore(model.Options{Clock: fixedClock})
	if err := demo.New(demo.Seed(1), demo.Clock(fixedClock), demo.Functions(n)).Backfill(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	opts.Clock = fixedClock
	m := New(st, opts)
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m = tm.(Model)
	msg := fetch(st, m.request(true))().(dataMsg)
	tm, _ = m.Update(msg)
	return tm.(Model), msg
}

// BenchmarkFrameFleet2000 draws a full frame (title, fleet view, status
// bar) of a 2,000-function fleet.
func BenchmarkFrameFleet2000(b *testing.B) {
	m, _ := benchModel(b, 2000, Options{})
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkApplyFleet2000 hands a 2,000-function snapshot to the root and
// draws the frame: what each tick costs the UI goroutine.
func BenchmarkApplyFleet2000(b *testing.B) {
	m, msg := benchModel(b, 2000, Options{})
	b.ResetTimer()
	for b.Loop() {
		m.inflight = true
		tm, _ := m.Update(msg)
		m = tm.(Model)
		_ = m.View()
	}
}

// BenchmarkFrameFunction draws a full frame of the function view (charts).
func BenchmarkFrameFunction(b *testing.B) {
	m, msg := benchModel(b, 0, Options{Function: "order-processor"})
	b.ResetTimer()
	for b.Loop() {
		tm, _ := m.Update(msg) // new data re-draws the charts
		m = tm.(Model)
		_ = m.View()
	}
}
