package cwltest

import (
	"bytes"
	"context"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"io"
	"net/http"
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

// BufferRequestBodies wraps an HTTP client so that every request body is
// read into memory before the request is sent.
//
// Without it the SDK and net/http race: when the server answers before the
// transport has read the SDK's request body to its end (it reads past the
// content length to check for extra bytes), the SDK may close the body
// first; the transport's write loop then fails and closes the connection
// under the response, and reading it fails with "use of closed network
// connection" (aws/aws-sdk-go-v2#1825 and #2737). A streaming answer such as
// a Live Tail session dies right after sessionStart; a plain answer fails
// to deserialize and is retried. The AWS source must use the same wrapper.
func BufferRequestBodies(c aws.HTTPClient) aws.HTTPClient { return bufferedBodies{c} }

type bufferedBodies struct{ next aws.HTTPClient }

func (b bufferedBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		data, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return b.next.Do(r)
}
