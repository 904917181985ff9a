package prometheus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	pmodel "github.com/prometheus/common/model"
)

// promAPI is the part of the Prometheus HTTP API that query mode uses (the
// client_golang v1.API satisfies it).
type promAPI interface {
	Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (pmodel.Value, v1.Warnings, v1.Infos, error)
	QueryRange(ctx context.Context, query string, r v1.Range, opts ...v1.Option) (pmodel.Value, v1.Warnings, v1.Infos, error)
	LabelNames(ctx context.Context, matches []string, startTime, endTime time.Time, opts ...v1.Option) (pmodel.LabelNames, v1.Warnings, v1.Infos, error)
	LabelValues(ctx context.Context, label string, matches []string, startTime, endTime time.Time, opts ...v1.Option) (pmodel.LabelValues, v1.Warnings, v1.Infos, error)
}

// figures lists the figures in the order they are queried and reported.
var figures = []Figure{FigInvocations, FigErrors, FigThrottles, FigP50, FigP90, FigP99, FigDurationSum, FigReplicas}

// figIndex is a figure's place in figures (and in stepVals).
func figIndex(f Figure) int { return slices.Index(figures, f) }

// rangeData is what a query template sees: {{.Range}} is the step as a
// PromQL duration ("10s", "1m"), {{.By}} the function label.
type rangeData struct {
	Range string
	By    string
}

// figQuery is one PromQL query of a refresh.
type figQuery struct {
	fig  Figure
	expr func(d rangeData) (string, error)
	// scale turns the answer into fntop's unit: 1 for counts and
	// replicas, seconds-per-unit × 1000 for durations (milliseconds).
	scale float64
	user  bool // from the preset's Queries
}

// queryPlan is what a preset resolved to against one API: the function
// label, the metric names present and one query per figure.
type queryPlan struct {
	preset  *Preset
	label   string
	queries []figQuery
	// probe is a metric whose samples tell the scrape interval.
	probe string
	// metrics are the metric names the derived queries use (for the
	// status and messages).
	metrics []string
}

func (p *queryPlan) has(f Figure) bool {
	for _, q := range p.queries {
		if q.fig == f {
			return true
		}
	}
	return false
}

// userTemplate parses one of a preset's Queries. Templates see rangeData;
// a reference to anything else is an error at parse or first execution,
// so validate with checkTemplate.
func userTemplate(fig Figure, text string) (*template.Template, error) {
	t, err := template.New(string(fig)).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkTemplate executes a parsed query template once on sample data.
func checkTemplate(t *template.Template) error {
	var b bytes.Buffer
	if err := t.Execute(&b, rangeData{Range: "1m", By: "function_name"}); err != nil {
		return err
	}
	if strings.TrimSpace(b.String()) == "" {
		return errors.New("the query is empty")
	}
	return nil
}

func templateExpr(t *template.Template) func(rangeData) (string, error) {
	return func(d rangeData) (string, error) {
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", err
		}
		return b.String(), nil
	}
}

// presetNames are the metric names a preset may use, with the histogram
// suffixes by which a histogram's presence shows.
func presetNames(p *Preset) []string {
	var out []string
	out = append(out, p.Requests...)
	for _, l := range p.Latency {
		out = append(out, l+"_bucket", l+"_count", l+"_sum")
	}
	out = append(out, p.Replicas...)
	return out
}

// needsNames reports whether some figure of p is derived from metric
// names (not every one is a user query).
func needsNames(p *Preset) bool {
	if len(p.Requests)+len(p.Latency)+len(p.Replicas) == 0 {
		return false
	}
	for _, f := range []Figure{FigInvocations, FigErrors, FigP50, FigP90, FigP99, FigDurationSum, FigReplicas} {
		if _, ok := p.Queries[f]; !ok {
			return true
		}
	}
	return false
}

// discoverySpan is how far back discovery looks for metric names and
// labels (at least; the backfill window when longer).
const discoverySpan = 10 * time.Minute

// presentNames asks which of names have series in [from, to]: one
// request to the label values API, whatever the fleet's size.
func presentNames(ctx context.Context, api promAPI, names []string, from, to time.Time) (map[string]bool, error) {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexpQuote(n)
	}
	sel := fmt.Sprintf(`{__name__=~"%s"}`, strings.Join(quoted, "|"))
	vals, _, _, err := api.LabelValues(ctx, "__name__", []string{sel}, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(vals))
	for _, v := range vals {
		out[string(v)] = true
	}
	return out, nil
}

// regexpQuote escapes a metric name for a PromQL regular expression in a
// double-quoted string (metric names only have [a-zA-Z0-9_:]; this is
// defensive).
func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteString(`\\`)
		}
		if r == '"' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pickPreset chooses the built-in preset with the most metric names
// present (ties: the first by name). It returns nil when none is present.
func pickPreset(present map[string]bool) *Preset {
	var best *Preset
	bestN := 0
	for _, name := range PresetNames() {
		p := Presets[name]
		n := 0
		for _, m := range presetNames(p) {
			if present[m] {
				n++
			}
		}
		if n > bestN {
			best, bestN = p, n
		}
	}
	return best
}

