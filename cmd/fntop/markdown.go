package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/triage"
)

// markdownReport fills a store as `fntop snapshot` does, keeping log lines,
// and prints the incident report at T0: at (when set) or now (the input's
// end for an input).
func markdownReport(ctx context.Context, src *sourceFlags, window time.Duration, at time.Time, e env) error {
	if window == model.WindowAll || window > model.MaxWindow {
		return fmt.Errorf("%w: an incident report needs a window of 1m, 5m, 15m or 1h", errUsage)
	}
	if !at.IsZero() && src.live() {
		src.now = func() time.Time { return at }
	}
	// The history a live source fills: the window and the hour before it,
	// the baseline.
	src.backfill = model.MaxWindow
	store, err := collectStore(ctx, src, e, true)
	if err != nil {
		return err
	}
	o := triage.Options{Window: window}
	if !src.live() {
		o.End = at
	}
	// A window that ends on a whole minute would take in the minute that
	// starts there: it ends just before, and the report says T0.
	if !at.IsZero() && at.Equal(at.Truncate(time.Minute)) {
		o.End = at.Add(-time.Nanosecond)
	}
	r := triage.Build(store, o)
	if !at.IsZero() {
		r.T0, r.Window.End = at, at
	}
	return r.Markdown(e.stdout, store.Logs)
}

// atFlag parses --at: an RFC 3339 time, or a time of day in UTC (hh:mm or
// hh:mm:ss), the latest such time that is not in the future.
type atFlag struct {
	t   time.Time
	now func() time.Time // nil: time.Now
}

func (a *atFlag) String() string {
	if a.t.IsZero() {
		return ""
	}
	return a.t.UTC().Format(time.RFC3339)
}

func (a *atFlag) Set(v string) error {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		a.t = t.UTC()
		return nil
	}
	var clock time.Time
	var err error
	if strings.Count(v, ":") == 2 {
		clock, err = time.Parse("15:04:05", v)
	} else {
		clock, err = time.Parse("15:04", v)
	}
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time (2026-01-02T10:28:00Z) or hh:mm[:ss] UTC")
	}
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	n := now().UTC()
	t := time.Date(n.Year(), n.Month(), n.Day(), clock.Hour(), clock.Minute(), clock.Second(), 0, time.UTC)
	if t.After(n) {
		t = t.AddDate(0, 0, -1)
	}
	a.t = t
	return nil
}
