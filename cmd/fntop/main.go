// Command fntop is top for serverless function fleets: it reads Lambda logs
// (and later other providers) into one in-memory model and shows, per
// function, invocation rate, errors, timeouts, throttles, cold starts,
// duration percentiles, memory and cost.
//
// Usage:
//
//	fntop [--demo] [--seed N] [--theme T]          the live UI on the demo fleet (default)
//	fntop snapshot [--json] [source] [--function NAME] [--window 1m|5m|15m|1h|all]
//	fntop logs [source] [--function NAME] [--follow] [--grep REGEX] [--since D]
//
// where source is --demo, --input PATH|- (a file, gzip or not, or stdin),
// --aws (CloudWatch Logs) or --prometheus URL.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources/aws"
	"github.com/fntop/fntop/tui"
	"github.com/fntop/fntop/tui/common"
	"github.com/fntop/fntop/tui/termsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		tty:      isTerminal(os.Stdout),
		errTTY:   isTerminal(os.Stderr),
		stdinTTY: isTerminal(os.Stdin),
		noColor: func() bool {
			_, set := os.LookupEnv("NO_COLOR")
			return set
		}(),
	})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	tty            bool // stdout is a terminal: colour allowed
	errTTY         bool // stderr is a terminal: progress allowed
	stdinTTY       bool // stdin is a terminal: with tty, the UI may run
	noColor        bool
	// getenv reads the environment (os.Getenv when nil).
	getenv func(string) string
	// runUI shows the terminal UI (tui.Run when nil).
	runUI func(context.Context, common.Data, tui.Options) error
}

// interactive reports whether fntop talks to a person at a terminal.
func (e env) interactive() bool { return e.tty && e.stdinTTY }

func (e env) lookupEnv(key string) string {
	if e.getenv == nil {
		return os.Getenv(key)
	}
	return e.getenv(key)
}

// errUsage marks errors in the command line (exit status 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, e env) int {
	cmd := "top"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "top":
		err = cmdTopOrTUI(ctx, args, e)
	case "snapshot":
		err = cmdSnapshot(ctx, args, e)
	case "logs":
		err = cmdLogs(ctx, args, e)
	case "iam-policy":
		_, err = io.WriteString(e.stdout, aws.Policy())
	case "version":
		_, err = fmt.Fprintln(e.stdout, "fntop", version)
	case "help":
		_, err = io.WriteString(e.stdout, usage)
	default:
		err = fmt.Errorf("%w: unknown command %q (try: fntop help)", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		_, _ = fmt.Fprintln(e.stderr, "fntop:", errText(err)) // stderr: nowhere left to report to
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	}
	_, _ = fmt.Fprintln(e.stderr, "fntop:", errText(err))
	return 1
}

// errText is an error as fntop prints it: errors quote names, paths,
// patterns and what endpoints answered, any of which can carry escape
// sequences or bidi controls, so it is made terminal-safe; whatever has
// the shape of a credential (an echoed header, a URL's password) is
// redacted, whatever source the error came from.
func errText(err error) string {
	return termsafe.Multiline(textsafe.RedactCredentials(err.Error()))
}

// safeWriter makes what is written terminal-safe, keeping line feeds: the
// flag package quotes unknown flags and bad values as they were given.
type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, termsafe.Multiline(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

const usage = `fntop: top for serverless function fleets

Usage:
  fntop [--demo] [--seed N] [--window W] [--theme T] [--refresh D]
                                              the live terminal UI on a terminal (the demo fleet
                                              when no source is given); the snapshot table when
                                              stdin or stdout is not a terminal
  fntop snapshot [--json] [SOURCE] [--function NAME] [--window 1m|5m|15m|1h|all]
                                              print one snapshot and exit
  fntop snapshot --markdown [SOURCE] [--window W] [--at TIME]
                                              print the incident report: the fleet ranked by
                                              how unusual each function is against the hour
                                              before, signatures, changes, costs
  fntop logs [SOURCE] [--function NAME] [--follow] [--grep REGEX] [--since DURATION]
                                              print log lines, pipe-friendly
  fntop iam-policy                            print the read-only IAM policy --aws needs
  fntop version | help

SOURCE is one of:
  --demo               the built-in simulated fleet (default; --seed N, --demo-functions N)
  --input PATH|-       Lambda logs from a file or stdin, gzip or not: raw function output,
                       'aws logs tail' output, 'aws logs filter-log-events' JSON, or
                       CloudWatch Logs subscription DATA_MESSAGE documents
                       (--follow keeps reading as the file grows)
  --aws                AWS Lambda functions through CloudWatch Logs, with the SDK's default
                       credentials (--profile P, --region R: repeat or comma-separate for
                       several; --endpoint URL; --include/--exclude REGEX; --live-tail)
  --prometheus URL     a fleet from Prometheus: an exposition endpoint (the OpenFaaS gateway's
                       /metrics: scraped) or a Prometheus-compatible API (queried with PromQL);
                       --preset openfaas|knative|NAME, --interval D, --config PATH, auth flags

UI flags:
  --theme NAME|PATH    dark (default), light, high-contrast, a theme file in
                       $XDG_CONFIG_HOME/fntop/themes/NAME.yaml ($FNTOP_CONFIG overrides the
                       directory), or a path; NO_COLOR turns colour off
  --refresh DURATION   how often the screen pulls new figures (default 1s)
  --report-dir DIR     where the incident report key (W) writes (default .)

Retention flags (the UI and snapshot; see "Retention and memory" in the README):
  --logs-per-function N   log lines kept per function (default 1000)
  --logs-total N          log lines kept for the all-functions log view (default 10000)
  --log-bytes BYTES       memory of all functions' log lines together (default 256 MiB)
  --max-message-bytes N   longer log messages are truncated (default 16384)
  --recent-errors N       failed invocations kept per function (default 50)

Run 'fntop snapshot --help' or 'fntop logs --help' for every flag.
`
