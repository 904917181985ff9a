package cwltest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

// t0 is a fixed time in the past for stored events.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// apiCode is the error code of an SDK error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// lines makes n messages "<prefix> i" at t0 + i*step.
func lines(prefix string, n int, step time.Duration) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = Event{Time: t0.Add(time.Duration(i) * step), Message: fmt.Sprintf("%s %d\n", prefix, i)}
	}
	return out
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
