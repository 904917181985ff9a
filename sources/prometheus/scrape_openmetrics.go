package prometheus

import (
	"bytes"
	"errors"
	"fmt"
)

// OpenMetrics 1.0 text is read by rewriting it into the text format 0.0.4
// and parsing that with expfmt's text parser. expfmt's own OpenMetrics
// decoder (prometheus/common v0.73) parses every line with a general ABNF
// parser: about 50 µs per byte, and a line with a label value of a few
// kilobytes takes seconds to minutes (the cost grows with the cube of the
// line's length), while decoding ignores the scrape's timeout. The rewrite
// keeps what fntop reads (families, types, labels, values) and drops the
// rest:
//
//   - "# EOF" ends the exposition; without it the exposition is truncated.
//   - A counter family "x" is named "x_total", as its samples are; "_created"
//     samples of counters, histograms and summaries are dropped.
//   - unknown, gaugehistogram, stateset and info families become untyped.
//   - HELP, UNIT and other comments are dropped, and so are timestamps
//     (seconds in OpenMetrics, unused) and exemplars.

// omTypes maps OpenMetrics types to the text format's.
var omTypes = map[string]string{
	"counter": "counter", "gauge": "gauge", "histogram": "histogram", "summary": "summary",
	"unknown": "untyped", "gaugehistogram": "untyped", "stateset": "untyped", "info": "untyped",
}

// omToText rewrites an OpenMetrics 1.0 exposition as text format 0.0.4.
func omToText(body []byte) ([]byte, error) {
	out := make([]byte, 0, len(body))
	created := map[string]bool{} // "<family>_created" names to drop
	for n := 1; len(body) > 0; n++ {
		line := body
		rest := []byte(nil)
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, rest = body[:i], body[i+1:]
		}
		body = rest
		switch {
		case string(line) == "# EOF":
			if len(body) > 0 {
				return nil, fmt.Errorf("line %d: data after # EOF", n+1)
			}
			return out, nil
		case bytes.HasPrefix(line, []byte("# TYPE ")):
			f := bytes.Fields(line[len("# TYPE "):])
			if len(f) != 2 {
				return nil, fmt.Errorf("line %d: bad TYPE line", n)
			}
			name, typ := string(f[0]), omTypes[string(f[1])]
			if typ == "" {
				return nil, fmt.Errorf("line %d: unknown metric type %q", n, f[1])
			}
			switch typ {
			case "counter":
				created[name+"_created"] = true
				if name[0] != '"' && !bytes.HasSuffix(f[0], []byte("_total")) {
					name += "_total"
				}
			case "histogram", "summary":
				created[name+"_created"] = true
			}
			out = append(out, "# TYPE "...)
			out = append(out, name...)
			out = append(out, ' ')
			out = append(out, typ...)
			out = append(out, '\n')
		case len(line) > 0 && line[0] == '#':
			// HELP, UNIT: not read.
		case len(line) == 0:
			return nil, fmt.Errorf("line %d: empty line", n)
		default:
			sample, err := omSample(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if name, _, _ := bytes.Cut(sample, []byte("{")); created[string(name)] {
				continue
			}
			out = append(out, sample...)
			out = append(out, '\n')
		}
	}
	return nil, errors.New("no # EOF at the end of the exposition (truncated?)")
}

// omSample is a sample line without its timestamp and exemplar: the name,
// the labels and the value.
func omSample(line []byte) ([]byte, error) {
	i := bytes.IndexAny(line, "{ ")
	if i < 0 {
		return nil, errors.New("sample without a value")
	}
	if line[i] == '{' {
		// Skip the labels, quoted values (and names) included.
		inQuote := false
		for i++; i < len(line); i++ {
			c := line[i]
			if inQuote {
				switch c {
				case '\\':
					i++
				case '"':
					inQuote = false
				}
				continue
			}
			if c == '"' {
				inQuote = true
			} else if c == '}' {
				break
			}
		}
		if i >= len(line) {
			return nil, errors.New("labels not closed")
		}
		i++
	}
	if i >= len(line) || line[i] != ' ' {
		return nil, errors.New("no space before the value")
	}
	end := i + 1
	for end < len(line) && line[end] != ' ' {
		end++
	}
	return line[:end], nil
}
