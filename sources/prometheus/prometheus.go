// Package prometheus is the Prometheus source: function fleets that are
// not on AWS (OpenFaaS, Knative, anything with Prometheus metrics), read
// either by scraping an exposition endpoint directly (scrape mode: fntop
// computes rates and quantiles from counters and histograms) or by PromQL
// against a Prometheus-compatible HTTP API (query mode: the aggregation
// runs in that engine, so it scales to any fleet size). Presets map each
// platform's metrics to fntop's figures; what a platform cannot tell
// (cold starts, cost) stays unavailable.
package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/config"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources"
)

// Mode chooses how the source reads the URL.
type Mode string

// Modes.
const (
	// ModeAuto decides from the URL: a Prometheus API answers
	// /api/v1/status/buildinfo; anything that serves exposition text is
	// scraped.
	ModeAuto   Mode = ""
	ModeScrape Mode = "scrape"
	ModeQuery  Mode = "query"
)

// Defaults of Options.
const (
	DefaultScrapeInterval = 5 * time.Second
	DefaultQueryInterval  = 15 * time.Second
	DefaultTimeout        = 10 * time.Second
)

// Options configure the source.
type Options struct {
	// URL is an exposition endpoint (scrape mode) or the base URL of a
	// Prometheus-compatible API (query mode).
	URL  string
	Mode Mode
	// Preset maps the platform's metrics; nil picks one from the metric
	// names seen (scrape) or present (query).
	Preset *Preset
	// Interval is how often the source scrapes or queries.
	Interval time.Duration
	// Timeout bounds one scrape or query.
	Timeout time.Duration
	// Backfill, in query mode, is the history filled at start with
	// query_range.
	Backfill time.Duration
	// Observe is how long the headless Backfill scrapes in scrape mode,
	// which has no history (at least two and a half intervals, so that
	// there are rates).
	Observe time.Duration
	// HTTP is the client configuration as Prometheus users write it:
	// basic auth, bearer token (file), TLS, proxy.
	HTTP config.HTTPClientConfig
	// Clock is the wall clock (default time.Now).
	Clock func() time.Time
}

// Source is the Prometheus source.
type Source struct {
	opts   Options
	name   string
	client *http.Client
	base   *url.URL
}

// New checks the options and builds the HTTP client from opts.HTTP.
func New(opts Options) (*Source, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus: %q is not an http(s) URL", textsafe.RedactCredentials(opts.URL))
	}
	switch opts.Mode {
	case ModeAuto, ModeScrape, ModeQuery:
	default:
		return nil, fmt.Errorf("prometheus: unknown mode %q (auto, scrape or query)", opts.Mode)
	}
	if err := opts.HTTP.Validate(); err != nil {
		return nil, fmt.Errorf("prometheus: HTTP configuration: %w", err)
	}
	client, err := config.NewClientFromConfig(opts.HTTP, "fntop")
	if err != nil {
		return nil, fmt.Errorf("prometheus: HTTP configuration: %w", err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	client.Timeout = opts.Timeout
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Source{opts: opts, name: "prometheus:" + u.Host, client: client, base: u}, nil
}

// Name is "prometheus:<host:port>".
func (s *Source) Name() string { return s.name }

// mode resolves ModeAuto: a URL whose /api/v1/status/buildinfo answers
// like a Prometheus API is queried; anything else is scraped.
func (s *Source) mode(ctx context.Context) Mode {
	if s.opts.Mode != ModeAuto {
		return s.opts.Mode
	}
	u := *s.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/status/buildinfo"
	u.RawQuery = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return ModeScrape
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return ModeScrape
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body) == nil && body.Status == "success" {
		return ModeQuery
	}
	return ModeScrape
}

// Run reads the URL until ctx ends.
func (s *Source) Run(ctx context.Context, sink model.Sink) error {
	sec := s.secrets()
	sink = sources.CleanStatus(sink, sec)
	if s.mode(ctx) == ModeQuery {
		return sec.Error(s.runQuery(ctx, sink, false))
	}
	return sec.Error(s.runScrape(ctx, sink, 0))
}

// Backfill fills the history and returns: query mode queries the Backfill
// window with query_range; scrape mode, which has no history, observes for
// Observe (at least two scrapes) so that rates can be computed.
func (s *Source) Backfill(ctx context.Context, sink model.Sink) error {
	sec := s.secrets()
	sink = sources.CleanStatus(sink, sec)
	if s.mode(ctx) == ModeQuery {
		return sec.Error(s.runQuery(ctx, sink, true))
	}
	observe := s.opts.Observe
	if least := 2*s.scrapeInterval() + s.scrapeInterval()/2; observe < least {
		observe = least
	}
	return sec.Error(s.runScrape(ctx, sink, observe))
}

func (s *Source) scrapeInterval() time.Duration {
	if s.opts.Interval > 0 {
		return s.opts.Interval
	}
	return DefaultScrapeInterval
}

func (s *Source) queryInterval() time.Duration {
	if s.opts.Interval > 0 {
		return s.opts.Interval
	}
	return DefaultQueryInterval
}
