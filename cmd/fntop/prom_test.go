package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/sources/prometheus/promtest"
)

// TestSnapshotPrometheusScrape runs `fntop snapshot --prometheus URL
// --json` against an exporter serving OpenFaaS-shaped metrics at known
// rates: after observing, the rates, errors and quantiles are the known
// ones; what OpenFaaS cannot tell (cold starts, cost) is null.
func TestSnapshotPrometheusScrape(t *testing.T) {
	exp := promtest.NewExporter(t)
	exp.SetReplicas(promtest.OpenFaaS, "figlet.openfaas-fn", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stop := exp.Workload(ctx, 250*time.Millisecond,
		promtest.Load{Preset: promtest.OpenFaaS, Function: "figlet.openfaas-fn", Code: 200, Duration: 40 * time.Millisecond, PerSecond: 20},
		promtest.Load{Preset: promtest.OpenFaaS, Function: "figlet.openfaas-fn", Code: 500, Duration: 40 * time.Millisecond, PerSecond: 4},
		promtest.Load{Preset: promtest.OpenFaaS, Function: "env.openfaas-fn", Code: 200, Duration: 2 * time.Second, PerSecond: 8})
	defer stop()
	stdout, stderr, code := runCmd(t, nil, "snapshot", "--prometheus", exp.URL(), "--json", "--interval", "1s", "--observe", "4s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var raw struct {
		Functions []map[string]any `json:"functions"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	snap := decodeSnapshot(t, stdout)
	want := map[string]struct{ rate, errRate, p50 float64 }{
		"figlet.openfaas-fn": {24, 4.0 / 24, 40},
		"env.openfaas-fn":    {8, 0, 2000},
	}
	if len(snap.Functions) != len(want) {
		t.Fatalf("functions %+v", snap.Functions)
	}
	for i, f := range snap.Functions {
		w, ok := want[f.Name]
		if !ok {
			t.Fatalf("unexpected function %q", f.Name)
		}
		// Rates over the observed seconds: the workload steps every 250 ms,
		// so a few steps more or less than the ideal show at the edges.
		if math.Abs(f.RatePerS-w.rate)/w.rate > 0.2 {
			t.Errorf("%s: rate %.2f/s, want %.0f", f.Name, f.RatePerS, w.rate)
		}
		if math.Abs(f.ErrorRate-w.errRate) > 0.03 {
			t.Errorf("%s: error rate %.3f, want %.3f", f.Name, f.ErrorRate, w.errRate)
		}
		if f.Duration == nil || f.Duration.P50 <= 0 || math.Abs(f.Duration.P50-w.p50)/w.p50 > 0.5 {
			t.Errorf("%s: p50 %+v, want about %.0f ms (bucket resolution)", f.Name, f.Duration, w.p50)
		}
		for _, k := range []string{"cold_starts", "cost_usd", "cost", "init_duration_ms", "throttles"} {
			if v, present := raw.Functions[i][k]; !present || v != nil {
				t.Errorf("%s: %s = %v, want null", f.Name, k, v)
			}
		}
		if f.Source != "prometheus:"+strings.TrimPrefix(strings.TrimSuffix(exp.URL(), "/metrics"), "http://") {
			t.Errorf("%s: source %q", f.Name, f.Source)
		}
	}
	if r, ok := raw.Functions[0]["replicas"]; !ok {
		t.Error("no replicas field")
	} else if snap.Functions[0].Name == "figlet.openfaas-fn" && r != float64(2) {
		t.Errorf("replicas %v, want 2", r)
	}
}

// TestPrometheusConfigErrors: a broken config file or an unknown preset is
// a usage error naming the problem; a password never appears.
func TestPrometheusConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("prometheus:\n  http:\n    basic_auth:\n      username: u\n      password: hunter2-secret\n  nonsense: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCmd(t, nil, "snapshot", "--prometheus", "http://127.0.0.1:1/metrics", "--config", cfg)
	if code == 0 || !strings.Contains(stderr, "nonsense") || strings.Contains(stderr, "hunter2") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	t.Setenv("FNTOP_CONFIG", t.TempDir()) // no config file: the built-in presets only
	_, stderr, code = runCmd(t, nil, "snapshot", "--prometheus", "http://127.0.0.1:1/metrics", "--preset", "nosuch")
	if code != 2 || !strings.Contains(stderr, "nosuch") {
		t.Errorf("unknown preset: exit %d, stderr %q", code, stderr)
	}
}

// TestSnapshotPrometheusQuery runs `fntop snapshot --prometheus URL
// --json --window 1m` against a real Prometheus scraping the exporter
// (query mode, chosen automatically): the rate agrees with PromQL's own.
func TestSnapshotPrometheusQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Prometheus")
	}
	exp := promtest.NewExporter(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stop := exp.Workload(ctx, time.Second,
		promtest.Load{Preset: promtest.OpenFaaS, Function: "figlet.openfaas-fn", Code: 200, Duration: 40 * time.Millisecond, PerSecond: 20},
		promtest.Load{Preset: promtest.OpenFaaS, Function: "figlet.openfaas-fn", Code: 500, Duration: 40 * time.Millisecond, PerSecond: 5})
	defer stop()
	prom := promtest.StartPrometheus(t, "", strings.TrimSuffix(strings.TrimPrefix(exp.URL(), "http://"), "/metrics"))
	// Wait for 25 s of samples: a 10 s step needs two scrapes and the
	// snapshot's window two steps.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape("count_over_time(gateway_function_invocation_total[1m])"))
		if err == nil {
			var body struct {
				Data struct {
					Result []struct {
						Value [2]any `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if len(body.Data.Result) > 0 && body.Data.Result[0].Value[1] == "25" {
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	stdout, stderr, code := runCmd(t, nil, "snapshot", "--prometheus", prom, "--json", "--window", "1m", "--preset", "openfaas")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snap := decodeSnapshot(t, stdout)
	if len(snap.Functions) != 1 || snap.Functions[0].Name != "figlet.openfaas-fn" {
		t.Fatalf("functions %+v", snap.Functions)
	}
	f := snap.Functions[0]
	// PromQL's own rate over the snapshot's window, on the same data.
	secs := int(math.Round(snap.Window.Seconds))
	q := fmt.Sprintf("sum(rate(gateway_function_invocation_total[%ds]))", secs)
	resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(q) + fmt.Sprintf("&time=%d", snap.Window.End.Unix()))
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || len(body.Data.Result) != 1 {
		t.Fatalf("%s: %v %+v", q, err, body)
	}
	promRate, _ := strconv.ParseFloat(body.Data.Result[0].Value[1].(string), 64)
	t.Logf("fntop %.2f/s over %ds, PromQL %s = %.2f/s", f.RatePerS, secs, q, promRate)
	if math.Abs(f.RatePerS-promRate)/promRate > 0.1 {
		t.Errorf("rate %.2f/s, PromQL's %.2f/s over the same window", f.RatePerS, promRate)
	}
	if math.Abs(f.ErrorRate-0.2) > 0.05 {
		t.Errorf("error rate %.3f, want 0.2", f.ErrorRate)
	}
	if f.ColdStarts != nil || !strings.Contains(stdout, `"cost_usd": null`) {
		t.Errorf("cold starts %v; cost not null", f.ColdStarts)
	}
	for _, s := range snap.Sources {
		if strings.HasPrefix(s.Name, "prometheus:") && (s.State != "ok" || !strings.Contains(s.Detail, "query mode")) {
			t.Errorf("source %+v", s)
		}
	}
}
