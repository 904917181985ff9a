package cwltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of a Server.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
	// DefaultLiveTailInterval is how often a Live Tail session sends a
	// sessionUpdate, as CloudWatch does.
	DefaultLiveTailInterval = time.Second
	// DefaultLiveTailTimeout is when CloudWatch ends a Live Tail session.
	DefaultLiveTailTimeout = 3 * time.Hour
	// DefaultLiveTailMaxEvents is the most events a sessionUpdate carries
	// before CloudWatch samples them.
	DefaultLiveTailMaxEvents = 500
	// DefaultMaxQueries is the account's Logs Insights concurrency quota.
	DefaultMaxQueries = 100
	// pageBytes caps the messages of one FilterLogEvents page (~1 MB).
	pageBytes = 1 << 20
)

// Event is one log event to Put.
type Event struct {
	// Time is the event's timestamp.
	Time time.Time
	// Message is the raw message; Lambda's end in "\n".
	Message string
	// Ingested, when set, is the event's ingestion time: it is invisible
	// to every operation until the server's clock reaches it. Zero means
	// at Put plus the server's ingestion delay (SetIngestionDelay).
	Ingested time.Time
}

// StoredEvent is an event as the server holds it.
type StoredEvent struct {
	Group, Stream string
	// ID is the eventId FilterLogEvents returns.
	ID string
	// Timestamp and IngestionTime are epoch milliseconds.
	Timestamp, IngestionTime int64
	Message                  string

	seq uint64
}

// Group is a log group as the server holds it.
type Group struct {
	Name string
	// ARN is the log group ARN without the trailing ":*".
	ARN     string
	Created time.Time
}

// Request is one call the server received.
type Request struct {
	Op   string
	Time time.Time
	// Status is the HTTP status of the answer, Code the error code ("" on
	// success).
	Status int
	Code   string
	Body   []byte
	// Attempt is the SDK's attempt number for this invocation (from the
	// amz-sdk-request header; 1 when absent): a retry of the same call
	// has 2 or more.
	Attempt int
}

// APIError is an error answer: HTTP status, __type code and message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e APIError) Error() string { return e.Code + ": " + e.Message }

// Errors to inject with FailNext and FailFraction.
var (
	ErrThrottling         = APIError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}
	ErrLimitExceeded      = APIError{http.StatusBadRequest, "LimitExceededException", "Account maximum query concurrency limit of [100] reached."}
	ErrServiceUnavailable = APIError{http.StatusServiceUnavailable, "ServiceUnavailableException", "The service is unavailable. Please try again."}
	ErrInternal           = APIError{http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error."}
)

// Server is a CloudWatch Logs server on 127.0.0.1. Its methods are safe
// for concurrent use.
type Server struct {
	srv  *httptest.Server
	opts options
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	groups  map[string]*group
	log     []*StoredEvent // every event in Put order (Live Tail reads it)
	seq     uint64
	reqs    []Request
	queries map[string]*query
	qseq    int
	faults  faults
	rnd     *rand.Rand
	lam     lambdaFunctions // Lambda's functions (lambda.go)
}

type group struct {
	Group
	events []*StoredEvent // sorted by (timestamp, ingestion, seq)
}

type faults struct {
	next           map[string][]APIError
	frac           map[string]fracFault
	deny           map[string]bool
	delay          map[string]time.Duration
	ingestionDelay time.Duration
	duplicates     bool
	emptyPages     int
}

type fracFault struct {
	p   float64
	err APIError
}

// Option configures a Server.
type Option func(*options)

type options struct {
	region, account   string
	clock             func() time.Time
	pageSize          int
	liveTailInterval  time.Duration
	liveTailTimeout   time.Duration
	liveTailMaxEvents int
	queryPolls        int
	maxQueries        int
	seed              uint64
}

// WithRegion sets the region of the ARNs (default DefaultRegion).
func WithRegion(r string) Option { return func(o *options) { o.region = r } }

// WithAccount sets the account of the ARNs and of @log (default
// DefaultAccount).
func WithAccount(a string) Option { return func(o *options) { o.account = a } }

// WithClock sets the server's clock (default time.Now): it decides when
// late events become visible.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithPageSize caps FilterLogEvents pages at n events whatever the
// request's limit (default: the request's limit only).
func WithPageSize(n int) Option { return func(o *options) { o.pageSize = n } }

