package model

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed prices/aws-lambda.json
var awsLambdaPrices []byte

// armToX86 is arm64's price as a share of x86_64's in us-east-1
// (0.0000133334 / 0.0000166667). Regions whose table lists only x86_64 get an
// arm64 price derived with it, and say so.
const armToX86 = 0.8

// PriceTable holds list prices for one provider as data, with the source and
// date of each price.
type PriceTable struct {
	Name          string        `json:"name"`
	Provider      string        `json:"provider"`
	Currency      string        `json:"currency"`
	Checked       string        `json:"checked"`
	DefaultRegion string        `json:"default_region"`
	Notes         []string      `json:"notes"`
	Regions       []RegionPrice `json:"regions"`
}

// RegionPrice is one region's prices.
type RegionPrice struct {
	Region     string             `json:"region"`
	RequestUSD float64            `json:"request_usd"`
	GBSecond   map[string]float64 `json:"gb_second_usd"`
	Source     string             `json:"source"`
	Date       string             `json:"date"`
}

// Price is what one function pays: per request and per GB-second.
type Price struct {
	Region      string
	Arch        Arch
	RequestUSD  float64
	GBSecondUSD float64
	// Assumptions lists what was not known and how it was filled in
	// ("architecture unknown: priced as x86_64").
	Assumptions []string
}

// DefaultPrices returns the embedded AWS Lambda list prices.
func DefaultPrices() *PriceTable {
	t, err := ParsePriceTable(awsLambdaPrices)
	if err != nil {
		panic("model: embedded price table: " + err.Error()) // a build defect, caught by tests
	}
	return t
}

// ParsePriceTable reads a price table from JSON and checks it.
func ParsePriceTable(data []byte) (*PriceTable, error) {
	var t PriceTable
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	if t.Name == "" || t.DefaultRegion == "" {
		return nil, fmt.Errorf("price table: name and default_region are required")
	}
	found := false
	for _, r := range t.Regions {
		if r.RequestUSD <= 0 || r.GBSecond[string(ArchX86)] <= 0 {
			return nil, fmt.Errorf("price table %s: region %q needs request_usd and an x86_64 gb_second_usd", t.Name, r.Region)
		}
		if r.Source == "" || r.Date == "" {
			return nil, fmt.Errorf("price table %s: region %q needs a source and a date", t.Name, r.Region)
		}
		if r.Region == t.DefaultRegion {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("price table %s: default region %q has no entry", t.Name, t.DefaultRegion)
	}
	return &t, nil
}

// Lookup returns the price for a region and architecture, filling in
// defaults and recording each assumption.
func (t *PriceTable) Lookup(region string, arch Arch) Price {
	p := Price{Region: region, Arch: arch}
	if arch == ArchUnknown {
		p.Arch = ArchX86
		p.Assumptions = append(p.Assumptions, "architecture unknown: priced as x86_64")
	}
	var rp *RegionPrice
	for i := range t.Regions {
		if t.Regions[i].Region == region {
			rp = &t.Regions[i]
			break
		}
	}
	if rp == nil {
		for i := range t.Regions {
			if t.Regions[i].Region == t.DefaultRegion {
				rp = &t.Regions[i]
			}
		}
		if region == "" {
			p.Assumptions = append(p.Assumptions, "region unknown: priced as "+t.DefaultRegion)
		} else {
			p.Assumptions = append(p.Assumptions, "no prices for "+region+": priced as "+t.DefaultRegion)
		}
		p.Region = t.DefaultRegion
	}
	p.RequestUSD = rp.RequestUSD
	if v, ok := rp.GBSecond[string(p.Arch)]; ok {
		p.GBSecondUSD = v
	} else {
		p.GBSecondUSD = rp.GBSecond[string(ArchX86)] * armToX86
		p.Assumptions = append(p.Assumptions, "no "+string(p.Arch)+" price for "+rp.Region+": 80% of x86_64 as in us-east-1")
	}
	return p
}

// GBSeconds is the compute an invocation is billed for:
// billed duration in seconds times configured memory in GB (1 GB = 1024 MB).
func GBSeconds(billedMs float64, memoryMB int) float64 {
	return billedMs / 1000 * float64(memoryMB) / 1024
}

// Cost splits the list-price cost of some invocations into the request
// charge and the compute charge.
type Cost struct {
	RequestsUSD float64 `json:"requests_usd"`
	ComputeUSD  float64 `json:"compute_usd"`
}

// Total is requests plus compute.
func (c Cost) Total() float64 { return c.RequestsUSD + c.ComputeUSD }

// CostOf prices a number of requests and GB-seconds.
func (p Price) CostOf(requests int64, gbSeconds float64) Cost {
	return Cost{RequestsUSD: float64(requests) * p.RequestUSD, ComputeUSD: gbSeconds * p.GBSecondUSD}
}
