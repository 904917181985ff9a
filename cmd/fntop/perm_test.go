package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fntop/fntop/tui"
	"github.com/fntop/fntop/tui/common"
)

// TestSecretFilePermissionWarnings: a secret file (named by the config
// file or by --bearer-token-file / --basic-auth-password-file) or a
// config file naming secret files that other users may read (mode &
// 0o077) gives a warning on stderr and in the UI's status bar, naming the
// file and the chmod that fixes it; private files, and a config file
// without secrets, give none.
func TestSecretFilePermissionWarnings(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	openTok := file("open-token", "tok-123456", 0o644)
	privTok := file("private-token", "tok-123456", 0o600)
	groupPass := file("group-pass", "pass-123456", 0o640)
	otherPass := file("other-pass", "pass-123456", 0o604)
	certPEM, keyPEM := selfSigned(t)
	openKey := file("client.key", keyPEM, 0o644)
	ca := file("ca.pem", certPEM, 0o644)
	cfgDir := func(name, text string, mode os.FileMode) string {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "config.yaml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	authCfg := "prometheus:\n  http:\n    authorization:\n      type: Bearer\n      credentials_file: " + openTok + "\n"
	for _, tc := range []struct {
		name   string
		config string // FNTOP_CONFIG
		args   []string
		want   []string // files warned about
	}{
		{"config and its token open", cfgDir("c1", authCfg, 0o644), nil, []string{filepath.Join(dir, "c1", "config.yaml"), openTok}},
		{"config private, token open", cfgDir("c2", authCfg, 0o600), nil, []string{openTok}},
		{"config and token private", cfgDir("c3", strings.Replace(authCfg, openTok, privTok, 1), 0o600), nil, nil},
		{"TLS key open, CA open", cfgDir("c4", "prometheus:\n  http:\n    tls_config:\n      ca_file: "+ca+"\n      cert_file: "+ca+"\n      key_file: "+openKey+"\n", 0o600), nil, []string{openKey}},
		{"config open without secrets", cfgDir("c5", "prometheus:\n  presets:\n    mine:\n      function_label: fn\n      requests: calls_total\n", 0o666), nil, nil},
		{"--bearer-token-file group-readable", "", []string{"--bearer-token-file", groupPass}, []string{groupPass, "--bearer-token-file"}},
		{"--basic-auth-password-file other-readable", "", []string{"--basic-auth-user", "u", "--basic-auth-password-file", otherPass}, []string{otherPass, "--basic-auth-password-file"}},
		{"--bearer-token-file private", "", []string{"--bearer-token-file", privTok}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.config
			if cfg == "" {
				cfg = t.TempDir() // no config file
			}
			var warning string
			e := env{tty: true, stdinTTY: true, getenv: func(k string) string {
				if k == "FNTOP_CONFIG" {
					return cfg
				}
				return ""
			}, runUI: func(_ context.Context, _ common.Data, o tui.Options) error {
				warning = o.Warning
				return nil
			}}
			args := append([]string{"--prometheus", "http://127.0.0.1:1/metrics", "--prometheus-mode", "scrape"}, tc.args...)
			_, stderr, code := runEnv(t, nil, e, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if len(tc.want) == 0 {
				if stderr != "" || warning != "" {
					t.Errorf("warned: stderr %q, UI %q", stderr, warning)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) || !strings.Contains(warning, w) {
					t.Errorf("%s not named: stderr %q, UI %q", w, stderr, warning)
				}
			}
			if n := strings.Count(stderr, "chmod 600"); n != len(tc.want)-strings.Count(strings.Join(tc.want, " "), "--") {
				t.Errorf("%d warnings: %q", n, stderr)
			}
			if strings.Contains(stderr, ca) {
				t.Errorf("warned about a CA certificate: %q", stderr)
			}
		})
	}
}

// selfSigned makes a certificate and its private key, in PEM.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fntop-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}
