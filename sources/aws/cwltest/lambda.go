package cwltest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fntop/fntop/model"
)

// Defaults of a Function, which are Lambda's own defaults for a new
// function (the runtime is the console's).
const (
	DefaultRuntime    = "nodejs22.x"
	DefaultMemoryMB   = 128
	DefaultTimeoutSec = 3
	DefaultHandler    = "index.handler"
)

// Function is a Lambda function as ListFunctions describes it. Zero
// fields take the defaults above, x86_64, package type Zip, log format
// Text and log group LambdaGroupPrefix + Name.
type Function struct {
	Name       string
	Runtime    string
	MemoryMB   int
	TimeoutSec int
	Arch       model.Arch
	Handler    string
	// PackageType is "Zip" or "Image" (an image has no runtime or handler).
	PackageType string
	// LogFormat is "Text" or "JSON"; LogGroup is where the function logs
	// (LoggingConfig.LogGroup).
	LogFormat string
	LogGroup  string
	// LastModified defaults to when the function was set (for functions
	// derived from log groups, the group's creation).
	LastModified time.Time
}

// ErrTooManyRequests is Lambda's throttling answer. FailNext with any of
// the CloudWatch Logs errors works for Lambda operations too: they are
// answered the way Lambda would (see the package documentation).
var ErrTooManyRequests = APIError{http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"}

// lambdaFunctions is the server's Lambda state, guarded by Server.mu. The
// zero value is ready to use.
type lambdaFunctions struct {
	set     map[string]Function // set explicitly, by name
	deleted map[string]bool     // names never derived from a log group
}

// SetFunction creates or replaces functions. A function set explicitly
// takes the place of the one derived from its log group.
func (s *Server) SetFunction(fns ...Function) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lam.set == nil {
		s.lam.set = map[string]Function{}
	}
	for _, f := range fns {
		if f.LastModified.IsZero() {
			f.LastModified = s.now()
		}
		s.lam.set[f.Name] = f
		delete(s.lam.deleted, f.Name)
	}
}

// DeleteFunction removes a function, set or derived; its log group, if
// any, stays, as in AWS. It reports whether the function existed.
func (s *Server) DeleteFunction(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.functionsLocked()[name]
	delete(s.lam.set, name)
	if s.lam.deleted == nil {
		s.lam.deleted = map[string]bool{}
	}
	s.lam.deleted[name] = true
	return ok
}

// Functions lists the functions by name, defaults filled in: those set
// with SetFunction, and one for every log group LambdaGroupPrefix + name
// whose function was neither set nor deleted (x86_64, DefaultMemoryMB,
// DefaultTimeoutSec, DefaultRuntime).
func (s *Server) Functions() []Function {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.functionsLocked()
	out := make([]Function, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Server) functionsLocked() map[string]Function {
	m := make(map[string]Function, len(s.groups)+len(s.lam.set))
	for name, g := range s.groups {
		fn, ok := strings.CutPrefix(name, LambdaGroupPrefix)
		if !ok || fn == "" || strings.Contains(fn, "/") || s.lam.deleted[fn] {
			continue
		}
		m[fn] = Function{Name: fn, LastModified: g.Created}.withDefaults()
	}
	for name, f := range s.lam.set {
		m[name] = f.withDefaults()
	}
	return m
}

func (f Function) withDefaults() Function {
	if f.PackageType == "" {
		f.PackageType = "Zip"
	}
	if f.PackageType == "Zip" {
		if f.Runtime == "" {
			f.Runtime = DefaultRuntime
		}
		if f.Handler == "" {
			f.Handler = DefaultHandler
		}
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	if f.TimeoutSec <= 0 {
		f.TimeoutSec = DefaultTimeoutSec
	}
	if f.Arch == model.ArchUnknown {
		f.Arch = model.ArchX86
	}
	if f.LogFormat == "" {
		f.LogFormat = "Text"
	}
	if f.LogGroup == "" {
		f.LogGroup = LambdaGroupPrefix + f.Name
	}
	return f
}

// FunctionARN returns the ARN of a function name.
func (s *Server) FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.region, s.opts.account, name)
}

