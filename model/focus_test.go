package model

import (
	"slices"
	"testing"
)

func TestFocus(t *testing.T) {
	s := NewStore(Options{})
	if f := s.Focus(); f != nil {
		t.Fatalf("initial focus %v", f)
	}
	in := []string{"b", "a", "b"}
	s.SetFocus(in...)
	if f := s.Focus(); !slices.Equal(f, []string{"a", "b"}) {
		t.Fatalf("focus %v, want [a b]", f)
	}
	if !slices.Equal(in, []string{"b", "a", "b"}) {
		t.Error("SetFocus changed its argument")
	}
	f := s.Focus()
	f[0] = "x"
	if s.Focus()[0] != "a" {
		t.Error("Focus returned the store's own slice")
	}
	s.SetFocus()
	if len(s.Focus()) != 0 {
		t.Errorf("focus not cleared: %v", s.Focus())
	}
}
