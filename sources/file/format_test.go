package file

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestFormatsGolden feeds every sample input through the splitter and
// decoders and compares what reaches the parser with a golden file: one line
// per message, "function|stream|time|message". Reading the input one byte at
// a time must give the same messages, so that no rule depends on where reads
// happen to end.
func TestFormatsGolden(t *testing.T) {
	cases := []struct {
		file string
		opts []Option
	}{
		{"raw.log", nil},
		{"tail.txt", nil},
		{"tail-groups.txt", nil},
		{"tail-short.txt", []Option{WithFunction("checkout")}},
		{"filter.json", nil},
		{"subscription.jsonl", nil},
		{"json-format.log", nil},
		{"mixed.log", nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, sink := feedText(t, string(data), c.opts...)
			if s := sink.skipped(); len(s) > 0 {
				t.Errorf("skipped %v", s)
			}
			golden := filepath.Join("testdata", "golden", c.file+".inputs")
			text := strings.Join(got, "\n") + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if text != string(want) {
				t.Errorf("inputs differ from %s:\n%s", golden, diffLines(string(want), text))
			}

			bytewise := feedReader(t, iotest.OneByteReader(strings.NewReader(string(data))), c.opts...)
			if strings.Join(bytewise, "\n")+"\n" != text {
				t.Errorf("one-byte reads differ:\n%s", diffLines(text, strings.Join(bytewise, "\n")+"\n"))
			}
		})
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n want " + wl + "\n  got " + gl + "\n")
			if b.Len() > 4000 {
				break
			}
		}
	}
	return b.String()
}

