package aws

import (
	"errors"
	"hash/maphash"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/awsapi"
	"github.com/fntop/fntop/sources/lambdalog"
)

// place is one account and region: its clients, budgets, log groups, and
// the parser their events go through.
type place struct {
	opts    *Options
	name    string // source name on events and status
	qual    string // suffix of function names when several places are watched
	profile string
	region  string
	logs    LogsAPI
	lambda  LambdaAPI
	sink    model.Sink

	// One budget per API, sized from the region's quotas.
	filter, describe, query, results, tail, list *Budget

	mu      sync.Mutex
	groups  map[string]*group // by log group name
	account string
	// scale is set when the fleet's figures come from Insights aggregation.
	scale bool
	// insightsDenied and inventoryDenied record refusals, for the status.
	insightsDenied  bool
	inventoryDenied bool
	inventory       map[string]model.FunctionMeta // by log group name
	lastErr         error
	lastErrAt       time.Time
	updated         time.Time // last successful data call
	sampled         bool      // Live Tail is sampling
	tailing         int       // groups followed by Live Tail
	notes           []string  // status notes (fallbacks taken)
	// t0 is the start of live polling (ms): the backfill covers what is
	// before it.
	t0 int64
	// aggFrom is where the next Insights aggregation starts (ms).
	aggFrom int64

	ingMu  sync.Mutex
	parser *lambdalog.Parser
	buf    []model.Event
	seed   maphash.Seed
}

func newPlace(o *Options, name, qual, profile, region string, cfg aws.Config, sink model.Sink) *place {
	endpoint := o.Endpoint
	custom := endpoint != "" || cfg.BaseEndpoint != nil
	httpClient := awsapi.BufferRequestBodies(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.ResponseHeaderTimeout = o.Timeout
	}))
	logs := cloudwatchlogs.NewFromConfig(cfg, func(lo *cloudwatchlogs.Options) {
		lo.HTTPClient = httpClient
		lo.Retryer = aws.NopRetryer{}
		if endpoint != "" {
			lo.BaseEndpoint = aws.String(endpoint)
		}
		if custom {
			lo.APIOptions = append(lo.APIOptions, awsapi.NoHostPrefix)
		}
	})
	lam := lambda.NewFromConfig(cfg, func(lo *lambda.Options) {
		lo.HTTPClient = httpClient
		lo.Retryer = aws.NopRetryer{}
		if endpoint != "" {
			lo.BaseEndpoint = aws.String(endpoint)
		}
	})
	return newPlaceWith(o, name, qual, profile, region, logs, lam, sink)
}

func newPlaceWith(o *Options, name, qual, profile, region string, logs LogsAPI, lam LambdaAPI, sink model.Sink) *place {
	q := QuotasFor(region)
	share := o.Share
	ftps := q.FilterLogEvents * share
	if o.FilterTPS > 0 {
		ftps = o.FilterTPS
	}
	p := &place{
		opts: o, name: name, qual: qual, profile: profile, region: region,
		logs: logs, lambda: lam, sink: sink,
		filter:   NewBudget(ftps, max(1, int(ftps))),
		describe: NewBudget(q.DescribeLogGroups*share, 5),
		query:    NewBudget(q.StartQuery*share, 2),
		results:  NewBudget(q.GetQueryResults*share, 2),
		tail:     NewBudget(q.StartLiveTail*share, 1),
		list:     NewBudget(q.ListFunctions*share, 5),
		groups:   map[string]*group{},
		parser:   lambdalog.NewParser(lambdalog.WithClock(o.Clock)),
		seed:     maphash.MakeSeed(),
	}
	return p
}

// group is one log group and its polling state.
type group struct {
	name     string
	arn      string // log group ARN without ":*" (Live Tail wants it)
	function string // function name for groups of one function ("" for shared groups)

	// Polling: cursor is the newest event timestamp (ms) seen; floor the
	// oldest timestamp the poller may ask for (the end of the backfill).
	cursor, floor int64
	// A pass is one FilterLogEvents pagination from passStart.
	token     *string
	passStart int64
	passMax   int64
	pages     int
	// passFresh and passFailed count new events and failed invocations
	// of the pass in progress.
	passFresh, passFailed int
	busy                  bool
	due                   time.Time
	lastOK                time.Time // end of the last complete pass
	polled                bool      // at least one pass complete
	failures              int

	// heat: events and errors of recent passes, decayed per pass.
	heat, errHeat float64

	focused bool // the user is looking at this function
	// logsOnly, in scale mode, keeps the figures of raw events out of the
	// model (Insights aggregation counts them); their log lines still go.
	logsOnly atomic.Bool
	tailed   bool // Live Tail follows it; the poller leaves it alone
	gone     bool // the group was deleted

	dedup dedup
}

