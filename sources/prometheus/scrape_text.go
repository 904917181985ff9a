package prometheus

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
)

// scrFamily is one metric family of a scrape in the form the diff reads,
// from the text parser below or converted from protobuf or OpenMetrics.
// Its strings may point into the scrape's body: whatever outlives the
// scrape must be cloned.
type scrFamily struct {
	name    string
	typ     dto.MetricType
	typed   bool // a TYPE line or a sample fixed the type
	metrics []scrMetric
	// groups finds a histogram's or summary's metric by its labels
	// (without le and quantile) when its lines are not consecutive.
	groups map[string]int
}

// scrMetric is one series: a counter, gauge or untyped value, or a
// classic histogram.
type scrMetric struct {
	labels []scrLabel
	value  float64
	hist   scrHist
}

type scrLabel struct{ name, value string }

// scrHist is a classic histogram as exposed: buckets in exposition order
// (the +Inf bucket may be missing: protobuf leaves it implicit).
type scrHist struct {
	count, sum float64
	hasCount   bool
	buckets    []scrBucket
}

type scrBucket struct{ ub, c float64 }

// scrTextParser parses the Prometheus text format 0.0.4 for the families
// it is asked for, with expfmt.TextParser's grammar and family rules
// (a sample named x_bucket, x_sum or x_count belongs to a histogram or
// summary x declared before it; le and quantile are not labels; a
// second TYPE, a bad escape, a negative bucket or a missing final
// newline are errors) but without its cost: a line of a family that is
// not asked for is only scanned for its name, and a line that is costs
// no allocation beyond its family's slices. Where expfmt accepts a text,
// it yields the same families (FuzzScrapeTextParser checks it); it is
// more lenient on trailing blanks and carriage returns.
type scrTextParser struct {
	want      scrNameSet // nil: every family
	maxSeries int

	body   *scrapeBody
	fams   map[string]*scrFamily
	labels []scrLabel // arena for the labels of this scrape
	sig    []byte
	line   int
}

// scrParseError is a syntax error at a line of the exposition.
type scrParseError struct {
	line int
	msg  string
}

func (e *scrParseError) Error() string {
	return fmt.Sprintf("text format error in line %d: %s", e.line, e.msg)
}

func (p *scrTextParser) fail(format string, args ...any) error {
	return &scrParseError{line: p.line, msg: fmt.Sprintf(format, args...)}
}

// parse reads text into body.
func (p *scrTextParser) parse(text string, body *scrapeBody) error {
	p.body = body
	p.fams = body.fams
	p.labels = p.labels[:0]
	p.line = 0
	kept := 0
	for len(text) > 0 {
		p.line++
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			if scrSkipBlank(text) == "" {
				break
			}
			return p.fail("no newline at the end of the exposition (truncated?)")
		}
		line := text[:i]
		text = text[i+1:]
		j := 0
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		line = line[j:]
		for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t' || line[len(line)-1] == '\r') {
			line = line[:len(line)-1]
		}
		if line == "" {
			continue
		}
		if line[0] == '#' {
			if err := p.comment(line); err != nil {
				return err
			}
			continue
		}
		n := scrNameLen(line)
		if n == 0 {
			continue // a quoted UTF-8 name ({"a.b"} or "a.b"): not asked for
		}
		name := line[:n]
		body.sawName(name)
		if !p.wants(name) {
			continue
		}
		if kept >= p.maxSeries {
			body.over++
			continue
		}
		kept++
		if err := p.sample(name, line[n:]); err != nil {
			return err
		}
	}
	body.series = kept
	body.partial = body.over > 0
	for name, f := range p.fams {
		if len(f.metrics) == 0 {
			delete(p.fams, name)
		}
	}
	return nil
}

func (p *scrTextParser) wants(name string) bool {
	if p.want == nil {
		return true
	}
	_, ok := p.want[name]
	return ok
}

// scrNameLen is the length of the unquoted metric name that starts s.
func scrNameLen(s string) int {
	if len(s) == 0 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_' || s[0] == ':') {
		return 0
	}
	i := 1
	for i < len(s) && scrNameByte(s[i]) {
		i++
	}
	return i
}

func scrNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':'
}

