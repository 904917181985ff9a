//go:build unix

package main

// TestRIEEndToEnd runs a real Lambda handler (testdata/rielambda, built on
// aws-lambda-go) under the AWS Lambda Runtime Interface Emulator (the RIE,
// pinned as a tool in go.mod), invokes it serially with known payloads,
// collects what the emulator prints (the function's log stream: START, END,
// REPORT, application and runtime lines) and pipes that into
// `fntop snapshot --json --input - --function NAME`. The figures fntop reports
// are checked against the invocations the test made and against the REPORT
// lines themselves.
//
// Environment:
//
//	FNTOP_E2E=1          any failure to build or start the emulator or the
//	                     handler is fatal (without it, a RIE that cannot be
//	                     built skips the test)
//	FNTOP_RIE_CAPTURE=1  rewrite testdata/rie/<session>.log (the raw output)
//	                     and <session>.json (what was invoked) for parser
//	                     fixtures
//
// What the pinned RIE prints (see testdata/rie/README.md):
//   - every invoke gets "START RequestId: <id> Version: $LATEST" first, even
//     before the init of a cold start;
//   - a successful or handled-error invoke, and a timed-out one, end with END
//     and "REPORT RequestId: <id>\t[Init Duration: x ms\t]Duration: ...\t"
//     with Max Memory Used equal to Memory Size and no Status field;
//   - "Init Duration" appears only on the first REPORT of the emulator's life,
//     even though it re-initialises the runtime after a crash or timeout, and
//     it does not measure the init (the init time is inside the first
//     Duration);
//   - a handled error is visible only as the aws-lambda-go line
//     "<date> <time> {"errorMessage":...,"errorType":...}";
//   - a timeout prints "Duration: <timeout>.00 ms" and no Task timed out line;
//   - a panic, an os.Exit or a failed init print START and no END or REPORT.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

const (
	riePkg        = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	rieInvokePath = "/2015-03-31/functions/function/invocations"

	// Bounds on every wait.
	rieBuildTimeout   = 5 * time.Minute
	rieReadyTimeout   = 15 * time.Second
	rieStopGrace      = 5 * time.Second
	rieInvokeSlack    = 15 * time.Second // added to the function timeout
	rieFntopTimeout   = 90 * time.Second
	riePortAttempts   = 3
	rieCaptureDirName = "testdata/rie"
)

// Outcomes of one invoke, as the handler is asked to behave.
const (
	rieOutcomeSuccess   = "success"
	rieOutcomeError     = "function_error" // the handler returns an error
	rieOutcomePanic     = "panic"
	rieOutcomeExit      = "exit" // the handler calls os.Exit
	rieOutcomeTimeout   = "timeout"
	rieOutcomeInitError = "init_error" // the runtime exits during init
)

// rieInvoke is one invocation the test makes.
type rieInvoke struct {
	Payload string
	SleepMS int
	Outcome string
}

// reported says whether the RIE prints END and REPORT for this outcome.
func (iv rieInvoke) reported() bool {
	switch iv.Outcome {
	case rieOutcomeSuccess, rieOutcomeError, rieOutcomeTimeout:
		return true
	}
	return false
}

// httpStatus is the status the RIE answers with for this outcome.
func (iv rieInvoke) httpStatus() int {
	if iv.reported() {
		return http.StatusOK
	}
	return http.StatusBadGateway
}

func rieOK(ms int) rieInvoke {
	return rieInvoke{Payload: fmt.Sprintf(`{"sleep_ms":%d}`, ms), SleepMS: ms, Outcome: rieOutcomeSuccess}
}

// rieSession is one life of the emulator: its configuration and the
// invocations made against it, in order.
type rieSession struct {
	Name        string // capture file base name and subtest name
	Function    string
	MemoryMB    int
	TimeoutS    int
	InitSleepMS int // RIELAMBDA_INIT_SLEEP_MS for the handler
	InitExit    int // RIELAMBDA_INIT_EXIT for the handler; 0 = none
	Invokes     []rieInvoke
}

