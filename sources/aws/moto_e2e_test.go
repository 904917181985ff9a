//go:build unix

package aws

// End-to-end tests of the source against moto_server, an independent
// implementation of the CloudWatch Logs, Lambda and IAM APIs: the real SDK
// clients, the real credential chain (isolated by awstest.Env), and data
// written with the APIs a Lambda function's logs arrive through. cwltest,
// our own server, covers what moto does not (Insights aggregation, Live
// Tail, fault injection).

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.uber.org/goleak"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/aws/awstest"
)

const (
	motoRegion  = "us-east-1"
	motoAccount = "123456789012" // moto's default account
	motoSource  = "aws:" + motoRegion
)

// motoEnv is one test's moto_server and the SDK clients that fill it.
type motoEnv struct {
	t    *testing.T
	moto *awstest.Moto
	cfg  aws.Config
	logs *cloudwatchlogs.Client
	lam  *lambda.Client

	mu      sync.Mutex
	streams map[string]bool // "group\x00stream" created
	n       int             // request ids handed out
}

// startMoto isolates the SDK's environment, starts moto_server with env
// and returns clients for it.
func startMoto(t *testing.T, env ...string) *motoEnv {
	t.Helper()
	awstest.Env(t, motoRegion)
	m := awstest.StartMoto(t, env...)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &motoEnv{
		t: t, moto: m, cfg: cfg, streams: map[string]bool{},
		logs: cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(m.URL) }),
		lam:  lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(m.URL) }),
	}
}

// options are the source's options for this server: millisecond
// intervals, as tests of the source use.
func (m *motoEnv) options() Options {
	return Options{
		Regions:     []string{motoRegion},
		Endpoint:    m.moto.URL,
		MinInterval: 50 * time.Millisecond,
		Discover:    200 * time.Millisecond,
	}
}

func motoCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// createGroups creates log groups (one that exists already is fine: moto
// may create a function's group itself).
func (m *motoEnv) createGroups(names ...string) {
	m.t.Helper()
	for _, name := range names {
		_, err := m.logs.CreateLogGroup(motoCtx(m.t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
		var exists *cwltypes.ResourceAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			m.t.Fatalf("CreateLogGroup %s: %v", name, err)
		}
	}
}

// motoLine is one log event to put.
type motoLine struct {
	at  time.Time
	msg string
}

// put writes lines to a stream of group, creating the stream first.
func (m *motoEnv) put(group, stream string, lines []motoLine) {
	m.t.Helper()
	ctx := motoCtx(m.t)
	m.mu.Lock()
	key := group + "\x00" + stream
	fresh := !m.streams[key]
	m.streams[key] = true
	m.mu.Unlock()
	if fresh {
		if _, err := m.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		}); err != nil {
			m.t.Fatalf("CreateLogStream %s %s: %v", group, stream, err)
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	evs := make([]cwltypes.InputLogEvent, len(lines))
	for i, l := range lines {
		evs[i] = cwltypes.InputLogEvent{Timestamp: aws.Int64(l.at.UnixMilli()), Message: aws.String(l.msg)}
	}
	out, err := m.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs,
	})
	if err != nil {
		m.t.Fatalf("PutLogEvents %s %s: %v", group, stream, err)
	}
	if r := out.RejectedLogEventsInfo; r != nil {
		m.t.Fatalf("PutLogEvents %s %s: events rejected: %+v", group, stream, *r)
	}
}

// id returns a new request id.
func (m *motoEnv) id() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	return fmt.Sprintf("5e0f%04x-0000-4000-8000-%012x", m.n, m.n)
}

// motoStream is a Lambda log stream name of a new execution environment.
func motoStream(at time.Time, env int) string {
	return fmt.Sprintf("%s/[$LATEST]%032x", at.UTC().Format("2006/01/02"), env)
}

// Outcomes of motoInvocation.
const (
	motoOK            = "ok"
	motoCold          = "cold"           // ok, with Init Duration on the REPORT
	motoTimeoutLine   = "timeout-line"   // no Status on the REPORT; "Task timed out" after it
	motoTimeoutStatus = "timeout-status" // REPORT ... Status: timeout
	motoErrorStatus   = "error-status"   // an [ERROR] line, REPORT ... Status: error
)

