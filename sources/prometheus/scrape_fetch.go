package prometheus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"
)

// Limits of one scrape. Beyond maxBody the scrape fails; beyond maxSeries
// the remaining series of the families fntop reads are skipped (counted
// as KindSkipped) and the scrape is marked partial.
const (
	scrapeMaxBody   = 32 << 20
	scrapeMaxSeries = 100_000
	// scrapeMaxNames bounds the set of metric names remembered per scrape
	// (for preset detection and for messages).
	scrapeMaxNames = 4096
)

// scrapeAccept asks for the text format 0.0.4 first; whatever the server
// sends instead (OpenMetrics, delimited protobuf) is decoded by its
// Content-Type.
const scrapeAccept = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"

// scrapeBody is one parsed scrape: the families fntop reads, the metric
// names seen, and what was skipped.
type scrapeBody struct {
	fams      map[string]*scrFamily
	names     map[string]struct{} // every metric name seen, at most scrapeMaxNames
	manyNames bool                // more names than scrapeMaxNames

	series  int   // series kept
	over    int64 // series of interest beyond maxSeries
	partial bool
}

// scrFetcher gets and decodes the exposition. Its buffers are reused from
// scrape to scrape.
type scrFetcher struct {
	client    *http.Client
	url       string // with credentials, for the request only
	shown     string // redacted, for messages
	timeout   time.Duration
	maxBody   int
	maxSeries int

	raw bytes.Buffer
}

// scrRedactURL drops the user info and the query (which may carry a token)
// from u, for messages.
func scrRedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = ""
		u.ForceQuery = false
		return u.String() + "?…"
	}
	return u.String()
}

// scrErrTimeout says a scrape did not finish within the timeout.
type scrErrTimeout struct{ after string }

func (e scrErrTimeout) Error() string { return "no complete answer within " + e.after + " (timeout)" }

// fetch GETs the exposition and decodes the families named by want. ctx
// carries the scrape's timeout: running out of it is reported as a
// timeout, a cancelled ctx as ctx.Err(). Messages show the URL without
// credentials.
func (f *scrFetcher) fetch(ctx context.Context, want scrNameSet) (*scrapeBody, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", f.shown, err)
	}
	req.Header.Set("Accept", scrapeAccept)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(f.timeout.Seconds(), 'f', -1, 64))
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrap(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return nil, fmt.Errorf("GET %s: HTTP %s%s", f.shown, resp.Status, scrQuoteSnippet(snippet))
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt == "text/html" || mt == "application/xhtml+xml" {
		return nil, fmt.Errorf("GET %s: got an HTML page (%s), not metrics: is this the metrics endpoint?", f.shown, mt)
	}
	f.raw.Reset()
	n, err := f.raw.ReadFrom(io.LimitReader(resp.Body, int64(f.maxBody)+1))
	if err != nil {
		return nil, f.wrap(ctx, fmt.Errorf("reading the body after %d bytes: %w", n, err))
	}
	if n > int64(f.maxBody) {
		return nil, fmt.Errorf("GET %s: exposition larger than %d MiB", f.shown, f.maxBody>>20)
	}
	body := f.raw.Bytes()
	if scrLooksHTML(body) {
		return nil, fmt.Errorf("GET %s: got an HTML page, not metrics: is this the metrics endpoint?", f.shown)
	}
	format := expfmt.ResponseFormat(resp.Header)
	var out *scrapeBody
	switch format.FormatType() {
	case expfmt.TypeOpenMetrics:
		// Rewritten for the text parser: see omToText.
		var text []byte
		if text, err = omToText(body); err == nil {
			out, err = f.decodeText(text, want)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", scrMediaType(string(format)), err)
		}
	case expfmt.TypeProtoDelim:
		out, err = f.decodeFamilies(body, format, want)
	default:
		// Text 0.0.4, and anything unlabelled or unknown (many small
		// exporters send no or a generic Content-Type): read as text.
		out, err = f.decodeText(body, want)
	}
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", f.shown, err)
	}
	return out, nil
}

// wrap turns a client error into a message without the URL's credentials
// (url.Error prints the URL it was given).
func (f *scrFetcher) wrap(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || scrIsTimeout(err) {
		return fmt.Errorf("GET %s: %w", f.shown, scrErrTimeout{after: f.timeout.String()})
	}
	return fmt.Errorf("GET %s: %v", f.shown, err)
}

func scrIsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func scrQuoteSnippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 120 {
		s = s[:120]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return ": " + strconv.Quote(s)
}

func scrLooksHTML(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(b) > 16 {
		b = b[:16]
	}
	l := bytes.ToLower(b)
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html")) || bytes.HasPrefix(l, []byte("<head"))
}

func newScrapeBody() *scrapeBody {
	return &scrapeBody{names: make(map[string]struct{}, 64), fams: map[string]*scrFamily{}}
}

func (b *scrapeBody) sawName(name string) {
	if _, ok := b.names[name]; ok {
		return
	}
	if len(b.names) >= scrapeMaxNames {
		b.manyNames = true
		return
	}
	b.names[strings.Clone(name)] = struct{}{}
}

// decodeText reads the text format with expfmt's text parser (built with
// a validation scheme: its zero value panics since prometheus/common
// v0.66). A malformed line anywhere fails the scrape with the parser's
// message and line.
func (f *scrFetcher) decodeText(body []byte, want scrNameSet) (*scrapeBody, error) {
	if len(body) > 0 && body[len(body)-1] != '\n' {
		// A cut between lines parses, and a value cut short ("1" for
		// "12") would look like a counter reset.
		return nil, errors.New("no newline at the end of the exposition (truncated?)")
	}
	parser := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("text format: %v", err)
	}
	names := make([]string, 0, len(fams))
	for name := range fams {
		names = append(names, name)
	}
	sort.Strings(names)
	out := newScrapeBody()
	for _, name := range names {
		f.addFamily(out, fams[name], want)
	}
	out.partial = out.over > 0
	return out, nil
}

// decodeFamilies reads delimited protobuf, family by family.
func (f *scrFetcher) decodeFamilies(body []byte, format expfmt.Format, want scrNameSet) (*scrapeBody, error) {
	if format.FormatType() == expfmt.TypeProtoDelim {
		if err := scrCheckDelimited(body); err != nil {
			return nil, fmt.Errorf("%s decoding error: %v", scrMediaType(string(format)), err)
		}
	}
	out := newScrapeBody()
	dec := expfmt.NewDecoder(bytes.NewReader(body), format)
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s decoding error: %v", scrMediaType(string(format)), err)
		}
		f.addFamily(out, mf, want)
	}
	out.partial = out.over > 0
	return out, nil
}

// scrCheckDelimited checks that every length prefix of a delimited
// protobuf body fits in the body. expfmt's decoder reads without a size
// limit and allocates what a prefix claims: a prefix of 2^62 bytes would
// panic, one of some GiB exhaust memory.
func scrCheckDelimited(body []byte) error {
	for off := 0; off < len(body); {
		size, n := binary.Uvarint(body[off:])
		if n <= 0 {
			return fmt.Errorf("bad length prefix at byte %d", off)
		}
		off += n
		if size > uint64(len(body)-off) {
			return fmt.Errorf("message at byte %d claims %d bytes, %d left (truncated?)", off, size, len(body)-off)
		}
		off += int(size)
	}
	return nil
}

// addFamily adds a decoded family to out when it is wanted, within the
// series bound.
func (f *scrFetcher) addFamily(out *scrapeBody, mf *dto.MetricFamily, want scrNameSet) {
	name := mf.GetName()
	out.sawName(name)
	if _, ok := want[name]; !ok {
		return
	}
	room := max(f.maxSeries-out.series, 0)
	if len(mf.Metric) > room {
		out.over += int64(len(mf.Metric) - room)
		mf.Metric = mf.Metric[:room]
	}
	out.series += len(mf.Metric)
	sf := scrFromDTO(mf)
	if prev, ok := out.fams[name]; ok { // a family split in two
		prev.metrics = append(prev.metrics, sf.metrics...)
		return
	}
	out.fams[name] = sf
}

func scrMediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return ct
}

// countNames is the number of metric names seen, as text.
func (b *scrapeBody) countNames() string {
	if b.manyNames {
		return fmt.Sprintf("over %d", scrapeMaxNames)
	}
	return strconv.Itoa(len(b.names))
}