var rieSessions = []rieSession{
	{
		Name: "success", Function: "fntop-rie-ok", MemoryMB: 256, TimeoutS: 30, InitSleepMS: 100,
		Invokes: []rieInvoke{rieOK(50), rieOK(20), rieOK(30), rieOK(40), rieOK(60), rieOK(25), rieOK(35)},
	},
	{
		Name: "failure", Function: "fntop-rie-fail", MemoryMB: 512, TimeoutS: 1,
		Invokes: []rieInvoke{
			rieOK(20),
			{Payload: `{"fail":"boom"}`, Outcome: rieOutcomeError},
			rieOK(20),
			{Payload: `{"panic":true}`, Outcome: rieOutcomePanic},
			rieOK(20), // the RIE re-initialises the runtime here
			{Payload: `{"exit":137}`, Outcome: rieOutcomeExit},
			rieOK(20), // and here
			{Payload: `{"sleep_ms":1500}`, SleepMS: 1500, Outcome: rieOutcomeTimeout},
			rieOK(20), // and here
		},
	},
	{
		Name: "init-failure", Function: "fntop-rie-initfail", MemoryMB: 128, TimeoutS: 3, InitExit: 3,
		Invokes: []rieInvoke{
			{Payload: `{"sleep_ms":10}`, SleepMS: 10, Outcome: rieOutcomeInitError},
			{Payload: `{"sleep_ms":10}`, SleepMS: 10, Outcome: rieOutcomeInitError},
		},
	},
}

// rieResult is what one invoke returned; it is also the fixture sidecar
// format.
type rieResult struct {
	RequestID  string  `json:"request_id"`
	Payload    string  `json:"payload"`
	Outcome    string  `json:"outcome"`
	SleepMS    int     `json:"sleep_ms,omitempty"`
	Reported   bool    `json:"reported"`
	HTTPStatus int     `json:"http_status"`
	Body       string  `json:"body"`
	ElapsedMS  float64 `json:"elapsed_ms"`
}

// rieCapture is the sidecar written next to a captured log.
type rieCapture struct {
	Session      string      `json:"session"`
	Function     string      `json:"function"`
	MemoryMB     int         `json:"memory_size_mb"`
	TimeoutS     int         `json:"timeout_s"`
	HandlerEnv   []string    `json:"handler_env,omitempty"`
	RIEVersion   string      `json:"rie_version"`
	LambdaGo     string      `json:"aws_lambda_go_version"`
	GoVersion    string      `json:"go_version"`
	Invocations  int         `json:"expected_invocations"` // REPORT lines
	ColdStarts   int         `json:"expected_cold_starts"` // REPORTs with Init Duration
	Errors       int         `json:"expected_errors"`      // REPORTed invokes whose handler failed
	RuntimeInits int         `json:"runtime_inits"`        // inits the emulator ran
	Invokes      []rieResult `json:"invokes"`
}

// rieReport is one REPORT line as the RIE printed it.
type rieReport struct {
	RequestID  string
	HasInit    bool
	InitMS     float64
	DurationMS float64
	BilledMS   float64
	MemoryMB   int
	MaxMemMB   int
}

// rieReportRE is the exact REPORT shape the pinned RIE prints: Init Duration
// first when present, a trailing TAB, no Status field.
var rieReportRE = regexp.MustCompile(`^REPORT RequestId: ([0-9a-f-]{36})\t(?:Init Duration: ([0-9]+\.[0-9]{2}) ms\t)?Duration: ([0-9]+\.[0-9]{2}) ms\tBilled Duration: ([0-9]+) ms\tMemory Size: ([0-9]+) MB\tMax Memory Used: ([0-9]+) MB\t$`)

// rieOutput is what the test reads back from a session's log.
type rieOutput struct {
	Reports     map[string]rieReport
	ReportOrder []string
	Starts      map[string]int
	Ends        map[string]int
	Inits       int // "INIT START(" lines of the emulator's own log
	ErrorLines  map[string]bool
}

