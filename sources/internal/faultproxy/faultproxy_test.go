package faultproxy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestModes: each mode fails a request the way it says, and Pass after
// it (on the same port, after Refuse) works again.
func TestModes(t *testing.T) {
	body := strings.Repeat("0123456789", 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	p := New(t, strings.TrimPrefix(srv.URL, "http://"))
	client := &http.Client{Timeout: 300 * time.Millisecond}
	defer client.CloseIdleConnections()
	get := func() (int, string, error) {
		resp, err := client.Get(p.URL())
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	for _, tc := range []struct {
		mode  Mode
		check func(code int, got string, err error) bool
	}{
		{Pass, func(code int, got string, err error) bool { return err == nil && got == body }},
		{Refuse, func(_ int, _ string, err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{Pass, func(code int, got string, err error) bool { return err == nil && got == body }},
		{Reset, func(_ int, _ string, err error) bool { return err != nil }},
		{ResetMid, func(code int, got string, err error) bool {
			return code == 200 && err != nil && len(got) < len(body) && errors.Is(err, syscall.ECONNRESET)
		}},
		{Truncate, func(code int, got string, err error) bool {
			return code == 200 && errors.Is(err, io.ErrUnexpectedEOF) && got == body[:len(body)/2]
		}},
		{Hang, func(_ int, _ string, err error) bool { return err != nil && strings.Contains(err.Error(), "Timeout") }},
		{Pass, func(code int, got string, err error) bool { return err == nil && got == body }},
	} {
		p.Set(tc.mode)
		code, got, err := get()
		if !tc.check(code, got, err) {
			t.Errorf("%s: status %d, %d bytes, err %v", tc.mode, code, len(got), err)
		}
	}
	p.SetCanned(http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, "slow down")
	if code, got, err := get(); code != 429 || got != "slow down" || err != nil {
		t.Errorf("canned: %d %q %v", code, got, err)
	}
	if p.Requests(Canned) != 1 || p.Accepted() < 7 {
		t.Errorf("requests %d, accepted %d", p.Requests(Canned), p.Accepted())
	}
}