// ---- HTTP (REST-JSON) ----

// lambdaPathPrefix starts the path of every Lambda request: the API
// version.
const lambdaPathPrefix = "/2015-03-31/"

// lambdaHandlers are the Lambda operations, by name.
var lambdaHandlers = map[string]handler{
	"ListFunctions": (*Server).listFunctions,
}

// lambdaOp names the Lambda operation of r ("" when unknown) and reports
// whether r is a Lambda request at all. Lambda speaks REST-JSON: the
// method and the path name the operation.
func lambdaOp(r *http.Request) (op string, isLambda bool) {
	if !strings.HasPrefix(r.URL.Path, lambdaPathPrefix) {
		return "", false
	}
	p := strings.TrimPrefix(r.URL.Path, lambdaPathPrefix)
	if r.Method == http.MethodGet && (p == "functions/" || p == "functions") {
		return "ListFunctions", true
	}
	return "", true
}

// lambdaFault turns an injected or handler error into Lambda's form:
// throttling is HTTP 429 TooManyRequestsException, a refusal 403
// AccessDeniedException naming the lambda: action, a server fault
// ServiceException. Lambda's own errors pass unchanged.
func (s *Server) lambdaFault(op string, e *APIError) *APIError {
	out := *e
	switch e.Code {
	case "ThrottlingException", "LimitExceededException":
		out = ErrTooManyRequests
	case "AccessDeniedException":
		out.Status = http.StatusForbidden
		out.Message = fmt.Sprintf("User: arn:aws:iam::%s:user/fntop-test is not authorized to perform: "+
			"lambda:%s on resource: * because no identity-based policy allows the lambda:%s action",
			s.opts.account, op, op)
	case "InvalidParameterException":
		out.Code = "InvalidParameterValueException"
	case "UnknownOperationException":
		out.Status = http.StatusNotFound
	default:
		if e.Status >= 500 {
			out.Code = "ServiceException"
		}
	}
	return &out
}

// writeLambdaError answers e as Lambda does: the code in X-Amzn-ErrorType,
// a body {"Type": "User"|"Service", "message": ...} (and the Reason of a
// throttle).
func writeLambdaError(w http.ResponseWriter, e *APIError) {
	body := map[string]string{"Type": "User", "message": e.Message}
	if e.Status >= 500 {
		body["Type"] = "Service"
	}
	if e.Code == "TooManyRequestsException" {
		body["Reason"] = "CallerRateLimitExceeded"
	}
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeLambdaJSON(w, e.Status, body)
}

func writeLambdaJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"Type":"Service","message":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("%08x-1a3b-4e57-8000-%012x", len(b), time.Now().UnixNano()&0xffffffffffff))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func invalidValue(format string, args ...any) *APIError {
	return &APIError{http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf(format, args...)}
}

// ---- ListFunctions ----

// maxListFunctions is the most functions of one ListFunctions page,
// whatever MaxItems asks.
const maxListFunctions = 50

var masterRegion = regexp.MustCompile(`^(ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1})$`)

