package aws

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go/eventstream"
	"github.com/aws/smithy-go/middleware"

	"github.com/fntop/fntop/sources/aws/awsapi"
)

// fuzzTail is a CloudWatch Logs endpoint on 127.0.0.1 whose StartLiveTail
// answers with an initial response and then the fuzzed part: a
// sessionUpdate event with the fuzzed payload (mode 0), an exception
// with it (mode 1), or the fuzzed bytes raw, as a broken frame (mode 2).
type fuzzTail struct {
	mu      sync.Mutex
	payload []byte
	mode    uint8
	srv     *httptest.Server
}

func newFuzzTail(tb testing.TB) *fuzzTail {
	ft := &fuzzTail{}
	ft.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
		if op != "StartLiveTail" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(`{"events":[]}`))
			return
		}
		ft.mu.Lock()
		payload, mode := ft.payload, ft.mode
		ft.mu.Unlock()
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.WriteHeader(http.StatusOK)
		enc := eventstream.NewEncoder()
		frame := func(msgType, header, value string, body []byte) {
			var m eventstream.Message
			m.Headers.Set(eventstream.MessageTypeHeader, eventstream.StringValue(msgType))
			m.Headers.Set(header, eventstream.StringValue(value))
			m.Headers.Set(eventstream.ContentTypeHeader, eventstream.StringValue("application/json"))
			m.Payload = body
			_ = enc.Encode(w, m)
		}
		frame(eventstream.EventMessageType, eventstream.EventTypeHeader, "initial-response", []byte(`{}`))
		switch mode % 3 {
		case 0:
			frame(eventstream.EventMessageType, eventstream.EventTypeHeader, "sessionUpdate", payload)
		case 1:
			frame(eventstream.ExceptionMessageType, eventstream.ExceptionTypeHeader, "SessionStreamingException", payload)
		default:
			_, _ = w.Write(payload)
		}
	}))
	tb.Cleanup(ft.srv.Close)
	return ft
}

// FuzzLiveTailStream feeds fuzzed Live Tail event streams through the real
// SDK client (its event-stream decoder) into the source's Live Tail: it
// never panics, ends within a moment of its context, and what reaches the
// sink is sane.
func FuzzLiveTailStream(f *testing.F) {
	update := func(v any) []byte { b, _ := json.Marshal(v); return b }
	msg := "REPORT RequestId: 1c5e8c6f-0000-4000-8000-000000000001\tDuration: 12.5 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
	f.Add(update(map[string]any{
		"sessionMetadata": map[string]any{"sampled": false},
		"sessionResults": []any{map[string]any{
			"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a",
			"logStreamName":      "2024/05/01/[$LATEST]ab", "message": msg,
			"timestamp": 1714557600000, "ingestionTime": 1714557600100,
		}},
	}), uint8(0))
	f.Add([]byte(`{"sessionResults":[{"timestamp":-1,"message":"\u001b]0;x\u0007"},{},null]}`), uint8(0))
	f.Add([]byte(`{"message":"Session timed out"}`), uint8(1))
	f.Add([]byte{0, 0, 0, 16, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, uint8(2))
	f.Add([]byte(`{`), uint8(0))
	ft := newFuzzTail(f)
	logs := cloudwatchlogs.New(cloudwatchlogs.Options{
		HTTPClient:   awsapi.BufferRequestBodies(ft.srv.Client()),
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ft.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFUZZ", "fuzz-secret", ""),
		Retryer:      aws.NopRetryer{},
		APIOptions:   []func(*middleware.Stack) error{awsapi.NoHostPrefix},
	})
	f.Fuzz(func(t *testing.T, payload []byte, mode uint8) {
		ft.mu.Lock()
		ft.payload, ft.mode = payload, mode
		ft.mu.Unlock()
		opts := Options{}
		opts.defaults()
		sink := &recSink{}
		p := newPlaceWith(&opts, "aws:us-east-1", "", "", "us-east-1", logs, nil, sink)
		g := &group{name: "/aws/lambda/a", arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a", function: "a"}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = p.liveTail(ctx, []*group{g}) // any error: the caller polls instead
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second): // a deadline for a hang, not a speed bound
			t.Fatal("liveTail did not end within 5 s of a 300 ms context")
		}
		fuzzCheckAWSEvents(t, sink.events(0))
	})
}