// motoInvocation returns the log lines of one Python invocation starting
// at at: START, an application line, END and REPORT, as Lambda writes
// them, shaped by outcome.
func motoInvocation(id string, at time.Time, outcome string) []motoLine {
	iso := func(d time.Duration) string { return at.Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }
	ms := func(d time.Duration) time.Time { return at.Add(d) }
	dur := 12.5
	status, extra := "", ""
	switch outcome {
	case motoCold:
		extra = "Init Duration: 151.20 ms\t"
	case motoTimeoutLine, motoTimeoutStatus:
		dur = 3000.0
	case motoErrorStatus:
		status = "Status: error"
	}
	if outcome == motoTimeoutStatus {
		status = "Status: timeout"
	}
	lines := []motoLine{
		{ms(0), "START RequestId: " + id + " Version: $LATEST\n"},
		{ms(time.Millisecond), "[INFO]\t" + iso(time.Millisecond) + "\t" + id + "\tprocessing order 42\n"},
	}
	if outcome == motoErrorStatus {
		lines = append(lines, motoLine{ms(2 * time.Millisecond), "[ERROR]\t" + iso(2*time.Millisecond) + "\t" + id + "\tValueError: bad order\n"})
	}
	end := at.Add(time.Duration(dur * float64(time.Millisecond)))
	lines = append(lines,
		motoLine{end, "END RequestId: " + id + "\n"},
		motoLine{end.Add(time.Millisecond), fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\t"+
			"Memory Size: 256 MB\tMax Memory Used: 71 MB\t%s%s\n", id, dur, int(dur)+1, extra, status)})
	if outcome == motoTimeoutLine {
		lines = append(lines, motoLine{end.Add(2 * time.Millisecond),
			end.UTC().Format("2006-01-02T15:04:05.000Z") + " " + id + " Task timed out after 3.00 seconds\n"})
	}
	return lines
}

// motoBatch is what one put wrote: request id -> expected outcome and
// function.
type motoBatch map[string]motoWant

type motoWant struct {
	function string
	outcome  string
}

// invoke writes invocations of outcomes, one after the other, to one new
// stream of function's group (/aws/lambda/<function> unless group is set),
// the first starting at at.
func (m *motoEnv) invoke(want motoBatch, group, function string, env int, at time.Time, outcomes ...string) {
	m.t.Helper()
	if group == "" {
		group = DefaultPrefix + function
	}
	var lines []motoLine
	for _, o := range outcomes {
		id := m.id()
		inv := motoInvocation(id, at, o)
		lines = append(lines, inv...)
		want[id] = motoWant{function, o}
		at = inv[len(inv)-1].at.Add(5 * time.Millisecond) // one at a time per environment
	}
	m.put(group, motoStream(at, env), lines)
}

// createRole creates an IAM role for functions. The SDK's IAM client is
// not a dependency of fntop, so the query API call is signed by hand.
func (m *motoEnv) createRole(name string) (string, error) {
	ctx := motoCtx(m.t)
	body := url.Values{
		"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.moto.URL+"/", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := m.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", motoRegion, time.Now()); err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("CreateRole: HTTP %d: %s", resp.StatusCode, b)
	}
	arn := regexp.MustCompile(`<Arn>([^<]+)</Arn>`).FindSubmatch(b)
	if arn == nil {
		return "", fmt.Errorf("CreateRole: no Arn in %s", b)
	}
	return string(arn[1]), nil
}

// createFunction creates a Python function with a tiny zip.
func (m *motoEnv) createFunction(role, name string, memMB int32, arch lambdatypes.Architecture) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("index.py")
	if err == nil {
		_, err = io.WriteString(w, "def handler(event, context):\n    return 'ok'\n")
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return err
	}
	_, err = m.lam.CreateFunction(motoCtx(m.t), &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          aws.String(role),
		Runtime:       lambdatypes.RuntimePython312,
		Handler:       aws.String("index.handler"),
		Code:          &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
		MemorySize:    aws.Int32(memMB),
		Timeout:       aws.Int32(3),
		Architectures: []lambdatypes.Architecture{arch},
	})
	return err
}

// motoOutcome is what the sink received for one request id.
type motoOutcome struct {
	reports  int // KindInvocation events
	function string
	source   string
	err      model.ErrorKind // after amendments
	cold     bool
}

func motoOutcomes(evs []model.Event) map[string]*motoOutcome {
	out := map[string]*motoOutcome{}
	get := func(id string) *motoOutcome {
		o := out[id]
		if o == nil {
			o = &motoOutcome{}
			out[id] = o
		}
		return o
	}
	for _, e := range evs {
		switch e.Kind {
		case model.KindInvocation:
			o := get(e.Invocation.RequestID)
			o.reports++
			o.function, o.source = e.Function, e.Source
			o.err = e.Invocation.Error
			o.cold = e.Invocation.Cold()
		case model.KindAmend:
			get(e.Amend.RequestID).err = e.Amend.Error
		}
	}
	return out
}

