package model

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFocus(t *testing.T) {
	s := NewStore(Options{})
	if f := s.Focus(); f != nil {
		t.Fatalf("initial focus %v", f)
	}
	in := []string{"b", "a", "b"}
	s.SetFocus(in...)
	if f := s.Focus(); !slices.Equal(f, []string{"a", "b"}) {
		t.Fatalf("focus %v, want [a b]", f)
	}
	if !slices.Equal(in, []string{"b", "a", "b"}) {
		t.Error("SetFocus changed its argument")
	}
	f := s.Focus()
	f[0] = "x"
	if s.Focus()[0] != "a" {
		t.Error("Focus returned the store's own slice")
	}
	s.SetFocus()
	if len(s.Focus()) != 0 {
		t.Errorf("focus not cleared: %v", s.Focus())
	}
}

// Functions off Lambda have no cost (null in JSON, out of the totals) and
// may have replicas; Lambda functions keep theirs.
func TestUnpricedPlatformAndReplicas(t *testing.T) {
	s := NewStore(Options{Clock: func() time.Time { return t0.Add(time.Minute) }})
	s.Ingest(
		Event{Kind: KindMeta, Source: "prometheus:x", Function: "figlet.openfaas-fn", Time: t0, Meta: FunctionMeta{Platform: "openfaas", Replicas: 0, ReplicasKnown: true}},
		Event{Kind: KindAggregate, Source: "prometheus:x", Function: "figlet.openfaas-fn", Time: t0,
			Aggregate: Aggregate{Span: 10 * time.Second, Invocations: 100, HasInvocations: true}},
		inv("lambda-fn", t0, "r1", 100, 100, 1024, 50),
	)
	snap := s.Snapshot(SnapshotOptions{Window: WindowAll})
	var faas, lam *FunctionStats
	for i := range snap.Functions {
		switch snap.Functions[i].Name {
		case "figlet.openfaas-fn":
			faas = &snap.Functions[i]
		case "lambda-fn":
			lam = &snap.Functions[i]
		}
	}
	if faas == nil || lam == nil {
		t.Fatalf("functions: %+v", snap.Functions)
	}
	if !faas.Unpriced || faas.Replicas == nil || *faas.Replicas != 0 || faas.Platform != "openfaas" {
		t.Errorf("openfaas function: unpriced %v replicas %v platform %q", faas.Unpriced, faas.Replicas, faas.Platform)
	}
	if lam.Unpriced || lam.CostUSD <= 0 || lam.Replicas != nil {
		t.Errorf("lambda function: unpriced %v cost %v replicas %v", lam.Unpriced, lam.CostUSD, lam.Replicas)
	}
	if snap.Totals.CostUSD != lam.CostUSD {
		t.Errorf("totals cost %v, want only the Lambda function's %v", snap.Totals.CostUSD, lam.CostUSD)
	}
	b, err := json.Marshal(faas)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"cost_usd":null`, `"cost":null`, `"cost_per_hour_usd":null`, `"replicas":0`, `"platform":"openfaas"`, `"cold_starts":null`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	b, _ = json.Marshal(lam)
	for _, want := range []string{`"replicas":null`, `"architecture":"x86_64"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), `"cost_usd":null`) {
		t.Errorf("Lambda cost is null: %s", b)
	}
}

// A source that has observed for less than the window gives rates over
// the time it has data for, not over the whole window.
func TestWindowShorterThanTheData(t *testing.T) {
	end := t0.Add(30 * time.Second)
	s := NewStore(Options{Clock: func() time.Time { return end }})
	s.Ingest(Event{Kind: KindAggregate, Source: "prometheus:x", Function: "f", Time: t0,
		Aggregate: Aggregate{Span: 10 * time.Second, Invocations: 300, HasInvocations: true}})
	snap := s.Snapshot(SnapshotOptions{Window: Window5m})
	if got := snap.Window.Seconds; got != 30 {
		t.Fatalf("window seconds %v, want 30 (the data's span)", got)
	}
	if r := snap.Functions[0].RatePerS; r != 10 {
		t.Errorf("rate %v/s, want 10", r)
	}
}
