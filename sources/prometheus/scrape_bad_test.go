package prometheus

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/prometheus/promtest"
)

// scrExplosion is n series of one function that differ by a
// high-cardinality label.
func scrExplosion(n int) string {
	var b strings.Builder
	b.Grow(n * 90)
	b.WriteString("# TYPE gateway_function_invocation_total counter\n")
	for i := range n {
		fmt.Fprintf(&b, "gateway_function_invocation_total{code=\"200\",function_name=\"a\",path=\"/p/%d\"} 1\n", i)
	}
	return b.String()
}

// Broken input: each case is served once between two good scrapes; the
// scrape reports it (status or skip counts), never panics or hangs, and
// the next scrape works again and covers the gap.
func TestScrapeBadInput(t *testing.T) {
	type check struct {
		state   model.SourceState
		errHas  string           // in LastError
		skipped map[string]int64 // reason prefix → count
		fns     int              // functions with an aggregate, when ok
	}
	cases := []struct {
		name  string
		setup func(e *promtest.Exporter, h *scrHarness)
		want  check
	}{
		{"truncated body", func(e *promtest.Exporter, _ *scrHarness) { e.SetFault(promtest.FaultTruncate) },
			check{state: model.StateFailing, errHas: "unexpected EOF"}},
		{"HTML page", func(e *promtest.Exporter, _ *scrHarness) { e.SetFault(promtest.FaultHTML) },
			check{state: model.StateFailing, errHas: "HTML page"}},
		{"HTML as text/plain", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw("<!DOCTYPE html>\n<html><body>login</body></html>\n")
		}, check{state: model.StateFailing, errHas: "HTML page"}},
		{"HTTP 500", func(e *promtest.Exporter, _ *scrHarness) { e.SetFault(promtest.Fault500) },
			check{state: model.StateFailing, errHas: "HTTP 500 Internal Server Error: \"upstream connect error"}},
		{"hang", func(e *promtest.Exporter, _ *scrHarness) { e.SetFault(promtest.FaultHang) },
			check{state: model.StateFailing, errHas: "no complete answer within 200ms (timeout)"}},
		{"slow beyond the timeout", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetSlow(time.Second)
			e.SetFault(promtest.FaultSlow)
		}, check{state: model.StateFailing, errHas: "timeout"}},
		{"malformed line", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw(e.Text() + "gateway_function_invocation_total{code=\"200\",function_name=\"a\" 5\n")
		}, check{state: model.StateFailing, errHas: "text format parsing error in line"}},
		{"malformed line of another metric", func(e *promtest.Exporter, _ *scrHarness) {
			// expfmt's parser is strict: any broken line fails the scrape.
			e.SetRaw("go_goroutines{ 12\n" + e.Text())
		}, check{state: model.StateFailing, errHas: "text format parsing error in line 1"}},
		{"wrong TYPE", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw("# TYPE gateway_function_invocation_total gauge\n" +
				"gateway_function_invocation_total{code=\"200\",function_name=\"f\"} 5\n" +
				"# TYPE gateway_functions_seconds summary\n" +
				"gateway_functions_seconds_sum{code=\"200\",function_name=\"f\"} 5\n" +
				"gateway_functions_seconds_count{code=\"200\",function_name=\"f\"} 5\n" +
				"gateway_service_count{function_name=\"f\"} 1\n")
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipWrongTypeFmt: 2}, fns: 1}},
		{"histogram without TYPE", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw(strings.ReplaceAll(e.Text(), "# TYPE gateway_functions_seconds histogram\n", ""))
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipWrongTypeFmt + ": gateway_functions_seconds_bucket is untyped": 24}, fns: 2}},
		{"NaN and Inf samples", func(e *promtest.Exporter, _ *scrHarness) {
			text := e.Text()
			text = strings.Replace(text, `gateway_function_invocation_total{code="200",function_name="figlet.openfaas-fn"} 10`,
				`gateway_function_invocation_total{code="200",function_name="figlet.openfaas-fn"} NaN`, 1)
			text = strings.Replace(text, `gateway_functions_seconds_bucket{code="200",function_name="figlet.openfaas-fn",le="0.05"} 10`,
				`gateway_functions_seconds_bucket{code="200",function_name="figlet.openfaas-fn",le="0.05"} +Inf`, 1)
			text = strings.Replace(text, `gateway_service_count{function_name="figlet.openfaas-fn"} 2`,
				`gateway_service_count{function_name="figlet.openfaas-fn"} -Inf`, 1)
			e.SetRaw(text)
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipNonFinite: 3}, fns: 2}},
		{"series without function label", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw(e.Text() + "gateway_function_invocation_total{code=\"200\"} 7\n")
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipNoFunction: 1}, fns: 2}},
		{"duplicate series", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw(e.Text() + "gateway_function_invocation_total{function_name=\"figlet.openfaas-fn\",code=\"200\"} 10\n")
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipDuplicate: 1}, fns: 2}},
		{"1e6 series: body over 32 MiB", func(e *promtest.Exporter, h *scrHarness) {
			scrSkipShort(h.t)
			scrSetTimeout(h, 20*time.Second)
			e.SetRaw(scrExplosion(1_000_000))
		}, check{state: model.StateFailing, errHas: "exposition larger than 32 MiB"}},
		{"1e6 series: capped", func(e *promtest.Exporter, h *scrHarness) {
			scrSkipShort(h.t)
			h.sc.f.maxBody = 256 << 20
			scrSetTimeout(h, 20*time.Second)
			e.SetRaw(scrExplosion(1_000_000))
		}, check{state: model.StateOK, skipped: map[string]int64{scrSkipOverCap: 900_000}, fns: 1}},
		{"empty body", func(e *promtest.Exporter, _ *scrHarness) { e.SetRaw("\n") },
			check{state: model.StateOK}},
		{"binary garbage", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw("gateway_function_invocation_total{{{\"\x00\xff\xfe\n\x01\x02")
		}, check{state: model.StateFailing, errHas: "no newline at the end"}},
		{"binary garbage of unknown names", func(e *promtest.Exporter, _ *scrHarness) {
			e.SetRaw("\x00\xff\xfe{{{\"\n\x01\x02\n")
		}, check{state: model.StateFailing, errHas: "text format parsing error in line 1"}},
		{"no newline at the end", func(e *promtest.Exporter, _ *scrHarness) {
			text := e.Text()
			e.SetRaw(text[:len(text)-3]) // a cut without an HTTP error: a value "2" for "12" would look like a reset
		}, check{state: model.StateFailing, errHas: "no newline at the end of the exposition (truncated?)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := promtest.NewExporter(t)
			e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 10)
			e.Invoke(promtest.OpenFaaS, "env.openfaas-fn", 500, 30*time.Millisecond, 1)
			e.SetReplicas(promtest.OpenFaaS, scrFig, 2)
			h := scrNewHarness(t, e.URL(), func(o *Options) {
				o.Preset = Presets["openfaas"]
				o.Timeout = 200 * time.Millisecond
			})
			h.mustScrape()

			c.setup(e, h)
			start := time.Now()
			evs, err := h.scrape()
			if d := time.Since(start); h.src.opts.Timeout < time.Second && d > h.src.opts.Timeout+time.Second {
				t.Errorf("the scrape took %v", d)
			}
			st := scrLastStatus(t, evs)
			t.Logf("%s: %q · %q · skipped %v", st.State, st.LastError, st.Detail, scrSkipped(evs))
			if st.State != c.want.state {
				t.Fatalf("state %s (%s), want %s", st.State, st.LastError, c.want.state)
			}
			if (err != nil) != (c.want.state == model.StateFailing) {
				t.Errorf("err %v with state %s", err, st.State)
			}
			if c.want.errHas != "" && !strings.Contains(st.LastError, c.want.errHas) {
				t.Errorf("LastError %q lacks %q", st.LastError, c.want.errHas)
			}
			got := scrSkipped(evs)
			for reason, n := range c.want.skipped {
				var sum int64
				for r, m := range got {
					if strings.HasPrefix(r, reason) {
						sum += m
					}
				}
				if sum != n {
					t.Errorf("skipped %q: %d, want %d (all: %v)", reason, sum, n, got)
				}
			}
			if c.want.skipped == nil && len(got) > 0 {
				t.Errorf("skipped %v", got)
			}
			if c.want.state == model.StateOK {
				if n := len(scrAggs(t, evs)); n != c.want.fns {
					t.Errorf("%d aggregates, want %d", n, c.want.fns)
				}
				for _, ev := range evs {
					if ev.Kind == model.KindAggregate && (ev.Aggregate.Invocations < 0 || ev.Aggregate.Invocations > 1_000_000) {
						t.Errorf("aggregate %+v", ev.Aggregate)
					}
				}
			}
			if len(h.sc.series) > scrapeMaxSeries+100 {
				t.Errorf("%d series kept", len(h.sc.series))
			}

			// Healthy again: the next scrape works and counts what came
			// in meanwhile exactly, whatever the broken scrape did.
			e.SetFault(promtest.FaultNone)
			e.SetRaw("")
			h.mustScrape() // the first good scrape after a partial one only re-bases
			e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 4)
			e.Invoke(promtest.OpenFaaS, scrFig, 503, 30*time.Millisecond, 1)
			evs = h.mustScrape()
			a := scrAggs(t, evs)[scrFig].Aggregate
			if a.Invocations != 5 || a.Errors != 1 || a.Duration.Count != 5 {
				t.Errorf("after recovery %+v, want 5 invocations, 1 error", a)
			}
			if st := scrLastStatus(t, evs); st.State != model.StateOK || st.LastError != "" {
				t.Errorf("after recovery status %+v", st)
			}
		})
	}
}