// motoCheckOutcomes asserts that every request of want was reported exactly
// once, by its function, classified as its outcome says, and that no
// other request was reported.
func motoCheckOutcomes(t *testing.T, want motoBatch, got map[string]*motoOutcome) {
	t.Helper()
	for id, w := range want {
		o := got[id]
		if o == nil {
			t.Errorf("%s (%s, %s): never reported", id, w.function, w.outcome)
			continue
		}
		if o.reports != 1 {
			t.Errorf("%s (%s, %s): reported %d times, want once", id, w.function, w.outcome, o.reports)
		}
		if o.function != w.function || o.source != motoSource {
			t.Errorf("%s: function %q from %q, want %q from %q", id, o.function, o.source, w.function, motoSource)
		}
		var kind model.ErrorKind
		switch w.outcome {
		case motoTimeoutLine, motoTimeoutStatus:
			kind = model.ErrTimeout
		case motoErrorStatus:
			kind = model.ErrFunction
		}
		if o.err != kind {
			t.Errorf("%s (%s): classified %s, want %s", id, w.outcome, o.err, kind)
		}
		if o.cold != (w.outcome == motoCold) {
			t.Errorf("%s (%s): cold start %v", id, w.outcome, o.cold)
		}
	}
	for id, o := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: reported (function %q) but not written in the polled window", id, o.function)
		}
	}
}

// motoUntil polls cond every 20 ms until it holds or d passes.
func motoUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// motoSeenAll reports whether the sink has an invocation of every id of want.
func motoSeenAll(sink *recSink, want motoBatch) func() bool {
	return func() bool {
		got := motoOutcomes(sink.events(model.KindInvocation))
		for id := range want {
			if got[id] == nil {
				return false
			}
		}
		return true
	}
}

// motoStatuses returns the place's status events.
func motoStatuses(sink *recSink) []model.SourceStatus {
	var out []model.SourceStatus
	for _, e := range sink.events(model.KindStatus) {
		if e.Source == motoSource {
			out = append(out, e.Status)
		}
	}
	return out
}

