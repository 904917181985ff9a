package cwltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/fntop/fntop/model"
)

// listAll pages through ListFunctions with maxItems (nil: the default).
func listAll(t *testing.T, c *lambda.Client, maxItems *int32) []types.FunctionConfiguration {
	t.Helper()
	var out []types.FunctionConfiguration
	var marker *string
	for range 1000 {
		page, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{Marker: marker, MaxItems: maxItems})
		mustNil(t, err)
		out = append(out, page.Functions...)
		if aws.ToString(page.NextMarker) == "" {
			return out
		}
		marker = page.NextMarker
	}
	t.Fatal("ListFunctions never ended")
	return nil
}

func TestListFunctionsPages(t *testing.T) {
	srv := Start(t)
	for i := range 120 {
		srv.SetFunction(Function{Name: fmt.Sprintf("fn-%03d", i)})
	}
	c := LambdaClient(t, srv)

	for _, tc := range []struct {
		maxItems *int32
		pages    int
	}{{aws.Int32(50), 3}, {nil, 3}, {aws.Int32(1000), 3}, {aws.Int32(7), 18}} {
		srv.ResetCalls()
		fns := listAll(t, c, tc.maxItems)
		if n := srv.Invocations("ListFunctions"); n != tc.pages {
			t.Errorf("MaxItems %v: %d pages, want %d", aws.ToInt32(tc.maxItems), n, tc.pages)
		}
		if len(fns) != 120 {
			t.Fatalf("MaxItems %v: %d functions, want 120", aws.ToInt32(tc.maxItems), len(fns))
		}
		for i, f := range fns {
			if want := fmt.Sprintf("fn-%03d", i); aws.ToString(f.FunctionName) != want {
				t.Fatalf("MaxItems %v: function %d is %s, want %s", aws.ToInt32(tc.maxItems), i, aws.ToString(f.FunctionName), want)
			}
		}
	}

	// The SDK's paginator agrees.
	srv.ResetCalls()
	p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		mustNil(t, err)
		n += len(page.Functions)
	}
	if n != 120 || srv.Invocations("ListFunctions") != 3 {
		t.Errorf("paginator: %d functions in %d calls", n, srv.Invocations("ListFunctions"))
	}
}

func TestListFunctionsFields(t *testing.T) {
	srv := Start(t, WithRegion("eu-west-1"), WithAccount("210987654321"))
	mod := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	srv.SetFunction(
		Function{Name: "api", Runtime: "python3.13", MemoryMB: 1769, TimeoutSec: 29, Arch: model.ArchARM,
			Handler: "app.handler", LogFormat: "JSON", LogGroup: "/shared/api", LastModified: mod},
		Function{Name: "img", PackageType: "Image", MemoryMB: 3008, TimeoutSec: 900},
	)
	fns := listAll(t, LambdaClient(t, srv), nil)
	if len(fns) != 2 {
		t.Fatalf("%d functions", len(fns))
	}
	api, img := fns[0], fns[1]
	got := fmt.Sprintf("%s %s %s %d %d %v %s %s %s %s %s %s %s %s",
		aws.ToString(api.FunctionName), aws.ToString(api.FunctionArn), api.Runtime, aws.ToInt32(api.MemorySize),
		aws.ToInt32(api.Timeout), api.Architectures, aws.ToString(api.LastModified), aws.ToString(api.Handler),
		api.PackageType, api.LoggingConfig.LogFormat, aws.ToString(api.LoggingConfig.LogGroup),
		api.LoggingConfig.ApplicationLogLevel, aws.ToString(api.Version), api.State)
	want := "api arn:aws:lambda:eu-west-1:210987654321:function:api python3.13 1769 29 [arm64] " +
		"2026-03-04T05:06:07.890+0000 app.handler Zip JSON /shared/api INFO $LATEST Active"
	if got != want {
		t.Errorf("api:\n got %s\nwant %s", got, want)
	}
	got = fmt.Sprintf("%q %q %s %d %d %v %s %s", img.Runtime, aws.ToString(img.Handler), img.PackageType,
		aws.ToInt32(img.MemorySize), aws.ToInt32(img.Timeout), img.Architectures,
		img.LoggingConfig.LogFormat, aws.ToString(img.LoggingConfig.LogGroup))
	if want := `"" "" Image 3008 900 [x86_64] Text /aws/lambda/img`; got != want {
		t.Errorf("img:\n got %s\nwant %s", got, want)
	}
	if api.EphemeralStorage == nil || aws.ToInt32(api.EphemeralStorage.Size) != 512 || aws.ToString(api.CodeSha256) == "" {
		t.Errorf("other fields: %+v", api)
	}
}

