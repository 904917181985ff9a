package aws

import (
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

// DefaultPrefix is where Lambda writes its log groups.
const DefaultPrefix = "/aws/lambda/"

// Defaults of Options.
const (
	DefaultShare       = 0.5
	DefaultOverlap     = 30 * time.Second
	DefaultDiscover    = 5 * time.Minute
	DefaultAggregate   = time.Minute
	DefaultMinInterval = 2 * time.Second
	// DefaultLiveTailRenew is when a Live Tail session is replaced, before
	// CloudWatch ends it at three hours.
	DefaultLiveTailRenew = 2*time.Hour + 50*time.Minute
	// DefaultDedup bounds the event keys remembered per log group.
	DefaultDedup = 50000
	// DefaultTimeout bounds the wait for the answer of one API call.
	DefaultTimeout = 30 * time.Second
)

// Options configure the AWS source. The zero value watches the default
// profile's region with the default limits.
type Options struct {
	// Profiles are the shared-config profiles to use; none means the SDK's
	// default chain (AWS_PROFILE, environment, SSO, web identity, ...).
	Profiles []string
	// Regions to watch in every profile; none means the profile's region.
	Regions []string
	// Endpoint overrides the CloudWatch Logs and Lambda endpoints
	// (AWS_ENDPOINT_URL is honoured by the SDK as well).
	Endpoint string

	// Prefix selects log groups (default DefaultPrefix); Include and
	// Exclude filter their function names.
	Prefix           string
	Include, Exclude *regexp.Regexp

	// Share is the share of each published quota fntop takes (default
	// DefaultShare): the quotas are shared by every tool of the account.
	Share float64
	// FilterTPS, when > 0, sets the FilterLogEvents budget per account and
	// region in calls per second, whatever the quota.
	FilterTPS float64
	// MinInterval is the shortest time between two polls of one log group
	// (default DefaultMinInterval).
	MinInterval time.Duration
	// Overlap is how far back each poll reaches behind the newest event
	// already seen, to catch events ingested late (default DefaultOverlap).
	Overlap time.Duration
	// Discover is how often log groups and the function inventory are
	// listed again (default DefaultDiscover).
	Discover time.Duration

	// Backfill, when > 0, fills that much history at start.
	Backfill time.Duration
	// RawHistory fills the backfill with the log events themselves
	// (FilterLogEvents) instead of Logs Insights figures: for printing
	// log lines.
	RawHistory bool
	// ScaleAt is the number of log groups above which the fleet view comes
	// from periodic Logs Insights aggregation while raw polling is kept for
	// the functions in focus. 0 decides from the budget: when polling every
	// group once per 10 s would need more than the budget.
	ScaleAt int
	// Aggregate is how often the Insights aggregation runs in that mode
	// (default DefaultAggregate).
	Aggregate time.Duration

	// LiveTail enables Live Tail sessions for the functions in focus.
	LiveTail bool
	// LiveTailRenew is when a session is replaced (default
	// DefaultLiveTailRenew).
	LiveTailRenew time.Duration
	// Focus returns the functions the user is looking at (nil: none).
	Focus func() []string

	// NoLogs turns log lines into model.KindSeen events (headless figures).
	NoLogs bool
	// Dedup bounds the event keys remembered per log group (default
	// DefaultDedup).
	Dedup int

	// Timeout bounds the wait for the answer (its headers) of one API
	// call (default DefaultTimeout): a server that accepts a request and
	// never answers fails the call, which is then retried, instead of
	// holding a poller forever. Live Tail streams are not cut by it.
	Timeout time.Duration

	// Clock is the wall clock (default time.Now).
	Clock func() time.Time
	// ConfigOptions are passed to config.LoadDefaultConfig after fntop's
	// own (tests set static credentials and a retryer here).
	ConfigOptions []func(*config.LoadOptions) error
}

func (o *Options) defaults() {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Share <= 0 || o.Share > 1 {
		o.Share = DefaultShare
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.Overlap <= 0 {
		o.Overlap = DefaultOverlap
	}
	if o.Discover <= 0 {
		o.Discover = DefaultDiscover
	}
	if o.Aggregate <= 0 {
		o.Aggregate = DefaultAggregate
	}
	if o.LiveTailRenew <= 0 {
		o.LiveTailRenew = DefaultLiveTailRenew
	}
	if o.Dedup <= 0 {
		o.Dedup = DefaultDedup
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}