func parseRIEOutput(t *testing.T, out []byte) rieOutput {
	t.Helper()
	o := rieOutput{
		Reports:    map[string]rieReport{},
		Starts:     map[string]int{},
		Ends:       map[string]int{},
		ErrorLines: map[string]bool{},
	}
	current := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "START RequestId: "):
			id, _, _ := strings.Cut(strings.TrimPrefix(line, "START RequestId: "), " ")
			o.Starts[id]++
			current = id
		case strings.HasPrefix(line, "END RequestId: "):
			o.Ends[strings.TrimPrefix(line, "END RequestId: ")]++
		case strings.HasPrefix(line, "REPORT "):
			m := rieReportRE.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("REPORT line of unexpected shape: %q", line)
				continue
			}
			r := rieReport{RequestID: m[1], HasInit: m[2] != ""}
			r.InitMS, _ = strconv.ParseFloat(m[2], 64)
			r.DurationMS, _ = strconv.ParseFloat(m[3], 64)
			r.BilledMS, _ = strconv.ParseFloat(m[4], 64)
			r.MemoryMB, _ = strconv.Atoi(m[5])
			r.MaxMemMB, _ = strconv.Atoi(m[6])
			if _, dup := o.Reports[r.RequestID]; dup {
				t.Errorf("two REPORT lines for request %s", r.RequestID)
			}
			o.Reports[r.RequestID] = r
			o.ReportOrder = append(o.ReportOrder, r.RequestID)
		case strings.Contains(line, "(rapid) INIT START("):
			o.Inits++
		case strings.Contains(line, `{"errorMessage":`):
			o.ErrorLines[current] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading RIE output: %v", err)
	}
	return o
}

// fntop snapshot JSON, the fields this test checks.
type rieSnapshotJSON struct {
	Window struct {
		Start   string  `json:"start"`
		End     string  `json:"end"`
		Seconds float64 `json:"seconds"`
	} `json:"window"`
	Functions []rieFunctionJSON `json:"functions"`
	Sources   []struct {
		Name      string `json:"name"`
		State     string `json:"state"`
		LastError string `json:"last_error"`
	} `json:"sources"`
	SkippedLines float64 `json:"skipped_lines"`
}

type rieFunctionJSON struct {
	Name           string   `json:"name"`
	Source         string   `json:"source"`
	Invocations    float64  `json:"invocations"`
	Errors         float64  `json:"errors"`
	Timeouts       float64  `json:"timeouts"`
	ColdStarts     float64  `json:"cold_starts"`
	Throttles      *float64 `json:"throttles"` // null: not known from logs
	RatePerS       float64  `json:"rate_per_s"`
	ErrorRate      float64  `json:"error_rate"`
	ColdStartRatio float64  `json:"cold_start_ratio"`
	DurationMS     *struct {
		P50 float64 `json:"p50"`
		P90 float64 `json:"p90"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
		Avg float64 `json:"avg"`
	} `json:"duration_ms"`
	InitDurationMS *struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"init_duration_ms"`
	BilledMSTotal   float64 `json:"billed_ms_total"`
	MemorySizeMB    float64 `json:"memory_size_mb"`
	MaxMemoryUsedMB float64 `json:"max_memory_used_mb"`
	GBSeconds       float64 `json:"gb_seconds"`
	CostUSD         float64 `json:"cost_usd"`
}

func TestRIEEndToEnd(t *testing.T) {
	leakOpt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leakOpt) })

	strict := os.Getenv("FNTOP_E2E") == "1"
	capture := os.Getenv("FNTOP_RIE_CAPTURE") == "1"
	binDir := t.TempDir()

	goBin, err := exec.LookPath("go")
	if err != nil {
		if strict {
			t.Fatalf("FNTOP_E2E=1 but the go command is not on PATH, so the RIE cannot be built: %v", err)
		}
		t.Skipf("skipping: the go command is not on PATH, so the Lambda Runtime Interface Emulator cannot be built (set FNTOP_E2E=1 to make this fatal): %v", err)
	}

	// Build fntop in the background while the emulator sessions run; the
	// build is always waited for before the test returns.
	buildCtx, cancelBuild := context.WithTimeout(context.Background(), rieBuildTimeout)
	fntopPath := filepath.Join(binDir, "fntop")
	fntopDone := make(chan error, 1)
	var buildWG sync.WaitGroup
	buildWG.Add(1)
	go func() {
		defer buildWG.Done()
		fntopDone <- rieGoBuild(buildCtx, goBin, fntopPath, ".")
	}()
	t.Cleanup(func() {
		cancelBuild()
		buildWG.Wait()
	})
	var fntopOnce sync.Once
	var fntopErr error
	fntopBinary := func(t *testing.T) string {
		t.Helper()
		fntopOnce.Do(func() { fntopErr = <-fntopDone })
		if fntopErr != nil {
			t.Fatalf("building fntop from ./cmd/fntop: %v", fntopErr)
		}
		return fntopPath
	}

	riePath := filepath.Join(binDir, "aws-lambda-rie")
	if err := rieGoBuild(buildCtx, goBin, riePath, riePkg); err != nil {
		if strict {
			t.Fatalf("FNTOP_E2E=1 and the Lambda Runtime Interface Emulator cannot be built: %v", err)
		}
		t.Skipf("skipping: the Lambda Runtime Interface Emulator cannot be built (set FNTOP_E2E=1 to make this fatal): %v", err)
	}
	handlerDir := filepath.Join(binDir, "task")
	if err := os.Mkdir(handlerDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := rieGoBuild(buildCtx, goBin, filepath.Join(handlerDir, "bootstrap"), "./testdata/rielambda"); err != nil {
		t.Fatalf("building the Lambda handler testdata/rielambda: %v", err)
	}

	for _, sess := range rieSessions {
		t.Run(sess.Name, func(t *testing.T) {
			start := time.Now()
			out, results := runRIESession(t, riePath, handlerDir, sess)
			t.Logf("emulator session %q: %d invokes in %v", sess.Name, len(results), time.Since(start).Round(time.Millisecond))
			o := parseRIEOutput(t, out)
			checkRIEOutput(t, sess, results, o)
			if capture {
				rieWriteCapture(t, riePath, handlerDir, sess, results, o, out)
			}
			if t.Failed() {
				t.Logf("emulator output:\n%s", out)
				return
			}

			snap, raw := rieRunSnapshot(t, fntopBinary(t), sess.Function, out)
			rieCheckSnapshot(t, sess, results, o, snap)
			if t.Failed() {
				t.Logf("fntop snapshot JSON:\n%s", raw)
			}
		})
	}
}