// labelsOf returns the label names of a metric's series in [from, to].
func labelsOf(ctx context.Context, api promAPI, metric string, from, to time.Time) (map[string]bool, error) {
	names, _, _, err := api.LabelNames(ctx, []string{metric}, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[string(n)] = true
	}
	return out, nil
}

func firstPresent(cands []string, present map[string]bool) (string, int) {
	for i, c := range cands {
		if present[c] {
			return c, i
		}
	}
	return "", -1
}

// buildPlan resolves preset p against the API: which candidate metric
// names exist, which function and error labels they carry, and from that
// one query per figure. User queries (p.Queries) win over derived ones.
func buildPlan(ctx context.Context, api promAPI, p *Preset, present map[string]bool, from, to time.Time) (*queryPlan, error) {
	plan := &queryPlan{preset: p}
	if len(p.FunctionLabels) == 0 {
		return nil, fmt.Errorf("preset %s names no function label", p.Name)
	}
	plan.label = p.FunctionLabels[0]

	// The metrics present: the request counter, else the latency
	// histogram's _count, counts invocations.
	req, _ := firstPresent(p.Requests, present)
	lat, unit := "", 1.0
	for i, l := range p.Latency {
		if present[l+"_bucket"] || present[l+"_count"] {
			lat = l
			if i < len(p.LatencyUnit) && p.LatencyUnit[i] > 0 {
				unit = p.LatencyUnit[i]
			}
			break
		}
	}
	rep, _ := firstPresent(p.Replicas, present)
	count := req
	if count == "" && lat != "" {
		count = lat + "_count"
	}

	// The function label is the first candidate the counting metric
	// carries; the error label likewise.
	errLabel := ""
	if count != "" {
		if len(p.FunctionLabels) > 1 || len(p.ErrorLabel) > 0 {
			labels, err := labelsOf(ctx, api, count, from, to)
			if err != nil {
				return nil, fmt.Errorf("labels of %s: %w", count, err)
			}
			l, i := firstPresent(p.FunctionLabels, labels)
			if i < 0 {
				return nil, fmt.Errorf("%s has none of the function labels %s", count, strings.Join(p.FunctionLabels, ", "))
			}
			plan.label = l
			errLabel, _ = firstPresent(p.ErrorLabel, labels)
		}
		plan.probe = count
	}
	// Replicas only under the same label: another label (a revision
	// instead of a service) would name other functions.
	if rep != "" && len(p.FunctionLabels) > 1 {
		labels, err := labelsOf(ctx, api, rep, from, to)
		if err != nil {
			return nil, fmt.Errorf("labels of %s: %w", rep, err)
		}
		if !labels[plan.label] {
			rep = ""
		}
	}

	L := plan.label
	sel := func(metric string, extra string) string {
		m := fmt.Sprintf(`%s!=""`, L)
		if extra != "" {
			m += "," + extra
		}
		return metric + "{" + m + "}"
	}
	derived := map[Figure]figQuery{}
	if count != "" {
		derived[FigInvocations] = figQuery{fig: FigInvocations, scale: 1, expr: func(d rangeData) (string, error) {
			return fmt.Sprintf("sum by (%s) (increase(%s[%s]))", L, sel(count, ""), d.Range), nil
		}}
		plan.metrics = append(plan.metrics, count)
		if errLabel != "" {
			match := p.ErrorMatch
			if match == "" {
				match = "5.."
			}
			m := fmt.Sprintf("%s=~%s", errLabel, strconv.Quote(match))
			derived[FigErrors] = figQuery{fig: FigErrors, scale: 1, expr: func(d rangeData) (string, error) {
				return fmt.Sprintf("sum by (%s) (increase(%s[%s]))", L, sel(count, m), d.Range), nil
			}}
		}
	}
	if lat != "" && present[lat+"_bucket"] {
		for _, q := range []struct {
			fig Figure
			q   float64
		}{{FigP50, 0.5}, {FigP90, 0.9}, {FigP99, 0.99}} {
			derived[q.fig] = figQuery{fig: q.fig, scale: unit * 1000, expr: func(d rangeData) (string, error) {
				return fmt.Sprintf("histogram_quantile(%g, sum by (le, %s) (rate(%s[%s])))", q.q, L, sel(lat+"_bucket", ""), d.Range), nil
			}}
		}
		plan.metrics = append(plan.metrics, lat+"_bucket")
	}
	if lat != "" && present[lat+"_sum"] {
		derived[FigDurationSum] = figQuery{fig: FigDurationSum, scale: unit * 1000, expr: func(d rangeData) (string, error) {
			return fmt.Sprintf("sum by (%s) (increase(%s[%s]))", L, sel(lat+"_sum", ""), d.Range), nil
		}}
	}
	if rep != "" {
		// max, not sum: every gateway replica exports the same gauge for
		// every function (OpenFaaS), so a sum would multiply it.
		derived[FigReplicas] = figQuery{fig: FigReplicas, scale: 1, expr: func(rangeData) (string, error) {
			return fmt.Sprintf("max by (%s) (%s)", L, sel(rep, "")), nil
		}}
		plan.metrics = append(plan.metrics, rep)
	}

	for _, f := range figures {
		if text, ok := p.Queries[f]; ok {
			t, err := userTemplate(f, text)
			if err != nil {
				return nil, fmt.Errorf("preset %s, %s query: %w", p.Name, f, err)
			}
			// User queries answer seconds for durations (see Figure).
			scale := 1.0
			switch f {
			case FigP50, FigP90, FigP99, FigDurationSum:
				scale = 1000
			}
			plan.queries = append(plan.queries, figQuery{fig: f, scale: scale, user: true, expr: templateExpr(t)})
			continue
		}
		if q, ok := derived[f]; ok {
			plan.queries = append(plan.queries, q)
		}
	}
	if !plan.has(FigInvocations) {
		var names []string
		names = append(names, p.Requests...)
		names = append(names, p.Latency...)
		if len(names) == 0 {
			return nil, fmt.Errorf("preset %s has no invocations query and no metric names", p.Name)
		}
		return nil, fmt.Errorf("none of %s in Prometheus (is it scraping the %s metrics?)", strings.Join(names, ", "), p.Name)
	}
	if plan.probe == "" {
		plan.probe = "up"
	}
	return plan, nil
}

