package main

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// isBrokenPipe reports a write to a reader that went away (fntop logs | head).
func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
