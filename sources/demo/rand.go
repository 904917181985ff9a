package demo

import (
	"hash/fnv"
	"math"
)

// Every random draw of the fleet is keyed by (seed, function, second, purpose)
// through these hashes, so that what happens in a second never depends on
// which seconds were simulated before it or on how ticks were aligned.

const golden = 0x9e3779b97f4a7c15

// Purposes of a draw, mixed into its key so that streams stay independent.
const (
	tagCount uint64 = iota + 1
	tagChain
	tagInvocation
	tagInvocation2
	tagEnv
	tagWobble
	tagAnchor
	tagTemplate
)

// mix64 is the splitmix64 finalizer: a cheap bijective hash of 64 bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// key hashes the coordinates of one draw.
func key(seed, fn, sec, tag uint64) uint64 {
	h := mix64(seed ^ golden)
	h = mix64(h ^ fn)
	h = mix64(h ^ sec ^ tag<<56)
	return mix64(h + tag*golden)
}

// unit maps 64 random bits to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) * 0x1p-53 }

// nameKey is a stable hash of a function name, so that a designed function
// draws the same numbers whatever the size of the fleet around it.
func nameKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return mix64(h.Sum64())
}

// poisson returns the number of arrivals of a Poisson process of mean lam
// for the uniform u, by inversion (one uniform per draw keeps it pure).
func poisson(lam, u float64) int {
	if lam <= 0 {
		return 0
	}
	if lam > 500 {
		// Never reached by the built-in fleet; a normal approximation keeps
		// the loop below bounded should an option ever ask for it.
		return max(0, int(lam+math.Sqrt(lam)*normQuantile(u)+0.5))
	}
	if u <= 1-lam {
		// e^-lam >= 1-lam: no arrival, without computing the exponential
		// (the common case for the many small functions of a large fleet).
		return 0
	}
	p := math.Exp(-lam)
	cdf := p
	k := 0
	for u > cdf && k < 2000 {
		k++
		p *= lam / float64(k)
		cdf += p
	}
	return k
}

// normQuantile is a rough inverse of the standard normal CDF (Tukey's
// lambda approximation), good enough for the large-mean Poisson fallback.
func normQuantile(u float64) float64 {
	u = min(max(u, 1e-12), 1-1e-12)
	return 4.91 * (math.Pow(u, 0.14) - math.Pow(1-u, 0.14))
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// posMod is a modulo whose result is in [0, b).
func posMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// ceilDiv divides non-negative a by b rounding up.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
