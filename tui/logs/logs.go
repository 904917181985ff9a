// Package logs is fntop's live log view of one function or of the whole
// fleet: a bounded buffer of log lines merged in time order, followed or
// paused, searched and filtered by regex, coloured by level, optionally
// grouped by request (START..REPORT as one foldable row with the figures of
// its REPORT), with JSON messages pretty-printed on demand.
//
// Every message goes through termsafe before it is drawn. Rows are built
// when data or settings change; screen lines are built only for the rows
// in view.
package logs

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources/lambdalog"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// DefaultMaxLines bounds the buffer: older lines are dropped.
const DefaultMaxLines = 20000

// Option configures a Model.
type Option func(*Model)

// WithMaxLines bounds the buffer to n lines (default DefaultMaxLines).
func WithMaxLines(n int) Option {
	return func(m *Model) {
		if n > 0 {
			m.maxLines = n
		}
	}
}

// WithLocation sets the time zone of "local" timestamps (default
// time.Local); `u` switches between it and UTC.
func WithLocation(loc *time.Location) Option {
	return func(m *Model) {
		if loc != nil {
			m.loc = loc
		}
	}
}

// WithClock sets the clock the header's "newest line ... ago" reads
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(m *Model) {
		if now != nil {
			m.now = now
		}
	}
}

// WithKeyMap replaces the default key bindings.
func WithKeyMap(k KeyMap) Option { return func(m *Model) { m.keys = k } }

// report is what the view needs of a REPORT line.
type report struct {
	durationMs, billedMs float64
	memSizeMB, memUsedMB int
	initMs               float64 // init or restore duration: a cold start
	status, errorType    string
	kind                 model.ErrorKind
}

// entry is one buffered log line and what was derived from it on arrival.
type entry struct {
	model.LogEntry
	rep    *report         // set for REPORT lines
	fail   model.ErrorKind // failure kind of a failure line or failed REPORT
	failed bool            // a line n/N stops at without a search
	keep   bool            // passes the filter
}

// before orders entries by time, then by arrival.
func before(a, b *entry) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Seq < b.Seq
}

func cmpEntry(a, b entry) int {
	switch {
	case before(&a, &b):
		return -1
	case before(&b, &a):
		return 1
	}
	return 0
}

// classify derives an entry's failure state and report figures.
func classify(e *entry) {
	switch e.Kind {
	case model.LinePlatform:
		if !isReportLike(e.Message) {
			break
		}
		r := lambdalog.ParseMessage(e.Message)
		if r.Type != lambdalog.RecordReport {
			break
		}
		rp := &report{
			durationMs: r.Metrics.DurationMs, billedMs: r.Metrics.BilledMs,
			memSizeMB: r.Metrics.MemorySizeMB, memUsedMB: r.Metrics.MaxMemoryUsedMB,
			initMs: max(r.Metrics.InitDurationMs, r.Metrics.RestoreDurationMs),
			status: r.Status, errorType: r.ErrorType, kind: r.ErrorKind(),
		}
		e.rep = rp
		if rp.status != "" || rp.kind != model.ErrNone {
			e.failed, e.fail = true, rp.kind
		}
	case model.LineFailure:
		r := lambdalog.ParseMessage(e.Message)
		e.failed, e.fail = true, r.ErrorKind()
	}
	if e.Level >= model.LevelError {
		e.failed = true
	}
	if e.failed && e.fail == model.ErrNone {
		e.fail = model.ErrFunction
	}
}

// isReportLike is a cheap test for the platform lines worth parsing.
func isReportLike(msg string) bool {
	s := strings.TrimLeft(msg, " \t\ufeff")
	return strings.HasPrefix(s, "REPORT") || strings.HasPrefix(s, "{") && strings.Contains(s, "platform.report")
}

// matcher is a compiled search or filter.
type matcher struct {
	src    string // as typed
	re     *regexp.Regexp
	invert bool
	err    string // why the regex was taken literally
}

