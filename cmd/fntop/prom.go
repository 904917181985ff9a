package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/common/config"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources"
	"github.com/fntop/fntop/sources/prometheus"
	"github.com/fntop/fntop/tui/termsafe"
)

// promFlags are the flags of the Prometheus source.
type promFlags struct {
	url      string
	preset   string
	mode     string
	interval time.Duration
	observe  time.Duration
	config   string

	bearerTokenFile string
	basicUser       string
	basicPassFile   string
	caFile          string
	insecureSkipTLS bool

	// warnings are what build found to warn about (secret files others
	// can read); build prints them and the UI shows them.
	warnings []string
}

func (p *promFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.url, "prometheus", "", "read a fleet from Prometheus: an exposition endpoint `URL` (scraped) or a Prometheus-compatible API base URL (queried with PromQL)")
	fs.StringVar(&p.preset, "preset", "", "metric mapping: openfaas, knative, or a preset of the config file (default: detected)")
	fs.StringVar(&p.mode, "prometheus-mode", "auto", "`MODE`: auto, scrape or query")
	fs.DurationVar(&p.interval, "interval", 0, "how often to scrape (default 5s) or query (default 15s)")
	fs.DurationVar(&p.observe, "observe", 0, "scrape mode, headless: scrape this long before printing (default two and a half intervals)")
	fs.StringVar(&p.config, "config", "", "config file `PATH` (default $FNTOP_CONFIG/config.yaml or $XDG_CONFIG_HOME/fntop/config.yaml): Prometheus HTTP client settings and presets")
	fs.StringVar(&p.bearerTokenFile, "bearer-token-file", "", "send the bearer token in `FILE` to Prometheus")
	fs.StringVar(&p.basicUser, "basic-auth-user", "", "basic auth `USER` for Prometheus (password from --basic-auth-password-file)")
	fs.StringVar(&p.basicPassFile, "basic-auth-password-file", "", "basic auth password `FILE`")
	fs.StringVar(&p.caFile, "ca-file", "", "CA certificates `FILE` to verify Prometheus's TLS certificate")
	fs.BoolVar(&p.insecureSkipTLS, "insecure-skip-verify", false, "do not verify Prometheus's TLS certificate")
}

func (p *promFlags) check() error {
	if p.url == "" {
		if p.preset != "" || p.bearerTokenFile != "" || p.basicUser != "" || p.caFile != "" || p.insecureSkipTLS || p.interval != 0 {
			return errors.New("--preset, --interval and the Prometheus auth flags need --prometheus")
		}
		return nil
	}
	switch p.mode {
	case "auto", "scrape", "query":
	default:
		return fmt.Errorf("--prometheus-mode must be auto, scrape or query, not %q", p.mode)
	}
	if p.interval != 0 && (p.interval < time.Second || p.interval > 10*time.Minute) {
		return errors.New("--interval must be between 1s and 10m")
	}
	if (p.basicUser == "") != (p.basicPassFile == "") {
		return errors.New("--basic-auth-user and --basic-auth-password-file go together")
	}
	return nil
}

// build makes the Prometheus source: the config file's HTTP settings and
// presets, then the flags over them.
func (p *promFlags) build(e env, backfill time.Duration) (sources.Source, error) {
	path := p.config
	if path == "" {
		if dir := configDir(e); dir != "" {
			path = filepath.Join(dir, "config.yaml")
		}
	}
	fc, err := prometheus.LoadConfig(path)
	if err != nil {
		if p.config != "" || !errors.Is(err, prometheus.ErrNoConfig) {
			return nil, fmt.Errorf("--config: %w", err)
		}
		fc = &prometheus.FileConfig{HTTP: config.DefaultHTTPClientConfig}
	}
	opts := prometheus.Options{URL: p.url, Mode: prometheus.Mode(p.mode), Interval: p.interval, Observe: p.observe, HTTP: fc.HTTP}
	if opts.Mode == "auto" {
		opts.Mode = prometheus.ModeAuto
	}
	if p.preset != "" {
		if opts.Preset, err = fc.Preset(p.preset); err != nil {
			return nil, fmt.Errorf("%w: --preset: %v", errUsage, err)
		}
	}
	if p.bearerTokenFile != "" {
		opts.HTTP.Authorization = &config.Authorization{Type: "Bearer", CredentialsFile: p.bearerTokenFile}
	}
	if p.basicUser != "" {
		opts.HTTP.BasicAuth = &config.BasicAuth{Username: p.basicUser, PasswordFile: p.basicPassFile}
	}
	if p.caFile != "" {
		opts.HTTP.TLSConfig.CAFile = p.caFile
	}
	if p.insecureSkipTLS {
		opts.HTTP.TLSConfig.InsecureSkipVerify = true
	}
	var fileConf *prometheus.FileConfig
	if fc.Path != "" {
		fileConf = fc
	}
	p.warnings = prometheus.PermissionWarnings(fileConf, &opts.HTTP, map[string]string{
		p.bearerTokenFile: "--bearer-token-file", p.basicPassFile: "--basic-auth-password-file"})
	for _, w := range p.warnings {
		_, _ = fmt.Fprintln(e.stderr, "fntop: warning:", termsafe.Text(w)) // stderr: best effort
	}
	if backfill <= 0 || backfill == model.WindowAll {
		backfill = model.Window1h
	}
	opts.Backfill = backfill
	return prometheus.New(opts)
}
