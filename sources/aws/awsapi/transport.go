// Package awsapi holds what every AWS SDK client of fntop needs, for the
// source and for the test servers alike: an HTTP client that does not lose
// connections under answers, and the option that keeps endpoint host
// prefixes off loopback endpoints.
package awsapi

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// NoHostPrefix is an SDK API option that disables endpoint host prefixes
// (StartLiveTail's "stream-"), which a custom or loopback endpoint cannot
// resolve.
func NoHostPrefix(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("fntopNoHostPrefix",
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
// to deserialize and is retried.
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
