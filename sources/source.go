// Package sources defines how data enters fntop: a Source polls or reads a
// provider and writes normalized model events into a sink. Sub-packages hold
// one provider each (demo, file, and later aws and prometheus); lambdalog is
// the Lambda log parser they share. Sources never import the UI.
package sources

import (
	"context"

	"github.com/fntop/fntop/model"
)

// Source is one provider of events.
//
// Run blocks until ctx ends (or, for a finite input such as a file that is
// not followed, until the input is exhausted), retrying inside and reporting
// its health as model.KindStatus events. It never keeps the sink after it
// returns. A nil error on a finite input means it was read to its end.
type Source interface {
	Name() string
	Run(ctx context.Context, sink model.Sink) error
}

// Backfiller is an optional capability: a source that can fill history
// (for example the demo fleet's last hour) before it goes live. Run calls it
// itself; headless commands that want the history without the live loop
// call Backfill alone.
type Backfiller interface {
	Backfill(ctx context.Context, sink model.Sink) error
}