type functionOut struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	RevisionID       string            `json:"RevisionId"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
	SnapStart        map[string]string `json:"SnapStart"`
	LoggingConfig    map[string]string `json:"LoggingConfig"`
}

func (s *Server) functionOut(f Function) functionOut {
	lc := map[string]string{"LogFormat": f.LogFormat, "LogGroup": f.LogGroup}
	if f.LogFormat == "JSON" {
		lc["ApplicationLogLevel"], lc["SystemLogLevel"] = "INFO", "INFO"
	}
	sum := sha256.Sum256([]byte(f.Name + "\x00" + f.Runtime + "\x00" + f.Handler))
	return functionOut{
		FunctionName: f.Name, FunctionArn: s.FunctionARN(f.Name), Runtime: f.Runtime,
		Role:    fmt.Sprintf("arn:aws:iam::%s:role/service-role/%s-role", s.opts.account, f.Name),
		Handler: f.Handler, CodeSize: 1024 + int64(len(f.Name))*16, Timeout: f.TimeoutSec, MemorySize: f.MemoryMB,
		LastModified: f.LastModified.UTC().Format("2006-01-02T15:04:05.000-0700"),
		CodeSha256:   base64.StdEncoding.EncodeToString(sum[:]),
		Version:      "$LATEST", State: "Active", LastUpdateStatus: "Successful",
		TracingConfig: map[string]string{"Mode": "PassThrough"},
		RevisionID:    fmt.Sprintf("%08x-0000-4000-8000-%012x", len(f.Name), f.LastModified.UnixMilli()),
		PackageType:   f.PackageType, Architectures: []string{string(f.Arch)},
		EphemeralStorage: map[string]int{"Size": 512},
		SnapStart:        map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig:    lc,
	}
}

func (s *Server) listFunctions(w http.ResponseWriter, r *http.Request, _ []byte) (any, *APIError) {
	q := r.URL.Query()
	limit := maxListFunctions
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, invalidValue("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", v)
		}
		limit = min(n, maxListFunctions)
	}
	if v := q.Get("FunctionVersion"); v != "" && v != "ALL" {
		return nil, invalidValue("1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", v)
	}
	region := q.Get("MasterRegion")
	if region != "" && !masterRegion.MatchString(region) {
		return nil, invalidValue("1 validation error detected: Value '%s' at 'masterRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}", region)
	}
	after := ""
	if v := q.Get("Marker"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !strings.HasPrefix(string(b), "f:") {
			return nil, invalidValue("Invalid marker: %s", v)
		}
		after = string(b[2:])
	}

	s.mu.Lock()
	var fns []Function
	if region == "" { // with MasterRegion, only Lambda@Edge replicas, of which there are none
		for _, f := range s.functionsLocked() {
			if after == "" || f.Name > after {
				fns = append(fns, f)
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })

	out := struct {
		Functions  []functionOut `json:"Functions"`
		NextMarker string        `json:"NextMarker,omitempty"`
	}{Functions: []functionOut{}}
	for i, f := range fns {
		if i == limit {
			out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte("f:" + fns[i-1].Name))
			break
		}
		out.Functions = append(out.Functions, s.functionOut(f))
	}
	writeLambdaJSON(w, http.StatusOK, out)
	return nil, nil
}

// ---- client ----

// LambdaClient returns a real Lambda SDK client for srv, set up as Client
// sets up the CloudWatch Logs one: its region, BaseEndpoint srv.URL(),
// static credentials, Retryer(ClientMaxAttempts) and BufferRequestBodies.
// optFns adjust the options further.
func LambdaClient(t testing.TB, srv *Server, optFns ...func(*lambda.Options)) *lambda.Client {
	t.Helper()
	opts := lambda.Options{
		HTTPClient:   BufferRequestBodies(awshttp.NewBuildableClient()),
		Region:       srv.Region(),
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCWLTEST", "cwltest-secret", ""),
		Retryer:      Retryer(ClientMaxAttempts),
	}
	return lambda.New(opts, optFns...)
}

// demoFunctions makes the functions of the demo fleet's configuration
// events (a deploy's event, which names only a version, changes nothing).
func demoFunctions(metas []model.Event) []Function {
	var out []Function
	seen := map[string]bool{}
	for _, e := range metas {
		m := e.Meta
		if seen[e.Function] || m.MemorySizeMB <= 0 {
			continue
		}
		seen[e.Function] = true
		out = append(out, Function{
			Name: e.Function, Runtime: m.Runtime, MemoryMB: m.MemorySizeMB,
			TimeoutSec: int(math.Ceil(m.TimeoutMs / 1000)), Arch: m.Arch,
		})
	}
	return out
}