// WithLiveTailInterval sets how often sessionUpdate messages are sent
// (default DefaultLiveTailInterval).
func WithLiveTailInterval(d time.Duration) Option {
	return func(o *options) { o.liveTailInterval = d }
}

// WithLiveTailTimeout sets when a Live Tail session ends with a
// SessionTimeoutException (default DefaultLiveTailTimeout).
func WithLiveTailTimeout(d time.Duration) Option {
	return func(o *options) { o.liveTailTimeout = d }
}

// WithLiveTailMaxEvents sets the most events of one sessionUpdate before
// sampling (default DefaultLiveTailMaxEvents).
func WithLiveTailMaxEvents(n int) Option { return func(o *options) { o.liveTailMaxEvents = n } }

// WithQueryPolls sets how many GetQueryResults calls see a query Running
// before it is Complete (default 1; 0 means Complete at once).
func WithQueryPolls(n int) Option { return func(o *options) { o.queryPolls = n } }

// WithMaxQueries sets how many Insights queries may run at once before
// StartQuery fails with LimitExceededException (default DefaultMaxQueries).
func WithMaxQueries(n int) Option { return func(o *options) { o.maxQueries = n } }

// WithSeed seeds the random draws of FailFraction (default 1).
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// New starts a server on 127.0.0.1. Close it when done (Start registers
// that with a test).
func New(opts ...Option) *Server {
	o := options{
		region: DefaultRegion, account: DefaultAccount, clock: time.Now,
		liveTailInterval: DefaultLiveTailInterval, liveTailTimeout: DefaultLiveTailTimeout,
		liveTailMaxEvents: DefaultLiveTailMaxEvents, queryPolls: 1, maxQueries: DefaultMaxQueries,
		seed: 1,
	}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		opts: o, done: make(chan struct{}),
		groups: map[string]*group{}, queries: map[string]*query{},
		rnd: rand.New(rand.NewPCG(o.seed, 0x6377)),
	}
	s.faults.reset()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("cwltest: listen on 127.0.0.1: %v", err))
	}
	s.srv.Listener = l
	s.srv.Start()
	return s
}

// Start starts a server for a test and closes it at the test's end.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, for the SDK's BaseEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close ends every Live Tail session and stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Region and Account are the server's.
func (s *Server) Region() string  { return s.opts.region }
func (s *Server) Account() string { return s.opts.account }

func (s *Server) now() time.Time { return s.opts.clock() }

// ARN returns the ARN of a log group name (without ":*").
func (s *Server) ARN(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.opts.region, s.opts.account, name)
}

// AddGroup creates log groups (existing ones are kept with their events).
func (s *Server) AddGroup(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.groupLocked(n)
	}
}

func (s *Server) groupLocked(name string) *group {
	g := s.groups[name]
	if g == nil {
		g = &group{Group: Group{Name: name, ARN: s.ARN(name), Created: s.now()}}
		s.groups[name] = g
	}
	return g
}

// DeleteGroup removes a log group and its events; it reports whether it
// existed.
func (s *Server) DeleteGroup(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.groups[name]
	delete(s.groups, name)
	return ok
}

// Groups lists the log groups by name.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.Group)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Put stores events in a stream of a group, creating both as needed, and
// returns them as stored.
func (s *Server) Put(groupName, stream string, events ...Event) []StoredEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupLocked(groupName)
	now := s.now()
	out := make([]StoredEvent, 0, len(events))
	for _, e := range events {
		s.seq++
		ing := e.Ingested
		if ing.IsZero() {
			ing = now.Add(s.faults.ingestionDelay)
		}
		ts := e.Time.UnixMilli()
		se := &StoredEvent{
			Group: groupName, Stream: stream,
			ID:        fmt.Sprintf("%020d%016d", ts, s.seq),
			Timestamp: ts, IngestionTime: ing.UnixMilli(), Message: e.Message, seq: s.seq,
		}
		g.events = append(g.events, se)
		s.log = append(s.log, se)
		out = append(out, *se)
	}
	sort.SliceStable(g.events, func(i, j int) bool { return less(g.events[i], g.events[j]) })
	return out
}

