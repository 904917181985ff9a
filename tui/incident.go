package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
)

// reportEvery is how often the fleet view's anomaly column is refreshed
// (the triage view gets a fresh report on every fetch): a report takes a
// baseline snapshot, an hour of the whole fleet.
const reportEvery = 5 * time.Second

// incidentState is incident mode: T0 pinned, and what has been collected
// since.
//
// T0 is the store's now when the key was pressed, down to the minute: the
// store answers a window ending at End with whole buckets, the one holding
// End included, so only an End just before a bucket boundary (end()) keeps
// what arrives after T0 out of every figure. Log lines are cut at T0 too.
type incidentState struct {
	t0      time.Time // zero: not in incident mode
	pinning bool      // the key was pressed, T0 is being read from the store
	// base is the store's all-time count of invocations when T0 was
	// pinned; collected is how many came in since, as of liveEnd (the
	// store's now).
	base      int64
	collected int64
	liveEnd   time.Time
}

func (s incidentState) on() bool { return !s.t0.IsZero() }

// end is the End of every snapshot and report in incident mode: the last
// instant before T0 (zero outside incident mode).
func (s incidentState) end() time.Time {
	if s.t0.IsZero() {
		return time.Time{}
	}
	return s.t0.Add(-time.Nanosecond)
}

// pinResolution is what T0 is rounded down to: the store's coarse
// buckets (the fine ones divide it).
const pinResolution = model.CoarseResolution

// pinMsg is the store's now and its all-time invocations when incident
// mode was asked for.
type pinMsg struct {
	t0   time.Time
	base int64
	err  error
}

// exportMsg is the outcome of writing the incident report.
type exportMsg struct {
	path string
	err  error
}

// toggleIncident enters incident mode (T0 is read from the store in a
// command) or leaves it, after which the views follow now again.
func (m Model) toggleIncident() (Model, tea.Cmd) {
	if m.incident.on() || m.incident.pinning {
		m.incident = incidentState{}
		m.status.notice = ""
		m.reportAt = time.Time{}
		return m.refreshNow()
	}
	m.incident = incidentState{pinning: true}
	return m, pin(m.data, m.crashDir)
}

// pin reads the store's now and its all-time invocation count.
func pin(data common.Data, crashDir string) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = pinMsg{err: crashErr("reading the store", r, crashDir)}
			}
		}()
		s := data.Snapshot(model.SnapshotOptions{Window: model.WindowAll})
		return pinMsg{t0: s.Window.End, base: s.Totals.Invocations}
	}
}

func (m Model) onPin(msg pinMsg) (Model, tea.Cmd) {
	if !m.incident.pinning {
		return m, nil // left again before the store answered
	}
	if msg.err != nil || msg.t0.IsZero() {
		m.incident = incidentState{}
		if msg.err != nil {
			m.status.fetchErr = msg.err.Error()
		}
		return m, nil
	}
	m.incident = incidentState{t0: msg.t0.Truncate(pinResolution), base: msg.base, liveEnd: msg.t0}
	m.held = nil
	m.reportAt = time.Time{}
	return m.refreshNow()
}

// exportReq is what writing a report needs, captured by value.
type exportReq struct {
	window   time.Duration
	t0       time.Time // incident mode's T0; zero: now
	prices   *model.PriceTable
	dir      string
	crashDir string
}

// exportReport builds the triage report at T0 (now outside incident mode)
// and writes it as Markdown to the report directory.
func (m Model) exportReport() (Model, tea.Cmd) {
	m.status.notice, m.status.noticeErr = "writing the report…", false
	req := exportReq{window: m.window, t0: m.incident.t0, prices: m.prices, dir: m.reportDir, crashDir: m.crashDir}
	return m, export(m.data, req)
}

func export(data common.Data, req exportReq) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = exportMsg{err: crashErr("building the report", r, req.crashDir)}
			}
		}()
		end := incidentState{t0: req.t0}.end()
		r := pinned(analysis.Build(&snapshotOnce{data: data, until: req.t0}, analysis.Options{Window: req.window, End: end, Prices: req.prices}), req.t0)
		logs := func(q model.LogQuery) []model.LogEntry { return logsUntil(data, q, req.t0) }
		t0 := req.t0
		if t0.IsZero() {
			t0 = r.T0
		}
		path, err := writeReport(req.dir, ReportName(t0), r, logs)
		return exportMsg{path: path, err: err}
	}
}

