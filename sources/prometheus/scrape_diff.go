package prometheus

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/fntop/fntop/model"
)

// scrSeries is one series' value at the previous good scrape: a counter's
// value, or a histogram's count, sum and cumulative bucket counts.
type scrSeries struct {
	gen    uint64
	val    float64
	sum    float64
	bounds []float64 // histogram upper bounds, ascending, +Inf last
	cum    []float64
}

// scrFn is one function: what the model was told of it, and this
// scrape's sums.
type scrFn struct {
	gen      uint64
	metaSent bool
	replicas int
	repKnown bool

	inv, errs        float64
	durCount, durSum float64
	bounds, cum      []float64 // summed bucket increases (latency unit)
	reps             float64
	hasReps          bool
}

// scrScratch holds buffers reused for each histogram.
type scrScratch struct {
	bounds, cum, inc []float64
}

// scrSkips counts, per scrape, input that could not be used.
type scrSkips struct {
	noFunction, nonFinite, duplicate, incomplete, rebased, wrongType int64
	wrongTypeWhat                                                    string
}

// Reasons of the KindSkipped events (short and stable).
const (
	scrSkipOverCap      = "series over the per-scrape cap"
	scrSkipNoFunction   = "series without a function label"
	scrSkipNonFinite    = "NaN, Inf or negative sample"
	scrSkipDuplicate    = "duplicate series"
	scrSkipIncomplete   = "histogram without count or +Inf bucket"
	scrSkipRebased      = "histogram buckets changed"
	scrSkipWrongTypeFmt = "metric of the wrong type" //nolint:gosec // G101: a skip reason, not a credential
)

// ingest diffs a good scrape against the previous one and appends its
// events to sc.events. It returns the number of functions seen.
func (sc *scraper) ingest(body *scrapeBody, now time.Time) int {
	sc.gen++
	sc.skips = scrSkips{}
	p := sc.preset
	// A series that was not in the previous good scrape started from zero
	// since: client libraries create a labelled series at its first
	// increment (OpenFaaS's first 500 of a function, a new function), so
	// its whole value is its increase. Not so after the first scrape or a
	// partial one (series over the cap), when it may have existed unseen:
	// then, as Prometheus's rate() does, its first value is only a
	// baseline.
	countNew := !sc.baseline

	req, reqName := sc.family(body, p.Requests, scrCounterTypes, "counter")
	lat, unit := sc.latency(body)
	rep, _ := sc.family(body, p.Replicas, scrGaugeTypes, "gauge")

	if req != nil {
		for i := range req.metrics {
			m := &req.metrics[i]
			fn := sc.function(m)
			if fn == "" {
				sc.skips.noFunction++
				continue
			}
			a := sc.acc(fn)
			v, ok := scrScalar(m)
			key := sc.key(reqName, m)
			if !ok || v < 0 {
				sc.skips.nonFinite++
				sc.touch(key)
				continue
			}
			inc, ok := sc.counterInc(key, v, countNew)
			if !ok {
				continue
			}
			a.inv += inc
			if sc.isError(m) {
				a.errs += inc
			}
		}
	}
	if lat != nil {
		for i := range lat.metrics {
			m := &lat.metrics[i]
			fn := sc.function(m)
			if fn == "" {
				sc.skips.noFunction++
				continue
			}
			a := sc.acc(fn)
			key := sc.key(lat.name, m)
			count, sum, ok := sc.histogram(&m.hist)
			if !ok {
				sc.touch(key)
				continue
			}
			dc, ds, ok := sc.histInc(key, count, sum, countNew)
			if !ok {
				continue
			}
			a.durCount += dc
			a.durSum += ds
			a.addBuckets(sc.scratch.bounds, sc.scratch.inc)
			if req == nil { // the histogram counts the invocations
				a.inv += dc
				if sc.isError(m) {
					a.errs += dc
				}
			}
		}
	}
	if rep != nil {
		for i := range rep.metrics {
			m := &rep.metrics[i]
			fn := sc.function(m)
			if fn == "" {
				sc.skips.noFunction++
				continue
			}
			a := sc.acc(fn)
			if v, ok := scrScalar(m); ok && v >= 0 {
				a.reps += v
				a.hasReps = true
			} else {
				sc.skips.nonFinite++
			}
		}
	}

	for k, st := range sc.series {
		if st.gen != sc.gen {
			delete(sc.series, k)
		}
	}
	sc.fnNames = sc.fnNames[:0]
	for name, f := range sc.fns {
		if f.gen != sc.gen {
			delete(sc.fns, name)
			continue
		}
		sc.fnNames = append(sc.fnNames, name)
	}
	sort.Strings(sc.fnNames)

	rates := sc.good > 0
	span := now.Sub(sc.lastOK)
	if span <= 0 {
		span = sc.src.scrapeInterval()
	}
	src := sc.src.name
	for _, name := range sc.fnNames {
		f := sc.fns[name]
		reps := int(math.Round(f.reps))
		if !f.metaSent || (f.hasReps && (!f.repKnown || reps != f.replicas)) {
			meta := model.FunctionMeta{Platform: p.Name}
			if f.hasReps {
				meta.Replicas, meta.ReplicasKnown = reps, true
				f.replicas, f.repKnown = reps, true
			}
			f.metaSent = true
			sc.events = append(sc.events, model.Event{Kind: model.KindMeta, Source: src, Function: name, Time: now, Meta: meta})
		}
		if !rates {
			continue
		}
		inv := int64(math.Round(f.inv))
		errs := min(int64(math.Round(f.errs)), inv)
		sc.events = append(sc.events, model.Event{Kind: model.KindAggregate, Source: src, Function: name, Time: sc.lastOK,
			Aggregate: model.Aggregate{
				Span:           span,
				Invocations:    inv,
				Errors:         errs,
				HasInvocations: true,
				HasErrors:      true,
				// Cold starts and throttles: the platforms' metrics do not
				// tell them, so they stay unknown (null), not zero.
				Duration: f.summary(unit),
			}})
	}
	sc.appendSkips(now, body.over)

	if rates {
		sc.intervals++
	}
	sc.good++
	sc.lastOK = now
	sc.baseline = body.partial
	return len(sc.fnNames)
}

func (sc *scraper) appendSkips(now time.Time, over int64) {
	add := func(n int64, reason string) {
		if n > 0 {
			sc.events = append(sc.events, model.Event{Kind: model.KindSkipped, Source: sc.src.name, Time: now,
				Skipped: model.Skipped{Count: n, Reason: reason}})
		}
	}
	add(over, scrSkipOverCap)
	add(sc.skips.noFunction, scrSkipNoFunction)
	add(sc.skips.nonFinite, scrSkipNonFinite)
	add(sc.skips.duplicate, scrSkipDuplicate)
	add(sc.skips.incomplete, scrSkipIncomplete)
	add(sc.skips.rebased, scrSkipRebased)
	if sc.skips.wrongType > 0 {
		add(sc.skips.wrongType, scrSkipWrongTypeFmt+": "+sc.skips.wrongTypeWhat)
	}
}

var (
	scrCounterTypes = []dto.MetricType{dto.MetricType_COUNTER, dto.MetricType_UNTYPED}
	scrGaugeTypes   = []dto.MetricType{dto.MetricType_GAUGE, dto.MetricType_UNTYPED, dto.MetricType_COUNTER}
)

// family is the first of names present in the scrape with one of types
// (under its name, or OpenMetrics' without _total), and that name as the
// preset spells it, which keys its series; a present family of another
// type is skipped (and counted).
func (sc *scraper) family(body *scrapeBody, names []string, types []dto.MetricType, want string) (*scrFamily, string) {
	for _, n := range names {
		for i, alt := range [...]string{n, scrTrimTotal(n), scrTrimTotal(n) + "_total"} {
			if i > 0 && alt == n {
				continue
			}
			mf, ok := body.fams[alt]
			if !ok {
				continue
			}
			if slices.Contains(types, mf.typ) {
				return mf, n
			}
			sc.wrongType(mf, want)
		}
	}
	return nil, ""
}

func scrTrimTotal(n string) string {
	if len(n) > 6 && n[len(n)-6:] == "_total" {
		return n[:len(n)-6]
	}
	return n
}

