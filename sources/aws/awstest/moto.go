//go:build unix

// Package awstest runs moto_server, an independent implementation of the
// AWS APIs (CloudWatch Logs, Lambda, IAM, ...), for end-to-end tests of the
// AWS source with the real SDK clients, and keeps those tests' SDK
// configuration on the loopback interface.
package awstest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvE2E is the environment variable that makes a missing moto_server a
// test failure rather than a skip ("1"; CI sets it).
const EnvE2E = "FNTOP_E2E"

// MotoCommand is the moto server executable, looked up in PATH.
const MotoCommand = "moto_server"

// Moto start-up tuning.
const (
	motoStartTimeout = 20 * time.Second // a cold Python import on a busy machine
	motoStopTimeout  = 5 * time.Second
	motoAttempts     = 3 // a free port may be taken between probe and bind
	motoLogTail      = 4000
)

// Moto is a running moto_server.
type Moto struct {
	// URL is its endpoint, http://127.0.0.1:PORT.
	URL string
	out *lockedBuffer
}

// Output returns what the server printed so far (its request log).
func (m *Moto) Output() string { return m.out.String() }

// StartMoto starts `moto_server -H 127.0.0.1 -p PORT` on a free loopback
// port with env ("KEY=value") added to the test's environment, waits until
// it answers HTTP, and stops it, with its whole process group, when the
// test ends; if the test failed, the end of the server's log is logged.
// When moto_server is not installed the test is skipped, or fails when
// FNTOP_E2E=1.
func StartMoto(t testing.TB, env ...string) *Moto {
	t.Helper()
	bin, err := exec.LookPath(MotoCommand)
	if err != nil {
		if os.Getenv(EnvE2E) == "1" {
			t.Fatalf("%s is not installed and %s=1: %v", MotoCommand, EnvE2E, err)
		}
		t.Skipf("%s is not installed (set %s=1 to make this a failure): %v", MotoCommand, EnvE2E, err)
	}
	var errs []error
	for range motoAttempts {
		m, err := startMoto(t, bin, env)
		if err == nil {
			return m
		}
		errs = append(errs, err)
	}
	t.Fatalf("starting %s: %v", MotoCommand, errors.Join(errs...))
	return nil
}

func startMoto(t testing.TB, bin string, env []string) (*Moto, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: moto_server may be a shim (pyenv) that runs
	// Python as a child, and the whole group is stopped at the end.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = motoStopTimeout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	pgid := cmd.Process.Pid
	stop := func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(motoStopTimeout):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
	}
	m := &Moto{URL: "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), out: out}
	if err := waitHTTP(m.URL, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; output: %s", err, tail(out.String()))
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s output (end):\n%s", MotoCommand, tail(out.String()))
		}
	})
	return m, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// waitHTTP polls GET url until any HTTP answer, the process exits or the
// start timeout passes.
func waitHTTP(url string, exited <-chan struct{}) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(motoStartTimeout)
	for {
		resp, err := c.Get(url + "/")
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s: %w", url, motoStartTimeout, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before answering", MotoCommand)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tail(s string) string {
	if len(s) > motoLogTail {
		return "…" + s[len(s)-motoLogTail:]
	}
	return s
}

// Env points the SDK's default configuration at static test credentials
// and region and away from everything that could make it reach past the
// loopback interface: the user's shared files and profile, instance
// metadata, and endpoint overrides. Like t.Setenv, it may not be used in
// parallel tests.
func Env(t testing.TB, region string) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      "AKIDFNTOPMOTOTEST",
		"AWS_SECRET_ACCESS_KEY":                  "fntop-moto-secret",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "no-credentials"),
		"AWS_REGION":                             region,
		"AWS_DEFAULT_REGION":                     region,
		"AWS_ENDPOINT_URL":                       "",
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS":       "",
		"AWS_ENDPOINT_URL_LAMBDA":                "",
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	} {
		t.Setenv(k, v) // restored at the end of the test
		if v == "" {
			// Unset, not empty: botocore (in moto_server) takes an empty
			// AWS_PROFILE for a profile named "".
			_ = os.Unsetenv(k)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the process's writers and a
// concurrent reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