func less(a, b *StoredEvent) bool {
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	if a.IngestionTime != b.IngestionTime {
		return a.IngestionTime < b.IngestionTime
	}
	return a.seq < b.seq
}

// Events returns the events of a group in FilterLogEvents order, visible
// or not.
func (s *Server) Events(groupName string) []StoredEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupName]
	if g == nil {
		return nil
	}
	out := make([]StoredEvent, len(g.events))
	for i, e := range g.events {
		out[i] = *e
	}
	return out
}

// ---- faults ----

func (f *faults) reset() {
	*f = faults{next: map[string][]APIError{}, frac: map[string]fracFault{},
		deny: map[string]bool{}, delay: map[string]time.Duration{}}
}

// FailNext makes the next n calls of op ("" for any operation) fail with
// e. Calls queue up behind earlier FailNext calls.
func (s *Server) FailNext(op string, n int, e APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next[op] = append(s.faults.next[op], e)
	}
}

// Throttle makes the next n calls of op ("" for any) fail with a
// ThrottlingException: a throttling burst.
func (s *Server) Throttle(op string, n int) { s.FailNext(op, n, ErrThrottling) }

// FailFraction makes a share p (0 to 1) of the calls of op ("" for any)
// fail with e; p = 0 stops it.
func (s *Server) FailFraction(op string, p float64, e APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p <= 0 {
		delete(s.faults.frac, op)
		return
	}
	s.faults.frac[op] = fracFault{p, e}
}

// Deny answers calls of op with AccessDeniedException while denied.
func (s *Server) Deny(op string, denied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.deny[op] = denied
}

// SetDelay delays the answers to op ("" for any) by d.
func (s *Server) SetDelay(op string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.delay[op] = d
}

// SetIngestionDelay makes events put from now on visible only d after
// their Put, their timestamps unchanged: late events.
func (s *Server) SetIngestionDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.ingestionDelay = d
}

// SetDuplicates makes every FilterLogEvents page after the first start
// with the last event of the previous page.
func (s *Server) SetDuplicates(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.duplicates = on
}

// SetEmptyPages makes FilterLogEvents answer n empty pages with a
// nextToken before every page with events.
func (s *Server) SetEmptyPages(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.emptyPages = max(n, 0)
}

// ResetFaults clears every fault.
func (s *Server) ResetFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.reset()
}

// fault returns the injected error for a call of op, if any, and the
// delay to apply.
func (s *Server) faultLocked(op string) (*APIError, time.Duration) {
	d := s.faults.delay[op] + s.faults.delay[""]
	if s.faults.deny[op] {
		return &APIError{http.StatusBadRequest, "AccessDeniedException", fmt.Sprintf(
			"User: arn:aws:iam::%s:user/fntop-test is not authorized to perform: logs:%s", s.opts.account, op)}, d
	}
	for _, k := range []string{op, ""} {
		if q := s.faults.next[k]; len(q) > 0 {
			e := q[0]
			s.faults.next[k] = q[1:]
			return &e, d
		}
	}
	for _, k := range []string{op, ""} {
		if f, ok := s.faults.frac[k]; ok && s.rnd.Float64() < f.p {
			e := f.err
			return &e, d
		}
	}
	return nil, d
}

// ---- accounting ----

// Calls counts the calls of op ("" for all) received so far, failed ones
// included.
func (s *Server) Calls(op string) int {
	return s.count(op, false)
}

// Invocations counts the calls of op ("" for all) that were first
// attempts: what the client asked for, without the SDK's retries. Tests of
// pagination count these, since a retry of a page (after a transport
// error on a kept-alive connection, a known race between the SDK and
// net/http: aws/aws-sdk-go-v2#1825) is not another page.
func (s *Server) Invocations(op string) int {
	return s.count(op, true)
}

func (s *Server) count(op string, firstOnly bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if (op == "" || r.Op == op) && (!firstOnly || r.Attempt <= 1) {
			n++
		}
	}
	return n
}

// attempt reads the SDK's attempt number from "amz-sdk-request:
// attempt=N; max=M" (1 when absent or unreadable).
func attempt(r *http.Request) int {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 1
}

// CallsPerSecond counts the calls of op ("" for all) in each second
// (wall-clock seconds of the server's clock, truncated).
func (s *Server) CallsPerSecond(op string) map[time.Time]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[time.Time]int{}
	for _, r := range s.reqs {
		if op == "" || r.Op == op {
			m[r.Time.Truncate(time.Second)]++
		}
	}
	return m
}

