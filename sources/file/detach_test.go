package file

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/fntop/fntop/model"
)

// TestDetachEveryString checks that detach moves every string of an event
// out of the message buffer, whatever the event's kind, so that a string
// field added to model.Event cannot be forgotten.
func TestDetachEveryString(t *testing.T) {
	for k := model.KindInvocation; k <= model.KindSeen; k++ {
		buf := []byte("RequestId: 8e6d Error: boom\nRuntime.ExitError")
		e := model.Event{Kind: k}
		var fields []string
		eachString(reflect.ValueOf(&e).Elem(), "", func(path string, v reflect.Value) {
			if k == model.KindSeen && path != ".Source" && path != ".Function" {
				return // a KindSeen holds nothing else
			}
			off := len(fields) % (len(buf) - 4)
			v.SetString(unsafe.String(&buf[off], 4))
			fields = append(fields, path)
		})
		want := map[string]string{}
		eachString(reflect.ValueOf(&e).Elem(), "", func(path string, v reflect.Value) { want[path] = strings.Clone(v.String()) })
		events := []model.Event{e}
		detach(events, buf)
		for i := range buf {
			buf[i] = '#'
		}
		eachString(reflect.ValueOf(&events[0]).Elem(), "", func(path string, v reflect.Value) {
			if got := v.String(); got != want[path] {
				t.Errorf("%v event: %s = %q after the buffer changed, want %q", k, path, got, want[path])
			}
		})
		if k != model.KindSeen && len(fields) < 20 {
			t.Fatalf("%v: only %d string fields found", k, len(fields))
		}
	}
}

// eachString calls fn for every string in v (a struct, walked in depth).
func eachString(v reflect.Value, path string, fn func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.String:
		fn(path, v)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachString(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
			}
		}
	}
}

// TestDetachLeavesOtherStrings checks that strings from elsewhere keep
// their memory, and that nothing is copied when nothing points into the
// message.
func TestDetachLeavesOtherStrings(t *testing.T) {
	buf := []byte("REPORT RequestId: 1")
	own := "interned"
	events := []model.Event{{Kind: model.KindInvocation, Function: own, Invocation: model.Invocation{RequestID: own}}}
	detach(events, buf)
	if unsafe.StringData(events[0].Function) != unsafe.StringData(own) || unsafe.StringData(events[0].Invocation.RequestID) != unsafe.StringData(own) {
		t.Fatal("a string from outside the message was copied")
	}
}
