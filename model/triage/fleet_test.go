package triage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// A synthetic steady fleet: every function has a constant Poisson rate of
// invocations, log-normal durations, Bernoulli errors and cold starts,
// and (for some) throttles known to be zero, so nothing about it is
// unusual at any time. Injections change one function in a time range.

type fnSpec struct {
	name      string
	rate      float64 // invocations per second
	errP      float64 // failure probability
	coldP     float64 // cold-start probability
	median    float64 // duration median, ms
	sigma     float64 // log-normal sigma of durations
	memMB     int
	usedMB    int
	timeoutMs float64
	arch      model.Arch
	throttles bool // the source knows throttles (all zero)
}

// steadyFleet returns n functions with varied but constant behaviour.
func steadyFleet(n int, seed uint64) []fnSpec {
	rng := rand.New(rand.NewPCG(seed, 7))
	rates := []float64{0.2, 0.5, 1, 2, 4}
	errPs := []float64{0, 0.005, 0.01, 0.03}
	mems := []int{128, 256, 512, 1024, 1536}
	var out []fnSpec
	for i := range n {
		s := fnSpec{
			name:   fmt.Sprintf("fn-%02d", i),
			rate:   rates[rng.IntN(len(rates))],
			errP:   errPs[rng.IntN(len(errPs))],
			coldP:  0.005 + 0.04*rng.Float64(),
			median: 20 + 600*rng.Float64(),
			sigma:  0.2 + 0.7*rng.Float64(),
			memMB:  mems[rng.IntN(len(mems))],
			arch:   model.ArchX86,
		}
		if s.rate < 2 {
			s.errP = 0 // few invocations: failures would be rare events
		}
		if i%2 == 1 {
			s.arch = model.ArchARM
		}
		s.usedMB = s.memMB * (30 + rng.IntN(40)) / 100
		s.timeoutMs = math.Min(900000, math.Max(3000, 2*s.median*math.Exp(6*s.sigma)))
		s.throttles = i%3 == 0
		out = append(out, s)
	}
	return out
}

// injection changes what one function does in [from, to).
type injection struct {
	fn       string
	from, to time.Time
	// rateX multiplies the rate (0 means 1; negative means no traffic).
	rateX float64
	// errP, coldP replace the probabilities when > 0.
	errP, coldP float64
	// durX multiplies durations when > 0.
	durX float64
	// timeoutP is the probability of a timeout (duration = the timeout).
	timeoutP float64
	// throttlesPerMin adds throttles.
	throttlesPerMin float64
	// errMsg replaces the failure message.
	errMsg string
	// version, when set, is published at from (a deploy).
	version string
}

const defaultErrMsg = "Error: upstream returned 503"

type fleetSim struct {
	specs []fnSpec
	rng   *rand.Rand
	st    *model.Store
	now   time.Time
	inj   []injection
	seq   int
}

func newSim(t testing.TB, specs []fnSpec, seed uint64, start time.Time, inj ...injection) *fleetSim {
	t.Helper()
	s := &fleetSim{specs: specs, rng: rand.New(rand.NewPCG(seed, 99)), now: start, inj: inj}
	s.st = model.NewStore(model.Options{Clock: func() time.Time { return s.now }})
	var evs []model.Event
	for _, sp := range specs {
		evs = append(evs, model.Event{Kind: model.KindMeta, Source: "synthetic", Function: sp.name, Time: start,
			Meta: model.FunctionMeta{Region: "us-east-1", Arch: sp.arch, Runtime: "nodejs22.x",
				MemorySizeMB: sp.memMB, TimeoutMs: sp.timeoutMs, Version: "1"}})
	}
	// Functions that fail, fail from the start: their signature is never
	// new later.
	for _, sp := range specs {
		if sp.errP > 0 {
			evs = append(evs, model.Event{Kind: model.KindInvocation, Source: "synthetic", Function: sp.name, Time: start,
				Invocation: model.Invocation{RequestID: sp.name + "-first", DurationMs: sp.median, BilledMs: math.Ceil(sp.median),
					MemorySizeMB: sp.memMB, MaxMemoryUsedMB: sp.usedMB, Error: model.ErrFunction, ErrorType: "Error",
					ErrorMessage: defaultErrMsg}})
		}
	}
	evs = append(evs, model.Event{Kind: model.KindStatus, Source: "synthetic", Time: start,
		Status: model.SourceStatus{Name: "synthetic", State: model.StateOK, Updated: start}})
	s.st.Ingest(evs...)
	return s
}