// newMatcher compiles a case-insensitive regex; a bad one falls back to a
// substring match and says so. allowInvert reads a leading "!".
func newMatcher(src string, allowInvert bool) *matcher {
	if src == "" {
		return nil
	}
	m := &matcher{src: src}
	pat := src
	if allowInvert && strings.HasPrefix(pat, "!") {
		m.invert, pat = true, pat[1:]
		if pat == "" {
			return nil
		}
	}
	re, err := regexp.Compile("(?i)" + pat)
	if err != nil {
		m.err = "bad regex, matching text: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(pat))
	}
	m.re = re
	return m
}

// matches reports whether the message text (as shown) matches.
func (m *matcher) matches(e *entry) bool {
	return m.re.MatchString(termsafe.Text(e.Message)) || m.re.MatchString(e.Function)
}

// row is one row of the view: a single line, or a request's group.
type row struct {
	e int32 // buffer index of the line, or of the group's first shown member
	g int32 // group index, -1 for a single line
}

// groupKey names a request.
type groupKey struct{ fn, id string }

// group is a request's lines with its summary.
type group struct {
	key     groupKey
	members []int32 // buffer indexes of the shown members, in time order
	rep     *report
	fails   []model.ErrorKind // kinds of the request's failure lines
	total   int               // lines of the request, shown or not
}

// inputMode says what the text input is editing.
type inputMode uint8

const (
	inputNone inputMode = iota
	inputSearch
	inputFilter
)

// Model is the log view. It is a value; the root stores it by type. The
// line buffer is shared between copies and AddLogs and a new filter change
// it in place: keep using the copy they were called on.
type Model struct {
	st       common.Styles
	styles   []styleEntry
	keys     KeyMap
	function string
	maxLines int
	loc      *time.Location
	now      func() time.Time

	width, height int

	buf    []entry
	maxSeq uint64
	rows   []row
	groups []group

	following bool
	cursor    int // row under the cursor (the last row while following)
	top       int // first row on screen while paused
	topSkip   int // screen lines of the top row scrolled off
	xOff      int // horizontal scroll (cells) when not wrapping
	newLines  int // lines that arrived while paused

	search *matcher
	filter *matcher
	input  lineInput
	mode   inputMode
	status string // last message for the user ("no more failures")

	timestamps, utc, wrap, pretty, grouped bool
	unfoldAll                              bool
	folds                                  map[groupKey]bool // exceptions to unfoldAll
}

var _ common.View = (*Model)(nil)
var _ common.LogsConsumer = (*Model)(nil)

// New returns the log view of function ("" = the whole fleet), following
// the newest line, with timestamps shown in local time.
func New(st common.Styles, function string, opts ...Option) Model {
	m := Model{
		st:         st,
		keys:       DefaultKeyMap(),
		function:   function,
		maxLines:   DefaultMaxLines,
		loc:        time.Local,
		now:        time.Now,
		following:  true,
		timestamps: true,
		folds:      map[groupKey]bool{},
	}
	for _, o := range opts {
		o(&m)
	}
	m.styles = buildStyles(st)
	return m
}

// Function is the function shown; "" is the whole fleet.
func (m Model) Function() string { return m.function }

// SetSize sets the view's rectangle.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	if !m.following {
		m.clampPosition()
	}
}

// SetSnapshot is part of the view contract; the log view reads lines only.
func (m *Model) SetSnapshot(*model.Snapshot) {}

// Capturing reports whether a search or filter is being typed.
func (m Model) Capturing() bool { return m.mode != inputNone }

// Following reports whether the view follows the newest line.
func (m Model) Following() bool { return m.following }

// Len is the number of lines buffered.
func (m Model) Len() int { return len(m.buf) }

// LogQuery asks for the lines newer than the newest one held.
func (m Model) LogQuery() model.LogQuery {
	return model.LogQuery{Function: m.function, AfterSeq: m.maxSeq}
}