// MaxCallsPerSecond is the most calls of op ("" for all) within one
// second window.
func (s *Server) MaxCallsPerSecond(op string) int {
	n := 0
	for _, c := range s.CallsPerSecond(op) {
		n = max(n, c)
	}
	return n
}

// Requests returns the log of calls, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// ResetCalls clears the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// ---- HTTP ----

const targetPrefix = "Logs_20140328."

type handler func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) (any, *APIError)

var handlers = map[string]handler{
	"DescribeLogGroups": (*Server).describeLogGroups,
	"FilterLogEvents":   (*Server).filterLogEvents,
	"GetLogEvents":      (*Server).getLogEvents,
	"StartQuery":        (*Server).startQuery,
	"GetQueryResults":   (*Server).getQueryResults,
	"StopQuery":         (*Server).stopQuery,
	"StartLiveTail":     (*Server).startLiveTail,
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	hs := handlers
	lop, isLambda := lambdaOp(r) // Lambda (REST-JSON) shares the URL, faults and accounting
	if isLambda {
		target, op, ok, hs = r.Method+" "+r.URL.Path, lop, lop != "", lambdaHandlers
	}
	s.mu.Lock()
	idx := len(s.reqs)
	s.reqs = append(s.reqs, Request{Op: op, Time: s.now(), Status: http.StatusOK, Body: body, Attempt: attempt(r)})
	var fault *APIError
	var delay time.Duration
	if ok {
		fault, delay = s.faultLocked(op)
	}
	s.mu.Unlock()

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		case <-s.done:
		}
	}
	h := hs[op]
	switch {
	case (!isLambda && r.Method != http.MethodPost) || !ok || h == nil:
		fault = &APIError{http.StatusBadRequest, "UnknownOperationException", "Unknown operation " + target}
	case fault == nil:
		var out any
		out, fault = h(s, w, r, body)
		if fault == nil {
			if out != nil { // nil: the handler answered itself (event stream)
				writeJSON(w, http.StatusOK, out)
			}
			return
		}
	}
	if strings.Contains(fault.Message, EchoHeaders) {
		f := *fault
		f.Message = strings.ReplaceAll(f.Message, EchoHeaders, echoHeaders(r))
		fault = &f
	}
	if isLambda {
		fault = s.lambdaFault(op, fault)
	}
	s.mu.Lock()
	s.reqs[idx].Status, s.reqs[idx].Code = fault.Status, fault.Code
	s.mu.Unlock()
	if isLambda {
		writeLambdaError(w, fault)
		return
	}
	w.Header().Set("X-Amzn-ErrorType", fault.Code)
	writeJSON(w, fault.Status, map[string]string{"__type": fault.Code, "message": fault.Message})
}

// EchoHeaders, in the message of an injected error, is replaced with the
// request's headers (Authorization, X-Amz-Security-Token, ...), as a
// debugging endpoint or a careless proxy echoes them: tests check that no
// credential reaches the user.
const EchoHeaders = "{request-headers}"

func echoHeaders(r *http.Request) string {
	var b strings.Builder
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalFailure","message":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("%08x-cw1t-4e57-8000-%012x", len(b), time.Now().UnixNano()&0xffffffffffff))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func decode(body []byte, v any) *APIError {
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		return invalid("could not parse the request: %v", err)
	}
	return nil
}

func invalid(format string, args ...any) *APIError {
	return &APIError{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...)}
}

func notFound(name string) *APIError {
	return &APIError{http.StatusBadRequest, "ResourceNotFoundException",
		"The specified log group does not exist: " + name}
}

// groupByIdentifierLocked resolves a log group name or ARN (with or
// without ":*").
func (s *Server) groupByIdentifierLocked(id string) *group {
	name := id
	if strings.HasPrefix(id, "arn:") {
		_, after, ok := strings.Cut(id, ":log-group:")
		if !ok {
			return nil
		}
		name = strings.TrimSuffix(after, ":*")
	}
	return s.groups[name]
}

func (s *Server) visible(e *StoredEvent, nowMs int64) bool { return e.IngestionTime <= nowMs }