func TestListFunctionsFromGroups(t *testing.T) {
	srv := Start(t)
	srv.AddGroup("/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/", "/custom/c", "/aws/lambda/x/y")
	srv.SetFunction(Function{Name: "b", MemoryMB: 2048, Arch: model.ArchARM}, Function{Name: "z"})
	c := LambdaClient(t, srv)

	describe := func(fs []types.FunctionConfiguration) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s:%s:%d:%d:%v ", aws.ToString(f.FunctionName), f.Runtime,
				aws.ToInt32(f.MemorySize), aws.ToInt32(f.Timeout), f.Architectures)
		}
		return b.String()
	}
	want := "a:nodejs22.x:128:3:[x86_64] b:nodejs22.x:2048:3:[arm64] z:nodejs22.x:128:3:[x86_64] "
	if got := describe(listAll(t, c, nil)); got != want {
		t.Errorf("functions\n got %s\nwant %s", got, want)
	}

	// Deleting a function keeps its log group; deleting a group loses
	// its derived function only.
	if !srv.DeleteFunction("a") || srv.DeleteFunction("nope") {
		t.Error("DeleteFunction reports")
	}
	srv.DeleteGroup("/aws/lambda/b")
	srv.AddGroup("/aws/lambda/d")
	want = "b:nodejs22.x:2048:3:[arm64] d:nodejs22.x:128:3:[x86_64] z:nodejs22.x:128:3:[x86_64] "
	if got := describe(listAll(t, c, nil)); got != want {
		t.Errorf("after deletes\n got %s\nwant %s", got, want)
	}
	if len(srv.Groups()) != 5 || len(srv.Functions()) != 3 {
		t.Errorf("groups %v functions %v", srv.Groups(), srv.Functions())
	}

	// CloudWatch Logs is served on the same URL all along.
	out, err := Client(t, srv).DescribeLogGroups(context.Background(), &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	if len(out.LogGroups) != 5 {
		t.Errorf("DescribeLogGroups: %d groups", len(out.LogGroups))
	}
}