// Keys returns the bindings that apply now.
func (m Model) Keys() help.KeyMap {
	k := m.keys
	capturing := m.Capturing()
	k.Apply.SetEnabled(capturing)
	k.Cancel.SetEnabled(capturing)
	if m.search != nil {
		k.Next.SetHelp("n", "next match")
		k.Prev.SetHelp("N", "previous match")
	} else {
		k.Next.SetHelp("n", "next failure (no search)")
		k.Prev.SetHelp("N", "previous failure (no search)")
	}
	k.Left.SetEnabled(!m.wrap)
	k.Right.SetEnabled(!m.wrap)
	k.Fold.SetEnabled(m.grouped)
	if m.grouped {
		k.Request.SetHelp("r", "open the request")
	}
	k.UnfoldAll.SetEnabled(m.grouped)
	k.FoldAll.SetEnabled(m.grouped)
	if m.following {
		k.Follow.SetHelp("s", "pause autoscroll")
	} else {
		k.Follow.SetHelp("s", "resume autoscroll")
	}
	return k
}

// AddLogs merges new lines into the buffer in time order, dropping the
// oldest beyond the bound. Lines usually arrive in order and are appended;
// a late batch is merged into the tail it overlaps.
func (m *Model) AddLogs(in []model.LogEntry) {
	if len(in) == 0 {
		return
	}
	add := make([]entry, len(in))
	kept := 0
	for i := range in {
		e := &add[i]
		e.LogEntry = in[i]
		classify(e)
		e.keep = m.filter == nil || m.filter.matches(e) != m.filter.invert
		if e.keep {
			kept++
		}
		m.maxSeq = max(m.maxSeq, e.Seq)
	}
	if !slices.IsSortedFunc(add, cmpEntry) {
		slices.SortStableFunc(add, cmpEntry)
	}
	anchor := m.saveAnchor()
	p := len(m.buf)
	if p > 0 && before(&add[0], &m.buf[p-1]) {
		first := &add[0]
		p, _ = slices.BinarySearchFunc(m.buf, first, func(a entry, b *entry) int {
			if before(&a, b) {
				return -1
			}
			return 1
		})
		tail := slices.Clone(m.buf[p:])
		m.buf = m.buf[:p]
		i, j := 0, 0
		for i < len(tail) && j < len(add) {
			if before(&add[j], &tail[i]) {
				m.buf = append(m.buf, add[j])
				j++
			} else {
				m.buf = append(m.buf, tail[i])
				i++
			}
		}
		m.buf = append(m.buf, tail[i:]...)
		m.buf = append(m.buf, add[j:]...)
	} else {
		m.grow(len(add))
		m.buf = append(m.buf, add...)
	}
	if over := len(m.buf) - m.maxLines; over > 0 {
		clear(m.buf[:over]) // let the strings go
		m.buf = m.buf[over:]
	}
	if !m.following {
		m.newLines += kept
	}
	m.rebuild(anchor)
}

// grow makes room for n more lines. Dropping the oldest reslices the
// buffer from the front, so it reallocates with room for a bound's worth
// of ticks: a copy every maxLines appended lines, not every tick.
func (m *Model) grow(n int) {
	need := len(m.buf) + n
	if need <= cap(m.buf) {
		return
	}
	c := max(2*need, 256)
	if c > 2*m.maxLines {
		c = max(2*m.maxLines, need)
	}
	nb := make([]entry, len(m.buf), c)
	copy(nb, m.buf)
	m.buf = nb
}

// anchor is where the view stands, by line identity, across rebuilds.
type anchor struct {
	ok          bool
	cursor, top entryKey
	topSkip     int
}

type entryKey struct {
	t   time.Time
	seq uint64
}

func (m *Model) keyOf(r int) entryKey {
	e := &m.buf[m.rows[r].e]
	return entryKey{e.Time, e.Seq}
}

