package triage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/demo"
)

// checkpointSink feeds a store in time order and, when the events reach
// a checkpoint, stops the store's clock there and builds a report, as a
// live fntop would have at that moment.
type checkpointSink struct {
	st      *model.Store
	now     *time.Time
	points  []time.Time
	reports []*Report
}

func (s *checkpointSink) Ingest(events ...model.Event) {
	for len(events) > 0 {
		if len(s.points) == 0 {
			s.st.Ingest(events...)
			return
		}
		next := s.points[0]
		// Status events carry the source's now (the end of the backfill).
		i := slices.IndexFunc(events, func(e model.Event) bool {
			return e.Kind != model.KindStatus && !e.Time.IsZero() && !e.Time.Before(next)
		})
		if i < 0 {
			s.st.Ingest(events...)
			return
		}
		if i > 0 {
			s.st.Ingest(events[:i]...)
		}
		events = events[i:]
		*s.now = next
		s.reports = append(s.reports, Build(s.st, Options{}))
		s.points = s.points[1:]
	}
}

// The demo fleet's built-in incidents are detected and their functions
// ranked first while they happen, at a quiet hour and at the daily peak,
// against a baseline that holds the same incidents an hour earlier. (The
// history starts 55 minutes before the hour: the first checkpoint's
// baseline is the hour before 07:08.)
func TestDemoIncidentsRankFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates two hours of the demo fleet")
	}
	hours := []time.Time{
		time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC),
	}
	if raceEnabled {
		hours = hours[:1]
	}
	for _, hour := range hours {
		t.Run(hour.Format("15h"), func(t *testing.T) {
			t.Parallel()
			type check struct {
				at    time.Duration // after the hour
				kind  demo.IncidentKind
				flags []FlagKind // one of them on the top function
			}
			checks := []check{
				{12*time.Minute + 30*time.Second, demo.IncidentBurst, []FlagKind{FlagThrottling, FlagTrafficSurge}},
				{14 * time.Minute, demo.IncidentBurst, []FlagKind{FlagThrottling, FlagTrafficSurge}},
				{27 * time.Minute, demo.IncidentErrorSpike, []FlagKind{FlagErrorSpike}},
				{29*time.Minute + 30*time.Second, demo.IncidentErrorSpike, []FlagKind{FlagErrorSpike}},
				{41 * time.Minute, demo.IncidentDeploy, []FlagKind{FlagColdStarts}},
				{42 * time.Minute, demo.IncidentDeploy, []FlagKind{FlagColdStarts}},
			}
			end := hour.Add(43 * time.Minute)
			now := end
			st := model.NewStore(model.Options{Clock: func() time.Time { return now }})
			sink := &checkpointSink{st: st, now: &now}
			for _, c := range checks {
				sink.points = append(sink.points, hour.Add(c.at))
			}
			src := demo.New(demo.Clock(func() time.Time { return end }), demo.History(end.Sub(hour.Add(-55*time.Minute))))
			if err := src.Backfill(context.Background(), sink); err != nil {
				t.Fatal(err)
			}
			if len(sink.reports) != len(checks) {
				t.Fatalf("%d reports for %d checkpoints", len(sink.reports), len(checks))
			}
			for i, c := range checks {
				r := sink.reports[i]
				at := hour.Add(c.at)
				var in *demo.Incident
				for _, x := range demo.Incidents(at.Add(-2*time.Minute), at) {
					if x.Kind == c.kind {
						in = &x
					}
				}
				if in == nil {
					t.Fatalf("no %s incident at %s", c.kind, at.Format("15:04:05"))
				}
				if !r.Baseline.Sufficient {
					t.Errorf("%s: baseline %s", at.Format("15:04:05"), r.Baseline.Description)
				}
				top := r.Functions[0]
				ok := slices.Contains(in.Affected, top.Name) && slices.ContainsFunc(c.flags, top.Has)
				if !ok {
					t.Errorf("%s (%s): top %s (score %.2f), want one of %v with a flag in %v:%s", at.Format("15:04:05"),
						c.kind, top.Name, top.Score, in.Affected, c.flags, describeFlags(r))
				}
				if c.kind == demo.IncidentDeploy && !top.Has(FlagChange) && len(r.Functions[0].Current.Series) > 0 {
					// The store records changes once the model's triage
					// work is in; until then this is not checked.
					cur := st.Snapshot(model.SnapshotOptions{Window: model.Window1h})
					if len(cur.Changes) > 0 {
						t.Errorf("%s: deploy not marked on %s: %+v", at.Format("15:04:05"), top.Name, top.Flags)
					}
				}
			}
		})
	}
}
