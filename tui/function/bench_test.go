package function

import (
	"testing"

	"github.com/fntop/fntop/model"
)

// BenchmarkFunctionSetSnapshot is the per-tick cost of the function view:
// a fresh snapshot rebuilds the charts and panels (not the drawing of a
// frame, BenchmarkFunctionFrame).
func BenchmarkFunctionSetSnapshot(b *testing.B) {
	m := New(styles(b, "dark"), fnName)
	m.SetSize(160, 50)
	m.AddLogs(fixtureLogs(200))
	snaps := [2]*model.Snapshot{fixture(), fixture()} // SetSnapshot skips the snapshot it has
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.SetSnapshot(snaps[i%2])
	}
	if m.fn == nil {
		b.Fatal("function not found in the snapshot")
	}
}

// BenchmarkFunctionFrame is the per-frame cost: View on a view that has its
// snapshot, what runs at every redraw.
func BenchmarkFunctionFrame(b *testing.B) {
	m := New(styles(b, "dark"), fnName)
	m.SetSize(160, 50)
	m.AddLogs(fixtureLogs(200))
	m.SetSnapshot(fixture())
	b.ReportAllocs()
	for b.Loop() {
		if m.View() == "" {
			b.Fatal("empty view")
		}
	}
}
