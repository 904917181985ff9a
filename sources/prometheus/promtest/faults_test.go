package promtest

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"
	"unicode/utf8"
)

// TestNewFaults: 429 with Retry-After, garbage that is no exposition, a
// reset connection; FaultNone serves the metrics again.
func TestNewFaults(t *testing.T) {
	e := NewExporter(t)
	e.Invoke(OpenFaaS, "f", 200, 0, 1)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	get := func() (*http.Response, string, error) {
		resp, err := client.Get(e.URL())
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	e.SetFault(Fault429)
	if resp, _, err := get(); err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("429: %v %v", resp, err)
	}
	e.SetFault(FaultGarbage)
	if resp, body, err := get(); err != nil || resp.StatusCode != 200 || utf8.ValidString(body) {
		t.Errorf("garbage: %v %q %v", resp, body, err)
	}
	e.SetFault(FaultReset)
	if _, _, err := get(); !errors.Is(err, syscall.ECONNRESET) && (err == nil || !errors.Is(err, io.EOF)) {
		t.Errorf("reset: err %v", err)
	}
	e.SetFault(FaultNone)
	if resp, _, err := get(); err != nil || resp.StatusCode != 200 {
		t.Errorf("after the faults: %v %v", resp, err)
	}
	// The reset GET may be retried by net/http on a reused connection.
	if n := e.Scrapes(); n < 4 || n > 5 {
		t.Errorf("%d scrapes counted, want 4 or 5", n)
	}
}