// probeInterval estimates the scrape interval of metric from the raw
// samples of its busiest series: increase() over a step needs at least
// two samples in it, so the step must be at least twice the interval. It
// returns 0 when there are not yet enough samples. Two small requests,
// whatever the fleet's size.
func probeInterval(ctx context.Context, api promAPI, metric string, now time.Time) (time.Duration, error) {
	const look = "3m"
	v, _, _, err := api.Query(ctx, fmt.Sprintf("topk(1, count_over_time(%s[%s]))", metric, look), now)
	if err != nil {
		return 0, err
	}
	vec, ok := v.(pmodel.Vector)
	if !ok || len(vec) == 0 || vec[0].Value < 2 {
		return 0, nil
	}
	var m []string
	names := make([]string, 0, len(vec[0].Metric))
	for n := range vec[0].Metric {
		names = append(names, string(n))
	}
	sort.Strings(names)
	for _, n := range names {
		m = append(m, fmt.Sprintf("%s=%s", n, strconv.Quote(string(vec[0].Metric[pmodel.LabelName(n)]))))
	}
	v, _, _, err = api.Query(ctx, fmt.Sprintf("%s{%s}[%s]", metric, strings.Join(m, ","), look), now)
	if err != nil {
		return 0, err
	}
	mat, ok := v.(pmodel.Matrix)
	if !ok || len(mat) == 0 || len(mat[0].Values) < 2 {
		return 0, nil
	}
	vals := mat[0].Values
	gaps := make([]int64, 0, len(vals)-1)
	for i := 1; i < len(vals); i++ {
		gaps = append(gaps, int64(vals[i].Timestamp-vals[i-1].Timestamp))
	}
	slices.Sort(gaps)
	return time.Duration(gaps[len(gaps)/2]) * time.Millisecond, nil
}

// Steps. The model keeps a 10 s ring (the 1m window, sparklines) and a
// 1 min ring (5m to 1h): a step of 10 s, 20 s or 30 s starting on a
// multiple of itself falls in one bucket of each; a 60 s step on the
// minute in one coarse bucket.
const (
	// assumedInterval stands for the scrape interval until the probe
	// finds one (Prometheus's usual 15 s).
	assumedInterval = 15 * time.Second
	// coarseAfter: backfills longer than this use 60 s steps (a sixth of
	// the points and bytes) except for their last fineTail, which the
	// 1m window shows.
	coarseAfter = 5 * time.Minute
	fineTail    = 2 * time.Minute
	// settle keeps the newest step this far behind now, so that the
	// scrape that started at the step's end has been written.
	settle = 2 * time.Second
)

// fineStepFor is the smallest step that divides a minute (or a multiple
// of a minute) and holds at least two samples at the scrape interval.
func fineStepFor(interval time.Duration) time.Duration {
	if interval <= 0 {
		interval = assumedInterval
	}
	for _, s := range []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, time.Minute} {
		if s >= 2*interval {
			return s
		}
	}
	return time.Duration(math.Ceil(float64(2*interval)/float64(time.Minute))) * time.Minute
}

// floorTo rounds t down to a multiple of d (in Unix time).
func floorTo(t time.Time, d time.Duration) time.Time {
	return time.UnixMilli(t.UnixMilli() - mod(t.UnixMilli(), d.Milliseconds())).UTC()
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// promDuration writes d as PromQL does ("10s", "1m", "1m30s").
func promDuration(d time.Duration) string { return pmodel.Duration(d).String() }