// ReportName is the file name of the report of an incident at t0:
// fntop-incident-YYYYMMDD-HHMMSSZ.md.
func ReportName(t0 time.Time) string {
	return "fntop-incident-" + t0.UTC().Format("20060102-150405") + "Z.md"
}

// writeReport writes the report to a new file in dir; a file of the same
// name is kept, the new one gets a numbered name beside it.
func writeReport(dir, base string, r *analysis.Report, logs func(model.LogQuery) []model.LogEntry) (string, error) {
	if dir == "" {
		dir = "."
	}
	path := filepath.Join(dir, base)
	var f *os.File
	var err error
	for i := 1; i <= 100; i++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		path = filepath.Join(dir, fmt.Sprintf("%s-%d.md", base[:len(base)-len(".md")], i+1))
	}
	if err != nil {
		return "", err
	}
	if err := r.Markdown(f, logs); err != nil {
		_ = f.Close() // the write's error is the one to report
		return path, err
	}
	return path, f.Close()
}

func (m Model) onExport(msg exportMsg) Model {
	if msg.err != nil {
		m.status.notice, m.status.noticeErr = "report not written: "+msg.err.Error(), true
		return m
	}
	m.status.notice, m.status.noticeErr = "report written to "+msg.path, false
	return m
}

// logsUntil reads log lines and drops those at or after until (zero:
// none). A limit applies after the cut, so that the newest lines before
// until come back.
func logsUntil(data common.Data, q model.LogQuery, until time.Time) []model.LogEntry {
	if until.IsZero() {
		return data.Logs(q)
	}
	limit := q.Limit
	q.Limit = 0
	in := data.Logs(q)
	out := in[:0]
	for _, e := range in {
		if e.Time.Before(until) {
			out = append(out, e)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// crashErr reports a panic in a command, with its stack written to the
// crash directory.
func crashErr(what string, r any, crashDir string) error {
	err := fmt.Errorf("%s: %v", what, r)
	if path := WriteCrash(crashDir, r, debug.Stack()); path != "" {
		err = fmt.Errorf("%w (stack in %s)", err, path)
	}
	return err
}

// pinned says a report built to end just before t0 (incident mode) ends at
// t0: its window is [start, t0). The report is the caller's own, fresh
// from Build.
func pinned(r *analysis.Report, t0 time.Time) *analysis.Report {
	if r != nil && !t0.IsZero() && r.T0.Before(t0) && t0.Sub(r.T0) < time.Second {
		r.T0, r.Window.End = t0, t0
	}
	return r
}

// snapshotOnce is the store as triage.Build sees it: the snapshot the
// fetch has already taken is handed back instead of being taken twice, and
// in incident mode functions first seen from T0 on are left out.
type snapshotOnce struct {
	data  common.Data
	opts  model.SnapshotOptions
	snap  *model.Snapshot
	until time.Time
}

func (s *snapshotOnce) Snapshot(o model.SnapshotOptions) *model.Snapshot {
	if s.snap != nil && o == s.opts {
		snap := s.snap
		s.snap = nil
		return snap
	}
	return before(s.data.Snapshot(o), s.until)
}

// before is a snapshot without the functions first seen at or after until
// (the store lists every function it knows, with zero figures before it
// first saw them); the snapshot itself when there is none (or no until).
func before(s *model.Snapshot, until time.Time) *model.Snapshot {
	if s == nil || until.IsZero() {
		return s
	}
	late := 0
	for i := range s.Functions {
		if !s.Functions[i].FirstSeen.Before(until) {
			late++
		}
	}
	if late == 0 {
		return s
	}
	cp := *s
	cp.Functions = make([]model.FunctionStats, 0, len(s.Functions)-late)
	for i := range s.Functions {
		if s.Functions[i].FirstSeen.Before(until) {
			cp.Functions = append(cp.Functions, s.Functions[i])
		}
	}
	cp.Totals.Functions = len(cp.Functions)
	return &cp
}
