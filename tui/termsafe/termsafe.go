// Package termsafe makes text from logs safe to write to a terminal.
//
// Log messages are written by functions fntop does not control: they can
// carry ESC and CSI/OSC sequences (colour, title changes, hyperlinks,
// clipboard writes), C1 controls, bidirectional overrides, zero-width and
// tag characters and invalid UTF-8. None of it may reach the terminal raw.
// Text renders every such character visibly instead, in the Go escape
// notation a developer can read back (\x1b, \u202e, \xff).
//
// The rule itself lives in model/textsafe, which the incident report
// (model/triage) uses too: a message looks the same on the screen and in
// the report.
package termsafe

import "github.com/fntop/fntop/model/textsafe"

// Safe reports whether s can be written to a terminal unchanged.
func Safe(s string) bool { return textsafe.Safe(s) }

// Text returns s with every unsafe character replaced by a visible escape.
// Tabs are kept. Newlines and carriage returns become \n and \r, so one
// message stays on one line; use Lines to keep a message's own line
// structure.
func Text(s string) string { return textsafe.Text(s) }

// Lines splits s at \n, \r\n and lone \r (Node.js uses \r between the lines
// of one event) and makes each line safe.
func Lines(s string) []string { return textsafe.Lines(s) }

// Multiline is Text keeping line feeds (a message of several lines for
// stderr); carriage returns are escaped.
func Multiline(s string) string { return textsafe.Multiline(s) }

// Strip drops every unsafe character (tabs included) and invalid UTF-8:
// for what is typed or pasted into an input that draws its value raw.
func Strip(s string) string { return textsafe.Strip(s) }
