package logs

import (
	"bytes"
	"encoding/json"
	"strings"
)

// maxJSONTries bounds the opening braces tried when looking for the JSON
// object a message ends with.
const maxJSONTries = 8

// prettyJSON finds the JSON object a message is or ends with (Node.js
// prints "Invoke Error \t{...}") and returns the text before it and the
// object indented by two spaces.
func prettyJSON(msg string) (head, obj string, ok bool) {
	s := strings.TrimRight(msg, " \t\r\n")
	if !strings.HasSuffix(s, "}") {
		return "", "", false
	}
	from := 0
	for try := 0; try < maxJSONTries; try++ {
		i := strings.IndexByte(s[from:], '{')
		if i < 0 {
			break
		}
		i += from
		var b bytes.Buffer
		if json.Valid([]byte(s[i:])) && json.Indent(&b, []byte(s[i:]), "", "  ") == nil {
			return strings.TrimRight(s[:i], " \t"), b.String(), true
		}
		from = i + 1
	}
	return "", "", false
}