// comment handles "# TYPE name type" of wanted families; HELP and other
// comments are skipped.
func (p *scrTextParser) comment(line string) error {
	rest := scrSkipBlank(line[1:])
	kw := rest
	if i := scrIndexBlank(rest); i >= 0 {
		kw, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if kw != "TYPE" && kw != "HELP" {
		return nil
	}
	rest = scrSkipBlank(rest)
	n := scrNameLen(rest)
	if n == 0 {
		return nil // a quoted name, or none
	}
	name := rest[:n]
	p.body.sawName(name)
	if !p.wants(name) {
		return nil
	}
	if kw == "HELP" {
		// The text is not read, but the family exists from here on, as
		// in expfmt (it decides which family a later x_count joins).
		p.family(name)
		return nil
	}
	rest = rest[n:]
	if rest == "" {
		return nil
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return p.fail("invalid metric name in comment")
	}
	typ := scrSkipBlank(rest)
	if typ == "" {
		return nil
	}
	f, _ := p.family(name)
	if f.typed {
		return p.fail("second TYPE line for metric name %q, or TYPE reported after samples", f.name)
	}
	t, ok := dto.MetricType_value[strings.ToUpper(typ)]
	if !ok {
		if strings.ToUpper(typ) != "GAUGEHISTOGRAM" {
			return p.fail("unknown metric type %q", typ)
		}
		t = int32(dto.MetricType_GAUGE_HISTOGRAM)
	}
	f.typ, f.typed = dto.MetricType(t), true
	return nil
}

// Suffix roles of a sample in its family.
const (
	scrRolePlain = iota
	scrRoleSum
	scrRoleCount
)

// family finds or creates the family of a sample or TYPE name, as expfmt
// does: an existing family of that name; else the summary or histogram
// whose name is without _sum, _count (or _bucket); else a new family.
func (p *scrTextParser) family(name string) (*scrFamily, int) {
	if f, ok := p.fams[name]; ok {
		return f, scrRolePlain
	}
	role, base, bucket := scrRolePlain, name, false
	switch {
	case len(name) > 6 && name[len(name)-6:] == "_count":
		role, base = scrRoleCount, name[:len(name)-6]
	case len(name) > 4 && name[len(name)-4:] == "_sum":
		role, base = scrRoleSum, name[:len(name)-4]
	case len(name) > 7 && name[len(name)-7:] == "_bucket":
		base, bucket = name[:len(name)-7], true
	}
	if f, ok := p.fams[base]; ok && base != name {
		if f.typ == dto.MetricType_SUMMARY && !bucket ||
			f.typ == dto.MetricType_HISTOGRAM || f.typ == dto.MetricType_GAUGE_HISTOGRAM {
			return f, role
		}
	}
	f := &scrFamily{name: name}
	p.fams[name] = f
	return f, scrRolePlain
}

func (f *scrFamily) grouped() bool {
	return f.typ == dto.MetricType_SUMMARY || f.typ == dto.MetricType_HISTOGRAM || f.typ == dto.MetricType_GAUGE_HISTOGRAM
}

// sample parses the rest of a sample line after its name.
func (p *scrTextParser) sample(name, s string) error {
	f, role := p.family(name)
	if !f.typed {
		f.typ, f.typed = dto.MetricType_UNTYPED, true
	}
	grouped := f.grouped()
	isHist := grouped && f.typ != dto.MetricType_SUMMARY
	start := len(p.labels)
	bucket := math.NaN()
	s = scrSkipBlank(s)
	if len(s) > 0 && s[0] == '{' {
		s = s[1:]
		for {
			s = scrSkipBlank(s)
			if s == "" {
				return p.fail("unexpected end of input stream")
			}
			if s[0] == '}' {
				s = s[1:]
				break
			}
			lname, rest, err := p.labelName(s, f.name)
			if err != nil {
				return err
			}
			s = scrSkipBlank(rest)
			if s == "" || s[0] != '=' {
				found := byte('\n')
				if s != "" {
					found = s[0]
				}
				return p.fail("expected '=' after label name, found %q", found)
			}
			if lname == "__name__" {
				return p.fail("label name %q is reserved", "__name__")
			}
			s = scrSkipBlank(s[1:])
			if s == "" || s[0] != '"' {
				found := byte('\n')
				if s != "" {
					found = s[0]
				}
				return p.fail("expected '\"' at start of label value, found %q", found)
			}
			value, rest, err := p.labelValue(s[1:])
			if err != nil {
				return err
			}
			s = rest
			switch {
			case isHist && lname == "le":
				b, err := scrParseFloat(value)
				if err != nil {
					return p.fail("expected float as value for 'le' label, got %q", value)
				}
				bucket = b
			case grouped && !isHist && lname == "quantile":
				if _, err := scrParseFloat(value); err != nil {
					return p.fail("expected float as value for 'quantile' label, got %q", value)
				}
			default:
				for _, l := range p.labels[start:] {
					if l.name == lname {
						return p.fail("duplicate label names for metric %q", f.name)
					}
				}
				p.labels = append(p.labels, scrLabel{lname, value})
			}
			s = scrSkipBlank(s)
			if s != "" && s[0] == ',' {
				s = s[1:]
				continue
			}
			if s != "" && s[0] == '}' {
				s = s[1:]
				break
			}
			return p.fail("unexpected end of label value %q", value)
		}
		s = scrSkipBlank(s)
	}
	vs := s
	if i := scrIndexBlank(s); i >= 0 {
		vs, s = s[:i], scrSkipBlank(s[i:])
	} else {
		s = ""
	}
	v, err := scrParseFloat(vs)
	if err != nil {
		return p.fail("expected float as value, got %q", vs)
	}
	if s != "" {
		ts := s
		if i := scrIndexBlank(s); i >= 0 {
			ts, s = s[:i], s[i:]
		} else {
			s = ""
		}
		if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
			return p.fail("expected integer as timestamp, got %q", ts)
		}
		if s != "" {
			return p.fail("spurious string after timestamp: %q", s)
		}
	}
	labels := p.labels[start:len(p.labels):len(p.labels)]

	if !grouped {
		m := scrMetric{labels: labels}
		switch f.typ {
		case dto.MetricType_COUNTER, dto.MetricType_GAUGE, dto.MetricType_UNTYPED:
			m.value = v
		default:
			return p.fail("unexpected type for metric name %q", f.name)
		}
		f.metrics = append(f.metrics, m)
		return nil
	}
	m, found := p.group(f, labels)
	if found {
		p.labels = p.labels[:start] // the metric has its labels already
	}
	if !isHist {
		return nil // a summary: fntop reads none, only counts them
	}
	h := &m.hist
	switch {
	case role == scrRoleCount:
		if v < 0 {
			return p.fail("negative count for histogram %q", f.name)
		}
		h.count, h.hasCount = v, true
	case role == scrRoleSum:
		h.sum = v
	case !math.IsNaN(bucket):
		if v < 0 {
			return p.fail("negative bucket population for histogram %q", f.name)
		}
		h.buckets = append(h.buckets, scrBucket{bucket, v})
	}
	return nil
}

// group is the histogram's or summary's metric with these labels: the
// family's last one when its labels are the same (the usual order),
// else found by signature, else new.
func (p *scrTextParser) group(f *scrFamily, labels []scrLabel) (*scrMetric, bool) {
	if n := len(f.metrics); n > 0 && slices.Equal(f.metrics[n-1].labels, labels) {
		return &f.metrics[n-1], true
	}
	sig := p.signature(labels)
	if f.groups == nil {
		f.groups = map[string]int{}
	}
	if i, ok := f.groups[string(sig)]; ok {
		return &f.metrics[i], true
	}
	f.groups[string(sig)] = len(f.metrics)
	f.metrics = append(f.metrics, scrMetric{labels: labels, hist: scrHist{buckets: make([]scrBucket, 0, 16)}})
	return &f.metrics[len(f.metrics)-1], false
}

// signature is the labels sorted by name, as one byte string.
func (p *scrTextParser) signature(labels []scrLabel) []byte {
	sorted := slices.IsSortedFunc(labels, scrCmpLabel)
	b := p.sig[:0]
	add := func(l scrLabel) {
		b = append(b, l.name...)
		b = append(b, 0xfe)
		b = append(b, l.value...)
		b = append(b, 0xff)
	}
	if sorted {
		for _, l := range labels {
			add(l)
		}
	} else {
		tmp := slices.Clone(labels)
		slices.SortFunc(tmp, scrCmpLabel)
		for _, l := range tmp {
			add(l)
		}
	}
	p.sig = b
	return b
}

func scrCmpLabel(a, b scrLabel) int { return strings.Compare(a.name, b.name) }

// labelName reads a label name, plain or quoted (UTF-8).
func (p *scrTextParser) labelName(s, family string) (name, rest string, err error) {
	if s[0] == '"' {
		name, rest, err = p.labelValue(s[1:])
		if err != nil {
			return "", "", err
		}
		if name == "" {
			return "", "", p.fail("invalid label name for metric %q", family)
		}
		return name, rest, nil
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return "", "", p.fail("invalid label name for metric %q", family)
	}
	i := 1
	for i < len(s) && (scrNameByte(s[i]) && s[i] != ':') {
		i++
	}
	return s[:i], s[i:], nil
}

// labelValue reads a quoted value after its opening quote: \\, \" and \n
// are the escapes.
func (p *scrTextParser) labelValue(s string) (value, rest string, err error) {
	i := 0
	for i < len(s) && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		i = -1
	}
	if i >= 0 && s[i] == '"' { // no escapes: a substring
		value = s[:i]
		if !utf8.ValidString(value) {
			return "", "", p.fail("invalid label value %q", value)
		}
		return value, s[i+1:], nil
	}
	if i < 0 {
		return "", "", p.fail("unexpected end of input stream")
	}
	var b strings.Builder
	for j := 0; j < len(s); j++ {
		switch c := s[j]; c {
		case '"':
			value = b.String()
			if !utf8.ValidString(value) {
				return "", "", p.fail("invalid label value %q", value)
			}
			return value, s[j+1:], nil
		case '\\':
			j++
			if j == len(s) {
				return "", "", p.fail("unexpected end of input stream")
			}
			switch s[j] {
			case '\\', '"':
				b.WriteByte(s[j])
			case 'n':
				b.WriteByte('\n')
			default:
				return "", "", p.fail("invalid escape sequence '\\%c'", s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", p.fail("unexpected end of input stream")
}

// scrParseFloat is expfmt's float rule: Go's syntax without hex
// exponents or underscores.
func scrParseFloat(s string) (float64, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 'p' || c == 'P' || c == '_' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseFloat(s, 64)
}

// scrFromDTO converts a decoded family (protobuf, OpenMetrics).
func scrFromDTO(mf *dto.MetricFamily) *scrFamily {
	f := &scrFamily{name: mf.GetName(), typ: mf.GetType(), typed: true, metrics: make([]scrMetric, 0, len(mf.Metric))}
	for _, m := range mf.Metric {
		if m == nil {
			continue
		}
		sm := scrMetric{labels: make([]scrLabel, 0, len(m.Label))}
		for _, l := range m.Label {
			sm.labels = append(sm.labels, scrLabel{l.GetName(), l.GetValue()})
		}
		switch {
		case m.Counter != nil:
			sm.value = m.Counter.GetValue()
		case m.Gauge != nil:
			sm.value = m.Gauge.GetValue()
		case m.Untyped != nil:
			sm.value = m.Untyped.GetValue()
		case m.Histogram != nil:
			h := m.Histogram
			sm.hist.sum = h.GetSampleSum()
			switch {
			case h.SampleCountFloat != nil:
				sm.hist.count, sm.hist.hasCount = h.GetSampleCountFloat(), true
			case h.SampleCount != nil:
				sm.hist.count, sm.hist.hasCount = float64(h.GetSampleCount()), true
			}
			for _, b := range h.Bucket {
				c := float64(b.GetCumulativeCount())
				if b.CumulativeCountFloat != nil {
					c = b.GetCumulativeCountFloat()
				}
				sm.hist.buckets = append(sm.hist.buckets, scrBucket{b.GetUpperBound(), c})
			}
		default:
			sm.value = math.NaN() // a summary, or nothing
		}
		f.metrics = append(f.metrics, sm)
	}
	return f
}

func scrSkipBlank(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return s[i:]
}

func scrIndexBlank(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			return i
		}
	}
	return -1
}
