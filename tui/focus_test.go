package tui

import (
	"slices"
	"testing"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
)

// TestFocusFollowsTheOpenViews checks that the store learns which
// functions the user is looking at, so sources can follow them closely.
func TestFocusFollowsTheOpenViews(t *testing.T) {
	store := model.NewStore(model.Options{})
	m := New(store, Options{})
	if f := store.Focus(); len(f) != 0 {
		t.Fatalf("fleet view: focus %v, want none", f)
	}
	m, _ = m.open(kindFunction, "order-processor")
	if f := store.Focus(); !slices.Equal(f, []string{"order-processor"}) {
		t.Fatalf("function view: focus %v", f)
	}
	m, _ = m.open(kindLogs, "order-processor")
	if f := store.Focus(); !slices.Equal(f, []string{"order-processor"}) {
		t.Fatalf("logs view: focus %v", f)
	}
	m, _ = m.back()
	_, _ = m.back()
	if f := store.Focus(); len(f) != 0 {
		t.Fatalf("back on the fleet: focus %v, want none", f)
	}
	// A UI opened on a function focuses it from the start.
	New(store, Options{Function: "thumbnailer"})
	if f := store.Focus(); !slices.Equal(f, []string{"thumbnailer"}) {
		t.Fatalf("opened on a function: focus %v", f)
	}
	_ = common.Data(store)
}
