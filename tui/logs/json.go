package logs

import (
	"bytes"
	"encoding/json"
	"strings"
)

// maxJSONTries bounds the opening braces tried when looking for the JSON
// object a message ends with.
const maxJSONTries = 8

// maxPrettyDepth bounds the nesting of an object that is pretty-printed:
// each line is indented by its depth, so a deeply nested object would grow
// with the square of its size (a 256 KB message to gigabytes). Deeper
// objects are shown as they are.
const maxPrettyDepth = 32

// maxPrettyGrowth bounds the size of a pretty-printed message against
// the message: a byte of it becomes at most a line break, an indent of
// maxPrettyDepth levels and a space after a colon.
const maxPrettyGrowth = 2*maxPrettyDepth + 3

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
		if jsonDepth(s[i:]) <= maxPrettyDepth && json.Valid([]byte(s[i:])) && json.Indent(&b, []byte(s[i:]), "", "  ") == nil {
			return strings.TrimRight(s[:i], " \t"), b.String(), true
		}
		from = i + 1
	}
	return "", "", false
}

// jsonDepth is the deepest nesting of objects and arrays in s, strings
// skipped.
func jsonDepth(s string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			deepest = max(deepest, depth)
		case '}', ']':
			depth--
		}
	}
	return deepest
}