// TestMotoRunPollsEveryInvocationOnce runs the source against moto while
// Lambda logs are written: every REPORT once, timeouts and errors
// classified, function names from group names, a group created while
// running discovered and polled, history before the start left alone
// (without Backfill), the function inventory read, status ok.
func TestMotoRunPollsEveryInvocationOnce(t *testing.T) {
	m := startMoto(t)
	m.createGroups("/aws/lambda/orders", "/aws/lambda/payments", "/custom/shared")

	// The inventory: moto's CreateFunction wants a role that exists.
	inventory := true
	role, err := m.createRole("fntop-e2e")
	if err == nil {
		err = errors.Join(
			m.createFunction(role, "orders", 256, lambdatypes.ArchitectureArm64),
			m.createFunction(role, "payments", 512, lambdatypes.ArchitectureX8664))
	}
	if err != nil {
		inventory = false
		t.Logf("no function inventory in moto, its checks are skipped: %v", err)
	}

	// Before the start: the backfill's, which is off.
	before := motoBatch{}
	m.invoke(before, "", "orders", 1, time.Now().Add(-time.Minute), motoOK, motoOK)

	leakOpts := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("internal/poll.runtime_pollWait")}
	sink := &recSink{}
	src := New(m.options())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, sink) }()

	// The place's first status follows its start time: what is written
	// from now on is the poller's.
	if !motoUntil(10*time.Second, func() bool { return len(motoStatuses(sink)) > 0 }) {
		cancel()
		t.Fatalf("no status from %s; events: %+v", motoSource, sink.events(model.KindStatus))
	}
	time.Sleep(5 * time.Millisecond)

	want := motoBatch{}
	now := time.Now()
	m.invoke(want, "", "orders", 2, now, motoCold, motoOK, motoTimeoutLine, motoOK)
	m.invoke(want, "", "payments", 3, now, motoOK, motoErrorStatus, motoTimeoutStatus)
	// Outside the prefix: never listed, never polled.
	m.invoke(motoBatch{}, "/custom/shared", "shared", 4, now, motoOK)
	if !motoUntil(10*time.Second, motoSeenAll(sink, want)) {
		t.Errorf("first batch not all reported within 10s")
	}

	// While running: more events in a known group, a new group.
	m.createGroups("/aws/lambda/late")
	if inventory {
		if err := m.createFunction(role, "late", 128, lambdatypes.ArchitectureX8664); err != nil {
			t.Errorf("CreateFunction late: %v", err)
		}
	}
	now = time.Now()
	m.invoke(want, "", "orders", 5, now, motoCold, motoOK)
	m.invoke(want, "", "late", 6, now, motoCold, motoErrorStatus, motoOK)
	if !motoUntil(10*time.Second, motoSeenAll(sink, want)) {
		t.Errorf("second batch (new group /aws/lambda/late) not all reported within 10s")
	}
	okStatus := func() bool {
		st := motoStatuses(sink)
		last := st[len(st)-1]
		return last.State == model.StateOK && strings.Contains(last.Detail, motoAccount+" · 3 log groups")
	}
	if !motoUntil(3*time.Second, okStatus) {
		st := motoStatuses(sink)
		t.Errorf("last status %+v, want ok with %q", st[len(st)-1], motoAccount+" · 3 log groups")
	}
	time.Sleep(500 * time.Millisecond) // later polls must add nothing
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of cancel")
	}
	goleak.VerifyNone(t, leakOpts...)

	got := motoOutcomes(sink.events(0))
	motoCheckOutcomes(t, want, got)
	t.Logf("%d invocations written while running, %d reported; %d statuses", len(want), len(got), len(motoStatuses(sink)))

	for _, st := range motoStatuses(sink) {
		if st.LastError != "" || st.State == model.StateFailing {
			t.Errorf("status %s: %s (%s)", st.State, st.LastError, st.Detail)
		}
	}

	// Log lines are attributed to their request.
	var app, timeout int
	for _, e := range sink.events(model.KindLog) {
		if e.Function == "shared" || strings.Contains(e.Function, "custom") {
			t.Errorf("log line of a group outside the prefix: %+v", e)
		}
		if _, ok := want[e.Log.RequestID]; !ok {
			t.Errorf("log line without a written request: %+v", e.Log)
			continue
		}
		switch e.Log.Kind {
		case model.LineApp:
			app++
		case model.LineFailure:
			timeout++
		}
	}
	if app != len(want)+2 || timeout != 1 {
		t.Errorf("%d application lines and %d failure lines, want %d and 1", app, timeout, len(want)+2)
	}

	if !inventory {
		return
	}
	metas := map[string]model.FunctionMeta{}
	for _, e := range sink.events(model.KindMeta) {
		if e.Meta.Runtime != "" { // the inventory's; REPORT lines give memory only
			metas[e.Function] = e.Meta
		}
	}
	for fn, w := range map[string]model.FunctionMeta{
		"orders":   {Region: motoRegion, Account: motoAccount, Arch: model.ArchARM, Runtime: "python3.12", MemorySizeMB: 256, TimeoutMs: 3000},
		"payments": {Region: motoRegion, Account: motoAccount, Arch: model.ArchX86, Runtime: "python3.12", MemorySizeMB: 512, TimeoutMs: 3000},
		"late":     {Region: motoRegion, Account: motoAccount, Arch: model.ArchX86, Runtime: "python3.12", MemorySizeMB: 128, TimeoutMs: 3000},
	} {
		if metas[fn] != w {
			t.Errorf("inventory of %s: %+v, want %+v", fn, metas[fn], w)
		}
	}
}

