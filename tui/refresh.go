package tui

import (
	"fmt"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fntop/fntop/model"
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
}

func (m Model) tick() tea.Cmd {
	return tea.Tick(m.refresh, func(time.Time) tea.Msg { return tickMsg{} })
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
		snapshot: model.SnapshotOptions{Window: m.window},
		crashDir: m.crashDir,
		explicit: explicit,
	}
	switch top.kind {
	case kindFleet:
		req.snapshot.Series = true
	case kindFunction:
		req.snapshot.Function = top.name
		req.snapshot.Series = true
		req.snapshot.SeriesQuantiles = true
	case kindLogs:
		req.snapshot.Function = top.name
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
		out := dataMsg{seq: req.seq, view: req.view, explicit: req.explicit, snap: data.Snapshot(req.snapshot)}
		if req.logs != nil {
			out.logs = data.Logs(*req.logs)
			out.withLogs = true
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
	if lc, ok := v.(common.LogsConsumer); ok && msg.withLogs {
		lc.AddLogs(msg.logs)
	}
	return m
}
