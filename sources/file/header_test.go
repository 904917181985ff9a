package file

import (
	"encoding/json"
	"testing"
)

// tailHeader must read what scanHeader reads from a valid document whose
// header comes last, and decline whatever it cannot read for certain.
func TestTailHeader(t *testing.T) {
	for _, tc := range []struct {
		doc           string
		ok            bool
		msgType, strm string
	}{
		{`{"logEvents":[{"id":"1","message":"a\"b}","timestamp":1}],"logGroup":"/aws/lambda/f","logStream":"2024/05/01/[$LATEST]ab","messageType":"DATA_MESSAGE","owner":"1","subscriptionFilters":["x","y"]}`, true, "DATA_MESSAGE", "2024/05/01/[$LATEST]ab"},
		{"{ \"logEvents\" : [ ] , \"logStream\" : \"s\" ,\n\"messageType\" : \"CONTROL_MESSAGE\" , \"subscriptionFilters\" : [ ] }", true, "CONTROL_MESSAGE", "s"},
		{`{"logEvents":[],"messageType":"DATA_MESSAGE","logStream":"s","owner":"1"}`, true, "DATA_MESSAGE", "s"},
		{`{"messageType":"DATA_MESSAGE","logStream":"s","logEvents":[{"message":"m"}]}`, false, "", ""}, // header first: scanHeader's case
		{`{"logEvents":[],"logStream":"s\/t","messageType":"DATA_MESSAGE"}`, false, "", ""},             // escaped stream
		{`{"logEvents":[],"logStream":"s","messageType":"DATA\u005fMESSAGE"}`, false, "", ""},           // escaped type
		{`{"logEvents":[],"logStream":"s","message\u0054ype":"DATA_MESSAGE"}`, false, "", ""},           // escaped key
		{`{"logEvents":[],"logStream":"s","messageType":1}`, false, "", ""},                             // not a string
		{`{"logEvents":[],"logStream":["s"],"messageType":"DATA_MESSAGE"}`, false, "", ""},              // not a string
		{`{"logEvents":[],"logStream":"s","messageType":"x\\"}`, false, "", ""},                         // backslash
		{`{"logEvents":[],"logStream":"s","owner":{"a":"b"},"messageType":"DATA_MESSAGE"}`, false, "", ""},
		{`{"logStream":"s"}`, false, "", ""},
		{`{"messageType":"DATA_MESSAGE"}`, false, "", ""},
		{`{}`, false, "", ""},
		{`{"}`, false, "", ""},
		{`{"logStream":"s","messageType":"DATA_MESSAGE"`, false, "", ""},
	} {
		h, ok := tailHeader([]byte(tc.doc))
		if ok != tc.ok || ok && (string(h.msgType) != tc.msgType || string(h.stream) != tc.strm) {
			t.Errorf("tailHeader(%s) = %q %q %v, want %q %q %v", tc.doc, h.msgType, h.stream, ok, tc.msgType, tc.strm, tc.ok)
			continue
		}
		if !ok || !json.Valid([]byte(tc.doc)) {
			continue
		}
		if want := scanHeader([]byte(tc.doc)); want.kind != docSub || string(want.msgType) != tc.msgType || string(want.stream) != tc.strm {
			t.Errorf("scanHeader(%s) = %v %q %q, tailHeader disagrees", tc.doc, want.kind, want.msgType, want.stream)
		}
	}
}
