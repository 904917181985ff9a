package fleet

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/fntop/fntop/model"
)

// Column identifies a column of the fleet table.
type Column int

// The columns, in display order.
const (
	ColName Column = iota
	ColFlags
	ColRate
	ColErrors
	ColErrorRate
	ColTimeouts
	ColThrottles
	ColCold
	ColColdRatio
	ColP50
	ColP99
	ColMemory
	ColCost
	ColCostHour
	ColTraffic
	ColSource
	numColumns
)

// column describes how a column is drawn and sorted.
type column struct {
	title string
	width int // cells; the name column's is its minimum
	right bool
	// drop: columns with a higher value are dropped first when the
	// terminal is narrow; 0 means the column is always shown.
	drop    int
	sortKey string // "" when the column does not sort
	help    string
	// desc: a first press sorts descending (figures: biggest first).
	desc bool
}

var columns = [numColumns]column{
	ColName:      {title: "NAME", width: 20, drop: 0, sortKey: "N", help: "name"},
	ColFlags:     {title: "!", width: 3, right: true, drop: 0, sortKey: "!", help: "anomaly score (triage)", desc: true},
	ColRate:      {title: "INV/S", width: 7, right: true, drop: 0, sortKey: "R", help: "rate", desc: true},
	ColErrors:    {title: "ERR", width: 6, right: true, drop: 0, sortKey: "E", help: "errors", desc: true},
	ColErrorRate: {title: "ERR%", width: 6, right: true, drop: 1, sortKey: "X", help: "error rate", desc: true},
	ColTimeouts:  {title: "TMO", width: 5, right: true, drop: 5, sortKey: "U", help: "timeouts", desc: true},
	ColThrottles: {title: "THR", width: 5, right: true, drop: 4, sortKey: "T", help: "throttles", desc: true},
	ColCold:      {title: "COLD", width: 6, right: true, drop: 3, sortKey: "O", help: "cold starts", desc: true},
	ColColdRatio: {title: "COLD%", width: 6, right: true, drop: 7, sortKey: "I", help: "cold-start ratio", desc: true},
	ColP50:       {title: "P50", width: 7, right: true, drop: 9, sortKey: "D", help: "p50 duration", desc: true},
	ColP99:       {title: "P99", width: 7, right: true, drop: 0, sortKey: "P", help: "p99 duration", desc: true},
	ColMemory:    {title: "MEM MB", width: 11, right: true, drop: 6, sortKey: "M", help: "memory used/configured", desc: true},
	ColCost:      {title: "COST", width: 9, right: true, drop: 2, sortKey: "C", help: "cost", desc: true},
	ColCostHour:  {title: "$/H", width: 9, right: true, drop: 8, sortKey: "H", help: "cost per hour", desc: true},
	ColTraffic:   {title: "TRAFFIC", width: 12, drop: 10, help: "traffic"},
	ColSource:    {title: "SOURCE", width: 6, drop: 11, sortKey: "S", help: "source"},
}

const (
	gap         = 1  // cells between columns
	maxNameW    = 48 // the name column never grows wider
	maxSourceW  = 18
	sparkPoints = 12 // == columns[ColTraffic].width
)

// compareBy orders two functions by a column, ascending. It also reports
// which of them lack the figure (null: the source cannot know it), so that
// those sort last in both directions.
func compareBy(c Column, a, b *model.FunctionStats) (r int, aMissing, bMissing bool) {
	switch c {
	case ColName:
		return cmp.Compare(a.Name, b.Name), false, false
	case ColRate, ColTraffic:
		return cmp.Compare(a.RatePerS, b.RatePerS), false, false
	case ColErrors:
		return cmp.Compare(a.Errors, b.Errors), false, false
	case ColErrorRate:
		return cmp.Compare(a.ErrorRate, b.ErrorRate), false, false
	case ColTimeouts:
		return cmp.Compare(a.Timeouts, b.Timeouts), false, false
	case ColThrottles:
		return cmpPtr(a.Throttles, b.Throttles)
	case ColCold:
		return cmpPtr(a.ColdStarts, b.ColdStarts)
	case ColColdRatio:
		return cmpPtr(a.ColdStartRatio, b.ColdStartRatio)
	case ColP50, ColP99:
		var x, y *float64
		if a.Duration != nil {
			x = pick(c, a.Duration)
		}
		if b.Duration != nil {
			y = pick(c, b.Duration)
		}
		return cmpPtr(x, y)
	case ColMemory:
		if r, am, bm := cmpPtr(a.MemoryUsedRatio, b.MemoryUsedRatio); am || bm || r != 0 {
			return r, am, bm
		}
		return cmp.Compare(a.MaxMemoryUsedMB, b.MaxMemoryUsedMB), false, false
	case ColCost, ColCostHour:
		return cmp.Compare(a.CostUSD, b.CostUSD), false, false
	case ColSource:
		return cmp.Compare(a.Source, b.Source), false, false
	}
	return 0, false, false
}

func pick(c Column, q *model.Quantiles) *float64 {
	if c == ColP50 {
		return &q.P50
	}
	return &q.P99
}

func cmpPtr[T cmp.Ordered](a, b *T) (int, bool, bool) {
	if a == nil || b == nil {
		return 0, a == nil, b == nil
	}
	return cmp.Compare(*a, *b), false, false
}

// count formats a count in at most six cells.
func count(n int64) string {
	switch {
	case n < 100_000:
		return strconv.FormatInt(n, 10)
	case n < 10_000_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	case n < 10_000_000_000:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0fG", float64(n)/1e9)
}

func countPtr(n *int64) string {
	if n == nil {
		return "-"
	}
	return count(*n)
}

// memory formats used/configured megabytes; "?" stands for what is not known.
func memory(used, size int) string {
	switch {
	case used == 0 && size == 0:
		return "-"
	case size == 0:
		return strconv.Itoa(used) + "/?"
	case used == 0:
		return "?/" + strconv.Itoa(size)
	}
	return strconv.Itoa(used) + "/" + strconv.Itoa(size)
}
