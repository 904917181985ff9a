package cwltest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ClientMaxAttempts is how many attempts Client's retryer makes per call.
const ClientMaxAttempts = 3

// Client returns a real SDK client for srv: its region, BaseEndpoint
// srv.URL(), static credentials, the SDK's standard retryer with
// ClientMaxAttempts attempts, a 1 ms backoff and no retry quota (so that
// throttling tests are fast and deterministic), and the "stream-" host
// prefix disabled (NoHostPrefix). optFns adjust the options further, for
// example o.Retryer = aws.NopRetryer{}.
func Client(t testing.TB, srv *Server, optFns ...func(*cloudwatchlogs.Options)) *cloudwatchlogs.Client {
	t.Helper()
	opts := cloudwatchlogs.Options{
		Region:       srv.Region(),
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCWLTEST", "cwltest-secret", ""),
		Retryer:      Retryer(ClientMaxAttempts),
		APIOptions:   []func(*middleware.Stack) error{NoHostPrefix},
	}
	return cloudwatchlogs.New(opts, optFns...)
}

// Retryer is the SDK's standard retryer with the given attempts, a 1 ms
// backoff and no retry quota.
func Retryer(attempts int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = attempts
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		o.RateLimiter = ratelimit.None
	})
}

// NoHostPrefix is an SDK API option that disables endpoint host prefixes
// (StartLiveTail's "stream-"), which a loopback endpoint cannot resolve.
func NoHostPrefix(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("cwltestNoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
