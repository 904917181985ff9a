package prometheus

import (
	"fmt"
	"sort"
	"strings"
)

// A Preset maps one platform's metrics to fntop's figures, for both modes:
// scrape mode reads the named metrics from exposition text and computes
// the figures itself; query mode sends the PromQL templates to a
// Prometheus-compatible API, so the aggregation runs there.
//
// Figures a platform cannot give (cold starts, cost, throttles unless
// mapped) stay unavailable: the model shows them as null, not zero.
type Preset struct {
	// Name is what --preset takes ("openfaas", "knative").
	Name string
	// FunctionLabels name the function, first present wins (Knative's
	// label changed names between releases).
	FunctionLabels []string

	// Requests is a counter of finished invocations, with ErrorLabel
	// telling failures: a series whose ErrorLabel value matches
	// ErrorMatch (a regular expression, anchored) counts as errors.
	Requests   []string // metric names, first present wins
	ErrorLabel []string // label names, first present wins
	ErrorMatch string
	// Latency is a histogram of invocation durations (base name, without
	// _bucket/_sum/_count) in LatencyUnit seconds (1 for seconds, 0.001
	// for milliseconds). When Requests is absent its _count counts
	// invocations.
	Latency     []string
	LatencyUnit []float64 // per Latency name
	// Replicas is a gauge of running instances.
	Replicas []string

	// Queries are query mode's PromQL per figure (see Figure), with
	// {{.Range}} for the step's range ("1m") and {{.By}} for the
	// function label. Empty: derived from the metric names above.
	Queries map[Figure]string
}

// Figure names one figure a query yields per function.
type Figure string

// Figures of query mode. Invocations, Errors and Throttles are increases
// over the step; the quantiles and the average are seconds; Replicas a
// gauge.
const (
	FigInvocations Figure = "invocations"
	FigErrors      Figure = "errors"
	FigThrottles   Figure = "throttles"
	FigP50         Figure = "p50"
	FigP90         Figure = "p90"
	FigP99         Figure = "p99"
	FigDurationSum Figure = "duration_sum" // seconds, over the step
	FigReplicas    Figure = "replicas"
)

// Presets are the built-in presets by name.
var Presets = map[string]*Preset{
	"openfaas": {
		Name:           "openfaas",
		FunctionLabels: []string{"function_name"},
		Requests:       []string{"gateway_function_invocation_total"},
		ErrorLabel:     []string{"code"},
		ErrorMatch:     "5..",
		Latency:        []string{"gateway_functions_seconds"},
		LatencyUnit:    []float64{1},
		Replicas:       []string{"gateway_service_count"},
	},
	"knative": {
		Name: "knative",
		// ≥ 1.19 (OpenTelemetry) first, then ≤ 1.18 (OpenCensus).
		FunctionLabels: []string{"kn_service_name", "service_name", "kn_revision_name", "revision_name"},
		Requests:       []string{"revision_request_count"},
		ErrorLabel:     []string{"http_response_status_code", "response_code"},
		ErrorMatch:     "5..",
		Latency:        []string{"kn_serving_invocation_duration_seconds", "revision_request_latencies"},
		LatencyUnit:    []float64{1, 0.001},
		Replicas:       []string{"kn_revision_pods_count", "autoscaler_actual_pods"},
	},
}

// PresetNames lists the built-in presets.
func PresetNames() []string {
	out := make([]string, 0, len(Presets))
	for n := range Presets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LookupPreset returns the built-in preset name.
func LookupPreset(name string) (*Preset, error) {
	p, ok := Presets[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (have %s, or a mapping in the config file)", name, strings.Join(PresetNames(), ", "))
	}
	return p, nil
}
