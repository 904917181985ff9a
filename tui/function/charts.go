package function

import (
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/lipgloss"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/tui/common"
)

// markerRune marks a deploy or configuration change on the charts and in
// the list of changes.
const markerRune = "┆"

// changeMarks are the times of the function's changes within the charted
// buckets (the last bucket included), oldest first.
func (m *Model) changeMarks(pts []model.SeriesPoint) []time.Time {
	if m.snap == nil || len(pts) == 0 {
		return nil
	}
	first, last := pts[0].Start, pts[len(pts)-1].Start.Add(bucketSize(pts))
	var out []time.Time
	for _, c := range m.snap.Changes {
		if c.Function != "" && c.Function != m.name {
			continue
		}
		if c.Time.Before(first) || !c.Time.Before(last) {
			continue
		}
		out = append(out, c.Time)
	}
	return out
}

// series is one line of a chart: a name, a colour and a value per bucket
// (NaN = no data, skipped).
type series struct {
	name   string
	color  lipgloss.Color
	values func(p *model.SeriesPoint) float64
}

// chartSpec describes one chart of the view.
type chartSpec struct {
	title  string
	lines  []series
	format func(float64) string // values on the Y axis and in the caption
}

func (m *Model) chartSpecs() []chartSpec {
	st := m.st
	count := func(v float64) string { return compact(v) }
	return []chartSpec{
		{title: "invocations", format: count, lines: []series{
			{"invocations", st.Chart1, func(p *model.SeriesPoint) float64 { return float64(p.Invocations) }},
		}},
		{title: "errors", format: count, lines: []series{
			{"errors", st.ErrorColor, func(p *model.SeriesPoint) float64 { return float64(p.Errors) }},
		}},
		{title: "cold starts", format: count, lines: []series{
			{"cold starts", st.ColdColor, func(p *model.SeriesPoint) float64 { return float64(p.ColdStarts) }},
		}},
		{title: "duration", format: common.Ms, lines: []series{
			{"p50", st.Chart2, func(p *model.SeriesPoint) float64 { return p.P50 }},
			{"p99", st.Chart3, func(p *model.SeriesPoint) float64 { return p.P99 }},
			{"init p50", st.ColdColor, func(p *model.SeriesPoint) float64 { return p.InitP50 }},
		}},
	}
}

// bucketSize is the span of one series point.
func bucketSize(pts []model.SeriesPoint) time.Duration {
	if len(pts) < 2 {
		return 0
	}
	return pts[1].Start.Sub(pts[0].Start)
}

// caption is the line above a chart: its title, the bucket size, and a
// legend with each line's peak.
func (m *Model) caption(c chartSpec, pts []model.SeriesPoint, width int) string {
	var b strings.Builder
	b.WriteString(m.st.Bold.Render(c.title))
	if d := bucketSize(pts); d > 0 {
		b.WriteString(m.st.Subtle.Render(" per " + shortDuration(d)))
	}
	if len(m.changeMarks(pts)) > 0 {
		b.WriteString(" " + m.st.Warn.Render(markerRune) + m.st.Subtle.Render(" change"))
	}
	peaked := false
	for _, s := range c.lines {
		peak, ok := peakOf(pts, s.values)
		if !ok {
			continue
		}
		if !peaked {
			b.WriteString(m.st.Subtle.Render(" · peak"))
		}
		peaked = true
		b.WriteString("  ")
		mark := lipgloss.NewStyle().Foreground(s.color).Render("━")
		if m.st.Theme.NoColor {
			mark = "─"
		}
		label := ""
		if len(c.lines) > 1 {
			label = s.name + " "
		}
		b.WriteString(mark + " " + m.st.Subtle.Render(label) + m.st.Base.Render(c.format(peak)))
	}
	if !peaked {
		b.WriteString(m.st.Subtle.Render("  no data"))
	}
	return common.Fit(b.String(), width)
}

func peakOf(pts []model.SeriesPoint, f func(*model.SeriesPoint) float64) (float64, bool) {
	peak, ok := 0.0, false
	for i := range pts {
		v := f(&pts[i])
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if !ok || v > peak {
			peak, ok = v, true
		}
	}
	return peak, ok
}

// drawChart renders one time-series chart, width x height cells, over the
// buckets of pts. The time range is fixed to the first and last bucket, so
// the output depends on the data only.
func (m *Model) drawChart(c chartSpec, pts []model.SeriesPoint, width, height int) []string {
	first, last := pts[0].Start, pts[len(pts)-1].Start
	if !last.After(first) {
		last = first.Add(time.Second)
	}
	ymax := 0.0
	for _, s := range c.lines {
		if v, ok := peakOf(pts, s.values); ok {
			ymax = max(ymax, v)
		}
	}
	ymax = niceCeil(ymax)
	opts := []timeserieslinechart.Option{
		timeserieslinechart.WithTimeRange(first, last),
		timeserieslinechart.WithYRange(0, ymax),
		timeserieslinechart.WithXYSteps(xSteps(width), 2),
		timeserieslinechart.WithXLabelFormatter(clockLabels(last.Sub(first))),
		timeserieslinechart.WithYLabelFormatter(func(_ int, v float64) string {
			if v == 0 {
				return "0"
			}
			return c.format(v)
		}),
		timeserieslinechart.WithAxesStyles(m.st.Border, m.st.Subtle),
	}
	for _, s := range c.lines {
		opts = append(opts, timeserieslinechart.WithDataSetStyle(s.name, lipgloss.NewStyle().Foreground(s.color)))
	}
	ch := timeserieslinechart.New(width, height, opts...)
	var names []string
	for _, s := range c.lines {
		n := 0
		for i := range pts {
			v := s.values(&pts[i])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			ch.PushDataSet(s.name, timeserieslinechart.TimePoint{Time: pts[i].Start, Value: v})
			n++
		}
		if n > 0 {
			names = append(names, s.name)
		}
	}
	if len(names) == 0 {
		ch.Clear()
		ch.DrawXYAxisAndLabel()
	} else {
		ch.DrawBrailleDataSets(names)
	}
	m.drawMarks(&ch, m.changeMarks(pts), last)
	return renderCanvas(&ch.Canvas, width)
}

