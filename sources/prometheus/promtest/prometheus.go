package promtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Paths of Debian's prometheus package.
const (
	PrometheusBin = "/usr/bin/prometheus"
	PromtoolBin   = "/usr/bin/promtool"
)

// NeedBinary skips the test when bin is missing, or fails it when
// FNTOP_E2E=1 (CI), where a missing part must not pass silently.
func NeedBinary(t testing.TB, bin string) {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("FNTOP_E2E") == "1" {
			t.Fatalf("FNTOP_E2E=1 but %s is missing: %v", bin, err)
		}
		t.Skipf("%s not installed (apt-get install prometheus); FNTOP_E2E=1 makes this a failure", bin)
	}
}

// StartPrometheus starts a real Prometheus on 127.0.0.1 scraping targets
// (host:port, path /metrics, every second) into dataDir (a new one when
// ""), waits until it is ready and kills it when the test ends. It returns
// its base URL.
func StartPrometheus(t testing.TB, dataDir string, targets ...string) string {
	t.Helper()
	NeedBinary(t, PrometheusBin)
	dir := t.TempDir()
	if dataDir == "" {
		dataDir = filepath.Join(dir, "data")
	}
	var cfg strings.Builder
	cfg.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n")
	if len(targets) > 0 {
		fmt.Fprintf(&cfg, "scrape_configs:\n  - job_name: fn\n    metrics_path: /metrics\n    static_configs:\n      - targets: [%s]\n", strings.Join(targets, ", "))
	} else {
		cfg.WriteString("scrape_configs: []\n")
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // frees the port for Prometheus; a failure shows when it cannot listen
	var logBuf bytes.Buffer
	cmd := exec.Command(PrometheusBin, "--config.file="+cfgPath, "--storage.tsdb.path="+dataDir,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			kill()
			t.Fatalf("Prometheus not ready: %v\n%s", err, logBuf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
