package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/sources"
	"github.com/fntop/fntop/sources/aws"
	"github.com/fntop/fntop/sources/demo"
	"github.com/fntop/fntop/sources/file"
)

// errHelp is returned after -h printed the flags.
var errHelp = errors.New("help shown")

// sourceFlags are the flags that choose a source; every command has them.
type sourceFlags struct {
	demo          bool
	seed          int64
	demoFunctions int
	input         string
	function      string
	follow        bool

	aws  aws.Flags
	prom promFlags
	// backfill is the history a live source fills at start (the snapshot's
	// window; an hour for the UI).
	backfill time.Duration
	// focus tells a live source the functions the user is looking at.
	focus func() []string
	// rawHistory asks for the history as log lines (fntop logs) rather
	// than figures.
	rawHistory bool
	// now is the demo fleet's clock (nil: time.Now); snapshot --at sets it.
	now func() time.Time
	// retain bounds what the store keeps (the UI and snapshot register it).
	retain retentionFlags
}

func (s *sourceFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.demo, "demo", false, "use the built-in demo fleet (the default when no source is given)")
	fs.Int64Var(&s.seed, "seed", 1, "seed of the demo fleet (same seed, same fleet)")
	fs.IntVar(&s.demoFunctions, "demo-functions", 0, "number of demo functions (0 = the designed fleet of about two dozen)")
	fs.StringVar(&s.input, "input", "", "read Lambda logs from `PATH` (- for stdin), gzip or not")
	fs.StringVar(&s.function, "function", "", "function `NAME`: names the function of an input that does not, and filters the output")
	s.aws.Register(fs)
	s.prom.register(fs)
}

// live reports whether the chosen source runs in real time (its windows end
// now) rather than replaying a finite input (windows end at its last event).
func (s *sourceFlags) live() bool { return s.input == "" || s.follow }

func (s *sourceFlags) check() error {
	if err := s.retain.check(); err != nil {
		return err
	}
	if s.demo && s.input != "" {
		return fmt.Errorf("%w: --demo and --input exclude each other", errUsage)
	}
	n := 0
	for _, on := range []bool{s.demo, s.input != "", s.aws.On, s.prom.url != ""} {
		if on {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: choose one source: --demo, --input, --aws or --prometheus", errUsage)
	}
	if err := s.prom.check(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := s.aws.Check(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if s.demoFunctions < 0 || s.demoFunctions > 100000 {
		return fmt.Errorf("%w: --demo-functions must be between 0 and 100000", errUsage)
	}
	return nil
}

// build makes the source the flags describe.
func (s *sourceFlags) build(e env) (sources.Source, error) {
	if s.prom.url != "" {
		return s.prom.build(e, s.backfill)
	}
	if s.aws.On {
		backfill := s.backfill
		if backfill <= 0 || backfill == model.WindowAll {
			backfill = model.Window1h
		}
		o := s.aws.Options(backfill, s.focus)
		o.RawHistory = s.rawHistory
		if s.function != "" && o.Include == nil {
			// One function: list and read only its log group.
			o.Include = regexp.MustCompile("^" + regexp.QuoteMeta(s.function) + "$")
		}
		return aws.New(o), nil
	}
	if s.input != "" {
		opts := []file.Option{file.WithFollow(s.follow)}
		if s.function != "" {
			opts = append(opts, file.WithFunction(s.function))
		}
		if s.input == "-" {
			opts = append(opts, file.WithReader(e.stdin))
		}
		return file.New(s.input, opts...), nil
	}
	opts := []demo.Option{demo.Seed(s.seed)}
	if s.now != nil {
		opts = append(opts, demo.Clock(s.now))
	}
	if s.demoFunctions > 0 {
		opts = append(opts, demo.Functions(s.demoFunctions))
	}
	return demo.New(opts...), nil
}

// windowFlag parses --window.
type windowFlag struct {
	d   time.Duration
	set bool
}

func (w *windowFlag) String() string { return model.WindowLabel(w.d) }
func (w *windowFlag) Set(v string) error {
	d, ok := model.ParseWindow(v)
	if !ok || v == "" {
		return fmt.Errorf("want 1m, 5m, 15m, 1h or all")
	}
	w.d, w.set = d, true
	return nil
}

// parse parses flags, mapping -h to errHelp and other errors to errUsage.
func parse(fs *flag.FlagSet, args []string, out io.Writer) error {
	fs.SetOutput(safeWriter{out})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
