package cwltest

import (
	"context"
	"sync"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/demo"
)

// LambdaGroupPrefix is where Lambda writes its log groups.
const LambdaGroupPrefix = "/aws/lambda/"

// FillFromDemo fills the server with the demo fleet's log lines of [start,
// end) for the given seed: one group "/aws/lambda/<function>" per function
// (all of them, even quiet ones), its execution environments as streams,
// every line as it would be stored (ending in "\n"), ingested at once. It
// sets the fleet's functions too (SetFunction), with the demo's runtime,
// memory size, architecture and timeout.
// demoOpts add options of package demo, such as demo.Functions(n). It
// returns how many events it stored.
func (s *Server) FillFromDemo(seed int64, start, end time.Time, demoOpts ...demo.Option) int {
	opts := append([]demo.Option{demo.Seed(seed), demo.Clock(func() time.Time { return end }),
		demo.History(end.Sub(start))}, demoOpts...)
	src := demo.New(opts...)
	for _, f := range src.FunctionNames() {
		s.AddGroup(LambdaGroupPrefix + f)
	}
	sink := &lineSink{}
	_ = src.Backfill(context.Background(), sink)
	s.SetFunction(demoFunctions(sink.metas)...)
	type key struct{ fn, stream string }
	byStream := map[key][]Event{}
	var order []key
	startMs, endMs := start.UnixMilli(), end.UnixMilli()
	n := 0
	for _, e := range sink.events {
		if e.Kind != model.KindLog || e.Time.UnixMilli() < startMs || e.Time.UnixMilli() >= endMs {
			continue
		}
		k := key{e.Function, e.Log.Stream}
		if _, ok := byStream[k]; !ok {
			order = append(order, k)
		}
		byStream[k] = append(byStream[k], Event{Time: e.Time, Message: e.Log.Message + "\n", Ingested: e.Time})
		n++
	}
	for _, k := range order {
		s.Put(LambdaGroupPrefix+k.fn, k.stream, byStream[k]...)
	}
	return n
}

// lineSink keeps the log lines and function configurations the demo fleet
// ingests.
type lineSink struct {
	mu     sync.Mutex
	events []model.Event
	metas  []model.Event
}

func (l *lineSink) Ingest(evs ...model.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range evs {
		switch e.Kind {
		case model.KindLog:
			l.events = append(l.events, e)
		case model.KindMeta:
			l.metas = append(l.metas, e)
		}
	}
}
