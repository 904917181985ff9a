package cwltest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ---- DescribeLogGroups ----

type describeLogGroupsIn struct {
	LogGroupNamePrefix  *string `json:"logGroupNamePrefix"`
	LogGroupNamePattern *string `json:"logGroupNamePattern"`
	Limit               *int    `json:"limit"`
	NextToken           *string `json:"nextToken"`
}

type logGroupOut struct {
	LogGroupName    string `json:"logGroupName"`
	Arn             string `json:"arn"`
	LogGroupArn     string `json:"logGroupArn"`
	CreationTime    int64  `json:"creationTime"`
	StoredBytes     int64  `json:"storedBytes"`
	LogGroupClass   string `json:"logGroupClass"`
	MetricFilterCnt int    `json:"metricFilterCount"`
}

func (s *Server) describeLogGroups(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in describeLogGroupsIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalid("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive")
	}
	limit := 50
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 50 {
			return nil, invalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", *in.Limit)
		}
		limit = *in.Limit
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "g:") {
			return nil, invalid("The specified nextToken is invalid.")
		}
		after = string(b[2:])
	}
	s.mu.Lock()
	var names []string
	for n := range s.groups {
		switch {
		case in.LogGroupNamePrefix != nil && !strings.HasPrefix(n, *in.LogGroupNamePrefix):
		case in.LogGroupNamePattern != nil && !strings.Contains(n, *in.LogGroupNamePattern):
		case after != "" && n <= after:
		default:
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOut{}}
	for i, n := range names {
		if i == limit {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("g:" + names[i-1]))
			break
		}
		g := s.groups[n]
		var bytes int64
		for _, e := range g.events {
			bytes += int64(len(e.Message))
		}
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: n, Arn: g.ARN + ":*", LogGroupArn: g.ARN,
			CreationTime: g.Created.UnixMilli(), StoredBytes: bytes, LogGroupClass: "STANDARD",
		})
	}
	s.mu.Unlock()
	return out, nil
}

// ---- FilterLogEvents ----

type filterLogEventsIn struct {
	LogGroupName        *string  `json:"logGroupName"`
	LogGroupIdentifier  *string  `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix *string  `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       *string  `json:"filterPattern"`
	Limit               *int     `json:"limit"`
	NextToken           *string  `json:"nextToken"`
}

type filteredEvent struct {
	EventID       string `json:"eventId"`
	IngestionTime int64  `json:"ingestionTime"`
	LogStreamName string `json:"logStreamName"`
	Message       string `json:"message"`
	Timestamp     int64  `json:"timestamp"`
}

// pageToken is a position in a group's event order: after (ts, ing, seq),
// or at it when inclusive; empties counts the empty pages served before
// the next real one.
type pageToken struct {
	ts, ing   int64
	seq       uint64
	inclusive bool
	empties   int
}

func (t pageToken) String() string {
	inc := 0
	if t.inclusive {
		inc = 1
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "f:%d:%d:%d:%d:%d", t.ts, t.ing, t.seq, inc, t.empties))
}

func parsePageToken(s string) (pageToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return pageToken{}, false
	}
	var t pageToken
	var inc int
	if _, err := fmt.Sscanf(string(b), "f:%d:%d:%d:%d:%d", &t.ts, &t.ing, &t.seq, &inc, &t.empties); err != nil {
		return pageToken{}, false
	}
	t.inclusive = inc == 1
	return t, true
}