// latency is the first latency histogram present and its unit.
func (sc *scraper) latency(body *scrapeBody) (*scrFamily, float64) {
	p := sc.preset
	for i, n := range p.Latency {
		unit := 1.0
		if i < len(p.LatencyUnit) && p.LatencyUnit[i] > 0 {
			unit = p.LatencyUnit[i]
		}
		mf, ok := body.fams[n]
		if !ok {
			// Without "# TYPE n histogram" the text parser sees untyped
			// n_bucket, n_sum and n_count families.
			if b, ok := body.fams[n+"_bucket"]; ok {
				sc.wrongType(b, "histogram "+n)
			}
			continue
		}
		if t := mf.typ; t == dto.MetricType_HISTOGRAM || t == dto.MetricType_GAUGE_HISTOGRAM {
			return mf, unit
		}
		sc.wrongType(mf, "histogram")
	}
	return nil, 1
}

func (sc *scraper) wrongType(mf *scrFamily, want string) {
	sc.skips.wrongType += int64(len(mf.metrics))
	if sc.skips.wrongTypeWhat == "" {
		sc.skips.wrongTypeWhat = mf.name + " is " + scrTypeName(mf.typ) + ", want " + want
	}
}

func scrTypeName(t dto.MetricType) string {
	switch t {
	case dto.MetricType_COUNTER:
		return "a counter"
	case dto.MetricType_GAUGE:
		return "a gauge"
	case dto.MetricType_SUMMARY:
		return "a summary"
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		return "a histogram"
	case dto.MetricType_UNTYPED:
		return "untyped"
	}
	return "type " + strconv.Itoa(int(t))
}

// function is the value of the preset's first function label present.
func (sc *scraper) function(m *scrMetric) string {
	for _, name := range sc.preset.FunctionLabels {
		for _, l := range m.labels {
			if l.name == name && l.value != "" {
				return l.value
			}
		}
	}
	return ""
}

// isError says whether the series' error label (the preset's first
// present) matches the preset's ErrorMatch.
func (sc *scraper) isError(m *scrMetric) bool {
	for _, name := range sc.preset.ErrorLabel {
		for _, l := range m.labels {
			if l.name != name {
				continue
			}
			v := l.value
			bad, ok := sc.errMemo[v]
			if !ok {
				bad = sc.preset.errRe.MatchString(v)
				if len(sc.errMemo) >= 1024 {
					clear(sc.errMemo)
				}
				sc.errMemo[strings.Clone(v)] = bad
			}
			return bad
		}
	}
	return false
}

func (sc *scraper) acc(fn string) *scrFn {
	f, ok := sc.fns[fn]
	if !ok {
		f = &scrFn{}
		sc.fns[strings.Clone(fn)] = f // fn points into the scrape's body
	}
	if f.gen != sc.gen {
		f.gen = sc.gen
		f.inv, f.errs, f.durCount, f.durSum, f.reps, f.hasReps = 0, 0, 0, 0, 0, false
		f.bounds, f.cum = f.bounds[:0], f.cum[:0]
	}
	return f
}

// key identifies a series: its family and its labels sorted by name. It
// is valid until the next call.
func (sc *scraper) key(family string, m *scrMetric) []byte {
	if !slices.IsSortedFunc(m.labels, scrCmpLabel) {
		slices.SortFunc(m.labels, scrCmpLabel)
	}
	b := append(sc.keyBuf[:0], family...)
	for _, l := range m.labels {
		b = append(b, 0xff)
		b = append(b, l.name...)
		b = append(b, 0xfe)
		b = append(b, l.value...)
	}
	sc.keyBuf = b
	return b
}

// touch keeps a series whose sample could not be read this time: its
// previous value stays the reference.
func (sc *scraper) touch(key []byte) {
	if st, ok := sc.series[string(key)]; ok {
		st.gen = sc.gen
	}
}

// counterInc is the increase of a counter series since the previous good
// scrape, with Prometheus's reset rule: a value below the previous one
// means the counter restarted from zero, so its increase is the new
// value. ok is false for a duplicate or a new series that only sets its
// baseline.
func (sc *scraper) counterInc(key []byte, v float64, countNew bool) (float64, bool) {
	st, ok := sc.series[string(key)]
	if !ok {
		sc.series[string(key)] = &scrSeries{gen: sc.gen, val: v}
		return v, countNew
	}
	if st.gen == sc.gen {
		sc.skips.duplicate++
		return 0, false
	}
	st.gen = sc.gen
	inc := v - st.val
	if v < st.val {
		inc = v
	}
	st.val = v
	return inc, true
}