// A failed scrape keeps the previous good state: the next good scrape's
// aggregate spans the gap and counts it exactly.
func TestScrapeGapAfterFailure(t *testing.T) {
	e := promtest.NewExporter(t)
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 10)
	h := scrNewHarness(t, e.URL())
	h.mustScrape()
	t1 := h.clock.now()
	e.Invoke(promtest.OpenFaaS, scrFig, 200, 30*time.Millisecond, 6)
	e.SetFault(promtest.Fault500)
	if _, err := h.scrape(); err == nil {
		t.Fatal("no error")
	}
	e.SetFault(promtest.FaultNone)
	e.Invoke(promtest.OpenFaaS, scrFig, 500, 30*time.Millisecond, 2)
	evs := h.mustScrape()
	ev := scrAggs(t, evs)[scrFig]
	if !ev.Time.Equal(t1) || ev.Aggregate.Span != 10*time.Second || ev.Aggregate.Invocations != 8 || ev.Aggregate.Errors != 2 {
		t.Errorf("%v %+v", ev.Time, ev.Aggregate)
	}
	if st := scrLastStatus(t, evs); !st.Updated.Equal(h.clock.now()) {
		t.Errorf("updated %v", st.Updated)
	}
}

func scrSetTimeout(h *scrHarness, d time.Duration) {
	h.src.opts.Timeout = d
	h.src.client.Timeout = d
	h.sc.f.timeout = d
}

func scrSkipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("1e6 series: skipped with -short")
	}
}
