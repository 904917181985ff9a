package prometheus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"
)

// ErrNoConfig says that there is no config file (no path, or no file at
// it): callers fall back to the defaults.
var ErrNoConfig = errors.New("no config file")

// FileConfig is the Prometheus part of fntop's config file:
//
//	prometheus:
//	  http:                      # prometheus/common's HTTP client config
//	    basic_auth: {username: fntop, password_file: /run/secrets/prom}
//	    authorization: {type: Bearer, credentials_file: token}
//	    tls_config: {ca_file: ca.pem, insecure_skip_verify: false}
//	    proxy_url: http://proxy:3128
//	  presets:
//	    fission:
//	      function_label: function_name
//	      queries:
//	        invocations: sum by ({{.By}}) (increase(fission_function_calls_total[{{.Range}}]))
//	        errors: sum by ({{.By}}) (increase(fission_function_errors_total[{{.Range}}]))
//	        p99: histogram_quantile(0.99, sum by (le, {{.By}}) (rate(fission_function_duration_seconds_bucket[{{.Range}}])))
//
// Relative file paths are relative to the config file. Secrets are
// referenced by file (password_file, credentials_file, ...), never written
// inline: inline ones are an error. Unknown keys are errors with their
// line.
//
// A preset has the fields of Preset in snake case: function_label (one
// name or a list, first present wins), requests, error_label, error_match,
// latency, latency_unit (seconds per unit of each latency histogram: 1,
// or 0.001 for milliseconds), replicas, and queries by figure
// (invocations, errors, throttles, p50, p90, p99, duration_sum,
// replicas). A query is a text/template with {{.Range}} (the step, as
// "1m") and {{.By}} (the function label); it must aggregate by the
// function label; counts are increases over the step, durations are in
// seconds. Figures without a query are derived from the metric names when
// given. A preset named like a built-in one starts from it.
type FileConfig struct {
	// HTTP is the client configuration (DefaultHTTPClientConfig when the
	// file has none).
	HTTP config.HTTPClientConfig
	// Presets are the file's presets by lower-case name.
	Presets map[string]*Preset
	// Path is the file read.
	Path string
}

type fileYAML struct {
	Prometheus *promYAML `yaml:"prometheus"`
}

type promYAML struct {
	HTTP    *config.HTTPClientConfig `yaml:"http"`
	Presets map[string]presetYAML    `yaml:"presets"`
}

type presetYAML struct {
	FunctionLabel nameList             `yaml:"function_label"`
	Requests      nameList             `yaml:"requests"`
	ErrorLabel    nameList             `yaml:"error_label"`
	ErrorMatch    *string              `yaml:"error_match"`
	Latency       nameList             `yaml:"latency"`
	LatencyUnit   numList              `yaml:"latency_unit"`
	Replicas      nameList             `yaml:"replicas"`
	Queries       map[string]yaml.Node `yaml:"queries"`
	line          int
}

func (p *presetYAML) UnmarshalYAML(n *yaml.Node) error {
	// n.Decode does not inherit the file decoder's strictness: check the
	// keys here.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; !slices.Contains(presetKeys, k.Value) {
				return fmt.Errorf("line %d: unknown key %s in a preset (have %s)", k.Line, k.Value, strings.Join(presetKeys, ", "))
			}
		}
	}
	type plain presetYAML
	if err := n.Decode((*plain)(p)); err != nil {
		return err
	}
	p.line = n.Line
	return nil
}

var presetKeys = []string{"function_label", "requests", "error_label", "error_match", "latency", "latency_unit", "replicas", "queries"}

// nameList is one name or a list of names.
type nameList struct {
	names []string
	set   bool
}

func (l *nameList) UnmarshalYAML(n *yaml.Node) error {
	l.set = true
	switch n.Kind {
	case yaml.ScalarNode:
		l.names = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		return n.Decode(&l.names)
	}
	return fmt.Errorf("line %d: want a name or a list of names", n.Line)
}

// numList is one number or a list.
type numList struct {
	v    []float64
	set  bool
	line int
}

func (l *numList) UnmarshalYAML(n *yaml.Node) error {
	l.set, l.line = true, n.Line
	if n.Kind == yaml.ScalarNode {
		var f float64
		if err := n.Decode(&f); err != nil {
			return err
		}
		l.v = []float64{f}
		return nil
	}
	return n.Decode(&l.v)
}

// LoadConfig reads the config file at path. A path of "" or a missing
// file gives an error that wraps ErrNoConfig.
func LoadConfig(path string) (*FileConfig, error) {
	if path == "" {
		return nil, ErrNoConfig
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoConfig)
	}
	if err != nil {
		return nil, err
	}
	fc, err := parseConfig(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fc.Path = path
	return fc, nil
}

// parseConfig reads the file's text; dir resolves relative paths.
func parseConfig(b []byte, dir string) (*FileConfig, error) {
	var raw fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(err)
	}
	fc := &FileConfig{HTTP: config.DefaultHTTPClientConfig, Presets: map[string]*Preset{}}
	if raw.Prometheus == nil {
		return fc, nil
	}
	if h := raw.Prometheus.HTTP; h != nil {
		if err := inlineSecrets(h); err != nil {
			return nil, err
		}
		h.SetDirectory(dir)
		if err := h.Validate(); err != nil {
			return nil, fmt.Errorf("prometheus.http: %w", err)
		}
		if err := filesExist(h); err != nil {
			return nil, err
		}
		fc.HTTP = *h
	}
	names := make([]string, 0, len(raw.Prometheus.Presets))
	for n := range raw.Prometheus.Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p, err := buildPreset(name, raw.Prometheus.Presets[name])
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if _, dup := fc.Presets[key]; dup {
			return nil, fmt.Errorf("prometheus.presets: %q is defined twice", key)
		}
		fc.Presets[key] = p
	}
	return fc, nil
}

// yamlError makes the YAML library's messages read as the file's:
// "line 7: field foo not found in type prometheus.presetYAML" names the
// key and where it is, not our types.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	repl := strings.NewReplacer(
		"in type prometheus.presetYAML", "in a preset",
		"in type prometheus.promYAML", "under prometheus",
		"in type prometheus.fileYAML", "at the top level",
		"in type config.plain", "in this section",
	)
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(repl.Replace(l))
		lines[i] = unknownField.ReplaceAllString(l, "${1}unknown key $2 $3")
	}
	return errors.New(strings.Join(lines, "; "))
}

var unknownField = regexp.MustCompile(`^(line \d+: )?field (\S+) not found (.*)$`)

// inlineSecrets refuses secrets written in the file: fntop's config names
// files that hold them.
func inlineSecrets(h *config.HTTPClientConfig) error {
	bad := func(key, instead string) error {
		return fmt.Errorf("prometheus.http.%s: secrets are not written in the config file; put it in a file and use %s", key, instead)
	}
	switch {
	case h.BasicAuth != nil && h.BasicAuth.Password != "":
		return bad("basic_auth.password", "password_file")
	case h.Authorization != nil && h.Authorization.Credentials != "":
		return bad("authorization.credentials", "credentials_file")
	case h.BearerToken != "":
		return bad("bearer_token", "authorization.credentials_file")
	case h.OAuth2 != nil && h.OAuth2.ClientSecret != "":
		return bad("oauth2.client_secret", "client_secret_file")
	case h.OAuth2 != nil && h.OAuth2.ClientCertificateKey != "":
		return bad("oauth2.client_certificate_key", "client_certificate_key_file")
	}
	if h.HTTPHeaders != nil {
		for name, hd := range h.HTTPHeaders.Headers {
			if len(hd.Secrets) > 0 {
				return bad("http_headers."+name+".secrets", "files")
			}
		}
	}
	return nil
}

// filesExist checks the files the client will read at each request, so
// that a wrong path is told at start with its key.
func filesExist(h *config.HTTPClientConfig) error {
	check := func(key, path string) error {
		if path == "" {
			return nil
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("prometheus.http.%s: %w", key, err)
		}
		return nil
	}
	var errs []error
	if b := h.BasicAuth; b != nil {
		errs = append(errs, check("basic_auth.username_file", b.UsernameFile), check("basic_auth.password_file", b.PasswordFile))
	}
	if a := h.Authorization; a != nil {
		errs = append(errs, check("authorization.credentials_file", a.CredentialsFile))
	}
	errs = append(errs, check("bearer_token_file", h.BearerTokenFile))
	t := h.TLSConfig
	errs = append(errs, check("tls_config.ca_file", t.CAFile), check("tls_config.cert_file", t.CertFile), check("tls_config.key_file", t.KeyFile))
	if o := h.OAuth2; o != nil {
		errs = append(errs, check("oauth2.client_secret_file", o.ClientSecretFile))
	}
	return errors.Join(errs...)
}