// TestDetection checks one rule at a time on small inputs.
func TestDetection(t *testing.T) {
	const (
		stream = "2024/05/01/[$LATEST]8e6debb3ccb74abaa38c0e626efbcdd3"
		req    = "aaaaaaaa-0000-4000-8000-000000000001"
	)
	cases := []struct {
		name string
		in   string
		opts []Option
		want []string
	}{
		{
			name: "node app line is raw, not tail output",
			in:   "2024-05-01T10:00:00.200Z\t" + req + "\tINFO\thello\n",
			want: []string{`stdin||-|"2024-05-01T10:00:00.200Z\t` + req + `\tINFO\thello"`},
		},
		{
			name: "runtime timeout line is raw, not tail output",
			in:   "2024-05-01T10:00:03.000Z " + req + " Task timed out after 3.00 seconds\n",
			want: []string{`stdin||-|"2024-05-01T10:00:03.000Z ` + req + ` Task timed out after 3.00 seconds"`},
		},
		{
			name: "Z timestamp with a stream is tail output",
			in:   "2024-05-01T10:00:00.123Z " + stream + " END RequestId: " + req + "\n",
			want: []string{`stdin|` + stream + `|2024-05-01T10:00:00.123Z|"END RequestId: ` + req + `"`},
		},
		{
			name: "numeric offset is converted to UTC",
			in:   "2024-05-01T12:00:00.5+02:00 " + stream + " hi\n",
			want: []string{`stdin|` + stream + `|2024-05-01T10:00:00.5Z|"hi"`},
		},
		{
			name: "detailed tail with a stream that is not Lambda's",
			in:   "2024-05-01T10:00:00+00:00 my-stream hello world\n",
			want: []string{`stdin|my-stream|2024-05-01T10:00:00Z|"hello world"`},
		},
		{
			name: "group before stream names the function",
			in:   "2024-05-01T10:00:00+00:00 /aws/lambda/orders " + stream + " hi\n",
			want: []string{`orders|` + stream + `|2024-05-01T10:00:00Z|"hi"`},
		},
		{
			name: "function option does not override a named group",
			in:   "2024-05-01T10:00:00+00:00 /aws/lambda/orders " + stream + " hi\n",
			opts: []Option{WithFunction("other")},
			want: []string{`orders|` + stream + `|2024-05-01T10:00:00Z|"hi"`},
		},
		{
			name: "function option names tail output without a group",
			in:   "2024-05-01T10:00:00+00:00 " + stream + " hi\n",
			opts: []Option{WithFunction("other")},
			want: []string{`other|` + stream + `|2024-05-01T10:00:00Z|"hi"`},
		},
		{
			name: "custom group without function in the stream",
			in:   "2024-05-01T10:00:00+00:00 /custom/group some-stream hi\n",
			want: []string{`/custom/group|some-stream|2024-05-01T10:00:00Z|"hi"`},
		},
		{
			name: "short format with empty message",
			in:   "2024-05-01T10:00:00 \n2024-05-01T10:00:01 next\n",
			want: []string{`stdin||2024-05-01T10:00:00Z|""`, `stdin||2024-05-01T10:00:01Z|"next"`},
		},
		{
			name: "continuation lines join the tail event, platform lines do not",
			in: "2024-05-01T10:00:00+00:00 " + stream + " Traceback:\n  line 1\n\n  line 2\n" +
				"START RequestId: " + req + " Version: $LATEST\n",
			want: []string{
				`stdin|` + stream + `|2024-05-01T10:00:00Z|"Traceback:\n  line 1\n\n  line 2"`,
				`stdin||-|"START RequestId: ` + req + ` Version: $LATEST"`,
			},
		},
		{
			name: "trailing blank lines do not join the tail event",
			in:   "2024-05-01T10:00:00+00:00 " + stream + " msg\n\n\n",
			want: []string{`stdin|` + stream + `|2024-05-01T10:00:00Z|"msg"`},
		},
		{
			name: "colored tail output",
			in:   "\x1b[32m2024-05-01T10:00:00+00:00\x1b[0m \x1b[36m" + stream + "\x1b[0m hi\n",
			want: []string{`stdin|` + stream + `|2024-05-01T10:00:00Z|"hi"`},
		},
		{
			name: "X-Ray line joins a raw REPORT only",
			in: "REPORT RequestId: " + req + "\tDuration: 1.00 ms\t\nXRAY TraceId: 1-2-3\tSampled: true\n" +
				"XRAY TraceId: 1-2-4\n",
			want: []string{
				`stdin||-|"REPORT RequestId: ` + req + `\tDuration: 1.00 ms\t\nXRAY TraceId: 1-2-3\tSampled: true"`,
				`stdin||-|"XRAY TraceId: 1-2-4"`,
			},
		},
		{
			name: "runtime error type joins its error line",
			in:   "RequestId: " + req + " Error: Runtime exited with error: signal: killed\nRuntime.ExitError\nRuntime.ExitError\n",
			want: []string{
				`stdin||-|"RequestId: ` + req + ` Error: Runtime exited with error: signal: killed\nRuntime.ExitError"`,
				`stdin||-|"Runtime.ExitError"`,
			},
		},
		{
			name: "CRLF line ends and blank lines",
			in:   "one\r\n\r\n   \ntwo\r\n",
			want: []string{`stdin||-|"one"`, `stdin||-|"two"`},
		},
		{
			name: "last line without newline",
			in:   "one\ntwo",
			want: []string{`stdin||-|"one"`, `stdin||-|"two"`},
		},
		{
			name: "raw JSON-format line",
			in:   `{"time":"2024-05-01T10:00:00.000Z","type":"platform.start","record":{"requestId":"` + req + `"}}` + "\n",
			want: []string{`stdin||-|"{\"time\":\"2024-05-01T10:00:00.000Z\",\"type\":\"platform.start\",\"record\":{\"requestId\":\"` + req + `\"}}"`},
		},
		{
			name: "JSON line with trailing text is one raw line",
			in:   `{"a":1} tail` + "\n",
			want: []string{`stdin||-|"{\"a\":1} tail"`},
		},
		{
			name: "brace line that is not JSON",
			in:   "{not json\nnext\n",
			want: []string{`stdin||-|"{not json"`, `stdin||-|"next"`},
		},
		{
			name: "unclosed JSON line followed by text",
			in:   "{\"a\": 1\nSTART RequestId: " + req + " Version: $LATEST\n",
			want: []string{`stdin||-|"{\"a\": 1"`, `stdin||-|"START RequestId: ` + req + ` Version: $LATEST"`},
		},
		{
			name: "pretty JSON that is not a document fntop reads is raw lines",
			in:   "{\n  \"a\": 1\n}\n",
			want: []string{`stdin||-|"{"`, `stdin||-|"  \"a\": 1"`, `stdin||-|"}"`},
		},
		{
			name: "subscription messages concatenated without newline",
			in: subDoc("/aws/lambda/a", stream, "one") + subDoc("/aws/lambda/b", stream, "two") +
				subDoc("/aws/lambda/a", stream, "three"),
			want: []string{
				`a|` + stream + `|2024-05-01T10:00:00Z|"one"`,
				`b|` + stream + `|2024-05-01T10:00:00Z|"two"`,
				`a|` + stream + `|2024-05-01T10:00:00Z|"three"`,
			},
		},
		{
			name: "pretty-printed subscription message",
			in:   "{\n  \"messageType\": \"DATA_MESSAGE\",\n  \"logGroup\": \"/aws/lambda/a\",\n  \"logStream\": \"s\",\n  \"logEvents\": [\n    {\"id\": \"1\", \"timestamp\": 1714557600000, \"message\": \"x\\n\"}\n  ]\n}\n",
			want: []string{`a|s|2024-05-01T10:00:00Z|"x"`},
		},
		{
			name: "control message is skipped silently",
			in:   `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1714557600000,"message":"CWL CONTROL MESSAGE"}]}` + "\n",
			want: nil,
		},
		{
			name: "escapes in messages",
			in: `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/a","logStream":"s","logEvents":[` +
				`{"id":"1","timestamp":1714557600000,"message":"tab\tq\"b\\s\/u\u00e9\ud83d\ude00 lone\ud800 end\n"}]}` + "\n",
			want: []string{`a|s|2024-05-01T10:00:00Z|` + strconv.Quote("tab\tq\"b\\s/u\u00e9\U0001f600 lone\ufffd end")},
		},
		{
			name: "filter events without a stream name use the default function",
			in:   `{"events":[{"timestamp":1714557600000,"message":"m"}]}` + "\n",
			want: []string{`stdin||2024-05-01T10:00:00Z|"m"`},
		},
		{
			name: "filter events with a group name",
			in:   `{"events":[{"logGroupName":"/aws/lambda/g","logStreamName":"s","timestamp":1714557600000,"message":"m"}]}` + "\n",
			want: []string{`g|s|2024-05-01T10:00:00Z|"m"`},
		},
		{
			name: "members in any order",
			in:   `{"logEvents":[{"message":"m","timestamp":1714557600000,"extra":{"a":[1,{"b":null}]}}],"logStream":"s","logGroup":"/aws/lambda/a","messageType":"DATA_MESSAGE"}` + "\n",
			want: []string{`a|s|2024-05-01T10:00:00Z|"m"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := feedText(t, c.in, c.opts...)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			bytewise := feedReader(t, iotest.OneByteReader(strings.NewReader(c.in)), c.opts...)
			if strings.Join(bytewise, "\n") != strings.Join(got, "\n") {
				t.Errorf("one-byte reads:\n%s", strings.Join(bytewise, "\n"))
			}
		})
	}
}

// subDoc is a one-event subscription message, without a newline.
func subDoc(group, stream, msg string) string {
	return `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"` + group + `","logStream":"` + stream +
		`","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1714557600000,"message":"` + msg + `\n"}]}`
}

func TestParseStamp(t *testing.T) {
	cases := []struct {
		in   string
		want string // RFC 3339 in UTC, "" for no timestamp
		n    int
		z    zone
	}{
		{"2024-05-01T10:00:00.123000+00:00 x", "2024-05-01T10:00:00.123Z", 32, zoneOffset},
		{"2024-05-01T10:00:00 x", "2024-05-01T10:00:00Z", 19, zoneNone},
		{"2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.5Z", 22, zoneZ},
		{"2024-05-01T10:00:00-0130", "2024-05-01T11:30:00Z", 24, zoneOffset},
		{"2024-05-01T10:00:00.123456789123Z", "2024-05-01T10:00:00.123456789Z", 29, zoneNone},
		{"2024-13-01T10:00:00Z", "", 0, 0},
		{"2024-05-01 10:00:00Z", "", 0, 0},
		{"2024-05-01T10:00:00.Z", "", 0, 0},
		{"2024-05-01T10:00:00+0", "", 0, 0},
		{"short", "", 0, 0},
	}
	for _, c := range cases {
		ts, n, z, ok := parseStamp([]byte(c.in))
		got := ""
		if ok {
			got = ts.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
		}
		if got != c.want || (ok && (n != c.n || z != c.z)) {
			t.Errorf("parseStamp(%q) = %q, %d, %d; want %q, %d, %d", c.in, got, n, z, c.want, c.n, c.z)
		}
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"/aws/lambda/orders":              "orders",
		"/aws/lambda/us-east-1.edge-auth": "edge-auth",
		"/custom/orders":                  "",
		"":                                "",
	} {
		if got := functionFromGroup(in); got != want {
			t.Errorf("functionFromGroup(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"2024/05/01/mailer[$LATEST]0123":    "mailer",
		"2024/05/01/[$LATEST]0123":          "",
		"2024/05/01/mailer":                 "",
		"x024/05/01/mailer[$LATEST]0123abc": "",
	} {
		if got := functionFromStream(in); got != want {
			t.Errorf("functionFromStream(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"-":                    "stdin",
		"/var/log/app.log.gz":  "app",
		"orders.jsonl":         "orders",
		"dir/fn-prod":          "fn-prod",
		"weird.name.ndjson.gz": "weird.name",
		"/":                    "file",
	} {
		if got := defaultFunction(in); got != want {
			t.Errorf("defaultFunction(%q) = %q, want %q", in, got, want)
		}
	}
}

// partsReader returns its parts one read each.
type partsReader struct{ parts []string }

func (p *partsReader) Read(b []byte) (int, error) {
	if len(p.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.parts[0])
	if n < len(p.parts[0]) {
		p.parts[0] = p.parts[0][n:]
	} else {
		p.parts = p.parts[1:]
	}
	return n, nil
}

// TestReadBoundaries cuts the same input at every position into two reads
// and checks that the messages do not change: lines and documents that a
// read boundary cuts are carried over whole.
func TestReadBoundaries(t *testing.T) {
	in := "raw line\n  {\n  \"events\": [{\"logStreamName\": \"s\", \"timestamp\": 1714557600000, \"message\": \"m\\n\"}]\n}\n" +
		subDoc("/aws/lambda/a", "s", "one") + "\n" + "2024-05-01T10:00:00+00:00 s tail\n cont\nend\n"
	want := feedReader(t, strings.NewReader(in))
	if len(want) != 4 {
		t.Fatalf("whole read gave %q", want)
	}
	for cut := 1; cut < len(in); cut++ {
		got := feedReader(t, &partsReader{parts: []string{in[:cut], in[cut:]}})
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("cut at %d (%q|%q):\n%s", cut, in[max(0, cut-10):cut], in[cut:min(len(in), cut+10)],
				diffLines(strings.Join(want, "\n"), strings.Join(got, "\n")))
		}
	}
}
