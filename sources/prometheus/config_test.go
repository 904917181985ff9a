package prometheus

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func qryConfigFile(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"prom-pass", "token", "ca.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	path := qryConfigFile(t, `prometheus:
  http:
    basic_auth:
      username: fntop
      password_file: prom-pass
    tls_config:
      ca_file: ca.pem
      insecure_skip_verify: false
    proxy_url: http://127.0.0.1:3128
  presets:
    Fission:
      function_label: function_name
      queries:
        invocations: 'sum by ({{.By}}) (increase(fission_function_calls_total[{{.Range}}]))'
        errors: 'sum by ({{.By}}) (increase(fission_function_errors_total[{{.Range}}]))'
        p99: 'histogram_quantile(0.99, sum by (le, {{.By}}) (rate(fission_function_duration_seconds_bucket[{{.Range}}])))'
    openfaas:
      function_label: [function, function_name]
    nuclio:
      function_label: function
      requests: nuclio_processor_handled_events_total
      error_label: result
      error_match: failure
      latency: [a_seconds, b_ms]
      latency_unit: [1, 0.001]
`)
	fc, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if fc.HTTP.BasicAuth == nil || fc.HTTP.BasicAuth.Username != "fntop" || fc.HTTP.BasicAuth.PasswordFile != filepath.Join(dir, "prom-pass") {
		t.Errorf("basic auth %+v (the file is relative to the config)", fc.HTTP.BasicAuth)
	}
	if fc.HTTP.TLSConfig.CAFile != filepath.Join(dir, "ca.pem") || fc.HTTP.ProxyURL.String() != "http://127.0.0.1:3128" || !fc.HTTP.FollowRedirects {
		t.Errorf("http %+v", fc.HTTP)
	}
	p, err := fc.Preset("fission")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "fission" || len(p.FunctionLabels) != 1 || p.FunctionLabels[0] != "function_name" || len(p.Queries) != 3 {
		t.Errorf("fission %+v", p)
	}
	// Named like a built-in: the built-in with the file's changes.
	of, _ := fc.Preset("OpenFaaS")
	if of.Requests[0] != "gateway_function_invocation_total" || of.FunctionLabels[0] != "function" || Presets["openfaas"].FunctionLabels[0] != "function_name" {
		t.Errorf("openfaas override %+v (built-in %+v)", of, Presets["openfaas"])
	}
	nu, _ := fc.Preset("nuclio")
	if nu.ErrorMatch != "failure" || len(nu.LatencyUnit) != 2 || nu.LatencyUnit[1] != 0.001 {
		t.Errorf("nuclio %+v", nu)
	}
	kn, err := fc.Preset("knative")
	if err != nil || kn != Presets["knative"] {
		t.Errorf("built-in knative: %v", err)
	}
	if _, err := fc.Preset("lambda"); err == nil || !strings.Contains(err.Error(), "fission, knative, nuclio, openfaas") {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestLoadConfigMissing(t *testing.T) {
	if _, err := LoadConfig(""); !errors.Is(err, ErrNoConfig) {
		t.Errorf("no path: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "none.yaml")); !errors.Is(err, ErrNoConfig) {
		t.Errorf("no file: %v", err)
	}
	fc, err := LoadConfig(qryConfigFile(t, "# nothing yet\n"))
	if err != nil || !fc.HTTP.FollowRedirects || len(fc.Presets) != 0 {
		t.Errorf("empty file: %+v, %v", fc, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown top key", "prometheus: {}\nthemes: dark\n", "line 2: unknown key themes"},
		{"unknown prometheus key", "prometheus:\n  url: x\n", "line 2: unknown key url"},
		{"unknown http key", "prometheus:\n  http:\n    basic_auth:\n      user: x\n", "line 4: unknown key user"},
		{"unknown preset key", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      requests: r\n      metric: x\n", "line 6: unknown key metric"},
		{"unknown figure", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      queries:\n        cold_starts: 'x'\n", "line 6: preset f: unknown figure \"cold_starts\""},
		{"bad template", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      queries:\n        invocations: 'sum by ({{.By}) (x)'\n", "line 6: preset f: invocations query: template"},
		{"unknown template field", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      queries:\n        invocations: 'sum by ({{.Label}}) (x)'\n", "can't evaluate field Label"},
		{"no function label", "prometheus:\n  presets:\n    f:\n      requests: r\n", "line 4: preset f: function_label is required"},
		{"no invocations", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      replicas: r\n", "an invocations query, requests or latency is required"},
		{"bad label", "prometheus:\n  presets:\n    f:\n      function_label: 'fn-name'\n      requests: r\n", `"fn-name" is not a label name`},
		{"bad regexp", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      requests: r\n      error_match: '5(..'\n", "error_match: error parsing regexp"},
		{"units", "prometheus:\n  presets:\n    f:\n      function_label: fn\n      latency: a\n      latency_unit: [1, 2]\n", "line 6: preset f: 2 latency units for 1 latency metrics"},
		{"missing file", "prometheus:\n  http:\n    authorization:\n      credentials_file: nope\n", "prometheus.http.authorization.credentials_file: stat"},
		{"two auths", "prometheus:\n  http:\n    basic_auth: {username: u, password_file: prom-pass}\n    authorization: {credentials_file: token}\n", "at most one of basic_auth, oauth2 & authorization must be configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(qryConfigFile(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestLoadConfigSecrets: inline secrets are refused, and no error repeats
// a secret's value.
func TestLoadConfigSecrets(t *testing.T) {
	const secret = "Pa55-w0rd-do-not-print"
	for _, tc := range []struct{ name, text, want string }{
		{"basic auth password", "prometheus:\n  http:\n    basic_auth:\n      username: u\n      password: " + secret + "\n", "basic_auth.password: secrets are not written in the config file; put it in a file and use password_file"},
		{"credentials", "prometheus:\n  http:\n    authorization:\n      credentials: " + secret + "\n", "use credentials_file"},
		{"bearer token", "prometheus:\n  http:\n    bearer_token: " + secret + "\n", "secrets are not written in the config file"},
		{"oauth2 secret", "prometheus:\n  http:\n    oauth2:\n      client_id: x\n      client_secret: " + secret + "\n      token_url: http://127.0.0.1/t\n", "oauth2.client_secret"},
		{"secret next to an error", "prometheus:\n  http:\n    basic_auth:\n      username: u\n      password: " + secret + "\n    tls_config:\n      insecure: true\n", "line 7: unknown key insecure"},
		{"misspelt key", "prometheus:\n  http:\n    basic_auth:\n      pasword: " + secret + "\n", "line 4: unknown key pasword"},
		{"secret in a bad type", "prometheus:\n  http:\n    basic_auth:\n      password: [" + secret + "]\n", "line 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(qryConfigFile(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}
