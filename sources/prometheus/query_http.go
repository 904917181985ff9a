package prometheus

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"

	"github.com/fntop/fntop/model/textsafe"
)

// QueryStats count what query mode asked of the API: HTTP requests (one
// per query, label lookup or probe) and the bytes of their answers as
// they crossed the wire (gzip-compressed when the server compresses) and
// as JSON once decoded.
type QueryStats struct {
	Requests  int64
	WireBytes int64
	JSONBytes int64
}

// sub is the difference of two readings.
func (a QueryStats) sub(b QueryStats) QueryStats {
	return QueryStats{Requests: a.Requests - b.Requests, WireBytes: a.WireBytes - b.WireBytes, JSONBytes: a.JSONBytes - b.JSONBytes}
}

// countingTransport wraps the configured transport (auth, TLS, proxy) to
// count requests and answer bytes, and to turn an HTML page into an
// error: a URL that is not the API (a UI, a login page) must say so
// rather than fail to parse.
type countingTransport struct {
	next               http.RoundTripper
	requests, wire, js atomic.Int64
}

func (t *countingTransport) stats() QueryStats {
	return QueryStats{Requests: t.requests.Load(), WireBytes: t.wire.Load(), JSONBytes: t.js.Load()}
}

// errHTML is the answer of something that is not a Prometheus API.
var errHTML = errors.New("the URL answered with an HTML page, not the Prometheus API (give the API's base URL, e.g. http://prometheus:9090)")

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	gz := false
	if req.Header.Get("Accept-Encoding") == "" {
		// Ask for gzip ourselves (the transport then leaves the body
		// compressed) so that the wire bytes can be counted.
		req = req.Clone(req.Context())
		req.Header.Set("Accept-Encoding", "gzip")
		gz = true
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" && resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		return nil, errHTML
	}
	body := io.ReadCloser(&countReader{r: resp.Body, c: resp.Body, n: &t.wire})
	if gz && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		body = &gzipBody{wire: body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = &countReader{r: body, c: body, n: &t.js}
	return resp, nil
}

type countReader struct {
	r io.Reader
	c io.Closer
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countReader) Close() error { return c.c.Close() }

// gzipBody decompresses lazily (the gzip header is read on the first
// Read, where its errors can be returned).
type gzipBody struct {
	wire io.ReadCloser
	zr   *gzip.Reader
	err  error
}

func (g *gzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.wire)
	}
	if g.err != nil {
		return 0, g.err
	}
	return g.zr.Read(p)
}

func (g *gzipBody) Close() error { return g.wire.Close() }

// redactor removes the configured secrets from any text fntop shows: an
// API, a proxy or an error may echo a header or a URL back.
type redactor struct{ secrets []string }

// newRedactor collects the secrets of the HTTP configuration: inline ones,
// the contents of the files it names (read here once; an unreadable file
// has nothing to leak) and the password of the URL's user info. Basic
// auth's header form (base64 of user:password) is covered too.
func newRedactor(h *config.HTTPClientConfig, userInfo *url.Userinfo) *redactor {
	r := &redactor{}
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	file := func(path string) string {
		if path == "" {
			return ""
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) > 1<<16 {
			return ""
		}
		return string(b)
	}
	if pass, ok := userInfo.Password(); ok && pass != "" {
		add(pass)
		add(base64.StdEncoding.EncodeToString([]byte(userInfo.Username() + ":" + pass)))
	}
	if b := h.BasicAuth; b != nil {
		pass := string(b.Password)
		if pass == "" {
			pass = strings.TrimSpace(file(b.PasswordFile))
		}
		user := b.Username
		if user == "" {
			user = strings.TrimSpace(file(b.UsernameFile))
		}
		add(pass)
		if pass != "" {
			add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)))
		}
	}
	if a := h.Authorization; a != nil {
		add(string(a.Credentials))
		add(file(a.CredentialsFile))
	}
	add(string(h.BearerToken))
	add(file(h.BearerTokenFile))
	if o := h.OAuth2; o != nil {
		add(string(o.ClientSecret))
		add(file(o.ClientSecretFile))
	}
	if h.HTTPHeaders != nil {
		for _, hd := range h.HTTPHeaders.Headers {
			for _, s := range hd.Secrets {
				add(string(s))
			}
			for _, f := range hd.Files {
				add(file(f))
			}
		}
	}
	return r
}

const secretMark = "<secret>"

// clean redacts the secrets, escapes control characters (a decoder's
// message may quote the answer's bytes) and bounds the length of a
// message.
func (r *redactor) clean(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, secretMark)
	}
	s = textsafe.Text(s)
	const maxLen = 400
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// describe turns an API or transport error into a short message that
// says what to do. It never includes an answer's body (a proxy's page
// may echo headers); r.clean redacts the rest.
func describe(err error, timeout time.Duration) string {
	var apiErr *v1.Error
	var netErr net.Error
	switch {
	case errors.Is(err, errHTML):
		return errHTML.Error()
	case errors.As(err, &apiErr):
		msg := strings.TrimSpace(apiErr.Msg)
		switch apiErr.Type {
		case v1.ErrBadData:
			return "bad query (400): " + msg
		case v1.ErrExec:
			return "query failed (422): " + msg
		case v1.ErrTimeout:
			return "Prometheus timed out evaluating the query: " + msg
		case v1.ErrCanceled:
			return "Prometheus canceled the query: " + msg
		case v1.ErrClient:
			switch {
			case strings.HasSuffix(msg, " 401"):
				return "unauthorized (401): check the credentials (basic auth, bearer token)"
			case strings.HasSuffix(msg, " 403"):
				return "forbidden (403): the credentials may not read this API"
			case strings.HasSuffix(msg, " 429"):
				return "rate limited (429): the API asks for fewer queries (raise --interval)"
			case strings.HasSuffix(msg, " 404"):
				return "not found (404): is the URL the Prometheus API's base URL?"
			}
			return msg
		case v1.ErrServer:
			return msg + " (the API or a proxy in front of it failed)"
		case v1.ErrBadResponse:
			return "not a Prometheus API answer: " + msg
		}
		return string(apiErr.Type) + ": " + msg
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	}
	return err.Error()
}