func (s *fleetSim) active(fn string, t time.Time) *injection {
	for i := range s.inj {
		in := &s.inj[i]
		if in.fn == fn && !t.Before(in.from) && t.Before(in.to) {
			return in
		}
	}
	return nil
}

func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// run simulates up to end, a minute at a time, and moves the clock there.
func (s *fleetSim) run(end time.Time) {
	for s.now.Before(end) {
		next := s.now.Add(time.Minute)
		if next.After(end) {
			next = end
		}
		var evs []model.Event
		for _, sp := range s.specs {
			evs = s.minute(evs, sp, s.now, next)
		}
		s.now = next
		s.st.Ingest(evs...)
	}
}

func (s *fleetSim) minute(evs []model.Event, sp fnSpec, from, to time.Time) []model.Event {
	for _, in := range s.inj {
		if in.fn == sp.name && in.version != "" && !in.from.Before(from) && in.from.Before(to) {
			evs = append(evs, model.Event{Kind: model.KindMeta, Source: "synthetic", Function: sp.name, Time: in.from,
				Meta: model.FunctionMeta{Version: in.version}})
		}
	}
	throttled := 0.0
	for sec := from; sec.Before(to); sec = sec.Add(time.Second) {
		in := s.active(sp.name, sec)
		rate, errP, coldP, durX, timeoutP, msg := sp.rate, sp.errP, sp.coldP, 1.0, 0.0, defaultErrMsg
		if in != nil {
			switch {
			case in.rateX < 0:
				rate = 0
			case in.rateX > 0:
				rate *= in.rateX
			}
			if in.errP > 0 {
				errP = in.errP
			}
			if in.coldP > 0 {
				coldP = in.coldP
			}
			if in.durX > 0 {
				durX = in.durX
			}
			timeoutP = in.timeoutP
			if in.errMsg != "" {
				msg = in.errMsg
			}
			throttled += in.throttlesPerMin / 60
		}
		for range poisson(s.rng, rate) {
			s.seq++
			at := sec.Add(time.Duration(s.rng.IntN(1000)) * time.Millisecond)
			d := sp.median * durX * math.Exp(sp.sigma*s.rng.NormFloat64())
			iv := model.Invocation{
				RequestID:       fmt.Sprintf("%s-%08d", sp.name, s.seq),
				Stream:          "2026/11/25/[$LATEST]0123456789abcdef0123456789abcdef",
				MemorySizeMB:    sp.memMB,
				MaxMemoryUsedMB: sp.usedMB,
			}
			if s.rng.Float64() < coldP {
				iv.InitDurationMs = 150 + 100*s.rng.Float64()
			}
			switch {
			case s.rng.Float64() < timeoutP:
				d = sp.timeoutMs
				iv.Error, iv.Status, iv.ErrorMessage = model.ErrTimeout, "timeout",
					fmt.Sprintf("Task timed out after %.2f seconds", sp.timeoutMs/1000)
			case s.rng.Float64() < errP:
				iv.Error, iv.ErrorType, iv.ErrorMessage = model.ErrFunction, "Error", msg
			}
			d = math.Min(d, sp.timeoutMs)
			iv.DurationMs = d
			iv.BilledMs = math.Ceil(d + iv.InitDurationMs)
			evs = append(evs, model.Event{Kind: model.KindInvocation, Source: "synthetic", Function: sp.name,
				Time: at, Invocation: iv})
		}
	}
	if sp.throttles {
		evs = append(evs, model.Event{Kind: model.KindAggregate, Source: "synthetic", Function: sp.name, Time: from,
			Aggregate: model.Aggregate{Span: to.Sub(from), Throttles: int64(poisson(s.rng, throttled)), HasThrottles: true}})
	}
	return evs
}
