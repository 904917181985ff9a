package tui

import (
	"fmt"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
	analysis "github.com/fntop/fntop/model/triage"
	"github.com/fntop/fntop/tui/common"
)

// tickMsg re-arms the refresh tick and asks for fresh data.
type tickMsg struct{}

// fetchReq is everything a fetch needs, captured by value when it is
// issued: the command never touches the model.
type fetchReq struct {
	seq      uint64
	view     frame
	snapshot model.SnapshotOptions
	logs     *model.LogQuery
	crashDir string
	// explicit fetches follow a key that changed what is shown: their
	// answer is applied even while paused.
	explicit bool
	// until is incident mode's T0: log lines from it on are dropped (the
	// snapshot ends just before it too); zero outside incident mode.
	until time.Time
	// report asks for the triage report (nil: none).
	report *analysis.Options
	// invocation names the request an invocation view shows.
	invocation *[2]string
	// live asks, in incident mode, for the store's all-time totals now.
	live bool
}

// dataMsg is a fetch's answer, addressed by the fetch's sequence number and
// the view it was taken for.
type dataMsg struct {
	seq  uint64
	view frame
	snap *model.Snapshot
	logs []model.LogEntry
	// withLogs says logs were asked for (an empty answer is still news).
	withLogs bool
	explicit bool
	err      error
	report   *analysis.Report
	// inv is the invocation view's record; invAsked says it was asked for.
	inv      model.InvocationRecord
	invFound bool
	invAsked bool
	// live is the store's all-time totals now (incident mode).
	live *model.Snapshot
}

// tick is the refresh tick. Unlike tea.Tick, whose timer cannot be
// stopped, it ends when Run returns (m.stopped), so that no goroutine
// outlives the program.
func (m Model) tick() tea.Cmd {
	d, stopped := m.refresh, m.stopped
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return tickMsg{}
		case <-stopped:
			return nil
		}
	}
}

// onTick re-arms the tick and fetches unless a fetch is still out.
func (m Model) onTick() (Model, tea.Cmd) {
	if m.inflight {
		return m, m.tick()
	}
	m.seq++
	m.inflight = true
	return m, tea.Batch(m.tick(), fetch(m.data, m.request(false)))
}

// refreshNow fetches for the active view at once, after a key changed what
// is shown; the answer is applied even while paused. An older fetch still
// out becomes stale: its answer is dropped.
func (m Model) refreshNow() (Model, tea.Cmd) {
	m.seq++
	m.inflight = true
	return m, fetch(m.data, m.request(true))
}

// request describes the fetch for the active view.
func (m Model) request(explicit bool) fetchReq {
	top := m.top()
	req := fetchReq{
		seq:      m.seq,
		view:     top,
		snapshot: model.SnapshotOptions{Window: m.window, End: m.incident.end()},
		crashDir: m.crashDir,
		explicit: explicit,
		until:    m.incident.t0,
		live:     m.incident.on(),
	}
	report := func() {
		req.report = &analysis.Options{Window: m.window, End: m.incident.end(), Prices: m.prices}
	}
	switch top.kind {
	case kindFleet:
		req.snapshot.Series = true
		if explicit || m.reportAt.IsZero() || m.clock().Sub(m.reportAt) >= reportEvery {
			report()
		}
	case kindTriage:
		req.snapshot.Series = true // as triage.Build takes it: taken once
		report()
	case kindFunction:
		req.snapshot.Function = top.name
		req.snapshot.Series = true
		req.snapshot.SeriesQuantiles = true
	case kindLogs, kindInvocation:
		req.snapshot.Function = top.name
	}
	if ic, ok := m.active().(common.InvocationConsumer); ok {
		fn, id := ic.InvocationQuery()
		req.invocation = &[2]string{fn, id}
	}
	// While paused only explicit fetches reach the view: other logs are
	// left in the store, and the view asks for them again after resuming.
	if lc, ok := m.active().(common.LogsConsumer); ok && (explicit || !m.paused) {
		q := lc.LogQuery()
		req.logs = &q
	}
	return req
}

// fetch is the first fetch (Init's).
func (m Model) fetch() tea.Cmd {
	return fetch(m.data, m.request(true))
}

// fetch reads the store in the command's goroutine. A panic in the store
// is logged and reported in the status bar rather than taking the program
// down from a goroutine the program cannot restore the terminal from.
func fetch(data common.Data, req fetchReq) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				err := fmt.Errorf("reading the store: %v", r)
				if path := WriteCrash(req.crashDir, r, debug.Stack()); path != "" {
					err = fmt.Errorf("%w (stack in %s)", err, path)
				}
				msg = dataMsg{seq: req.seq, view: req.view, err: err}
			}
		}()
		out := dataMsg{seq: req.seq, view: req.view, explicit: req.explicit, snap: before(data.Snapshot(req.snapshot), req.until)}
		if req.report != nil {
			out.report = pinned(analysis.Build(&snapshotOnce{data: data, opts: req.snapshot, snap: out.snap, until: req.until}, *req.report), req.until)
		}
		if req.invocation != nil {
			out.inv, out.invFound = data.Invocation(req.invocation[0], req.invocation[1])
			out.invAsked = true
		}
		if req.logs != nil {
			out.logs = logsUntil(data, *req.logs, req.until)
			out.withLogs = true
		}
		if req.live {
			out.live = data.Snapshot(model.SnapshotOptions{Window: model.WindowAll})
		}
		return out
	}
}

// onData applies a fetch's answer: stale answers (an older fetch, or a
// view no longer shown) are dropped; while paused the newest is held.
func (m Model) onData(msg dataMsg) Model {
	if msg.seq != m.seq {
		return m
	}
	m.inflight = false
	if msg.err != nil {
		m.status.fetchErr = msg.err.Error()
		return m
	}
	m.status.fetchErr = ""
	if msg.view != m.top() {
		return m
	}
	// The status bar stays live while paused: sources keep collecting.
	m.status.sources = msg.snap.Sources
	m.status.pricing = msg.snap.Pricing.Table
	m.status.version = msg.snap.Version
	if msg.live != nil && m.incident.on() {
		m.incident.liveEnd = msg.live.Window.End
		m.incident.collected = max(msg.live.Totals.Invocations-m.incident.base, 0)
	}
	if m.paused && !msg.explicit {
		m.held = &msg
		return m
	}
	m.held = nil
	return m.apply(msg)
}

// apply hands data to the view it was fetched for.
func (m Model) apply(msg dataMsg) Model {
	if msg.view != m.top() {
		return m
	}
	v := m.active()
	v.SetSnapshot(msg.snap)
	if rc, ok := v.(common.ReportConsumer); ok && msg.report != nil {
		rc.SetReport(msg.report)
		m.reportAt = m.clock()
	}
	if ic, ok := v.(common.InvocationConsumer); ok && msg.invAsked {
		ic.SetInvocation(msg.inv, msg.invFound)
	}
	if lc, ok := v.(common.LogsConsumer); ok && msg.withLogs {
		lc.AddLogs(msg.logs)
	}
	return m
}
