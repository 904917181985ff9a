package prometheus

import "math"

// scrBucketQuantile is PromQL's histogram_quantile over classic buckets
// (prometheus/prometheus promql/quantile.go BucketQuantile), with the same
// rules: bounds ascending with +Inf last (as the scraper keeps them),
// linear interpolation within the bucket the rank falls into, the lowest
// bucket starting at 0 (unless its upper bound is ≤ 0, then that bound),
// a rank in the +Inf bucket giving the highest finite bound, counts made
// monotonic (numerically insignificant differences ignored, decreases
// removed), and NaN for no observations or fewer than two buckets. It
// does not modify cum.
func scrBucketQuantile(q float64, bounds, cum []float64) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(+1)
	}
	n := len(bounds)
	if n < 2 || len(cum) != n || !math.IsInf(bounds[n-1], +1) {
		return math.NaN()
	}
	// The monotonic envelope, computed on the fly: count(i) is what
	// PromQL's ensureMonotonicAndIgnoreSmallDeltas leaves in bucket i.
	// (Bounds are distinct here: the scraper sums equal bounds.)
	var stackBuf [64]float64
	fixed := stackBuf[:0]
	if n > len(stackBuf) {
		fixed = make([]float64, 0, n)
	}
	prev := cum[0]
	fixed = append(fixed, prev)
	for i := 1; i < n; i++ {
		curr := cum[i]
		switch {
		case curr == prev:
		case scrAlmostEqual(prev, curr, scrSmallDelta), curr < prev:
			curr = prev
		default:
			prev = curr
		}
		fixed = append(fixed, curr)
	}
	observations := fixed[n-1]
	if observations == 0 {
		return math.NaN()
	}
	rank := q * observations
	b := 0
	for b < n-1 && fixed[b] < rank {
		b++
	}
	if b == n-1 {
		return bounds[n-2]
	}
	if b == 0 && bounds[0] <= 0 {
		return bounds[0]
	}
	start, end, count := 0.0, bounds[b], fixed[b]
	if b > 0 {
		start = bounds[b-1]
		count -= fixed[b-1]
		rank -= fixed[b-1]
	}
	return start + (end-start)*(rank/count)
}

// scrSmallDelta is PromQL's tolerance for bucket counts that differ
// only by floating point error.
const scrSmallDelta = 1e-12

// scrAlmostEqual is prometheus/util/almost.Equal: a and b differ by less
// than epsilon relative to their magnitude.
func scrAlmostEqual(a, b, epsilon float64) bool {
	const minNormal = 2.2250738585072014e-308 // 1 / 2**(1022)
	if math.IsNaN(a) && math.IsNaN(b) {
		return true
	}
	if a == b {
		return true
	}
	absSum := math.Abs(a) + math.Abs(b)
	diff := math.Abs(a - b)
	if a == 0 || b == 0 || absSum < minNormal {
		return diff < epsilon*minNormal
	}
	return diff/math.Min(absSum, math.MaxFloat64) < epsilon
}