// buildPreset checks one preset of the file and makes the Preset.
func buildPreset(name string, y presetYAML) (*Preset, error) {
	where := fmt.Sprintf("line %d: preset %s", y.line, name)
	if name == "" || strings.ContainsAny(name, " \t") {
		return nil, fmt.Errorf("%s: a preset name is one word", where)
	}
	p := &Preset{Name: strings.ToLower(name)}
	if base, ok := Presets[p.Name]; ok {
		// Named like a built-in: start from it.
		*p = *base
		p.FunctionLabels = slices.Clone(base.FunctionLabels)
		p.Requests, p.ErrorLabel = slices.Clone(base.Requests), slices.Clone(base.ErrorLabel)
		p.Latency, p.LatencyUnit = slices.Clone(base.Latency), slices.Clone(base.LatencyUnit)
		p.Replicas = slices.Clone(base.Replicas)
		p.Queries = nil
	}
	set := func(dst *[]string, l nameList) {
		if l.set {
			*dst = l.names
		}
	}
	set(&p.FunctionLabels, y.FunctionLabel)
	set(&p.Requests, y.Requests)
	set(&p.ErrorLabel, y.ErrorLabel)
	set(&p.Latency, y.Latency)
	set(&p.Replicas, y.Replicas)
	if y.ErrorMatch != nil {
		p.ErrorMatch = *y.ErrorMatch
	}
	if y.LatencyUnit.set {
		p.LatencyUnit = y.LatencyUnit.v
	} else if y.Latency.set {
		p.LatencyUnit = nil
	}
	for len(p.LatencyUnit) < len(p.Latency) {
		p.LatencyUnit = append(p.LatencyUnit, 1) // seconds
	}

	if len(p.FunctionLabels) == 0 {
		return nil, fmt.Errorf("%s: function_label is required (the label that names a function)", where)
	}
	for _, group := range [][]string{p.FunctionLabels, p.ErrorLabel} {
		for _, l := range group {
			if !pmodelLabel.MatchString(l) {
				return nil, fmt.Errorf("%s: %q is not a label name", where, l)
			}
		}
	}
	for _, group := range [][]string{p.Requests, p.Latency, p.Replicas} {
		for _, m := range group {
			if !pmodelMetric.MatchString(m) {
				return nil, fmt.Errorf("%s: %q is not a metric name", where, m)
			}
		}
	}
	if len(p.LatencyUnit) > len(p.Latency) {
		return nil, fmt.Errorf("line %d: preset %s: %d latency units for %d latency metrics", y.LatencyUnit.line, name, len(p.LatencyUnit), len(p.Latency))
	}
	for _, u := range p.LatencyUnit {
		if !(u > 0) {
			return nil, fmt.Errorf("line %d: preset %s: latency_unit is seconds per unit (1, or 0.001 for milliseconds), not %v", y.LatencyUnit.line, name, u)
		}
	}
	if p.ErrorMatch != "" {
		if _, err := regexp.Compile("^(?:" + p.ErrorMatch + ")$"); err != nil {
			return nil, fmt.Errorf("%s: error_match: %w", where, err)
		}
	}

	if len(y.Queries) > 0 {
		p.Queries = map[Figure]string{}
		keys := make([]string, 0, len(y.Queries))
		for k := range y.Queries {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n := y.Queries[k]
			f := Figure(k)
			if !slices.Contains(figures, f) {
				var known []string
				for _, f := range figures {
					known = append(known, string(f))
				}
				return nil, fmt.Errorf("line %d: preset %s: unknown figure %q in queries (have %s)", n.Line, name, k, strings.Join(known, ", "))
			}
			if n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: preset %s: the %s query is a string of PromQL", n.Line, name, k)
			}
			t, err := userTemplate(f, n.Value)
			if err == nil {
				err = checkTemplate(t)
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: preset %s: %s query: %w (a query knows {{.Range}} and {{.By}})", n.Line, name, k, err)
			}
			p.Queries[f] = n.Value
		}
	}
	if _, ok := p.Queries[FigInvocations]; !ok && len(p.Requests) == 0 && len(p.Latency) == 0 {
		return nil, fmt.Errorf("%s: an invocations query, requests or latency is required", where)
	}
	return p, nil
}

var (
	pmodelLabel  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	pmodelMetric = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
)

// Preset returns the file's preset name, or else the built-in one.
func (c *FileConfig) Preset(name string) (*Preset, error) {
	key := strings.ToLower(name)
	if c != nil {
		if p, ok := c.Presets[key]; ok {
			return p, nil
		}
	}
	if p, ok := Presets[key]; ok {
		return p, nil
	}
	have := PresetNames()
	if c != nil {
		for n := range c.Presets {
			if !slices.Contains(have, n) {
				have = append(have, n)
			}
		}
	}
	sort.Strings(have)
	return nil, fmt.Errorf("unknown preset %s (have %s, or define it under prometheus.presets in the config file)", strconv.Quote(name), strings.Join(have, ", "))
}