func (m *Model) saveAnchor() anchor {
	if m.following || len(m.rows) == 0 {
		return anchor{}
	}
	m.clampPosition()
	return anchor{ok: true, cursor: m.keyOf(m.cursor), top: m.keyOf(m.top), topSkip: m.topSkip}
}

// findRow returns the first row at or after k.
func (m *Model) findRow(k entryKey) int {
	i, _ := slices.BinarySearchFunc(m.rows, k, func(r row, k entryKey) int {
		e := &m.buf[r.e]
		switch {
		case e.Time.Before(k.t) || e.Time.Equal(k.t) && e.Seq < k.seq:
			return -1
		case e.Time.Equal(k.t) && e.Seq == k.seq:
			return 0
		}
		return 1
	})
	return i
}

// rebuild recomputes the rows from the buffer, the filter and the
// grouping, and puts the view back where it stood.
func (m *Model) rebuild(a anchor) {
	// Fresh slices: a copy of the model taken before keeps its rows.
	m.rows = make([]row, 0, len(m.rows)+len(m.buf)-len(m.rows))
	m.groups = nil
	if !m.grouped {
		for i := range m.buf {
			if m.buf[i].keep {
				m.rows = append(m.rows, row{e: int32(i), g: -1})
			}
		}
	} else {
		index := make(map[groupKey]int32, len(m.buf)/4)
		for i := range m.buf {
			e := &m.buf[i]
			if e.RequestID == "" {
				if e.keep {
					m.rows = append(m.rows, row{e: int32(i), g: -1})
				}
				continue
			}
			k := groupKey{e.Function, e.RequestID}
			gi, ok := index[k]
			if !ok {
				gi = int32(len(m.groups))
				index[k] = gi
				m.groups = append(m.groups, group{key: k})
			}
			g := &m.groups[gi]
			g.total++
			if e.rep != nil {
				g.rep = e.rep
			}
			if e.failed && e.rep == nil {
				g.fails = append(g.fails, e.fail)
			}
			if e.keep {
				if len(g.members) == 0 {
					m.rows = append(m.rows, row{e: int32(i), g: gi})
				}
				g.members = append(g.members, int32(i))
			}
		}
	}
	if !a.ok {
		m.clampPosition()
		return
	}
	m.cursor = m.findRow(a.cursor)
	m.top = m.findRow(a.top)
	if m.top < len(m.rows) && m.keyOf(m.top) == a.top {
		m.topSkip = a.topSkip
	} else {
		m.topSkip = 0
	}
	m.clampPosition()
}

// clampPosition keeps cursor and top inside the rows.
func (m *Model) clampPosition() {
	n := len(m.rows)
	if n == 0 {
		m.cursor, m.top, m.topSkip = 0, 0, 0
		return
	}
	if m.following {
		m.cursor = n - 1
	}
	m.cursor = min(max(m.cursor, 0), n-1)
	m.top = min(max(m.top, 0), m.cursor)
	if m.topSkip < 0 {
		m.topSkip = 0
	}
}

// refilter re-evaluates the filter over the buffer.
func (m *Model) refilter() {
	a := m.saveAnchor()
	for i := range m.buf {
		e := &m.buf[i]
		e.keep = m.filter == nil || m.filter.matches(e) != m.filter.invert
	}
	m.rebuild(a)
}

// CursorRequest is the function and request of the line (or group) under
// the cursor; the request is "" when the line names none.
func (m *Model) CursorRequest() (function, requestID string) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return "", ""
	}
	r := m.rows[m.cursor]
	if r.g >= 0 {
		k := m.groups[r.g].key
		return k.fn, k.id
	}
	e := &m.buf[r.e]
	fn := e.Function
	if fn == "" {
		fn = m.function
	}
	return fn, e.RequestID
}

// unfolded reports whether a group shows its lines.
func (m *Model) unfolded(k groupKey) bool {
	if v, ok := m.folds[k]; ok {
		return v
	}
	return m.unfoldAll
}
