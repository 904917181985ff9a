package model

import (
	"encoding/binary"
	"math"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
)

// The duration sketches are DDSketches (the store's logarithmic mapping of
// relative accuracy RelativeAccuracy, and DDSketch's quantile rule) kept in
// a store of our own that costs little for the many small sketches of the
// time rings:
//
//   - A sketch is a sorted list of bins, each a packed uint64: the bin's
//     key in the top 16 bits and its count in the low 48, in units of
//     1/countOne of an invocation (aggregates add fractional weights).
//     Counts are exact: a bin that would overflow continues in another
//     entry of the same key.
//   - The key holds the sketch's kind in its top bit (durations, then init
//     durations, so a bucket keeps both in one list) and the mapping's
//     index offset by keyBias below; key 0 of a kind is the zero bin.
//   - The newest buckets of a ring are kept "hot" as such lists; older ones
//     are frozen into a varint encoding (about 2 bytes a bin instead of 8)
//     and thawed only when a late event lands in them.
//
// The quantiles are those a DDSketch of the same mapping and counts
// answers: 1% relative accuracy for every duration from 1e-100 ms to
// 1e12 ms (durations below count as 0, as DDSketch counts values below
// its smallest indexable one), so for all Lambda durations
// (0.1 ms..15 min).

const (
	countShift = 16
	countOne   = 1 << countShift // one invocation
	countMax   = 1<<48 - 1       // the largest count of one entry
	keyBias    = 1 << 14         // key = index + keyBias; key 0 is the zero bin
	keyInit    = 1 << 15         // kind bit of init durations
	// zeroBelow: durations at or below it go to the zero bin (their
	// index would not fit the key).
	zeroBelow = 1e-100
	maxSketch = 1e12 // larger durations are ignored, as before
)

// sketchKind selects a bucket's duration or init sketch.
type sketchKind uint16

const (
	kindDuration sketchKind = 0
	kindInit     sketchKind = keyInit
)

// skValue is a duration ready to be added to sketches: its key computed
// once.
type skValue struct {
	key uint16
	ok  bool
}

func newSkValue(m mapping.IndexMapping, v float64, kind sketchKind) skValue {
	if !(v >= 0) || v > maxSketch {
		return skValue{} // negative, NaN or absurd: a broken source
	}
	if v <= zeroBelow || v <= m.MinIndexableValue() {
		return skValue{key: uint16(kind), ok: true}
	}
	return skValue{key: uint16(kind) | uint16(m.Index(v)+keyBias), ok: true}
}

// toFixed converts a weight to a count; ok is false for weights that are
// not positive.
func toFixed(w float64) (uint64, bool) {
	if !(w > 0) || math.IsInf(w, 1) {
		return 0, false
	}
	n := math.Round(w * countOne)
	if n < 1 {
		n = 1
	}
	if n > 1<<62 {
		return 0, false
	}
	return uint64(n), true
}

// bins is a sketch's sorted list of packed (key, count) entries.
type bins []uint64

func binKey(e uint64) uint16   { return uint16(e >> 48) }
func binCount(e uint64) uint64 { return e & countMax }