// histogram reads a classic histogram into sc.scratch (bounds ascending,
// +Inf last, cumulative counts) and returns its count and sum. ok is
// false (and the reason counted) when it cannot be used.
func (sc *scraper) histogram(h *scrHist) (count, sum float64, ok bool) {
	s := &sc.scratch
	s.bounds, s.cum = s.bounds[:0], s.cum[:0]
	count, sum = h.count, h.sum
	for _, b := range h.buckets {
		if math.IsNaN(b.ub) || !scrFiniteNonNeg(b.c) {
			sc.skips.nonFinite++
			return 0, 0, false
		}
		s.bounds = append(s.bounds, b.ub)
		s.cum = append(s.cum, b.c)
	}
	if !scrSorted(s.bounds) {
		scrSortBuckets(s.bounds, s.cum)
	}
	n := len(s.bounds)
	switch {
	case n > 0 && math.IsInf(s.bounds[n-1], +1):
		if !h.hasCount {
			count = s.cum[n-1]
		}
	case h.hasCount:
		// Protobuf leaves the +Inf bucket implicit: it is the count.
		s.bounds = append(s.bounds, math.Inf(+1))
		s.cum = append(s.cum, count)
	default:
		sc.skips.incomplete++
		return 0, 0, false
	}
	if !scrFiniteNonNeg(count) || math.IsNaN(sum) || math.IsInf(sum, 0) {
		sc.skips.nonFinite++
		return 0, 0, false
	}
	return count, sum, true
}

func scrFiniteNonNeg(v float64) bool { return v >= 0 && !math.IsInf(v, +1) } // false for NaN

func scrSorted(b []float64) bool {
	for i := 1; i < len(b); i++ {
		if b[i] < b[i-1] {
			return false
		}
	}
	return true
}

func scrSortBuckets(bounds, cum []float64) {
	type bc struct{ b, c float64 }
	tmp := make([]bc, len(bounds))
	for i := range bounds {
		tmp[i] = bc{bounds[i], cum[i]}
	}
	slices.SortStableFunc(tmp, func(x, y bc) int { return cmp.Compare(x.b, y.b) })
	for i := range tmp {
		bounds[i], cum[i] = tmp[i].b, tmp[i].c
	}
}

// histInc is the increase of the histogram in sc.scratch since the
// previous good scrape: count and sum are returned, the cumulative bucket
// increases are left in sc.scratch.inc. A reset (the count or a bucket
// went down) counts the new values whole. A series whose bucket bounds
// changed without a reset only takes its new values as the baseline.
func (sc *scraper) histInc(key []byte, count, sum float64, countNew bool) (dc, ds float64, ok bool) {
	s := &sc.scratch
	st, found := sc.series[string(key)]
	if !found {
		st = &scrSeries{gen: sc.gen, val: count, sum: sum,
			bounds: slices.Clone(s.bounds), cum: slices.Clone(s.cum)}
		sc.series[string(key)] = st
		s.inc = append(s.inc[:0], s.cum...)
		return count, sum, countNew
	}
	if st.gen == sc.gen {
		sc.skips.duplicate++
		return 0, 0, false
	}
	st.gen = sc.gen
	same := slices.Equal(st.bounds, s.bounds)
	reset := count < st.val
	if same && !reset {
		for i, c := range s.cum {
			if c < st.cum[i] {
				reset = true
				break
			}
		}
	}
	s.inc = s.inc[:0]
	switch {
	case reset:
		dc, ds = count, sum
		s.inc = append(s.inc, s.cum...)
	case !same:
		sc.skips.rebased++
	default:
		dc, ds = count-st.val, sum-st.sum
		for i, c := range s.cum {
			s.inc = append(s.inc, c-st.cum[i])
		}
	}
	st.val, st.sum = count, sum
	if !same {
		st.bounds = append(st.bounds[:0], s.bounds...)
	}
	st.cum = append(st.cum[:0], s.cum...)
	return dc, ds, reset || same
}

