package textsafe

import (
	"regexp"
	"strings"
	"sync"
)

// Redacted is what a secret is replaced with.
const Redacted = "<redacted>"

// credentialPatterns find credentials by their shape, for text whose
// secrets the caller cannot know (an endpoint or a proxy that echoes a
// request's headers into its error): AWS access key IDs, the parts of a
// SigV4 Authorization header and of a presigned URL, security tokens,
// bearer and basic credentials, and the password of a URL's user info.
var credentialPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Headers and query parameters that carry a secret, to the end of the
	// value (a quote, a comma-free line end or a separator ends it).
	{regexp.MustCompile(`(?i)\b(authorization|proxy-authorization|x-amz-security-token|x-amz-credential|x-amz-signature|x-api-key|cookie|set-cookie)(["']?\s*[:=]\s*["']?)[^"'\r\n&]+`), "${1}${2}" + Redacted},
	{regexp.MustCompile(`\b(Credential=)[^,\s"&]+`), "${1}" + Redacted},
	{regexp.MustCompile(`\b(Signature=)[0-9a-fA-F]{16,}`), "${1}" + Redacted},
	{regexp.MustCompile(`\b(?:A3T[A-Z0-9]|AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|ABIA|ACCA)[A-Z0-9]{12,}\b`), Redacted},
	{regexp.MustCompile(`(?i)\b(aws_secret_access_key|aws_session_token|secret_?key|password|passwd|token)(["']?\s*[:=]\s*["']?)[^\s"',&]+`), "${1}${2}" + Redacted},
	// scheme://user:password@host
	{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"']*):[^/\s@"']*@`), "${1}:" + Redacted + "@"},
}

// credentialHints are lower-case words one of which a text must hold for
// a credential pattern to apply: most messages hold none and skip the
// regular expressions.
var credentialHints = []string{"authorization", "x-amz-", "x-api-key", "cookie", "bearer", "basic", "credential=", "signature=",
	"akia", "asia", "aida", "aroa", "aipa", "anpa", "anva", "agpa", "abia", "acca", "a3t", "secret", "password", "passwd", "token", "@"}

// RedactCredentials replaces whatever has the shape of a credential in s
// with Redacted.
func RedactCredentials(s string) string {
	low := strings.ToLower(s)
	hit := false
	for _, h := range credentialHints {
		if strings.Contains(low, h) {
			hit = true
			break
		}
	}
	if !hit {
		return s
	}
	for _, p := range credentialPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return authScheme.ReplaceAllStringFunc(s, func(m string) string {
		scheme, cred, _ := strings.Cut(m, " ")
		if !looksRandom(strings.TrimSpace(cred)) {
			return m // prose: "Bearer tokens", "Basic authentication"
		}
		return scheme + " " + Redacted
	})
}

// authScheme is an Authorization header's value out of its header:
// "Bearer <token>", "Basic <base64>".
var authScheme = regexp.MustCompile(`\b(?:Bearer|Basic|bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}`)

// looksRandom tells a credential from a word: it has a digit or a
// symbol, or capitals after its first letter.
func looksRandom(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', strings.ContainsRune("._~+/=-", r):
			return true
		case i > 0 && r >= 'A' && r <= 'Z':
			return true
		}
	}
	return false
}

// Secrets is a set of secret values a source knows it uses (keys,
// tokens, passwords), to be removed from any text it shows. It is safe
// for concurrent use; the zero value is empty and ready.
type Secrets struct {
	mu   sync.RWMutex
	vals []string
}

// minSecret is the shortest value Secrets redacts: shorter ones would
// redact ordinary words.
const minSecret = 4

// Add remembers secret values (short and empty ones are ignored).
func (s *Secrets) Add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if len(v) < minSecret {
			continue
		}
		dup := false
		for _, have := range s.vals {
			dup = dup || have == v
		}
		if !dup {
			s.vals = append(s.vals, v)
		}
	}
}

// Clean replaces every known secret in text, then whatever has the shape
// of a credential (RedactCredentials).
func (s *Secrets) Clean(text string) string {
	if s != nil {
		s.mu.RLock()
		for _, v := range s.vals {
			text = strings.ReplaceAll(text, v, Redacted)
		}
		s.mu.RUnlock()
	}
	return RedactCredentials(text)
}

// Error returns err with its text cleaned (nil for nil); errors.Is and
// errors.As see the original.
func (s *Secrets) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := s.Clean(err.Error())
	if msg == err.Error() {
		return err
	}
	return &cleanError{msg: msg, err: err}
}

type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }
