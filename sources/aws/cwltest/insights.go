package cwltest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ---- StartQuery / GetQueryResults / StopQuery ----

type query struct {
	id       string
	status   string
	polls    int // GetQueryResults calls so far
	rows     [][]resultField
	stats    queryStats
	finished bool
}

type resultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type queryStats struct {
	RecordsMatched   float64 `json:"recordsMatched"`
	RecordsScanned   float64 `json:"recordsScanned"`
	BytesScanned     float64 `json:"bytesScanned"`
	LogGroupsScanned float64 `json:"logGroupsScanned"`
}

type startQueryIn struct {
	QueryString         string   `json:"queryString"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	LogGroupName        *string  `json:"logGroupName"`
	LogGroupNames       []string `json:"logGroupNames"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	Limit               *int     `json:"limit"`
	QueryLanguage       *string  `json:"queryLanguage"`
}

func (s *Server) startQuery(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in startQueryIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.StartTime == nil || in.EndTime == nil {
		return nil, invalid("startTime and endTime are required")
	}
	if l := deref(in.QueryLanguage); l != "" && l != "CWLI" {
		return nil, invalid("cwltest supports queryLanguage CWLI only")
	}
	ids := in.LogGroupIdentifiers
	ids = append(ids, in.LogGroupNames...)
	if in.LogGroupName != nil {
		ids = append(ids, *in.LogGroupName)
	}
	if len(ids) == 0 || len(ids) > 50 {
		return nil, invalid("between 1 and 50 log groups must be given, got %d", len(ids))
	}
	q, err := parseQuery(in.QueryString)
	if err != nil {
		return nil, &APIError{http.StatusBadRequest, "MalformedQueryException", err.Error()}
	}
	if in.Limit != nil {
		q.limit = min(q.limit, *in.Limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	running := 0
	for _, q := range s.queries {
		if !q.finished {
			running++
		}
	}
	if running >= s.opts.maxQueries {
		return nil, &APIError{http.StatusBadRequest, "LimitExceededException",
			fmt.Sprintf("Account maximum query concurrency limit of [%d] reached.", s.opts.maxQueries)}
	}
	var groups []*group
	for _, id := range ids {
		g := s.groupByIdentifierLocked(id)
		if g == nil {
			return nil, notFound(id)
		}
		groups = append(groups, g)
	}
	from, to := *in.StartTime*1000, *in.EndTime*1000
	nowMs := s.now().UnixMilli()
	var recs []*record
	var st queryStats
	st.LogGroupsScanned = float64(len(groups))
	for _, g := range groups {
		for _, e := range g.events {
			if e.Timestamp < from || e.Timestamp > to || !s.visible(e, nowMs) {
				continue
			}
			st.RecordsScanned++
			st.BytesScanned += float64(len(e.Message))
			recs = append(recs, newRecord(e, s.opts.account))
		}
	}
	rows, matched := q.run(recs)
	st.RecordsMatched = float64(matched)
	s.qseq++
	qq := &query{id: fmt.Sprintf("%08x-0000-4000-8000-%012x", s.qseq, nowMs), status: "Running", rows: rows, stats: st}
	if s.opts.queryPolls <= 0 {
		qq.status, qq.finished = "Complete", true
	}
	s.queries[qq.id] = qq
	return map[string]string{"queryId": qq.id}, nil
}

func (s *Server) getQueryResults(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in struct {
		QueryID string `json:"queryId"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[in.QueryID]
	if q == nil {
		return nil, &APIError{http.StatusBadRequest, "ResourceNotFoundException", "Query does not exist: " + in.QueryID}
	}
	q.polls++
	if !q.finished && q.polls > s.opts.queryPolls {
		q.status, q.finished = "Complete", true
	}
	out := struct {
		Results       [][]resultField `json:"results"`
		Statistics    queryStats      `json:"statistics"`
		Status        string          `json:"status"`
		QueryLanguage string          `json:"queryLanguage"`
	}{Results: [][]resultField{}, Status: q.status, QueryLanguage: "CWLI"}
	if q.status == "Complete" {
		out.Results, out.Statistics = q.rows, q.stats
	}
	return out, nil
}

func (s *Server) stopQuery(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in struct {
		QueryID string `json:"queryId"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[in.QueryID]
	if q == nil {
		return nil, &APIError{http.StatusBadRequest, "ResourceNotFoundException", "Query does not exist: " + in.QueryID}
	}
	ok := !q.finished
	if ok {
		q.status, q.finished = "Cancelled", true
	}
	return map[string]bool{"success": ok}, nil
}

// ---- records: the fields Insights discovers in Lambda logs ----

// record is one event as a query sees it. Its fields are worked out when a
// query first asks for them: the system fields from the event, the Lambda
// text format's (@type, @duration, ...) from the message on the first
// request for another '@' field, and a JSON message's fields on the first
// request for a field without '@'. So a query pays only for the fields it
// reads.
type record struct {
	e       *StoredEvent
	account string
	str     map[string]string  // fields found in the message
	num     map[string]float64 // those of them that are numbers
	// lambda and discovered are set once the message has been read for
	// the text format's fields and for JSON fields.
	lambda, discovered bool
}

var (
	reRequestID = regexp.MustCompile(`^(?:START|END|REPORT) RequestId: ([0-9a-fA-F-]+)`)
	// SnapStart's "Restore Duration" and "Billed Restore Duration" are
	// matched whole, so that they are not read as Duration; they are no
	// field of their own.
	reReportNum = regexp.MustCompile(`(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used|Memory Size|Duration): ([0-9.]+) (ms|MB)`)
)

const insightsTime = "2006-01-02 15:04:05.000"

func newRecord(e *StoredEvent, account string) *record { return &record{e: e, account: account} }

func formatTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(insightsTime) }

// text returns field f as text and whether the record has it.
func (r *record) text(f string) (string, bool) {
	switch f {
	case "@message":
		return r.e.Message, true
	case "@logStream":
		return r.e.Stream, true
	case "@log":
		return r.account + ":" + r.e.Group, true
	case "@ptr":
		return r.e.ID, true
	case "@timestamp":
		return formatTime(r.e.Timestamp), true
	case "@ingestionTime":
		return formatTime(r.e.IngestionTime), true
	}
	r.discover(f)
	v, ok := r.str[f]
	return v, ok
}

// number returns field f as a number, when it is one.
func (r *record) number(f string) (float64, bool) {
	switch f {
	case "@timestamp":
		return float64(r.e.Timestamp), true
	case "@ingestionTime":
		return float64(r.e.IngestionTime), true
	}
	r.discover(f)
	v, ok := r.num[f]
	return v, ok
}

func (r *record) present(f string) bool { _, ok := r.text(f); return ok }

// set adds a field found in the message.
func (r *record) set(f, text string, num float64, isNum bool) {
	if r.str == nil {
		r.str, r.num = map[string]string{}, map[string]float64{}
	}
	r.str[f] = text
	if isNum {
		r.num[f] = num
	}
}

// discover reads the message for the kind of field f is, once.
func (r *record) discover(f string) {
	switch {
	case strings.HasPrefix(f, "@"):
		if !r.lambda {
			r.lambda = true
			lambdaFields(r.e.Message, r)
		}
	case !r.discovered:
		r.discovered = true
		discoverJSON(r.e.Message, r)
	}
}

// lambdaFields adds the fields Insights discovers in the text format's
// START, END and REPORT lines: @type, @requestId and, on REPORT lines,
// @duration, @billedDuration, @initDuration (milliseconds), @memorySize and
// @maxMemoryUsed (bytes).
func lambdaFields(msg string, r *record) {
	m := reRequestID.FindStringSubmatch(msg)
	if m == nil {
		return
	}
	typ := msg[:strings.IndexByte(msg, ' ')]
	r.set("@type", typ, 0, false)
	r.set("@requestId", m[1], 0, false)
	if typ != "REPORT" {
		return
	}
	for _, f := range reReportNum.FindAllStringSubmatch(msg, -1) {
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		name, ok := map[string]string{"Duration": "@duration", "Billed Duration": "@billedDuration",
			"Memory Size": "@memorySize", "Max Memory Used": "@maxMemoryUsed", "Init Duration": "@initDuration"}[f[1]]
		if !ok {
			continue
		}
		if f[3] == "MB" {
			v *= 1e6
		}
		r.set(name, formatNum(v), v, true)
	}
}

// maxJSONFields is how many fields of one JSON message are discovered.
const maxJSONFields = 200

// discoverJSON adds the fields of msg to r when msg is one JSON object, as
// Insights discovers them in JSON log events: nested names joined with
// dots ("record.metrics.durationMs"), array elements by index
// ("stackTrace.0"), numbers as numbers (and their text), strings and
// booleans as text. Null values, names starting with '@' (the system
// fields win) and fields after the first maxJSONFields are left out. A
// message that is not valid JSON adds nothing.
func discoverJSON(msg string, r *record) {
	s := strings.TrimSpace(msg)
	if !strings.HasPrefix(s, "{") {
		return
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	str, num := map[string]string{}, map[string]float64{}
	var value func(name string) error
	members := func(prefix string, array bool) error {
		for i := 0; dec.More(); i++ {
			name := prefix + strconv.Itoa(i)
			if !array {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				name = prefix + tok.(string) // object keys are strings
			}
			if err := value(name); err != nil {
				return err
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	}
	value = func(name string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		keep := len(str) < maxJSONFields && !strings.HasPrefix(name, "@")
		switch v := tok.(type) {
		case json.Delim:
			return members(name+".", v == '[')
		case string:
			if keep {
				str[name] = v
			}
		case json.Number:
			f, err := v.Float64()
			if keep && err == nil {
				str[name], num[name] = v.String(), f
			}
		case bool:
			if keep {
				str[name] = strconv.FormatBool(v)
			}
		}
		return nil
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	if err := members("", false); err != nil {
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		return // more than one value
	}
	for k, v := range str {
		f, isNum := num[k]
		r.set(k, v, f, isNum)
	}
}

func formatNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ---- the query language ----

type queryPlan struct {
	fields []string
	conds  []cond
	aggs   []agg
	by     []groupKey
	sortBy string
	desc   bool
	limit  int
}

type cond struct {
	field, op string
	str       string
	num       float64
	isNum     bool
	re        *regexp.Regexp
	lits      []string // re's alternatives when all are plain text
	not       bool     // not ispresent, not like
}

type agg struct {
	name string // column name
	fn   string // count, sum, avg, min, max, pct
	arg  string // field or "*"
	wrap string // "", "ispresent", "strcontains"
	text string // strcontains' text
	pct  float64
}

type groupKey struct {
	name  string
	field string
	bin   time.Duration
}

var reIdent = `@?[A-Za-z_][A-Za-z0-9_.]*`

var (
	reCmp       = regexp.MustCompile(`^(` + reIdent + `)\s*(=|==|!=|<=|>=|<|>)\s*(".*"|'.*'|-?[0-9.]+)$`)
	reLike      = regexp.MustCompile(`^(` + reIdent + `)\s+(not\s+)?like\s+(/.*/|".*")$`)
	reIsPresent = regexp.MustCompile(`^(not\s+)?ispresent\(\s*(` + reIdent + `)\s*\)$`)
	reAgg       = regexp.MustCompile(`^(count|sum|avg|min|max|pct)\(\s*(.*?)\s*\)(?:\s+as\s+(` + reIdent + `))?$`)
	reAggArg    = regexp.MustCompile(`^(?:(ispresent)\(\s*(` + reIdent + `)\s*\)|(strcontains)\(\s*(` + reIdent + `)\s*,\s*"(.*)"\s*\)|(` + reIdent + `|\*))$`)
	rePct       = regexp.MustCompile(`^(.*?)\s*,\s*([0-9.]+)$`)
	reBin       = regexp.MustCompile(`^bin\(\s*([0-9]+)\s*(s|m|h|d|ms)?\s*\)(?:\s+as\s+(` + reIdent + `))?$`)
	reField     = regexp.MustCompile(`^(` + reIdent + `)(?:\s+as\s+(` + reIdent + `))?$`)
	reAnd       = regexp.MustCompile(`(?i)\s+and\s+`)
	reSort      = regexp.MustCompile(`^(` + reIdent + `|[a-z]+\(.*\))(?:\s+(asc|desc))?$`)
)

// parseQuery parses the subset of Logs Insights documented in the package
// doc.
func parseQuery(qs string) (*queryPlan, error) {
	q := &queryPlan{limit: 10000}
	cmds := splitTop(qs, '|')
	for _, c := range cmds {
		c = strings.Join(strings.Fields(c), " ")
		if c == "" {
			continue
		}
		verb, rest, _ := strings.Cut(c, " ")
		switch strings.ToLower(verb) {
		case "fields", "display":
			for _, f := range splitTop(rest, ',') {
				f = strings.TrimSpace(f)
				if !reField.MatchString(f) {
					return nil, fmt.Errorf("unsupported field %q", f)
				}
				q.fields = append(q.fields, f)
			}
		case "filter":
			if len(q.aggs) > 0 {
				return nil, fmt.Errorf("filter after stats is not supported")
			}
			for _, part := range reAnd.Split(rest, -1) {
				cd, err := parseCond(strings.TrimSpace(part))
				if err != nil {
					return nil, err
				}
				q.conds = append(q.conds, cd)
			}
		case "stats":
			if len(q.aggs) > 0 {
				return nil, fmt.Errorf("only one stats command is supported")
			}
			aggsPart, byPart := rest, ""
			if i := strings.LastIndex(strings.ToLower(rest), " by "); i >= 0 {
				aggsPart, byPart = rest[:i], rest[i+4:]
			}
			for _, a := range splitTop(aggsPart, ',') {
				ag, err := parseAgg(strings.TrimSpace(a))
				if err != nil {
					return nil, err
				}
				q.aggs = append(q.aggs, ag)
			}
			if byPart != "" {
				for _, k := range splitTop(byPart, ',') {
					k = strings.TrimSpace(k)
					if m := reBin.FindStringSubmatch(k); m != nil {
						n, _ := strconv.Atoi(m[1])
						unit := map[string]time.Duration{"": time.Minute, "ms": time.Millisecond, "s": time.Second,
							"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
						if n <= 0 {
							return nil, fmt.Errorf("bad bin %q", k)
						}
						name := k
						if m[3] != "" {
							name = m[3]
						} else if i := strings.Index(k, " as "); i >= 0 {
							name = k[:i]
						}
						q.by = append(q.by, groupKey{name: name, bin: time.Duration(n) * unit})
						continue
					}
					m := reField.FindStringSubmatch(k)
					if m == nil {
						return nil, fmt.Errorf("unsupported group key %q", k)
					}
					name := m[1]
					if m[2] != "" {
						name = m[2]
					}
					q.by = append(q.by, groupKey{name: name, field: m[1]})
				}
			}
		case "sort":
			m := reSort.FindStringSubmatch(rest)
			if m == nil {
				return nil, fmt.Errorf("unsupported sort %q", rest)
			}
			q.sortBy, q.desc = m[1], m[2] == "desc"
		case "limit":
			n, err := strconv.Atoi(rest)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("bad limit %q", rest)
			}
			q.limit = min(q.limit, n)
		default:
			return nil, fmt.Errorf("unsupported command %q", verb)
		}
	}
	return q, nil
}

// splitTop splits s at sep outside quotes, regexps and parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '/':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseCond(c string) (cond, error) {
	if m := reIsPresent.FindStringSubmatch(c); m != nil {
		return cond{field: m[2], op: "ispresent", not: m[1] != ""}, nil
	}
	if m := reLike.FindStringSubmatch(c); m != nil {
		lit := m[3]
		var re *regexp.Regexp
		var err error
		if lit[0] == '/' {
			re, err = regexp.Compile(lit[1 : len(lit)-1])
		} else {
			re, err = regexp.Compile(regexp.QuoteMeta(lit[1 : len(lit)-1]))
		}
		if err != nil {
			return cond{}, fmt.Errorf("bad regexp %s: %v", lit, err)
		}
		return cond{field: m[1], op: "like", re: re, lits: literals(re.String()), not: m[2] != ""}, nil
	}
	if m := reCmp.FindStringSubmatch(c); m != nil {
		cd := cond{field: m[1], op: m[2]}
		if cd.op == "==" {
			cd.op = "="
		}
		lit := m[3]
		if lit[0] == '"' || lit[0] == '\'' {
			cd.str = lit[1 : len(lit)-1]
		} else {
			v, err := strconv.ParseFloat(lit, 64)
			if err != nil {
				return cond{}, fmt.Errorf("bad number %q", lit)
			}
			cd.num, cd.isNum = v, true
		}
		return cd, nil
	}
	return cond{}, fmt.Errorf("unsupported filter %q", c)
}

func parseAgg(a string) (agg, error) {
	m := reAgg.FindStringSubmatch(a)
	if m == nil {
		return agg{}, fmt.Errorf("unsupported aggregate %q", a)
	}
	ag := agg{name: a, fn: m[1]}
	if m[3] != "" {
		ag.name = m[3]
	} else if i := strings.Index(a, " as "); i >= 0 {
		ag.name = a[:i]
	}
	arg := m[2]
	if ag.fn == "pct" {
		pm := rePct.FindStringSubmatch(arg)
		if pm == nil {
			return agg{}, fmt.Errorf("pct needs a field and a percentile: %q", a)
		}
		arg = pm[1]
		ag.pct, _ = strconv.ParseFloat(pm[2], 64)
	}
	am := reAggArg.FindStringSubmatch(arg)
	if am == nil {
		return agg{}, fmt.Errorf("unsupported argument %q", arg)
	}
	switch {
	case am[1] != "":
		ag.wrap, ag.arg = "ispresent", am[2]
	case am[3] != "":
		ag.wrap, ag.arg, ag.text = "strcontains", am[4], am[5]
	default:
		ag.arg = am[6]
	}
	if ag.arg == "*" && ag.fn != "count" {
		return agg{}, fmt.Errorf("%s(*) is not valid", ag.fn)
	}
	return ag, nil
}

// literals returns the alternatives of a regular expression that is only
// plain texts joined with '|' ("Task timed out|Runtime\.|Status: error"),
// which strings.Contains matches much faster than the regexp engine; nil
// for any other.
func literals(expr string) []string {
	if strings.ContainsAny(expr, "()[]") || strings.Contains(expr, `\|`) {
		return nil
	}
	var out []string
	for _, alt := range strings.Split(expr, "|") {
		re, err := regexp.Compile(alt)
		if err != nil {
			return nil
		}
		lit, complete := re.LiteralPrefix()
		if !complete {
			return nil
		}
		out = append(out, lit)
	}
	return out
}

// like reports whether v matches the condition's regular expression.
func (c cond) like(v string) bool {
	if c.lits == nil {
		return c.re.MatchString(v)
	}
	for _, l := range c.lits {
		if strings.Contains(v, l) {
			return true
		}
	}
	return false
}

func (c cond) eval(r *record) bool {
	switch c.op {
	case "ispresent":
		return r.present(c.field) != c.not
	case "like":
		v, ok := r.text(c.field)
		return ok && c.like(v) != c.not
	}
	if c.isNum {
		v, ok := r.number(c.field)
		if !ok {
			if s, ok2 := r.text(c.field); ok2 {
				f, err := strconv.ParseFloat(s, 64)
				v, ok = f, err == nil
			}
		}
		return ok && compare(c.op, v, c.num)
	}
	v, ok := r.text(c.field)
	if !ok {
		return c.op == "!="
	}
	return compare(c.op, v, c.str)
}

// compare applies a comparison operator of the query language.
func compare[T cmp.Ordered](op string, a, b T) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

// value is an aggregate's input for a record, and whether it counts.
func (a agg) value(r *record) (float64, bool) {
	switch a.wrap {
	case "ispresent":
		if r.present(a.arg) {
			return 1, true
		}
		return 0, true
	case "strcontains":
		if v, _ := r.text(a.arg); strings.Contains(v, a.text) {
			return 1, true
		}
		return 0, true
	}
	if a.arg == "*" {
		return 1, true
	}
	if v, ok := r.number(a.arg); ok {
		return v, true
	}
	if s, ok := r.text(a.arg); ok {
		if a.fn == "count" {
			return 1, true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

type bucket struct {
	keys []string
	vals [][]float64 // per aggregate
}

// run evaluates the plan over records in time order; it returns the rows
// and how many records matched the filters.
func (q *queryPlan) run(recs []*record) ([][]resultField, int) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].e.Timestamp < recs[j].e.Timestamp })
	var matched []*record
	for _, r := range recs {
		ok := true
		for _, c := range q.conds {
			if !c.eval(r) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, r)
		}
	}
	var rows [][]resultField
	if len(q.aggs) == 0 {
		fields := q.fields
		if len(fields) == 0 {
			fields = []string{"@timestamp", "@message"}
		}
		for _, r := range matched {
			var row []resultField
			for _, f := range fields {
				m := reField.FindStringSubmatch(f)
				name := m[1]
				if m[2] != "" {
					name = m[2]
				}
				if v, ok := r.text(m[1]); ok {
					row = append(row, resultField{name, v})
				}
			}
			rows = append(rows, append(row, resultField{"@ptr", r.e.ID}))
		}
	} else {
		buckets := map[string]*bucket{}
		var order []string
		for _, r := range matched {
			keys := make([]string, len(q.by))
			for i, k := range q.by {
				if k.bin > 0 {
					ms := r.e.Timestamp
					keys[i] = formatTime(ms - ms%k.bin.Milliseconds())
				} else {
					keys[i], _ = r.text(k.field)
				}
			}
			id := strings.Join(keys, "\x00")
			b := buckets[id]
			if b == nil {
				b = &bucket{keys: keys, vals: make([][]float64, len(q.aggs))}
				buckets[id] = b
				order = append(order, id)
			}
			for i, a := range q.aggs {
				if v, ok := a.value(r); ok {
					b.vals[i] = append(b.vals[i], v)
				}
			}
		}
		sort.Strings(order)
		for _, id := range order {
			b := buckets[id]
			var row []resultField
			for i, k := range q.by {
				row = append(row, resultField{k.name, b.keys[i]})
			}
			for i, a := range q.aggs {
				if v, ok := a.result(b.vals[i]); ok {
					row = append(row, resultField{a.name, v})
				}
			}
			rows = append(rows, row)
		}
	}
	if q.sortBy != "" {
		sort.SliceStable(rows, func(i, j int) bool {
			a, b := fieldOf(rows[i], q.sortBy), fieldOf(rows[j], q.sortBy)
			fa, ea := strconv.ParseFloat(a, 64)
			fb, eb := strconv.ParseFloat(b, 64)
			var lt, gt bool
			if ea == nil && eb == nil {
				lt, gt = fa < fb, fa > fb
			} else {
				lt, gt = a < b, a > b
			}
			if q.desc {
				return gt
			}
			return lt
		})
	}
	if len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	return rows, len(matched)
}

func fieldOf(row []resultField, name string) string {
	for _, f := range row {
		if f.Field == name {
			return f.Value
		}
	}
	return ""
}

// result is the aggregate of vals as Insights prints it; count is always
// present, the others only when some record had the field.
func (a agg) result(vals []float64) (string, bool) {
	if a.fn == "count" {
		return strconv.Itoa(len(vals)), true
	}
	if len(vals) == 0 {
		return "", false
	}
	switch a.fn {
	case "sum", "avg":
		var sum float64
		for _, v := range vals {
			sum += v
		}
		if a.fn == "avg" {
			sum /= float64(len(vals))
		}
		return formatNum(sum), true
	case "min", "max":
		m := vals[0]
		for _, v := range vals[1:] {
			if (a.fn == "min") == (v < m) && v != m {
				m = v
			}
		}
		return formatNum(m), true
	case "pct":
		s := append([]float64(nil), vals...)
		sort.Float64s(s)
		i := int(math.Ceil(a.pct/100*float64(len(s)))) - 1
		return formatNum(s[max(0, min(i, len(s)-1))]), true
	}
	return "", false
}
