package prometheus

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fntop/fntop/model"
)

// scrSink records events.
type scrSink struct {
	mu  sync.Mutex
	evs []model.Event
}

func (s *scrSink) Ingest(evs ...model.Event) {
	s.mu.Lock()
	s.evs = append(s.evs, evs...)
	s.mu.Unlock()
}

// take returns the events recorded since the last take.
func (s *scrSink) take() []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.evs
	s.evs = nil
	return out
}

func (s *scrSink) all() []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Event(nil), s.evs...)
}

// scrClock is a manual clock.
type scrClock struct {
	mu sync.Mutex
	t  time.Time
}

func newScrClock() *scrClock {
	return &scrClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *scrClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *scrClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scrHarness drives a scraper one scrape at a time.
type scrHarness struct {
	t     *testing.T
	src   *Source
	sc    *scraper
	sink  *scrSink
	clock *scrClock
}

func scrNewHarness(t *testing.T, url string, edit ...func(*Options)) *scrHarness {
	t.Helper()
	clock := newScrClock()
	opts := Options{URL: url, Mode: ModeScrape, Interval: 5 * time.Second, Timeout: 2 * time.Second, Clock: clock.now}
	for _, e := range edit {
		e(&opts)
	}
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := newScraper(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.client.CloseIdleConnections)
	return &scrHarness{t: t, src: src, sc: sc, sink: &scrSink{}, clock: clock}
}

// scrape advances the clock by 5 s, scrapes once and returns the events.
func (h *scrHarness) scrape() ([]model.Event, error) {
	h.t.Helper()
	h.clock.advance(5 * time.Second)
	err := h.sc.scrape(context.Background(), h.sink)
	return h.sink.take(), err
}

func (h *scrHarness) mustScrape() []model.Event {
	h.t.Helper()
	evs, err := h.scrape()
	if err != nil {
		h.t.Fatalf("scrape: %v", err)
	}
	return evs
}

// scrAggs maps function to its aggregate; it fails on two for one
// function.
func scrAggs(t *testing.T, evs []model.Event) map[string]model.Event {
	t.Helper()
	out := map[string]model.Event{}
	for _, e := range evs {
		if e.Kind != model.KindAggregate {
			continue
		}
		if _, dup := out[e.Function]; dup {
			t.Fatalf("two aggregates for %s in one scrape", e.Function)
		}
		out[e.Function] = e
	}
	return out
}

func scrMetas(evs []model.Event) map[string]model.FunctionMeta {
	out := map[string]model.FunctionMeta{}
	for _, e := range evs {
		if e.Kind == model.KindMeta {
			out[e.Function] = e.Meta
		}
	}
	return out
}

func scrSkipped(evs []model.Event) map[string]int64 {
	out := map[string]int64{}
	for _, e := range evs {
		if e.Kind == model.KindSkipped {
			out[e.Skipped.Reason] += e.Skipped.Count
		}
	}
	return out
}

// scrLastStatus is the last status event.
func scrLastStatus(t *testing.T, evs []model.Event) model.SourceStatus {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == model.KindStatus {
			return evs[i].Status
		}
	}
	t.Fatal("no status event")
	return model.SourceStatus{}
}

// scrRefQuantile is an independent reference for histogram_quantile over
// raw observations: they are put into buckets as client_golang does (le
// inclusive), then the rank is found by walking the buckets.
func scrRefQuantile(q float64, obs, bounds []float64) float64 {
	counts := make([]float64, len(bounds)+1) // last: +Inf
	for _, v := range obs {
		i := sort.SearchFloat64s(bounds, v)
		counts[i]++
	}
	rank := q * float64(len(obs))
	below := 0.0
	for i, c := range counts {
		if below+c >= rank {
			if i == len(bounds) {
				return bounds[len(bounds)-1]
			}
			lo := 0.0
			if i > 0 {
				lo = bounds[i-1]
			}
			return lo + (bounds[i]-lo)*(rank-below)/c
		}
		below += c
	}
	return math.NaN()
}

// scrObs repeats d (as seconds) n times.
func scrObs(obs []float64, d time.Duration, n int) []float64 {
	for range n {
		obs = append(obs, d.Seconds())
	}
	return obs
}

func scrNear(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b))
}
