package demo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fntop/fntop/model"
)

// IncidentKind names a kind of scheduled incident.
type IncidentKind string

// The built-in incidents. Each happens once an hour at a fixed minute (UTC),
// so any hour of history holds one of each.
const (
	// IncidentBurst: an influencer post floods the Instagram comment
	// webhook from minute 10 to 15. Traffic rises within 20 s to about ten
	// times the usual rate, holds for a minute, then decays. The chain
	// behind the webhook follows one second per stage later, its functions
	// scale out (cold starts on new log streams), and ig-dm-sender, capped
	// by a reserved concurrency of 8, is throttled.
	IncidentBurst IncidentKind = "burst"
	// IncidentErrorSpike: the payment gateway behind order-processor fails
	// from minute 25 to 30. About a third of its invocations fail with a
	// Node.js "Invoke Error" (function errors) and the rest run slower.
	IncidentErrorSpike IncidentKind = "error-spike"
	// IncidentDeploy: at minute 40 a new version of order-processor is
	// published and its alias moved, with a configuration change: its
	// timeout becomes 15 s in even hours (UTC) and 20 s in odd ones. All
	// its execution environments are replaced: a cold-start wave on new
	// log streams named after the new version, START lines with the new
	// version, and a model.KindMeta event with the new Version and
	// TimeoutMs. Its invocations run under the new timeout from then on.
	IncidentDeploy IncidentKind = "deploy"
)

// Incident is one scheduled incident of the demo fleet.
type Incident struct {
	Kind IncidentKind
	// Function is where the incident starts.
	Function string
	// Affected lists every function whose figures it visibly changes,
	// Function first.
	Affected []string
	// Start and End bound the incident: for a deploy, the deploy and the
	// two minutes of its cold-start wave.
	Start, End time.Time
	// Version is the version a deploy publishes; empty otherwise.
	Version string
	// Changes lists the configuration changes of a deploy, as the store
	// records them from the source's model.KindMeta events (Field is a
	// model.Change* constant; From and To are the values as numbers:
	// version numbers, milliseconds); nil for other incidents.
	Changes []model.Change
	// Summary is one line for people.
	Summary string
}

// Minutes of the hour (UTC) of the incident schedule.
const (
	burstStart  = 10 * 60 // seconds into the hour
	burstEnd    = 15 * 60
	spikeStart  = 25 * 60
	spikeEnd    = 30 * 60
	deployAt    = 40 * 60
	deployWave  = 2 * 60
	deployEpoch = 1767225600 + deployAt // 2026-01-01T00:40:00Z
)

// Incidents returns the incidents that overlap [start, end), oldest first.
// The schedule repeats every hour (UTC) and depends neither on the seed nor
// on the clock of a Source:
//
//	minute 10-15  burst        ig-comment-webhook (+ its chain; ig-dm-sender throttled)
//	minute 25-30  error-spike  order-processor
//	minute 40     deploy       order-processor (new version, timeout 15 s <-> 20 s, cold-start wave until 42)
//
// Fleets cut to fewer than five functions by Functions lack some of the
// functions named here.
func Incidents(start, end time.Time) []Incident {
	var out []Incident
	if !end.After(start) {
		return out
	}
	for h := start.UTC().Truncate(time.Hour).Add(-time.Hour); h.Before(end); h = h.Add(time.Hour) {
		for _, in := range hourIncidents(h) {
			if in.Start.Before(end) && in.End.After(start) {
				out = append(out, in)
			}
		}
	}
	return out
}

func hourIncidents(h time.Time) []Incident {
	at := func(sec int) time.Time { return h.Add(time.Duration(sec) * time.Second) }
	deploy := at(deployAt)
	d := deploy.Unix()
	change := func(field, from, to string) model.Change {
		return model.Change{Time: deploy, Function: fnOrders, Source: "demo", Field: field, From: from, To: to}
	}
	fromTimeout, toTimeout := ordersTimeoutAt(d-1), ordersTimeoutAt(d)
	return []Incident{
		{
			Kind: IncidentBurst, Function: fnWebhook,
			Affected: []string{fnWebhook, fnMatcher, fnLookup, fnDMSender},
			Start:    at(burstStart), End: at(burstEnd),
			Summary: "influencer post: comment webhook traffic x10, chain scales out, ig-dm-sender throttled",
		},
		{
			Kind: IncidentErrorSpike, Function: fnOrders, Affected: []string{fnOrders},
			Start: at(spikeStart), End: at(spikeEnd),
			Summary: "payment gateway 502s: order-processor fails about one invocation in three",
		},
		{
			Kind: IncidentDeploy, Function: fnOrders, Affected: []string{fnOrders},
			Start: deploy, End: at(deployAt + deployWave),
			Version: deployVersion(d),
			Changes: []model.Change{
				change(model.ChangeVersion, deployVersion(d-1), deployVersion(d)),
				change(model.ChangeTimeout, strconv.FormatInt(fromTimeout, 10), strconv.FormatInt(toTimeout, 10)),
			},
			Summary: fmt.Sprintf("order-processor deploy: version %s, timeout %d s -> %d s, every execution environment replaced",
				deployVersion(d), fromTimeout/1000, toTimeout/1000),
		},
	}
}

// deployVersion is the version of order-processor live at unix second sec:
// one more for every hourly deploy since 2026-01-01.
func deployVersion(sec int64) string {
	return strconv.FormatInt(posMod(floorDiv(sec-deployEpoch, 3600), 100000)+1, 10)
}

// ordersTimeoutAt is order-processor's timeout (ms) at unix second sec: the
// one its last deploy set, 15 s for a deploy in an even hour (UTC), 20 s in
// an odd one.
func ordersTimeoutAt(sec int64) int64 {
	if deployedInOddHour(sec) {
		return ordersTimeoutOdd
	}
	return ordersTimeoutEven
}

// deployedInOddHour reports whether the last hourly deploy at or before
// unix second sec was in an odd hour (UTC).
func deployedInOddHour(sec int64) bool {
	return posMod(floorDiv(sec-deployAt, 3600), 2) == 1
}

// timeoutAt is sp's configured timeout (ms) at unix second sec: for a
// function whose deploys change it, the one its last deploy set (timeout
// in even hours, oddTimeout in odd ones; see ordersTimeoutAt); its fixed
// timeout otherwise.
func (sp *spec) timeoutAt(sec int64) int64 {
	if sp.deploys && sp.oddTimeout > 0 && deployedInOddHour(sec) {
		return sp.oddTimeout
	}
	return sp.timeout
}

// burstExtra is the webhook's extra rate (invocations per second) at unix
// second sec: zero outside minutes 10-15.
func burstExtra(sec int64) float64 {
	x := posMod(sec, 3600) - burstStart
	if x < 0 || x >= burstEnd-burstStart {
		return 0
	}
	rise := min(1, float64(x+1)/20)
	decay := 1.0
	if x > 60 {
		decay = math.Exp(-float64(x-60) / 70)
	}
	return burstPeak * rise * decay
}

// inSpike reports whether unix second sec is in the error spike.
func inSpike(sec int64) bool {
	x := posMod(sec, 3600)
	return x >= spikeStart && x < spikeEnd
}
