# fntop: `make bench` runs the benchmark suite and prints one table of the
# figures against their targets (see .ci/bench for the knobs).
.PHONY: bench bench-short

# BENCH_COUNT=N (default 5), BENCH_SHORT=1, BENCH_OUT=FILE, BENCH_STRICT=1
bench:
	.ci/bench

# One short run of each benchmark, as CI runs it.
bench-short:
	BENCH_SHORT=1 .ci/bench
