package cwltest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go/middleware"

	"github.com/fntop/fntop/sources/aws/awsapi"
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
		HTTPClient:   BufferRequestBodies(awshttp.NewBuildableClient()),
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

// NoHostPrefix disables endpoint host prefixes (awsapi.NoHostPrefix).
var NoHostPrefix = awsapi.NoHostPrefix

// BufferRequestBodies is awsapi.BufferRequestBodies, which the AWS source
// uses too.
var BufferRequestBodies = awsapi.BufferRequestBodies