// drawMarks draws a vertical marker at each change's time, in the cells
// of the graph the data lines leave empty. A change inside the last
// bucket is drawn at its start, the chart's right edge.
func (m *Model) drawMarks(ch *timeserieslinechart.Model, marks []time.Time, last time.Time) {
	style := lipgloss.NewStyle().Foreground(m.st.WarnColor)
	r := []rune(markerRune)[0]
	for _, t := range marks {
		if t.After(last) {
			t = last
		}
		x := markColumn(ch, t)
		for y := range ch.Origin().Y {
			p := canvas.Point{X: x, Y: y}
			if c := ch.Canvas.Cell(p); c.Rune == 0 || c.Rune == ' ' {
				ch.Canvas.SetCell(p, canvas.NewCellWithStyle(r, style))
			}
		}
	}
}

// markColumn is the canvas column of time t, as the chart places a rune
// drawn at t.
func markColumn(ch *timeserieslinechart.Model, t time.Time) int {
	sf := ch.ScaleFloat64Point(canvas.Float64Point{X: float64(t.Unix())})
	p := canvas.CanvasPointFromFloat64Point(ch.Origin(), sf)
	if ch.YStep() > 0 {
		p.X++
	}
	return p.X
}

// renderCanvas draws a chart's canvas. ntcharts renders every cell with
// its own lipgloss call; runs of cells of the same colour are rendered
// together here, which makes a frame several times cheaper.
func renderCanvas(c *canvas.Model, width int) []string {
	w, h := min(c.Width(), width), c.Height()
	lines := make([]string, 0, h)
	var line, run strings.Builder
	for y := range h {
		line.Reset()
		var runStyle lipgloss.Style
		var runKey styleKey
		flush := func() {
			if run.Len() == 0 {
				return
			}
			if runKey.plain() {
				line.WriteString(run.String())
			} else {
				line.WriteString(runStyle.Render(run.String()))
			}
			run.Reset()
		}
		for x := range w {
			cell := c.Cell(canvas.Point{X: x, Y: y})
			k := keyOf(cell.Style)
			if k != runKey {
				flush()
				runKey, runStyle = k, cell.Style
			}
			if cell.Rune == 0 {
				run.WriteByte(' ')
			} else {
				run.WriteRune(cell.Rune)
			}
		}
		flush()
		lines = append(lines, line.String())
	}
	return lines
}

// styleKey is what the chart styles differ by: they are built from theme
// colours and attributes only.
type styleKey struct {
	fg, bg      lipgloss.TerminalColor
	bold, faint bool
}

func keyOf(s lipgloss.Style) styleKey {
	return styleKey{fg: s.GetForeground(), bg: s.GetBackground(), bold: s.GetBold(), faint: s.GetFaint()}
}

func (k styleKey) plain() bool {
	none := func(c lipgloss.TerminalColor) bool {
		if c == nil {
			return true
		}
		_, ok := c.(lipgloss.NoColor)
		if col, isCol := c.(lipgloss.Color); isCol && col == "" {
			return true
		}
		return ok
	}
	return none(k.fg) && none(k.bg) && !k.bold && !k.faint
}

func xSteps(width int) int {
	switch {
	case width >= 80:
		return 4
	case width >= 40:
		return 2
	}
	return 1
}

// clockLabels formats X axis times in UTC, with seconds when the span is
// short.
func clockLabels(span time.Duration) linechart.LabelFormatter {
	layout := "15:04"
	if span <= 10*time.Minute {
		layout = "15:04:05"
	}
	return func(_ int, v float64) string {
		return time.Unix(int64(v), 0).UTC().Format(layout)
	}
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten, so
// axis labels stay short; 0 becomes 1.
func niceCeil(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 5, 10} {
		if v <= f*p {
			return f * p
		}
	}
	return 10 * p
}

// sparkRow is the compact form of a chart: label, sparkline, peak.
func (m *Model) sparkRow(c chartSpec, pts []model.SeriesPoint, width int) string {
	const labelW = 12
	s := c.lines[len(c.lines)-1]
	if len(c.lines) > 1 {
		s = c.lines[1] // duration: the p99 line
	}
	peak, ok := peakOf(pts, s.values)
	tail := "no data"
	if ok {
		tail = "peak " + c.format(peak)
	}
	sw := max(width-labelW-1-len(tail)-1, 0)
	// Stretch the buckets over the width the row has, so the line starts
	// at the left like the charts do.
	k := 1
	if len(pts) > 0 {
		k = max(sw/len(pts), 1)
	}
	vals := make([]float64, 0, len(pts)*k)
	for i := range pts {
		v := s.values(&pts[i])
		for range k {
			vals = append(vals, v)
		}
	}
	label := c.title
	if len(c.lines) > 1 {
		label += " " + s.name
	}
	row := m.st.Subtle.Render(padRight(label, labelW)) + " " +
		lipgloss.NewStyle().Foreground(s.color).Render(padRight(common.Sparkline(vals, min(sw, len(vals))), sw)) + " " +
		m.st.Base.Render(tail)
	return common.Fit(row, width)
}