// TestMotoBackfill fills 15 minutes of history. moto ignores the filter
// and stats of Logs Insights queries (its rows hold only @ptr): the test
// checks the figures when the source gets them right (by falling back to
// FilterLogEvents) and skips, saying what it got, when it does not.
func TestMotoBackfill(t *testing.T) {
	m := startMoto(t)
	m.createGroups("/aws/lambda/orders", "/aws/lambda/payments")
	now := time.Now()
	want := motoBatch{}
	m.invoke(want, "", "orders", 1, now.Add(-5*time.Minute), motoCold, motoOK, motoTimeoutStatus)
	m.invoke(want, "", "orders", 2, now.Add(-3*time.Minute), motoCold)
	m.invoke(want, "", "payments", 3, now.Add(-4*time.Minute), motoCold, motoErrorStatus)
	// Outside the window.
	m.invoke(motoBatch{}, "", "orders", 4, now.Add(-20*time.Minute), motoOK)

	sink := &recSink{}
	opts := m.options()
	opts.Backfill = 15 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := New(opts).Backfill(ctx, sink); err != nil {
		t.Fatalf("Backfill: %v", err)
	}
	st := motoStatuses(sink)
	if len(st) == 0 || st[len(st)-1].State != model.StateOK {
		t.Errorf("statuses %+v, want the last ok", st)
	}
	last := st[len(st)-1]

	invs := sink.events(model.KindInvocation)
	var agg model.Aggregate
	for _, e := range sink.events(model.KindAggregate) {
		agg.Invocations += e.Aggregate.Invocations
		agg.Errors += e.Aggregate.Errors
		agg.Timeouts += e.Aggregate.Timeouts
		agg.ColdStarts += e.Aggregate.ColdStarts
	}
	switch {
	case len(invs) > 0:
		// The FilterLogEvents fallback: every invocation once.
		if agg.Invocations != 0 {
			t.Errorf("both invocations and aggregates (%d invocations): counted twice", agg.Invocations)
		}
		motoCheckOutcomes(t, want, motoOutcomes(sink.events(0)))
	case agg.Invocations == int64(len(want)) && agg.Timeouts == 1 && agg.Errors == 2 && agg.ColdStarts == 3:
		// Right figures from Insights: not from moto as it is today.
	default:
		t.Errorf("moto ignores filter/stats in Logs Insights queries and the source did not notice: "+
			"Backfill returned nil and reported %q (%s) but emitted %d invocations and aggregates of "+
			"%d invocations, %d errors, %d timeouts, %d cold starts; want %d invocations, 2 errors, "+
			"1 timeout, 3 cold starts (from FilterLogEvents when Insights rows lack @log and bin(1m))",
			last.State, last.Detail, len(invs), agg.Invocations, agg.Errors, agg.Timeouts, agg.ColdStarts, len(want))
	}
}

// TestMotoCredentials starts the source with credentials moto refuses
// (moto checks them only with INITIAL_NO_AUTH_ACTION_COUNT set) and with
// none at all: the headless path returns an error, the live path reports
// failing and keeps retrying until it is stopped.
func TestMotoCredentials(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		m := startMoto(t, "INITIAL_NO_AUTH_ACTION_COUNT=0")

		// The live path retries, reporting failing, until stopped.
		sink := &recSink{}
		rctx, rcancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer rcancel()
		if err := New(m.options()).Run(rctx, sink); err != nil {
			t.Errorf("Run returned %v when stopped, want nil", err)
		}
		// Each attempt reports starting, each failure failing with the
		// error.
		st := motoStatuses(sink)
		failing := 0
		for _, s := range st {
			if s.State == model.StateFailing {
				failing++
				if s.LastError == "" {
					t.Errorf("failing status without the error: %+v", s)
				}
			}
		}
		if failing == 0 {
			t.Errorf("Run statuses %+v, want failing with the error", st)
		} else {
			t.Logf("Run: %d failing statuses: %s", failing, st[len(st)-1].LastError)
		}
		if n := len(sink.events(model.KindInvocation)); n != 0 {
			t.Errorf("%d invocations with refused credentials", n)
		}

		// The headless path returns the error at once.
		sink = &recSink{}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		err := New(m.options()).Backfill(ctx, sink)
		if err == nil {
			t.Fatal("Backfill with refused credentials: no error")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Backfill took %s to fail", d)
		}
		t.Logf("Backfill: %v", err)
		var ce *CredentialError
		if !errors.As(err, &ce) && !strings.Contains(err.Error(), "StatusCode: 403") {
			// moto answers JSON-protocol calls with an XML error body
			// (InvalidClientTokenId): the SDK cannot read its code, so the
			// source sees a bare HTTP 403 where AWS would send
			// UnrecognizedClientException.
			t.Errorf("Backfill: %v, want a CredentialError or HTTP 403", err)
		}
		st = motoStatuses(sink)
		if len(st) == 0 || st[len(st)-1].State != model.StateFailing {
			t.Fatalf("Backfill statuses %+v, want the last failing", st)
		}
		if st[len(st)-1].LastError == "" {
			t.Errorf("Backfill's failing status has no LastError: %+v", st[len(st)-1])
		}
	})

	t.Run("none", func(t *testing.T) {
		awstest.Env(t, motoRegion)
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		sink := &recSink{}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// No request is made: the endpoint is never dialled.
		err := New(Options{Regions: []string{motoRegion}, Endpoint: "http://127.0.0.1:9"}).Run(ctx, sink)
		var ce *CredentialError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "none were found") {
			t.Fatalf("Run without credentials: %v, want a CredentialError saying none were found", err)
		}
		st := sink.events(model.KindStatus)
		if len(st) != 1 || st[0].Source != "aws" || st[0].Status.State != model.StateFailing || st[0].Status.LastError != err.Error() {
			t.Errorf("statuses %+v, want one failing status of source aws with the error", st)
		}
	})
}
