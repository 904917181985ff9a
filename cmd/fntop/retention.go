package main

import (
	"flag"
	"fmt"

	"github.com/fntop/fntop/model"
)

// retentionFlags bound what the store keeps (model.Options); zero keeps
// the model's default.
type retentionFlags struct {
	logsPerFunction int
	logsTotal       int
	logBytes        int64
	maxMessageBytes int
	recentErrors    int
}

func (r *retentionFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&r.logsPerFunction, "logs-per-function", 0, "keep each function's newest `N` log lines (default 1000)")
	fs.IntVar(&r.logsTotal, "logs-total", 0, "keep the fleet's newest `N` log lines for the all-functions log view (default 10000)")
	fs.Int64Var(&r.logBytes, "log-bytes", 0, "bound the memory of all functions' log lines together to `BYTES`; past it the oldest lines go first (default 268435456, 256 MiB)")
	fs.IntVar(&r.maxMessageBytes, "max-message-bytes", 0, "truncate longer log messages to `N` bytes (default 16384)")
	fs.IntVar(&r.recentErrors, "recent-errors", 0, "keep each function's newest `N` failed invocations for its error list (default 50)")
}

func (r *retentionFlags) check() error {
	for _, v := range []struct {
		name string
		n    int64
	}{
		{"logs-per-function", int64(r.logsPerFunction)}, {"logs-total", int64(r.logsTotal)},
		{"log-bytes", r.logBytes}, {"max-message-bytes", int64(r.maxMessageBytes)}, {"recent-errors", int64(r.recentErrors)},
	} {
		if v.n < 0 {
			return fmt.Errorf("%w: --%s must not be negative", errUsage, v.name)
		}
	}
	return nil
}

// options are the store options the flags ask for.
func (r *retentionFlags) options() model.Options {
	return model.Options{
		LogsPerFunction: r.logsPerFunction,
		LogsTotal:       r.logsTotal,
		LogBytes:        r.logBytes,
		MaxMessageBytes: r.maxMessageBytes,
		RecentErrors:    r.recentErrors,
	}
}
