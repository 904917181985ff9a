package demo

import (
	"sync"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
)

// deliverer turns released items into events (log messages through the
// Lambda log parser) and passes them on in batches: to the sink, or to the
// ingest stage of a pipeline.
type deliverer struct {
	source string
	names  []string // function names by index
	parser *lambdalog.Parser
	out    []model.Event
	sink   model.Sink
	// While a pipeline runs: full batches go to ch, empty ones come from
	// free.
	ch   chan<- []model.Event
	free <-chan []model.Event
}

func (d *deliverer) deliver(it *item) {
	fn := d.names[it.fn]
	t := time.UnixMilli(it.at).UTC()
	switch it.kind {
	case itemLine:
		d.out = d.parser.Feed(lambdalog.Input{
			Source: d.source, Function: fn, Stream: it.stream, Time: t, Message: it.msg,
		}, d.out)
	case itemMeta:
		// A deploy changes the version and the timeout; the runtime and
		// the rest stay.
		d.out = append(d.out, model.Event{
			Kind: model.KindMeta, Source: d.source, Function: fn, Time: t,
			Meta: model.FunctionMeta{Version: it.msg, TimeoutMs: float64(it.n)},
		})
	case itemThrottles:
		d.out = append(d.out, model.Event{
			Kind: model.KindAggregate, Source: d.source, Function: fn, Time: t.Add(-time.Minute),
			Aggregate: model.Aggregate{Span: time.Minute, Throttles: it.n, HasThrottles: true},
		})
	}
	if len(d.out) >= batchSize {
		d.flush()
	}
}

func (d *deliverer) flush() {
	if len(d.out) == 0 {
		return
	}
	if d.ch != nil {
		d.ch <- d.out
		d.out = (<-d.free)[:0]
		return
	}
	d.sink.Ingest(d.out...)
	d.out = d.out[:0]
}

// pipeline spreads a backfill over three goroutines: the caller simulates
// and writes log messages, a second parses them (the deliverer), a third
// ingests the events into the sink. Order is kept end to end, so the sink
// sees the same events in the same order as without it; only the batches
// differ. The three stages cost about the same (for the designed fleet
// into a model.Store: simulating and writing about 30% of the CPU time,
// parsing 35%, ingesting 30%), so on two cores the default two hours of
// history fill in about the time one hour took on one (see
// BenchmarkBackfillStore).
type pipeline struct {
	items chan *itemBatch
	free  chan *itemBatch
	cur   *itemBatch
	wg    sync.WaitGroup
}

// itemBatch is released items in order; an itemEvent item stands for
// events[n].
type itemBatch struct {
	items  []item
	events []model.Event
}

const pipeDepth = 4 // batches in flight between two stages

// startPipeline makes g hand its released items to a parse stage and its
// events to an ingest stage until stop.
func (g *generator) startPipeline() {
	p := &pipeline{
		items: make(chan *itemBatch, pipeDepth),
		free:  make(chan *itemBatch, pipeDepth+1),
	}
	for range pipeDepth {
		p.free <- &itemBatch{items: make([]item, 0, batchSize)}
	}
	p.cur = &itemBatch{items: make([]item, 0, batchSize)}
	evs := make(chan []model.Event, pipeDepth)
	freeEvs := make(chan []model.Event, pipeDepth+1)
	for range pipeDepth {
		freeEvs <- make([]model.Event, 0, batchSize+64)
	}
	d := &g.d
	d.ch, d.free = evs, freeEvs
	sink := g.sink
	p.wg.Add(2)
	go func() { // parse
		defer p.wg.Done()
		defer close(evs)
		for b := range p.items {
			for i := range b.items {
				if it := &b.items[i]; it.kind == itemEvent {
					d.out = append(d.out, b.events[it.n])
					if len(d.out) >= batchSize {
						d.flush()
					}
				} else {
					d.deliver(it)
				}
			}
			clear(b.items)
			clear(b.events)
			b.items, b.events = b.items[:0], b.events[:0]
			p.free <- b
		}
		d.flush()
	}()
	go func() { // ingest
		defer p.wg.Done()
		for batch := range evs {
			sink.Ingest(batch...)
			clear(batch)
			freeEvs <- batch[:0]
		}
	}()
	g.pipe = p
}

// add appends a released item (or, with ev, a ready event) to the batch
// being filled.
func (p *pipeline) add(it item, ev *model.Event) {
	b := p.cur
	if ev != nil {
		it.n = int64(len(b.events))
		b.events = append(b.events, *ev)
	}
	b.items = append(b.items, it)
	if len(b.items) >= batchSize {
		p.send()
	}
}

// send passes the batch being filled to the parse stage.
func (p *pipeline) send() {
	if len(p.cur.items) == 0 {
		return
	}
	p.items <- p.cur
	p.cur = <-p.free
}

// stopPipeline sends what is left, waits for both stages to finish and
// makes g deliver by itself again.
func (g *generator) stopPipeline() {
	p := g.pipe
	if p == nil {
		return
	}
	p.send()
	close(p.items)
	p.wg.Wait()
	g.pipe = nil
	g.d.ch, g.d.free = nil, nil
}