func TestListFunctionsFaults(t *testing.T) {
	srv := Start(t)
	srv.SetFunction(Function{Name: "a"})
	c := LambdaClient(t, srv)
	ctx := context.Background()

	// A refusal: 403 AccessDeniedException, not retried.
	srv.Deny("ListFunctions", true)
	_, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	var re *smithyhttp.ResponseError
	if apiCode(err) != "AccessDeniedException" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden ||
		!strings.Contains(err.Error(), "lambda:ListFunctions") {
		t.Errorf("denied: %v", err)
	}
	if n := srv.Calls("ListFunctions"); n != 1 {
		t.Errorf("denied: %d calls", n)
	}
	srv.Deny("ListFunctions", false)

	// Throttling: 429 TooManyRequestsException, which the SDK retries.
	srv.ResetCalls()
	srv.Throttle("ListFunctions", ClientMaxAttempts-1)
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	mustNil(t, err)
	if n := srv.Calls("ListFunctions"); n != ClientMaxAttempts {
		t.Errorf("throttled: %d calls, want %d", n, ClientMaxAttempts)
	}
	srv.ResetCalls()
	srv.Throttle("", ClientMaxAttempts)
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	var tmr *types.TooManyRequestsException
	if apiCode(err) != "TooManyRequestsException" || !errors.As(err, &tmr) || tmr.Reason != types.ThrottleReasonCallerRateLimitExceeded ||
		!errors.As(err, &re) || re.HTTPStatusCode() != http.StatusTooManyRequests {
		t.Errorf("throttled: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != ClientMaxAttempts || reqs[0].Op != "ListFunctions" || reqs[0].Status != 429 ||
		reqs[0].Code != "TooManyRequestsException" || reqs[ClientMaxAttempts-1].Attempt != ClientMaxAttempts {
		t.Errorf("request log %+v", reqs)
	}

	// Server faults are ServiceException, retried; the CloudWatch Logs
	// operations are untouched by a Lambda fault.
	srv.ResetCalls()
	srv.FailNext("ListFunctions", 1, ErrInternal)
	srv.FailNext("ListFunctions", 1, ErrServiceUnavailable)
	_, err = Client(t, srv).DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	mustNil(t, err)
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	mustNil(t, err)
	if reqs := srv.Requests(); len(reqs) != 4 || reqs[1].Code != "ServiceException" || reqs[1].Status != 500 ||
		reqs[2].Code != "ServiceException" || reqs[2].Status != 503 || reqs[3].Code != "" {
		t.Errorf("request log %+v", reqs)
	}

	// Delays apply.
	srv.SetDelay("ListFunctions", 50*time.Millisecond)
	start := time.Now()
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	mustNil(t, err)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("delay: answered in %v", d)
	}
}

func TestListFunctionsInvalid(t *testing.T) {
	srv := Start(t)
	c := LambdaClient(t, srv)
	ctx := context.Background()
	for _, in := range []*lambda.ListFunctionsInput{
		{MaxItems: aws.Int32(0)},
		{Marker: aws.String("not-a-marker")},
		{FunctionVersion: "LATEST"},
		{MasterRegion: aws.String("mars")},
	} {
		if _, err := c.ListFunctions(ctx, in); apiCode(err) != "InvalidParameterValueException" {
			t.Errorf("%+v: %v", in, err)
		}
	}
	srv.SetFunction(Function{Name: "a"})
	out, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{FunctionVersion: types.FunctionVersionAll})
	mustNil(t, err)
	if len(out.Functions) != 1 {
		t.Errorf("ALL: %d functions", len(out.Functions))
	}
	out, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{MasterRegion: aws.String("us-east-1"), FunctionVersion: types.FunctionVersionAll})
	mustNil(t, err)
	if len(out.Functions) != 0 {
		t.Errorf("MasterRegion: %d functions", len(out.Functions))
	}
}

func TestLambdaWire(t *testing.T) {
	srv := Start(t)
	srv.Deny("ListFunctions", true)
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(srv.URL() + path)
		mustNil(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, h := get("/2015-03-31/functions/")
	if code != 403 || h.Get("X-Amzn-ErrorType") != "AccessDeniedException" || h.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(body, `{"Type":"User","message":"User: arn:aws:iam::123456789012:user/fntop-test is not authorized to perform: lambda:ListFunctions`) {
		t.Errorf("denied answer %d %s %v", code, body, h)
	}
	srv.Deny("ListFunctions", false)
	if code, body, _ = get("/2015-03-31/functions/"); code != 200 || body != `{"Functions":[]}` {
		t.Errorf("empty answer %d %s", code, body)
	}
	if code, body, h = get("/2015-03-31/functions/a/configuration"); code != 404 || h.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("unknown operation %d %s", code, body)
	}
	if n := srv.Calls("ListFunctions"); n != 2 {
		t.Errorf("%d calls", n)
	}
}

func TestFillFromDemoFunctions(t *testing.T) {
	srv := Start(t)
	srv.FillFromDemo(7, t0.Add(-time.Minute), t0)
	fns := srv.Functions()
	if len(fns) == 0 || len(fns) != len(srv.Groups()) {
		t.Fatalf("%d functions for %d groups", len(fns), len(srv.Groups()))
	}
	byName := map[string]Function{}
	for _, f := range fns {
		byName[f.Name] = f
	}
	// From the demo's designed fleet (sources/demo/fleet.go).
	for name, want := range map[string]string{
		"invoice-pdf-generator": "java21 3008 60 x86_64",
		"auth-token-refresh":    "nodejs22.x 128 5 arm64",
		"order-status-api":      "nodejs22.x 512 6 arm64",
	} {
		f := byName[name]
		if got := fmt.Sprintf("%s %d %d %s", f.Runtime, f.MemoryMB, f.TimeoutSec, f.Arch); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
