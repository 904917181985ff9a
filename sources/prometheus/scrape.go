package prometheus

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fntop/fntop/model"
)

// runScrape scrapes the URL every scrapeInterval until ctx ends, or, when
// observe > 0, until observe has passed since the first good scrape (and
// at least two good scrapes gave one interval of rates), and then returns.
//
// Each scrape after the first emits, per function, one KindAggregate over
// the time since the previous good scrape (invocations and errors from
// counter increases, durations from histogram bucket increases), a
// KindMeta when the function is new or its replicas changed, KindSkipped
// for input it could not use, and one KindStatus. A failed scrape
// (timeout, HTTP error, HTML, unparsable text) changes no state: it is
// reported as StateFailing and the next scrape, one interval later, tries
// again and covers the whole gap.
//
// Live (observe == 0) it returns nil when ctx ends. Observing, it returns
// nil once it has rates (or when ctx ends after it had some), ctx.Err()
// when ctx ends before, and the last error when no two scrapes succeeded
// within observe plus two intervals.
func (s *Source) runScrape(ctx context.Context, sink model.Sink, observe time.Duration) error {
	sc, err := newScraper(s)
	if err != nil {
		sc.status(sink, s.opts.Clock(), model.StateFailing, err.Error(), "")
		return fmt.Errorf("%s: %w", s.name, err)
	}
	// Keep-alive connections would outlive the source.
	defer s.client.CloseIdleConnections()
	interval := s.scrapeInterval()
	sc.status(sink, s.opts.Clock(), model.StateStarting, "", fmt.Sprintf("scraping %s every %s", sc.f.shown, interval))

	timer := time.NewTimer(0)
	defer timer.Stop()
	began := time.Now()
	next := began
	var firstOK time.Time
	var lastErr error
	for {
		select {
		case <-ctx.Done():
			return sc.end(ctx, observe)
		case <-timer.C:
		}
		start := time.Now()
		err := sc.scrape(ctx, sink)
		if ctx.Err() != nil {
			return sc.end(ctx, observe)
		}
		if err != nil {
			lastErr = err
		} else if firstOK.IsZero() {
			firstOK = start
		}
		now := time.Now()
		if observe > 0 {
			if sc.intervals > 0 && start.Sub(firstOK) >= observe {
				return nil
			}
			if sc.intervals == 0 && now.Sub(began) >= observe+2*interval {
				if lastErr == nil {
					lastErr = fmt.Errorf("no two good scrapes within %s", observe+2*interval)
				}
				return fmt.Errorf("%s: %w", s.name, lastErr)
			}
		}
		next = next.Add(interval)
		if next.Before(now) {
			next = now // a slow scrape: skip the ticks it missed
		}
		if observe > 0 && !firstOK.IsZero() {
			// End the observation at firstOK+observe rather than on the
			// next tick (once that time has passed, ticks go on until a
			// second good scrape).
			if end := firstOK.Add(observe); end.After(now) && end.Before(next) {
				next = end
			}
		}
		timer.Reset(time.Until(next))
	}
}

func (sc *scraper) end(ctx context.Context, observe time.Duration) error {
	if observe > 0 && sc.intervals == 0 {
		return ctx.Err()
	}
	return nil
}

// scraper is scrape mode's state: the previous good scrape's value of
// every series it reads (series that disappear are forgotten) and what it
// last told the model about each function.
type scraper struct {
	src      *Source
	f        scrFetcher
	preset   *scrPreset   // nil until detected
	presets  []*scrPreset // candidates for detection
	detectIn scrNameSet   // every candidate's names

	series map[string]*scrSeries
	fns    map[string]*scrFn
	gen    uint64
	// good counts good scrapes; intervals the ones that emitted rates.
	good, intervals int
	lastOK          time.Time // model time of the last good scrape
	// baseline: the previous good scrape was partial (or there was none),
	// so a series missing from the state may have existed before: it only
	// sets its baseline.
	baseline bool

	events  []model.Event
	keyBuf  []byte
	scratch scrScratch
	errMemo map[string]bool
	skips   scrSkips
	fnNames []string
}

// scrPreset is a Preset ready for scraping.
type scrPreset struct {
	*Preset
	errRe *regexp.Regexp
	want  scrNameSet
}

// scrNameSet is a set of metric names.
type scrNameSet map[string]struct{}

func scrCompilePreset(p *Preset) (*scrPreset, error) {
	re, err := regexp.Compile("^(?:" + p.ErrorMatch + ")$")
	if err != nil {
		return nil, fmt.Errorf("preset %s: error match %q: %v", p.Name, p.ErrorMatch, err)
	}
	if len(p.FunctionLabels) == 0 {
		return nil, fmt.Errorf("preset %s: no function label", p.Name)
	}
	if len(p.Requests) == 0 && len(p.Latency) == 0 {
		return nil, fmt.Errorf("preset %s: neither a request counter nor a latency histogram", p.Name)
	}
	sp := &scrPreset{Preset: p, errRe: re, want: scrNameSet{}}
	sp.addNames(sp.want)
	return sp, nil
}

