package aws

import (
	"encoding/json"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"testing"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/cwltest"
)

// recSink records every event ingested, safely for concurrent use.
type recSink struct {
	mu  sync.Mutex
	evs []model.Event
}

func (r *recSink) Ingest(evs ...model.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, evs...)
	r.mu.Unlock()
}

// events returns a copy of the events of kind k (every event for k 0).
func (r *recSink) events(k model.Kind) []model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.Event
	for _, e := range r.evs {
		if k == 0 || e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// testPlace returns a place on srv (real SDK client, see cwltest.Client)
// with opts (defaults applied) and a recording sink. lam may be nil when
// the test never lists functions.
func testPlace(t testing.TB, srv *cwltest.Server, opts Options, lam LambdaAPI) (*place, *recSink) {
	t.Helper()
	opts.defaults()
	sink := &recSink{}
	// The source makes one attempt per call and does its own retrying
	// (call), as in production.
	logs := cwltest.Client(t, srv, func(o *cloudwatchlogs.Options) { o.Retryer = aws.NopRetryer{} })
	p := newPlaceWith(&opts, "aws:"+srv.Region(), "", "", srv.Region(), logs, lam, sink)
	return p, sink
}

// testGroup makes a group value for a Lambda log group name on srv.
func testGroup(srv *cwltest.Server, name string) *group {
	return &group{name: name, arn: srv.ARN(name), function: functionName(DefaultPrefix, name)}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
