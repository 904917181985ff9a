package cwltest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestLiveTail runs a session: sessionStart, updates with exactly the
// matching lines, then SessionTimeoutException. Twenty sessions in a row,
// since a client whose connection was closed under it (see
// BufferRequestBodies) failed about one session in a hundred.
func TestLiveTail(t *testing.T) {
	for range 20 {
		if liveTailSession(t) {
			t.Fatal("the client lost the Live Tail connection before any result")
		}
	}
}

// liveTailSession runs one session and checks it; it reports true when the
// client lost the connection before any result arrived.
func liveTailSession(t *testing.T) (lost bool) {
	srv := Start(t, WithLiveTailInterval(20*time.Millisecond), WithLiveTailTimeout(400*time.Millisecond))
	const group = "/aws/lambda/tail"
	srv.Put(group, "old", Event{Time: t0, Message: "before the session\n"})
	srv.AddGroup("/aws/lambda/other")
	c := Client(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.StartLiveTail(ctx, &cwl.StartLiveTailInput{
		LogGroupIdentifiers:   []string{srv.ARN(group), srv.ARN("/aws/lambda/other")},
		LogEventFilterPattern: aws.String("REPORT"),
	})
	mustNil(t, err)
	stream := out.GetStream()
	defer stream.Close() //nolint:errcheck // closing the test's own stream

	go func() {
		for i := range 20 {
			srv.Put(group, "s", Event{Time: time.Now(), Message: fmt.Sprintf("REPORT RequestId: r%d\tDuration: 1.00 ms\t\n", i)})
			srv.Put(group, "s", Event{Time: time.Now(), Message: "noise\n"})
			srv.Put("/aws/lambda/unwatched", "s", Event{Time: time.Now(), Message: "REPORT elsewhere\n"})
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var kinds []string
	got := map[string]bool{}
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.StartLiveTailResponseStreamMemberSessionStart:
			kinds = append(kinds, "start")
			if len(v.Value.LogGroupIdentifiers) != 2 || aws.ToString(v.Value.SessionId) == "" {
				t.Errorf("sessionStart %+v", v.Value)
			}
		case *types.StartLiveTailResponseStreamMemberSessionUpdate:
			if len(kinds) == 0 || kinds[len(kinds)-1] != "update" {
				kinds = append(kinds, "update")
			}
			if v.Value.SessionMetadata == nil || v.Value.SessionMetadata.Sampled {
				t.Errorf("metadata %+v", v.Value.SessionMetadata)
			}
			for _, r := range v.Value.SessionResults {
				if aws.ToString(r.LogGroupIdentifier) != srv.ARN(group) || r.Timestamp == nil || r.IngestionTime == nil {
					t.Errorf("result %+v", r)
				}
				if got[*r.Message] {
					t.Errorf("twice: %q", *r.Message)
				}
				got[*r.Message] = true
			}
		default:
			t.Errorf("unexpected event %T", ev)
		}
	}
	if err := stream.Err(); len(got) == 0 && err != nil && strings.Contains(err.Error(), "use of closed network connection") {
		return true
	}
	if fmt.Sprint(kinds) != "[start update]" {
		t.Errorf("event order %v", kinds)
	}
	if len(got) != 20 {
		t.Errorf("%d REPORT lines received, want 20: %v", len(got), got)
	}
	if apiCode(stream.Err()) != "SessionTimeoutException" {
		t.Errorf("stream end: %v", stream.Err())
	}
	return false
}

func TestLiveTailSamplingAndDenied(t *testing.T) {
	srv := Start(t, WithLiveTailInterval(50*time.Millisecond), WithLiveTailMaxEvents(10))
	srv.AddGroup("/g")
	c := Client(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.StartLiveTail(ctx, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{srv.ARN("/g")}})
	mustNil(t, err)
	stream := out.GetStream()
	<-stream.Events() // sessionStart
	srv.Put("/g", "s", lines("burst", 50, time.Millisecond)...)
	for ev := range stream.Events() {
		u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate)
		if !ok || len(u.Value.SessionResults) == 0 {
			continue
		}
		if !u.Value.SessionMetadata.Sampled || len(u.Value.SessionResults) != 10 {
			t.Errorf("sampled %v with %d results", u.Value.SessionMetadata.Sampled, len(u.Value.SessionResults))
		}
		break
	}
	_ = stream.Close() // ends this session; the test goes on with a denied one

	srv.Deny("StartLiveTail", true)
	_, err = c.StartLiveTail(ctx, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{srv.ARN("/g")}})
	if apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied: %v", err)
	}
}
