package file

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary input through format detection and decoding.
// It checks that reading never panics, that it gives the same messages
// whether the input arrives in one read or in small ones, and that the
// subscription decoder agrees with encoding/json on valid documents.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil { // directories fail
			f.Add(data)
		}
	}
	for _, s := range []string{
		subDoc("/aws/lambda/a", "s", "x") + subDoc("/aws/lambda/b", "t", "y"),
		`{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":1.5e3,"message":"\ud83d\ude00\u0041"}]}`,
		"{\n\"events\": [{\"message\": \"a\\\"b\"}]}\n{",
		"2024-05-01T10:00:00+00:00 /aws/lambda/x s m\n cont\n",
		"REPORT RequestId: x\nXRAY TraceId: y\n",
		`{"a":[[[[{"b":"}"}]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := []Option{WithMaxLineSize(1 << 12), WithMaxDocumentSize(1 << 14)}
		watch := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("no end after 10s reading %q", data)) })
		defer watch.Stop()
		whole := feedReader(t, bytes.NewReader(data), opts...)
		r := iotest.OneByteReader(bytes.NewReader(data))
		if len(data) > 2048 {
			r = &oddReader{r: bytes.NewReader(data)}
		}
		bytewise := feedReader(t, r, opts...)
		if strings.Join(whole, "\n") != strings.Join(bytewise, "\n") {
			t.Fatalf("one-byte reads differ:\n%s", diffLines(strings.Join(whole, "\n"), strings.Join(bytewise, "\n")))
		}
		checkDecodeSub(t, data)
	})
}

// checkDecodeSub compares decodeSub with encoding/json on a valid
// document: the same messages and timestamps, read from the exact member
// names (encoding/json's struct decoding would match names in any case).
func checkDecodeSub(t *testing.T, doc []byte) {
	var m subMessage
	n, ok := decodeSub(doc, &m, false)
	checkDropQuiet(t, doc, &m, n, ok)
	if ok && n == len(doc) && !json.Valid(doc) && !hasControl(doc) {
		t.Fatalf("decodeSub accepted invalid JSON %q", doc)
	}
	if !json.Valid(doc) || !utf8.Valid(doc) {
		return
	}
	want, shaped := jsonEvents(doc)
	if !shaped {
		return
	}
	if !ok {
		t.Fatalf("decodeSub rejected a valid document %q", doc)
	}
	var got []string
	for _, e := range m.events {
		got = append(got, strconv.FormatInt(e.ts, 10)+" "+strconv.Quote(string(m.text[e.off:e.end])))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("decodeSub:\n%s\nencoding/json:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkDropQuiet compares decodeSub with dropQuiet against its result
// without (full, n, ok): the same outcome and events, and each event left
// escaped is a quiet application line whose unescaped message is the one
// decoded in full.
func checkDropQuiet(t *testing.T, doc []byte, full *subMessage, n int, ok bool) {
	var m subMessage
	qn, qok := decodeSub(doc, &m, true)
	if qn != n || qok != ok {
		t.Fatalf("dropQuiet: %d %v, without: %d %v", qn, qok, n, ok)
	}
	if !ok {
		return
	}
	if len(m.events) != len(full.events) {
		t.Fatalf("dropQuiet: %d events, without: %d", len(m.events), len(full.events))
	}
	for i, e := range m.events {
		f := full.events[i]
		want := full.text[f.off:f.end]
		got := m.text[e.off:e.end]
		if e.quiet != nil {
			got = unescape(nil, e.quiet)
			if !quietAppLine(got) {
				t.Fatalf("dropQuiet left %q escaped, not a quiet line", got)
			}
		}
		if e.ts != f.ts || !bytes.Equal(got, want) {
			t.Fatalf("dropQuiet: event %d is %d %q, without: %d %q", i, e.ts, got, f.ts, want)
		}
	}
}

// hasControl reports raw control characters, which decodeSub accepts inside
// strings (documents reach it with raw newlines already ruled out by the
// splitter) and encoding/json does not.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// jsonEvents extracts the log events of a subscription message with
// encoding/json. shaped is false when the document is not an object whose
// string members are strings, whose logEvents is an array of objects and
// whose timestamps are numbers.
func jsonEvents(doc []byte) (events []string, shaped bool) {
	var top []member
	if !decodeMembers(doc, &top) {
		return nil, false
	}
	for _, mem := range top {
		switch mem.key {
		case "messageType", "owner", "logGroup", "logStream":
			var s string
			if !startsWith(mem.val, '"') || json.Unmarshal(mem.val, &s) != nil {
				return nil, false
			}
		case "logEvents":
			var arr []json.RawMessage
			if !startsWith(mem.val, '[') || json.Unmarshal(mem.val, &arr) != nil {
				return nil, false
			}
			for _, raw := range arr {
				var fields []member
				if !decodeMembers(raw, &fields) {
					return nil, false
				}
				var ts int64
				var msg string
				for _, fm := range fields {
					switch fm.key {
					case "timestamp":
						var n json.Number
						if startsWith(fm.val, '"') || startsWith(fm.val, 'n') || json.Unmarshal(fm.val, &n) != nil {
							return nil, false
						}
						fl, err := strconv.ParseFloat(string(n), 64)
						if err != nil || fl > 9.2e18 || fl < -9.2e18 {
							return nil, false
						}
						if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
							ts = i
						} else {
							ts = int64(fl)
						}
					case "message":
						if !startsWith(fm.val, '"') || json.Unmarshal(fm.val, &msg) != nil {
							return nil, false
						}
					}
				}
				events = append(events, strconv.FormatInt(ts, 10)+" "+strconv.Quote(msg))
			}
		}
	}
	return events, true
}

func startsWith(b []byte, c byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == c
}

type member struct {
	key string
	val json.RawMessage
}

// decodeMembers reads the members of a JSON object in order, keeping
// duplicates.
func decodeMembers(doc []byte, out *[]member) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if dec.Decode(&val) != nil {
			return false
		}
		*out = append(*out, member{key, val})
	}
	_, err = dec.Token()
	return err == nil
}

// TestDecodeSubAgainstJSON runs the comparison on the samples.
func TestDecodeSubAgainstJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/subscription.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		checkDecodeSub(t, line)
	}
	checkDecodeSub(t, []byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":-0.5e1,"message":"\ud83d\ude00\u0041\/"},{"message":"dup","message":"last"}],"logEvents":[]}`))
}