// search returns the position of the first entry whose key is >= key.
func (b bins) search(key uint16) int {
	lo, hi := 0, len(b)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if binKey(b[m]) < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// add counts n (fixed point) at key.
func (b *bins) add(key uint16, n uint64) {
	s := *b
	i := s.search(key)
	for n > 0 {
		if i < len(s) && binKey(s[i]) == key {
			if room := countMax - binCount(s[i]); room > 0 {
				d := min(room, n)
				s[i] += d
				n -= d
			}
			if n == 0 {
				break
			}
		}
		// A new entry (a new key, or one whose entry is full).
		d := min(n, uint64(countMax))
		if len(s) == cap(s) {
			g := make(bins, len(s), len(s)+max(4, len(s)/4))
			copy(g, s)
			s = g
		}
		s = s[:len(s)+1]
		copy(s[i+1:], s[i:])
		s[i] = uint64(key)<<48 | d
		n -= d
	}
	*b = s
}

// appendCold appends the varint encoding of b to dst: for each entry the
// key's increase over the previous one, shifted left by one with the low
// bit set when the count has a fraction, then the count in invocations
// (or in fixed point when it has a fraction).
func (b bins) appendCold(dst []byte) []byte {
	prev := uint16(0)
	for _, e := range b {
		k, n := binKey(e), binCount(e)
		d := uint64(k-prev) << 1
		if n&(countOne-1) != 0 {
			dst = binary.AppendUvarint(dst, d|1)
			dst = binary.AppendUvarint(dst, n)
		} else {
			dst = binary.AppendUvarint(dst, d)
			dst = binary.AppendUvarint(dst, n>>countShift)
		}
		prev = k
	}
	return dst
}

// eachCold visits the entries of an encoding made by appendCold.
func eachCold(c []byte, fn func(key uint16, n uint64)) {
	key := uint16(0)
	for len(c) > 0 {
		d, k := binary.Uvarint(c)
		c = c[k:]
		n, k2 := binary.Uvarint(c)
		c = c[k2:]
		if k <= 0 || k2 <= 0 {
			return // cannot happen: we wrote it
		}
		key += uint16(d >> 1)
		if d&1 == 0 {
			n <<= countShift
		}
		fn(key, n)
	}
}

// thaw decodes an encoding into b (reset first).
func (b *bins) thaw(c []byte) {
	s := (*b)[:0]
	eachCold(c, func(key uint16, n uint64) { s = append(s, uint64(key)<<48|n) })
	*b = s
}

// merger accumulates sketches (any number of bins lists and encodings) and
// answers their merged quantiles. Its counts are indexed by key; only the
// keys touched are visited and cleared. The zero bins are counted apart, so
// that the keys visited span only the durations seen.
type merger struct {
	m      mapping.IndexMapping
	counts []uint64 // by key, fixed point
	lo, hi [2]int   // touched key range per kind, zero bins aside (lo > hi: none)
	zero   [2]uint64
	total  [2]uint64
}

func newMerger(m mapping.IndexMapping) *merger {
	g := &merger{m: m, counts: make([]uint64, 1<<16)}
	for k := range 2 {
		g.lo[k], g.hi[k] = math.MaxInt, -1
	}
	return g
}

func (g *merger) reset() {
	for k := range 2 {
		if g.lo[k] <= g.hi[k] {
			clear(g.counts[g.lo[k] : g.hi[k]+1])
		}
		g.lo[k], g.hi[k], g.zero[k], g.total[k] = math.MaxInt, -1, 0, 0
	}
}

func (g *merger) addKey(key uint16, n uint64) {
	k := int(key >> 15)
	g.total[k] += n
	if key&^keyInit == 0 {
		g.zero[k] += n
		return
	}
	g.counts[key] += n
	g.lo[k] = min(g.lo[k], int(key))
	g.hi[k] = max(g.hi[k], int(key))
}

func (g *merger) addBins(b bins) {
	for _, e := range b {
		g.addKey(binKey(e), binCount(e))
	}
}

func (g *merger) addCold(c []byte) {
	key := uint16(0)
	for len(c) > 0 {
		var d, n uint64
		if c[0] < 0x80 && len(c) > 1 && c[1] < 0x80 {
			// The usual entry: a small step and a small count.
			d, n = uint64(c[0]), uint64(c[1])
			c = c[2:]
		} else {
			var k, k2 int
			d, k = binary.Uvarint(c)
			if k <= 0 {
				return // cannot happen: we wrote it
			}
			n, k2 = binary.Uvarint(c[k:])
			if k2 <= 0 {
				return
			}
			c = c[k+k2:]
		}
		key += uint16(d >> 1)
		if d&1 == 0 {
			n <<= countShift
		}
		g.addKey(key, n)
	}
}

// empty reports whether the kind's sketch has no value.
func (g *merger) empty(kind sketchKind) bool { return g.total[kind>>15] == 0 }

// value is the sketch's value of a key.
func (g *merger) value(key int) float64 {
	idx := key &^ keyInit
	if idx == 0 {
		return 0
	}
	return g.m.Value(idx - keyBias)
}

// quantile answers as DDSketch.GetValueAtQuantile does: the value of the
// bin where the cumulative count first exceeds q·(count-1), the zero bin
// first.
func (g *merger) quantile(kind sketchKind, q float64) float64 {
	k := int(kind >> 15)
	if g.total[k] == 0 {
		return math.NaN()
	}
	count := float64(g.total[k]) / countOne
	rank := float64(q * (count - 1))
	cum := g.zero[k]
	if float64(cum)/countOne > rank {
		return 0
	}
	for key := g.lo[k]; key <= g.hi[k]; key++ {
		n := g.counts[key]
		if n == 0 {
			continue
		}
		cum += n
		if float64(cum)/countOne > rank {
			return g.value(key)
		}
	}
	if g.lo[k] > g.hi[k] {
		return 0
	}
	return g.value(g.hi[k])
}

// maxValue is the value of the highest bin (DDSketch.GetMaxValue).
func (g *merger) maxValue(kind sketchKind) float64 {
	k := int(kind >> 15)
	switch {
	case g.total[k] == 0:
		return math.NaN()
	case g.lo[k] > g.hi[k]:
		return 0
	}
	return g.value(g.hi[k])
}