// rawEvent is one CloudWatch log event, from FilterLogEvents or Live Tail.
type rawEvent struct {
	stream string
	ts     int64 // ms
	msg    string
}

// dedup remembers the keys of recent events of a group, bounded in count
// and pruned by age, so that events seen twice (poll overlap, repeated
// pages, Live Tail and polling of the same group) are ingested once.
type dedup struct {
	keys map[uint64]int64 // key -> event timestamp (ms)
	// dropped counts keys forgotten early because the bound was reached.
	dropped int64
}

// add records k and reports whether it is new.
func (d *dedup) add(k uint64, ts int64, limit int) bool {
	if d.keys == nil {
		d.keys = make(map[uint64]int64)
	}
	if _, ok := d.keys[k]; ok {
		return false
	}
	if len(d.keys) >= limit {
		d.evictOldest(len(d.keys) / 10)
	}
	d.keys[k] = ts
	return true
}

// prune forgets keys of events older than cutoff (ms).
func (d *dedup) prune(cutoff int64) {
	for k, ts := range d.keys {
		if ts < cutoff {
			delete(d.keys, k)
		}
	}
}

func (d *dedup) evictOldest(n int) {
	if n < 1 {
		n = 1
	}
	tss := make([]int64, 0, len(d.keys))
	for _, ts := range d.keys {
		tss = append(tss, ts)
	}
	sort.Slice(tss, func(i, j int) bool { return tss[i] < tss[j] })
	cut := tss[min(n, len(tss)-1)]
	for k, ts := range d.keys {
		if ts < cut || (ts == cut && n > 0) {
			delete(d.keys, k)
			d.dropped++
			n--
		}
	}
}

func (p *place) key(e *rawEvent) uint64 {
	var h maphash.Hash
	h.SetSeed(p.seed)
	h.WriteString(e.stream)
	var b [8]byte
	for i := range b {
		b[i] = byte(e.ts >> (8 * i))
	}
	h.Write(b[:])
	h.WriteString(e.msg)
	return h.Sum64()
}

// functionOf names the function of an event of g: the group's function,
// or for a shared (custom) log group the name inside the stream name
// "YYYY/MM/DD/<function>[<version>]<id>".
func (p *place) functionOf(g *group, stream string) string {
	if g.function != "" {
		return g.function + p.qual
	}
	s := stream
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '['); i > 0 {
		return s[:i] + p.qual
	}
	return strings.TrimPrefix(g.name, "/") + p.qual
}

// functionName is the function of a log group name ("/aws/lambda/<name>"),
// or "" for a group that is not one function's (a custom group that
// several functions may share: their names are in the stream names).
func functionName(_, name string) string {
	if strings.HasPrefix(name, DefaultPrefix) {
		return name[len(DefaultPrefix):]
	}
	return ""
}

// ingest de-duplicates evs, parses them and passes the model events on. It
// returns how many events were new and how many of the resulting
// invocations failed.
func (p *place) ingest(g *group, evs []rawEvent) (fresh, failed int) {
	p.ingMu.Lock()
	defer p.ingMu.Unlock()
	out := p.buf[:0]
	for i := range evs {
		e := &evs[i]
		if !g.dedup.add(p.key(e), e.ts, p.opts.Dedup) {
			continue
		}
		fresh++
		out = p.parser.Feed(lambdalog.Input{
			Source: p.name, Function: p.functionOf(g, e.stream), Stream: e.stream,
			Time: time.UnixMilli(e.ts), Message: e.msg,
		}, out)
	}
	logsOnly := g.logsOnly.Load()
	kept := out[:0]
	for i := range out {
		ev := &out[i]
		if logsOnly {
			switch ev.Kind {
			case model.KindInvocation, model.KindAmend, model.KindInit:
				continue
			}
		}
		switch ev.Kind {
		case model.KindInvocation:
			if ev.Invocation.Error != model.ErrNone {
				failed++
			}
		case model.KindAmend:
			failed++
		case model.KindLog:
			if p.opts.NoLogs {
				ev.Kind = model.KindSeen
				ev.Log = model.LogLine{}
			}
		}
		kept = append(kept, *ev)
	}
	if len(kept) > 0 {
		p.sink.Ingest(kept...)
	}
	clear(out)
	p.buf = out[:0]
	return fresh, failed
}

// errDenied marks an operation the credentials may not call.
var errDenied = errors.New("not permitted")

// setErr records the place's latest error.
func (p *place) setErr(err error) {
	p.mu.Lock()
	p.lastErr, p.lastErrAt = err, p.opts.Clock()
	p.mu.Unlock()
}

// noteOK records a successful data call.
func (p *place) noteOK() {
	p.mu.Lock()
	p.updated = p.opts.Clock()
	p.mu.Unlock()
}

// note adds a status note once.
func (p *place) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.notes {
		if n == s {
			return
		}
	}
	p.notes = append(p.notes, s)
}