// addNames adds the preset's metric names in every spelling an exposition
// may use: counters with and without _total (OpenMetrics names the family
// without it), histograms with their series suffixes.
func (p *scrPreset) addNames(set scrNameSet) {
	for _, group := range [][]string{p.Requests, p.Replicas} {
		for _, n := range group {
			set[n] = struct{}{}
			set[strings.TrimSuffix(n, "_total")] = struct{}{}
			set[strings.TrimSuffix(n, "_total")+"_total"] = struct{}{}
			set[strings.TrimSuffix(n, "_total")+"_created"] = struct{}{}
		}
	}
	for _, n := range p.Latency {
		for _, suf := range []string{"", "_bucket", "_sum", "_count", "_created"} {
			set[n+suf] = struct{}{}
		}
	}
}

func newScraper(s *Source) (*scraper, error) {
	sc := &scraper{
		src: s,
		f: scrFetcher{
			client:    s.client,
			url:       s.opts.URL,
			shown:     scrRedactURL(s.opts.URL),
			timeout:   s.opts.Timeout,
			maxBody:   scrapeMaxBody,
			maxSeries: scrapeMaxSeries,
		},
		series:   map[string]*scrSeries{},
		fns:      map[string]*scrFn{},
		errMemo:  map[string]bool{},
		baseline: true,
	}
	if s.opts.Preset != nil {
		p, err := scrCompilePreset(s.opts.Preset)
		if err != nil {
			return sc, err
		}
		sc.preset = p
		return sc, nil
	}
	sc.detectIn = scrNameSet{}
	for _, name := range PresetNames() {
		p, err := scrCompilePreset(Presets[name])
		if err != nil {
			return sc, err
		}
		sc.presets = append(sc.presets, p)
		p.addNames(sc.detectIn)
	}
	return sc, nil
}

// scrape fetches once and emits what it learnt. It returns the scrape's
// error (already reported as a status), or ctx's.
func (sc *scraper) scrape(ctx context.Context, sink model.Sink) error {
	now := sc.src.opts.Clock()
	want := sc.detectIn
	if sc.preset != nil {
		want = sc.preset.want
	}
	fctx, cancel := context.WithTimeout(ctx, sc.src.opts.Timeout)
	body, err := sc.f.fetch(fctx, want)
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil && sc.preset == nil {
		sc.preset, err = sc.detect(body)
	}
	if err != nil {
		sc.status(sink, now, model.StateFailing, err.Error(), sc.detail(nil, 0))
		return err
	}
	sc.events = sc.events[:0]
	nfn := sc.ingest(body, now)
	sc.events = append(sc.events, sc.statusEvent(now, model.StateOK, "", sc.detail(body, nfn)))
	sink.Ingest(sc.events...)
	clear(sc.events) // drop references to strings the sink may not keep
	return nil
}

// detect picks the preset whose metric names the scrape shows most of.
func (sc *scraper) detect(body *scrapeBody) (*scrPreset, error) {
	var best *scrPreset
	bestN := 0
	for _, p := range sc.presets {
		n := 0
		for name := range p.want {
			if _, ok := body.names[name]; ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = p, n
		}
	}
	if best != nil {
		return best, nil
	}
	names := make([]string, 0, len(body.names))
	for n := range body.names {
		names = append(names, n)
	}
	sort.Strings(names)
	const show = 8
	list := strings.Join(names, ", ")
	if len(names) > show {
		list = strings.Join(names[:show], ", ") + fmt.Sprintf(", … (%s in all)", body.countNames())
	}
	if len(names) == 0 {
		list = "none"
	}
	return nil, fmt.Errorf("no %s metrics in the exposition (metric names: %s): set the preset (%s) or a mapping",
		strings.Join(PresetNames(), " or "), list, strings.Join(PresetNames(), ", "))
}

func (sc *scraper) detail(body *scrapeBody, nfn int) string {
	every := "scrape every " + sc.src.scrapeInterval().String()
	if sc.preset == nil {
		return "detecting the platform · " + every
	}
	if body == nil {
		return sc.preset.Name + " · " + every
	}
	d := fmt.Sprintf("%s · %s · %s", sc.preset.Name, scrPlural(nfn, "function"), every)
	if sc.intervals == 0 {
		d += " · rates from the second scrape"
	}
	if nfn == 0 {
		d += fmt.Sprintf(" · none of %s among %s metric names", strings.Join(sc.presetMain(), ", "), body.countNames())
	}
	if body.over > 0 {
		d += fmt.Sprintf(" · %d series over the %d cap skipped", body.over, sc.f.maxSeries)
	}
	return d
}

func (sc *scraper) presetMain() []string {
	var out []string
	out = append(out, sc.preset.Requests...)
	out = append(out, sc.preset.Latency...)
	return append(out, sc.preset.Replicas...)
}

func (sc *scraper) statusEvent(now time.Time, st model.SourceState, lastErr, detail string) model.Event {
	return model.Event{Kind: model.KindStatus, Source: sc.src.name, Time: now, Status: model.SourceStatus{
		Name: sc.src.name, State: st, LastError: lastErr, Detail: detail, Updated: sc.lastOK,
	}}
}

func (sc *scraper) status(sink model.Sink, now time.Time, st model.SourceState, lastErr, detail string) {
	sink.Ingest(sc.statusEvent(now, st, lastErr, detail))
}

func scrPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