func (s *Server) filterLogEvents(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in filterLogEventsIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if (in.LogGroupName == nil) == (in.LogGroupIdentifier == nil) {
		return nil, invalid("Exactly one of logGroupName or logGroupIdentifier must be specified")
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		return nil, invalid("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	limit := 10000
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 10000 {
			return nil, invalid("limit must be between 1 and 10000")
		}
		limit = *in.Limit
	}
	pat, perr := parsePattern(deref(in.FilterPattern))
	if perr != nil {
		return nil, perr
	}
	var tok pageToken
	var hasTok bool
	if in.NextToken != nil {
		if tok, hasTok = parsePageToken(*in.NextToken); !hasTok {
			return nil, invalid("The specified nextToken is invalid.")
		}
	}
	streams := map[string]bool{}
	for _, n := range in.LogStreamNames {
		streams[n] = true
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	id := deref(in.LogGroupName) + deref(in.LogGroupIdentifier)
	g := s.groupByIdentifierLocked(id)
	if g == nil {
		return nil, notFound(id)
	}
	type out struct {
		Events             []filteredEvent `json:"events"`
		NextToken          string          `json:"nextToken,omitempty"`
		SearchedLogStreams []struct{}      `json:"searchedLogStreams"`
	}
	res := out{Events: []filteredEvent{}, SearchedLogStreams: []struct{}{}}
	if tok.empties < s.faults.emptyPages {
		next := tok
		next.empties++
		res.NextToken = next.String()
		return res, nil
	}
	if s.opts.pageSize > 0 {
		limit = min(limit, s.opts.pageSize)
	}
	evs := g.events
	i := 0
	if hasTok {
		i = sort.Search(len(evs), func(i int) bool {
			e := evs[i]
			if e.Timestamp != tok.ts {
				return e.Timestamp > tok.ts
			}
			if e.IngestionTime != tok.ing {
				return e.IngestionTime > tok.ing
			}
			if tok.inclusive {
				return e.seq >= tok.seq
			}
			return e.seq > tok.seq
		})
	} else if in.StartTime != nil {
		i = sort.Search(len(evs), func(i int) bool { return evs[i].Timestamp >= *in.StartTime })
	}
	nowMs := s.now().UnixMilli()
	n, size := 0, 0
	var last *StoredEvent
	for ; i < len(evs); i++ {
		e := evs[i]
		if in.EndTime != nil && e.Timestamp >= *in.EndTime {
			break
		}
		if in.StartTime != nil && e.Timestamp < *in.StartTime {
			continue
		}
		if !s.visible(e, nowMs) ||
			(len(streams) > 0 && !streams[e.Stream]) ||
			(in.LogStreamNamePrefix != nil && !strings.HasPrefix(e.Stream, *in.LogStreamNamePrefix)) ||
			!pat.match(e.Message) {
			continue
		}
		extra := hasTok && tok.inclusive && n == 0 // the duplicate does not count
		if !extra && (n == limit || (n > 0 && size+len(e.Message) > pageBytes)) {
			res.NextToken = pageToken{ts: last.Timestamp, ing: last.IngestionTime, seq: last.seq,
				inclusive: s.faults.duplicates}.String()
			break
		}
		res.Events = append(res.Events, filteredEvent{e.ID, e.IngestionTime, e.Stream, e.Message, e.Timestamp})
		if !extra {
			n++
		}
		size += len(e.Message)
		last = e
	}
	return res, nil
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

// ---- GetLogEvents ----

type getLogEventsIn struct {
	LogGroupName       *string `json:"logGroupName"`
	LogGroupIdentifier *string `json:"logGroupIdentifier"`
	LogStreamName      string  `json:"logStreamName"`
	StartTime          *int64  `json:"startTime"`
	EndTime            *int64  `json:"endTime"`
	Limit              *int    `json:"limit"`
	NextToken          *string `json:"nextToken"`
	StartFromHead      *bool   `json:"startFromHead"`
}

type outputEvent struct {
	IngestionTime int64  `json:"ingestionTime"`
	Message       string `json:"message"`
	Timestamp     int64  `json:"timestamp"`
}

// getLogEvents pages over one stream with tokens "f:<index>" (forward,
// events from index on) and "b:<index>" (backward, events before index).
func (s *Server) getLogEvents(_ http.ResponseWriter, _ *http.Request, body []byte) (any, *APIError) {
	var in getLogEventsIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogStreamName == "" {
		return nil, invalid("logStreamName is required")
	}
	limit := 10000
	if in.Limit != nil {
		limit = max(1, min(*in.Limit, 10000))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := deref(in.LogGroupName) + deref(in.LogGroupIdentifier)
	g := s.groupByIdentifierLocked(id)
	if g == nil {
		return nil, notFound(id)
	}
	nowMs := s.now().UnixMilli()
	var evs []*StoredEvent
	for _, e := range g.events {
		if e.Stream == in.LogStreamName && s.visible(e, nowMs) &&
			(in.StartTime == nil || e.Timestamp >= *in.StartTime) &&
			(in.EndTime == nil || e.Timestamp < *in.EndTime) {
			evs = append(evs, e)
		}
	}
	forward := deref(in.StartFromHead)
	pos := len(evs)
	if forward {
		pos = 0
	}
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || len(b) < 3 {
			return nil, invalid("The specified nextToken is invalid.")
		}
		forward = b[0] == 'f'
		p, err := strconv.Atoi(string(b[2:]))
		if err != nil {
			return nil, invalid("The specified nextToken is invalid.")
		}
		pos = max(0, min(p, len(evs)))
	}
	lo, hi := pos, min(pos+limit, len(evs))
	if !forward {
		lo, hi = max(0, pos-limit), pos
	}
	res := struct {
		Events            []outputEvent `json:"events"`
		NextForwardToken  string        `json:"nextForwardToken"`
		NextBackwardToken string        `json:"nextBackwardToken"`
	}{Events: []outputEvent{}}
	for _, e := range evs[lo:hi] {
		res.Events = append(res.Events, outputEvent{e.IngestionTime, e.Message, e.Timestamp})
	}
	res.NextForwardToken = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "f:%d", hi))
	res.NextBackwardToken = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "b:%d", lo))
	return res, nil
}

// ---- filter patterns ----

type term struct {
	text string
	opt  bool // ?term
	neg  bool // -term
}

type pattern []term

// parsePattern parses the term syntax of filter patterns.
func parsePattern(p string) (pattern, *APIError) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "%") || strings.HasPrefix(p, "[") {
		return nil, invalid("cwltest supports term filter patterns only, not %q", p)
	}
	var out pattern
	for i := 0; i < len(p); {
		if p[i] == ' ' || p[i] == '\t' {
			i++
			continue
		}
		var t term
		switch p[i] {
		case '?':
			t.opt = true
			i++
		case '-':
			t.neg = true
			i++
		}
		if i < len(p) && p[i] == '"' {
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				return nil, invalid("Invalid filter pattern: unterminated quote in %q", p)
			}
			t.text = p[i+1 : i+1+j]
			i += j + 2
		} else {
			j := strings.IndexAny(p[i:], " \t")
			if j < 0 {
				j = len(p) - i
			}
			t.text = p[i : i+j]
			i += j
		}
		if t.text == "" {
			return nil, invalid("Invalid filter pattern %q", p)
		}
		out = append(out, t)
	}
	return out, nil
}

func (p pattern) match(msg string) bool {
	anyOpt, optHit := false, false
	for _, t := range p {
		has := strings.Contains(msg, t.text)
		switch {
		case t.neg:
			if has {
				return false
			}
		case t.opt:
			anyOpt = true
			optHit = optHit || has
		default:
			if !has {
				return false
			}
		}
	}
	return !anyOpt || optHit
}