// rieGoBuild runs `go build -o out pkg` in the package directory.
func rieGoBuild(ctx context.Context, goBin, out, pkg string) error {
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, pkg)
	cmd.WaitDelay = 10 * time.Second
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build -o %s %s: %v\n%s", filepath.Base(out), pkg, err, b)
	}
	return nil
}

// rieProc is one running emulator.
type rieProc struct {
	cmd       *exec.Cmd
	done      chan struct{} // closed when the emulator has exited
	waitErr   error
	stopOnce  sync.Once
	stopErr   error
	invokeURL string
}

// stop asks the emulator to shut down (SIGTERM), then kills whatever is left
// of its process group (the runtime it started included). Every wait is
// bounded; stop is safe to call more than once.
func (p *rieProc) stop() error {
	p.stopOnce.Do(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(rieStopGrace):
				p.stopErr = errors.New("the emulator ignored SIGTERM")
			}
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(rieStopGrace):
			p.stopErr = errors.New("the emulator did not exit after SIGKILL")
		}
	})
	return p.stopErr
}

// rieLoopbackAddr returns a 127.0.0.1 address with a port that was free a
// moment ago.
func rieLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// rieEnv is the emulator's whole environment. The emulator hands its
// environment on to the function, so it is built from scratch: nothing of
// the caller's AWS configuration (or AWS_LAMBDA_MAX_CONCURRENCY, which
// switches the emulator to another mode) leaks in.
func rieEnv(sess rieSession) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"TZ=UTC",
		"AWS_LAMBDA_FUNCTION_NAME=" + sess.Function,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(sess.MemoryMB),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(sess.TimeoutS),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"_HANDLER=bootstrap",
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return append(env, rieHandlerEnv(sess)...)
}

func rieHandlerEnv(sess rieSession) []string {
	var env []string
	if sess.InitSleepMS > 0 {
		env = append(env, "RIELAMBDA_INIT_SLEEP_MS="+strconv.Itoa(sess.InitSleepMS))
	}
	if sess.InitExit != 0 {
		env = append(env, "RIELAMBDA_INIT_EXIT="+strconv.Itoa(sess.InitExit))
	}
	return env
}

