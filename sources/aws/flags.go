package aws

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Flags are the command-line flags of the AWS source.
type Flags struct {
	On       bool
	Profiles listFlag
	Regions  listFlag
	Endpoint string
	Prefix   string
	Include  string
	Exclude  string
	TPS      float64
	Share    float64
	LiveTail bool
	ScaleAt  int

	include, exclude *regexp.Regexp
}

// listFlag is a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.BoolVar(&f.On, "aws", false, "watch AWS Lambda functions through CloudWatch Logs (the SDK's default credential chain)")
	fs.Var(&f.Profiles, "profile", "AWS `PROFILE`s to use (repeat or comma-separate for several accounts)")
	fs.Var(&f.Regions, "region", "AWS `REGION`s to watch (repeat or comma-separate; default: the profile's)")
	fs.StringVar(&f.Endpoint, "endpoint", "", "CloudWatch Logs and Lambda endpoint `URL` (AWS_ENDPOINT_URL works too)")
	fs.StringVar(&f.Prefix, "log-group-prefix", DefaultPrefix, "log groups to watch")
	fs.StringVar(&f.Include, "include", "", "watch only functions matching `REGEX`")
	fs.StringVar(&f.Exclude, "exclude", "", "skip functions matching `REGEX`")
	fs.Float64Var(&f.TPS, "aws-tps", 0, "FilterLogEvents calls per second per account and region (default: half the published quota)")
	fs.Float64Var(&f.Share, "aws-share", DefaultShare, "share of each CloudWatch Logs quota fntop may use (0-1]")
	fs.BoolVar(&f.LiveTail, "live-tail", false, "follow the functions in focus with CloudWatch Logs Live Tail ($0.01/minute per session)")
	fs.IntVar(&f.ScaleAt, "aggregate-above", 0, "take fleet figures from Logs Insights above `N` log groups (default: what the budget can poll every 10s)")
}

// Check validates the flags.
func (f *Flags) Check() error {
	if !f.On {
		if len(f.Profiles) > 0 || len(f.Regions) > 0 || f.Endpoint != "" || f.LiveTail {
			return errors.New("--profile, --region, --endpoint and --live-tail need --aws")
		}
		return nil
	}
	var err error
	if f.Include != "" {
		if f.include, err = regexp.Compile(f.Include); err != nil {
			return fmt.Errorf("--include: %v", err)
		}
	}
	if f.Exclude != "" {
		if f.exclude, err = regexp.Compile(f.Exclude); err != nil {
			return fmt.Errorf("--exclude: %v", err)
		}
	}
	if f.Share <= 0 || f.Share > 1 {
		return errors.New("--aws-share must be in (0, 1]")
	}
	if f.TPS < 0 || f.TPS > 1000 {
		return errors.New("--aws-tps must be between 0 and 1000")
	}
	return nil
}

// Options turns the flags into source options with the given backfill and
// focus.
func (f *Flags) Options(backfill time.Duration, focus func() []string) Options {
	return Options{
		Profiles: f.Profiles, Regions: f.Regions, Endpoint: f.Endpoint,
		Prefix: f.Prefix, Include: f.include, Exclude: f.exclude,
		Share: f.Share, FilterTPS: f.TPS, LiveTail: f.LiveTail, ScaleAt: f.ScaleAt,
		Backfill: backfill, Focus: focus,
	}
}
