package triage

import "math"

// xlogy is x·ln(y), 0 when x is 0 (the limit the G statistic needs).
func xlogy(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(y)
}

// signedRoot turns a G statistic into a z-like score with the sign of the
// effect: under the null hypothesis it is close to a standard normal
// variable, and unlike a Wald z-score it stays close for small counts.
func signedRoot(g float64, positive bool) float64 {
	if g <= 0 || math.IsNaN(g) {
		return 0
	}
	z := math.Sqrt(g)
	if !positive {
		return -z
	}
	return z
}

// binomZ tests x successes in n trials against a success probability p:
// the signed root of the likelihood ratio, positive when x/n > p.
func binomZ(x, n, p float64) float64 {
	if n <= 0 || p <= 0 || p >= 1 || x < 0 || x > n {
		return 0
	}
	q := x / n
	g := 2 * (xlogy(x, q/p) + xlogy(n-x, (1-q)/(1-p)))
	return signedRoot(g, q > p)
}

// twoPropZ tests whether x1 of n1 is a larger proportion than x0 of n0
// (a G-test on the 2x2 table), positive when x1/n1 > x0/n0.
func twoPropZ(x1, n1, x0, n0 float64) float64 {
	if n1 <= 0 || n0 <= 0 {
		return 0
	}
	p := (x1 + x0) / (n1 + n0)
	if p <= 0 || p >= 1 {
		return 0
	}
	g := 2 * (xlogy(x1, x1/(n1*p)) + xlogy(n1-x1, (n1-x1)/(n1*(1-p))) +
		xlogy(x0, x0/(n0*p)) + xlogy(n0-x0, (n0-x0)/(n0*(1-p))))
	return signedRoot(g, x1/n1 > x0/n0)
}

// rateZ tests whether c1 events over t1 seconds is a higher Poisson rate
// than c0 events over t0 seconds: given the c1+c0 events, c1 is binomial
// with probability t1/(t1+t0) when the rates are equal.
func rateZ(c1, t1, c0, t0 float64) float64 {
	if t1 <= 0 || t0 <= 0 {
		return 0
	}
	return binomZ(c1, c1+c0, t1/(t1+t0))
}

// Standard normal quantiles and densities at the quantiles the latency
// rule uses.
const (
	z50 = 0.0
	z90 = 1.2815515655446004
	z99 = 2.3263478740408408
)

func normPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// logQuantileSE is the standard error of the logarithm of a sample
// quantile q (at standard normal quantile zq) from n values of a log-normal
// distribution whose log has standard deviation sigma:
// sqrt(q(1-q)/n) / φ(zq) · sigma.
func logQuantileSE(q, zq, sigma, n float64) float64 {
	if n <= 0 {
		return math.Inf(1)
	}
	return math.Sqrt(q*(1-q)/n) / normPDF(zq) * sigma
}

// clamp01x bounds v to [0, hi].
func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Max(lo, math.Min(hi, v))
}

// bonferroniZ is the one-sided z that k tests each need so that together
// they are as likely to pass by chance as one test at z.
func bonferroniZ(z float64, k int) float64 {
	if k <= 1 {
		return z
	}
	p := 0.5 * math.Erfc(z/math.Sqrt2) / float64(k)
	return math.Sqrt2 * math.Erfcinv(2*p)
}