// startRIE starts the emulator on two fresh loopback ports and waits until
// both listen. The ports are picked free but may be taken before the
// emulator binds them, so a start that dies early is retried.
func startRIE(t *testing.T, riePath, handlerDir string, sess rieSession, logFile *os.File) *rieProc {
	t.Helper()
	var lastErr error
	for attempt := 1; attempt <= riePortAttempts; attempt++ {
		p, err := tryStartRIE(t, riePath, handlerDir, sess, logFile)
		if err == nil {
			return p
		}
		lastErr = err
		t.Logf("starting the emulator (attempt %d): %v", attempt, err)
	}
	t.Fatalf("the Lambda Runtime Interface Emulator did not start: %v", lastErr)
	return nil
}

func tryStartRIE(t *testing.T, riePath, handlerDir string, sess rieSession, logFile *os.File) (*rieProc, error) {
	emuAddr, err := rieLoopbackAddr()
	if err != nil {
		return nil, err
	}
	apiAddr, err := rieLoopbackAddr()
	if err != nil {
		return nil, err
	}
	if emuAddr == apiAddr {
		return nil, errors.New("got the same port twice")
	}
	if err := logFile.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := logFile.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	cmd := exec.Command(riePath,
		"--runtime-interface-emulator-address", emuAddr,
		"--runtime-api-address", apiAddr,
		"./bootstrap")
	cmd.Dir = handlerDir
	cmd.Env = rieEnv(sess)
	// One file for both streams, shared with the runtime the emulator
	// starts: lines land in the order they were written, and no copying
	// goroutine is needed.
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &rieProc{cmd: cmd, done: make(chan struct{}), invokeURL: "http://" + emuAddr + rieInvokePath}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { _ = p.stop() })

	deadline := time.Now().Add(rieReadyTimeout)
	for {
		select {
		case <-p.done:
			out, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("the emulator exited before it was ready (%v):\n%s", p.waitErr, out)
		default:
		}
		// A TCP connect only: any HTTP request to the emulator's
		// address would be taken as an invoke.
		if rieListening(emuAddr) && rieListening(apiAddr) {
			return p, nil
		}
		if time.Now().After(deadline) {
			_ = p.stop()
			out, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("the emulator did not listen on %s and %s within %v:\n%s", emuAddr, apiAddr, rieReadyTimeout, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func rieListening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// runRIESession starts the emulator, makes the session's invokes one at a
// time (two at once crash the emulator), stops it and returns everything it
// printed.
func runRIESession(t *testing.T, riePath, handlerDir string, sess rieSession) ([]byte, []rieResult) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "rie.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() //nolint:errcheck // the emulator's log, read back only on failure

	p := startRIE(t, riePath, handlerDir, sess, logFile)
	client := &http.Client{
		Timeout: time.Duration(sess.TimeoutS)*time.Second + rieInvokeSlack,
		// Loopback only, never through a proxy; no idle connections left
		// behind.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	defer client.CloseIdleConnections()

	var results []rieResult
	for i, iv := range sess.Invokes {
		res := rieResult{
			RequestID: rieRequestID(t),
			Payload:   iv.Payload,
			Outcome:   iv.Outcome,
			SleepMS:   iv.SleepMS,
			Reported:  iv.reported(),
		}
		status, body, elapsed, err := invokeRIE(client, p.invokeURL, res.RequestID, iv.Payload)
		if err != nil {
			_ = p.stop()
			out, _ := os.ReadFile(logPath)
			t.Fatalf("invoke %d %s: %v\nemulator output:\n%s", i, iv.Payload, err, out)
		}
		res.HTTPStatus = status
		res.Body = rieTruncate(string(body), 200)
		res.ElapsedMS = math.Round(float64(elapsed.Microseconds())) / 1000
		results = append(results, res)
	}

	if err := p.stop(); err != nil {
		t.Errorf("stopping the emulator: %v", err)
	} else if p.waitErr != nil {
		t.Logf("the emulator exited with: %v", p.waitErr)
	}
	out, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	return out, results
}

func invokeRIE(client *http.Client, url, requestID, payload string) (int, []byte, time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(payload))
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	// The emulator uses this header as the request ID, so the test knows
	// which REPORT belongs to which invoke.
	req.Header.Set("X-Amzn-RequestId", requestID)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, time.Since(start), err
}

func rieRequestID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func rieTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// checkRIEOutput pins down what the emulator printed for each invoke, so a
// change of the pinned emulator shows here rather than as a puzzling fntop
// figure.
func checkRIEOutput(t *testing.T, sess rieSession, results []rieResult, o rieOutput) {
	firstReport := true
	for i, r := range results {
		iv := sess.Invokes[i]
		if r.HTTPStatus != iv.httpStatus() {
			t.Errorf("invoke %d %s (%s): HTTP %d, want %d; body %q", i, r.Payload, r.Outcome, r.HTTPStatus, iv.httpStatus(), r.Body)
		}
		if o.Starts[r.RequestID] != 1 {
			t.Errorf("invoke %d %s: %d START lines, want 1", i, r.Payload, o.Starts[r.RequestID])
		}
		rep, ok := o.Reports[r.RequestID]
		if ok != iv.reported() {
			t.Errorf("invoke %d %s (%s): REPORT present = %v, want %v", i, r.Payload, r.Outcome, ok, iv.reported())
			continue
		}
		if wantEnds := map[bool]int{true: 1, false: 0}[ok]; o.Ends[r.RequestID] != wantEnds {
			t.Errorf("invoke %d %s: %d END lines, want %d", i, r.Payload, o.Ends[r.RequestID], wantEnds)
		}
		if !ok {
			continue
		}
		if rep.HasInit != firstReport {
			t.Errorf("invoke %d %s: Init Duration present = %v, want %v (only the first REPORT carries it)", i, r.Payload, rep.HasInit, firstReport)
		}
		firstReport = false
		if rep.MemoryMB != sess.MemoryMB || rep.MaxMemMB != sess.MemoryMB {
			t.Errorf("invoke %d: Memory Size %d MB, Max Memory Used %d MB, want both %d", i, rep.MemoryMB, rep.MaxMemMB, sess.MemoryMB)
		}
		// Billed Duration is the unrounded duration rounded up, so a
		// printed "Duration: 21.00 ms" may bill 21 or 22 ms.
		if rep.BilledMS < rep.DurationMS-0.005 || rep.BilledMS >= rep.DurationMS+1.005 {
			t.Errorf("invoke %d: Billed Duration %v ms for Duration %v ms, want it rounded up", i, rep.BilledMS, rep.DurationMS)
		}
		switch r.Outcome {
		case rieOutcomeSuccess:
			minMS := float64(iv.SleepMS)
			if rep.HasInit {
				// The init runs inside the first Duration (less the
				// few microseconds the emulator counts as Init Duration).
				minMS += float64(sess.InitSleepMS) - 1
			}
			if rep.DurationMS < minMS {
				t.Errorf("invoke %d %s: Duration %v ms, want >= %v ms", i, r.Payload, rep.DurationMS, minMS)
			}
		case rieOutcomeTimeout:
			if want := float64(sess.TimeoutS * 1000); rep.DurationMS != want {
				t.Errorf("invoke %d %s: Duration %v ms, want exactly the timeout %v ms", i, r.Payload, rep.DurationMS, want)
			}
			if want := fmt.Sprintf("Task timed out after %d.00 seconds", sess.TimeoutS); r.Body != want {
				t.Errorf("invoke %d: body %q, want %q", i, r.Body, want)
			}
		case rieOutcomeError:
			if !o.ErrorLines[r.RequestID] {
				t.Errorf("invoke %d %s: no aws-lambda-go error line in the log", i, r.Payload)
			}
		}
	}
	if want := len(results); len(o.Starts) != want {
		t.Errorf("%d distinct START request IDs, want %d", len(o.Starts), want)
	}
	if len(o.Reports) != len(o.ReportOrder) {
		t.Errorf("duplicate REPORT lines")
	}
	t.Logf("the emulator initialised the runtime %d times; REPORTs: %d, with Init Duration: %d",
		o.Inits, len(o.Reports), rieCountInit(o))
}

func rieCountInit(o rieOutput) int {
	n := 0
	for _, r := range o.Reports {
		if r.HasInit {
			n++
		}
	}
	return n
}

// rieWriteCapture stores the raw output and a sidecar describing it under
// testdata/rie, for parser tests elsewhere.
func rieWriteCapture(t *testing.T, riePath, handlerDir string, sess rieSession, results []rieResult, o rieOutput, out []byte) {
	t.Helper()
	c := rieCapture{
		Session:      sess.Name,
		Function:     sess.Function,
		MemoryMB:     sess.MemoryMB,
		TimeoutS:     sess.TimeoutS,
		HandlerEnv:   rieHandlerEnv(sess),
		Invocations:  len(o.Reports),
		ColdStarts:   rieCountInit(o),
		RuntimeInits: o.Inits,
		Invokes:      results,
	}
	for _, r := range results {
		if r.Reported && r.Outcome == rieOutcomeError {
			c.Errors++
		}
	}
	if bi, err := buildinfo.ReadFile(riePath); err == nil {
		c.GoVersion = bi.GoVersion
		c.RIEVersion = bi.Main.Version
	}
	if bi, err := buildinfo.ReadFile(filepath.Join(handlerDir, "bootstrap")); err == nil {
		for _, d := range bi.Deps {
			if d.Path == "github.com/aws/aws-lambda-go" {
				c.LambdaGo = d.Version
			}
		}
	}
	side, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(rieCaptureDirName, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(rieCaptureDirName, sess.Name)
	if err := os.WriteFile(base+".log", out, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".json", append(side, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("captured %s.log and %s.json", base, base)
}

// rieRunSnapshot pipes the emulator's output into `fntop snapshot --json`.
func rieRunSnapshot(t *testing.T, fntop, function string, input []byte) (rieSnapshotJSON, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), rieFntopTimeout)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, fntop, "snapshot", "--json", "--input", "-", "--function", function)
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	// No user configuration and no AWS credentials: the only data is stdin.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TZ=UTC",
		"NO_COLOR=1",
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("fntop snapshot --json --input - --function %s: %v\nstderr:\n%s\nstdout:\n%s", function, err, stderr.Bytes(), stdout.Bytes())
	}
	var snap rieSnapshotJSON
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		t.Fatalf("fntop snapshot output is not the JSON document: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return snap, stdout.Bytes()
}

// rieCheckSnapshot compares fntop's figures with the invocations made and the
// REPORT lines the emulator printed.
func rieCheckSnapshot(t *testing.T, sess rieSession, results []rieResult, o rieOutput, snap rieSnapshotJSON) {
	var fn *rieFunctionJSON
	for i := range snap.Functions {
		if snap.Functions[i].Name == sess.Function {
			fn = &snap.Functions[i]
		} else {
			t.Errorf("unexpected function %q in the snapshot", snap.Functions[i].Name)
		}
	}
	for _, s := range snap.Sources {
		if s.State == "failing" {
			t.Errorf("source %q is failing: %s", s.Name, s.LastError)
		}
	}

	// What fntop can know from this log: an invocation is a REPORT line;
	// a cold start is a REPORT with Init Duration; an error is a REPORT
	// whose request logged the aws-lambda-go error line. Panics, exits and
	// failed inits print no REPORT, and a timeout prints none of the
	// markers real Lambda prints (Status: timeout, Task timed out), so
	// neither counts here.
	var wantInv, wantErr int
	var durations []float64
	var billed, initMax, durSum float64
	var maxSleep int
	var sleeps []float64
	for _, r := range results {
		if !r.Reported {
			continue
		}
		rep := o.Reports[r.RequestID]
		wantInv++
		if r.Outcome == rieOutcomeError {
			wantErr++
		}
		durations = append(durations, rep.DurationMS)
		durSum += rep.DurationMS
		billed += rep.BilledMS
		if rep.HasInit {
			initMax = max(initMax, rep.InitMS)
		}
		if r.Outcome == rieOutcomeSuccess {
			maxSleep = max(maxSleep, r.SleepMS)
			sleeps = append(sleeps, float64(r.SleepMS))
		}
	}
	wantCold := rieCountInit(o)

	if wantInv == 0 {
		if fn != nil && fn.Invocations != 0 {
			t.Errorf("invocations = %v, want 0 (no REPORT was printed)", fn.Invocations)
		}
		if fn != nil && fn.ColdStarts != 0 {
			t.Errorf("cold_starts = %v, want 0", fn.ColdStarts)
		}
		return
	}
	if fn == nil {
		t.Fatalf("function %q missing from the snapshot", sess.Function)
	}

	rieEqCount(t, "invocations", fn.Invocations, wantInv)
	rieEqCount(t, "cold_starts", fn.ColdStarts, wantCold)
	rieEqCount(t, "errors", fn.Errors, wantErr)
	rieEqCount(t, "timeouts", fn.Timeouts, 0)
	if fn.Throttles != nil && *fn.Throttles != 0 {
		t.Errorf("throttles = %v, want 0 or null", *fn.Throttles)
	}
	rieApprox(t, "error_rate", fn.ErrorRate, float64(wantErr)/float64(wantInv), 1e-9, 1e-6)
	rieApprox(t, "cold_start_ratio", fn.ColdStartRatio, float64(wantCold)/float64(wantInv), 1e-9, 1e-6)

	slices.Sort(durations)
	if fn.DurationMS == nil {
		t.Errorf("duration_ms is null")
	} else {
		d := fn.DurationMS
		n := len(durations)
		lo, hi := durations[(n-1)/2], durations[n/2] // the median, either side
		if d.P50 < lo*0.99 || d.P50 > hi*1.01 {
			t.Errorf("duration_ms.p50 = %v, want the median of %v (1%% accuracy)", d.P50, durations)
		}
		rieApprox(t, "duration_ms.max", d.Max, durations[n-1], 0.01, 0.01)
		rieApprox(t, "duration_ms.avg", d.Avg, durSum/float64(n), 0.01, 0.01)
		if !(d.P50 <= d.P90 && d.P90 <= d.P99 && d.P99 <= d.Max*1.01) {
			t.Errorf("duration_ms quantiles out of order: %+v", *d)
		}
		if sess.Name == "success" {
			// Against the sleeps the handler was asked for.
			slices.Sort(sleeps)
			if med := sleeps[(len(sleeps)-1)/2]; d.P50 < med*0.99 {
				t.Errorf("duration_ms.p50 = %v, below the median sleep %v ms", d.P50, med)
			}
			if d.Max < float64(maxSleep) || d.Max > float64(maxSleep+sess.InitSleepMS+2000) {
				t.Errorf("duration_ms.max = %v, want within [%d, %d] ms", d.Max, maxSleep, maxSleep+sess.InitSleepMS+2000)
			}
		}
	}
	if wantCold > 0 {
		if fn.InitDurationMS == nil {
			t.Errorf("init_duration_ms is null, want the Init Duration %v ms", initMax)
		} else {
			if fn.InitDurationMS.Max <= 0 {
				t.Errorf("init_duration_ms.max = %v, want > 0", fn.InitDurationMS.Max)
			}
			rieApprox(t, "init_duration_ms.max", fn.InitDurationMS.Max, initMax, 0.02, 0.02)
		}
	}
	rieApprox(t, "billed_ms_total", fn.BilledMSTotal, billed, 0, 0.5)
	rieEqCount(t, "memory_size_mb", fn.MemorySizeMB, sess.MemoryMB)
	rieEqCount(t, "max_memory_used_mb", fn.MaxMemoryUsedMB, sess.MemoryMB) // the emulator prints Memory Size
	gbs := billed / 1000 * float64(sess.MemoryMB) / 1024
	rieApprox(t, "gb_seconds", fn.GBSeconds, gbs, 1e-6, 1e-9)
	// No architecture or region in the log: priced as x86_64 in us-east-1
	// (list prices: $0.20 per million requests, $0.0000166667 per GB-s).
	rieApprox(t, "cost_usd", fn.CostUSD, float64(wantInv)*0.2e-6+gbs*0.0000166667, 1e-6, 1e-12)
}

func rieEqCount(t *testing.T, name string, got float64, want int) {
	t.Helper()
	if got != float64(want) {
		t.Errorf("%s = %v, want %d", name, got, want)
	}
}

// approx checks got against want within a relative or an absolute
// tolerance, whichever is larger.
func rieApprox(t *testing.T, name string, got, want, rel, abs float64) {
	t.Helper()
	if math.Abs(got-want) > max(rel*math.Abs(want), abs) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}
