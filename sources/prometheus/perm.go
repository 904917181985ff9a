package prometheus

import (
	"fmt"
	"os"

	"github.com/prometheus/common/config"
)

// SecretFile is a file of the HTTP client configuration that holds a
// secret, with the key or flag that names it.
type SecretFile struct {
	Key, Path string
}

// SecretFiles lists the files of h that hold secrets: passwords, tokens,
// client secrets, private keys and secret headers. CA and client
// certificates are public and are not listed.
func SecretFiles(h *config.HTTPClientConfig) []SecretFile {
	var out []SecretFile
	add := func(key, path string) {
		if path != "" {
			out = append(out, SecretFile{key, path})
		}
	}
	if b := h.BasicAuth; b != nil {
		add("basic_auth.password_file", b.PasswordFile)
	}
	if a := h.Authorization; a != nil {
		add("authorization.credentials_file", a.CredentialsFile)
	}
	add("bearer_token_file", h.BearerTokenFile)
	add("tls_config.key_file", h.TLSConfig.KeyFile)
	if o := h.OAuth2; o != nil {
		add("oauth2.client_secret_file", o.ClientSecretFile)
		add("oauth2.client_certificate_key_file", o.ClientCertificateKeyFile)
		add("oauth2.tls_config.key_file", o.TLSConfig.KeyFile)
	}
	if h.HTTPHeaders != nil {
		for name, hd := range h.HTTPHeaders.Headers {
			for _, f := range hd.Files {
				add("http_headers."+name+".files", f)
			}
		}
	}
	return out
}

// PermissionWarnings warns about secrets that others on the machine may
// read, as ssh does: each secret file of h (the client configuration in
// effect) whose mode gives the group or others any permission (mode &
// 0o077), and the config file fc (nil: none) if it names secret files
// and is open the same way. A file that cannot be examined is left to
// the client, which reports it when it reads it. names maps a secret
// file's path to how the user named it (a flag) instead of its config
// key.
func PermissionWarnings(fc *FileConfig, h *config.HTTPClientConfig, names map[string]string) []string {
	var out []string
	secrets := SecretFiles(h)
	check := func(what, path string) {
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			return
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			out = append(out, fmt.Sprintf("%s %s can be read by other users (mode %04o): run chmod 600 %s", what, path, perm, path))
		}
	}
	if fc != nil && fc.Path != "" && len(SecretFiles(&fc.HTTP)) > 0 {
		check("the config file, which names secret files,", fc.Path)
	}
	seen := map[string]bool{}
	for _, s := range secrets {
		if seen[s.Path] {
			continue
		}
		seen[s.Path] = true
		what := s.Key
		if n, ok := names[s.Path]; ok {
			what = n
		}
		check("secret file ("+what+")", s.Path)
	}
	return out
}
