// Command rielambda is a real Lambda handler used by fntop's end-to-end test.
// It runs under the AWS Lambda Runtime Interface Emulator and its behaviour is
// chosen by the event payload:
//
//	{"sleep_ms":50}  sleep 50 ms (ignoring the deadline), then succeed
//	{"fail":"boom"}  return an error with message "boom"
//	{"panic":true}   panic inside the handler
//	{"exit":137}     terminate the runtime process with that exit code
//
// Fields combine: the sleep happens first. Each invocation prints a couple of
// application log lines on stdout and stderr.
//
// The init phase reads two environment variables: RIELAMBDA_INIT_SLEEP_MS
// (sleep before serving) and RIELAMBDA_INIT_EXIT (exit with that code before
// serving, to produce an init failure).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Event is the invocation payload.
type Event struct {
	SleepMS int    `json:"sleep_ms"`
	Fail    string `json:"fail"`
	Panic   bool   `json:"panic"`
	Exit    *int   `json:"exit"`
}

// Response is returned by successful invocations.
type Response struct {
	OK      bool   `json:"ok"`
	SleptMS int    `json:"slept_ms"`
	Request string `json:"request_id"`
}

func handle(ctx context.Context, ev Event) (Response, error) {
	reqID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		reqID = lc.AwsRequestID
	}
	fmt.Printf("app: begin request=%s sleep_ms=%d\n", reqID, ev.SleepMS)
	// The sleep ignores the deadline on purpose, like a handler stuck in
	// a call without a timeout: a sleep past the function timeout is ended
	// by the platform, not by the handler.
	time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	switch {
	case ev.Exit != nil:
		log.Printf("app: exiting with code %d", *ev.Exit)
		os.Exit(*ev.Exit)
	case ev.Panic:
		log.Printf("app: about to panic")
		panic("rielambda: requested panic")
	case ev.Fail != "":
		log.Printf("app: failing with %q", ev.Fail)
		return Response{}, errors.New(ev.Fail)
	}
	log.Printf("app: done request=%s", reqID)
	return Response{OK: true, SleptMS: ev.SleepMS, Request: reqID}, nil
}

func main() {
	fmt.Println("app: init")
	if ms, err := strconv.Atoi(os.Getenv("RIELAMBDA_INIT_SLEEP_MS")); err == nil && ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if code, err := strconv.Atoi(os.Getenv("RIELAMBDA_INIT_EXIT")); err == nil {
		log.Printf("app: init failing with exit code %d", code)
		os.Exit(code)
	}
	lambda.Start(handle)
}