// addBuckets adds one series' cumulative bucket increases to the
// function's, summing by upper bound as PromQL's sum by (le) does.
func (f *scrFn) addBuckets(bounds, inc []float64) {
	if len(f.bounds) == 0 {
		f.bounds = append(f.bounds[:0], bounds...)
		f.cum = append(f.cum[:0], inc...)
		return
	}
	if slices.Equal(f.bounds, bounds) {
		for i, v := range inc {
			f.cum[i] += v
		}
		return
	}
	mb := make([]float64, 0, len(f.bounds)+len(bounds))
	mc := make([]float64, 0, len(f.bounds)+len(bounds))
	i, j := 0, 0
	for i < len(f.bounds) || j < len(bounds) {
		switch {
		case j == len(bounds) || (i < len(f.bounds) && f.bounds[i] < bounds[j]):
			mb, mc = append(mb, f.bounds[i]), append(mc, f.cum[i])
			i++
		case i == len(f.bounds) || bounds[j] < f.bounds[i]:
			mb, mc = append(mb, bounds[j]), append(mc, inc[j])
			j++
		default:
			mb, mc = append(mb, bounds[j]), append(mc, f.cum[i]+inc[j])
			i++
			j++
		}
	}
	f.bounds, f.cum = mb, mc
}

// summary is the function's duration summary in milliseconds (unit is
// the histogram's unit in seconds).
func (f *scrFn) summary(unit float64) model.DurationSummary {
	n := int64(math.Round(f.durCount))
	if n <= 0 {
		return model.DurationSummary{}
	}
	toMs := unit * 1000
	mean := max(f.durSum, 0) / f.durCount * toMs
	d := model.DurationSummary{Count: n, Sum: max(f.durSum, 0) * toMs}
	p50 := scrBucketQuantile(0.5, f.bounds, f.cum)
	if math.IsNaN(p50) {
		// No finite bucket (or no observation in the buckets): the mean
		// is all there is.
		d.P50, d.P90, d.P99, d.Max = mean, mean, mean, mean
		return scrSane(d, mean)
	}
	d.P50 = p50 * toMs
	d.P90 = scrBucketQuantile(0.9, f.bounds, f.cum) * toMs
	d.P99 = scrBucketQuantile(0.99, f.bounds, f.cum) * toMs
	// The maximum is not in the exposition. The upper bound of the
	// highest bucket that gained observations bounds it from above, and
	// is what we report. When that bucket is +Inf, nothing bounds it:
	// we report the highest finite bound (where P99 then lands too) or
	// the mean if that is higher, both lower bounds of the true maximum.
	top := -1
	for i := len(f.cum) - 1; i >= 0; i-- {
		below := 0.0
		if i > 0 {
			below = f.cum[i-1]
		}
		if f.cum[i] > below {
			top = i
			break
		}
	}
	switch {
	case top < 0:
		d.Max = d.P99
	case math.IsInf(f.bounds[top], +1):
		d.Max = mean
		if top > 0 {
			d.Max = max(f.bounds[top-1]*toMs, mean)
		}
	default:
		d.Max = f.bounds[top] * toMs
	}
	d.Max = max(d.Max, d.P99)
	return scrSane(d, mean)
}

// scrSane keeps an odd exposition (negative or ±Inf bucket bounds, sums
// that overflow) from reaching the model: a duration that is not finite
// becomes the mean, a negative one zero, and the order P50 ≤ P90 ≤ P99 ≤
// Max holds. Without a finite mean there is no summary.
func scrSane(d model.DurationSummary, mean float64) model.DurationSummary {
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !ok(mean) || !ok(d.Sum) {
		return model.DurationSummary{}
	}
	mean, d.Sum = max(mean, 0), max(d.Sum, 0)
	fix := func(v float64) float64 {
		if !ok(v) {
			return mean
		}
		return max(v, 0)
	}
	d.P50 = fix(d.P50)
	d.P90 = max(fix(d.P90), d.P50)
	d.P99 = max(fix(d.P99), d.P90)
	d.Max = max(fix(d.Max), d.P99)
	return d
}

// scrScalar is the value of a counter, gauge or untyped sample; ok is
// false for NaN and ±Inf.
func scrScalar(m *scrMetric) (float64, bool) {
	v := m.value
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}
