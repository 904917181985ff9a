// Package aws is the AWS source: it watches Lambda functions through
// CloudWatch Logs (and the Lambda function inventory) with the AWS SDK for
// Go v2, and turns their log events into model events with the shared
// Lambda log parser.
//
// One place is one account and region (a profile and a region). Each place
// has its own API budgets, sized from the published per-region quotas, its
// own log group discovery and its own poller. A place polls each log group
// incrementally with FilterLogEvents, hot and erroring groups more often;
// it backfills history with Logs Insights (a few queries per 50 groups), and for fleets larger
// than its budget can poll it takes the fleet's figures from periodic
// Insights aggregation and polls raw events only for the functions in
// focus, which may also be followed live with Live Tail.
package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
	"github.com/fntop/fntop/sources"
)

// Source is the AWS source.
type Source struct {
	opts Options
	// secrets are the credentials the SDK clients used: no status or
	// error the source gives out may show them (an endpoint or a proxy
	// may echo a request's headers into its error).
	secrets *textsafe.Secrets
}

// New returns an AWS source.
func New(opts Options) *Source {
	opts.defaults()
	return &Source{opts: opts, secrets: &textsafe.Secrets{}}
}

// Name is "aws".
func (s *Source) Name() string { return "aws" }

// target is one profile and region to watch.
type target struct{ profile, region string }

// loadConfigs resolves every profile and region into an SDK config and
// checks that each has credentials.
func (s *Source) loadConfigs(ctx context.Context) ([]target, []aws.Config, error) {
	profiles := s.opts.Profiles
	if len(profiles) == 0 {
		profiles = []string{""}
	}
	var (
		targets []target
		cfgs    []aws.Config
	)
	for _, p := range profiles {
		// The SDK logs to stderr by default, which is the terminal the
		// UI draws on: fntop reports problems as status instead.
		lo := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
		if p != "" {
			lo = append(lo, config.WithSharedConfigProfile(p))
		}
		lo = append(lo, s.opts.ConfigOptions...)
		cfg, err := config.LoadDefaultConfig(ctx, lo...)
		if err != nil {
			return nil, nil, explainCredentials(p, err)
		}
		if cfg.Credentials != nil {
			cfg.Credentials = recordingProvider{cfg.Credentials, s.secrets}
		}
		regions := s.opts.Regions
		if len(regions) == 0 {
			if cfg.Region == "" {
				return nil, nil, fmt.Errorf("no AWS region for %s: pass --region or set AWS_REGION or region in ~/.aws/config", profileLabel(p))
			}
			regions = []string{cfg.Region}
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = cfg.Credentials.Retrieve(cctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, explainCredentials(p, err)
		}
		for _, r := range regions {
			c := cfg.Copy()
			c.Region = r
			targets = append(targets, target{p, r})
			cfgs = append(cfgs, c)
		}
	}
	return targets, cfgs, nil
}

// places builds one place per target.
func (s *Source) places(ctx context.Context, sink model.Sink) ([]*place, error) {
	targets, cfgs, err := s.loadConfigs(ctx)
	if err != nil {
		return nil, err
	}
	profiles := map[string]bool{}
	for _, t := range targets {
		profiles[t.profile] = true
	}
	var out []*place
	for i, t := range targets {
		name := "aws:" + t.region
		qual := ""
		if len(profiles) > 1 {
			name = "aws:" + t.profile + "/" + t.region
			qual = "@" + t.profile + "/" + t.region
		} else if len(targets) > 1 {
			qual = "@" + t.region
		}
		out = append(out, newPlace(&s.opts, name, qual, t.profile, t.region, cfgs[i], sink))
	}
	return out, nil
}

// Run watches every place until ctx ends. A credential or configuration
// problem is reported as the source's status and returned.
func (s *Source) Run(ctx context.Context, sink model.Sink) error {
	sink = sources.CleanStatus(sink, s.secrets)
	err := s.run(ctx, sink)
	return s.secrets.Error(err)
}

func (s *Source) run(ctx context.Context, sink model.Sink) error {
	ps, err := s.places(ctx, sink)
	if err != nil {
		status(sink, s.Name(), s.opts.Clock(), model.StateFailing, "", err)
		return err
	}
	err = eachPlace(ps, func(p *place) error { return p.run(ctx) })
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// eachPlace runs fn for every place at once and joins their errors.
func eachPlace(ps []*place, fn func(*place) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ps))
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(p)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Backfill discovers the log groups of every place and fills the Backfill
// window of history (Insights, or FilterLogEvents where Insights is not
// permitted), then returns: the headless snapshot's path.
func (s *Source) Backfill(ctx context.Context, sink model.Sink) error {
	sink = sources.CleanStatus(sink, s.secrets)
	ps, err := s.places(ctx, sink)
	if err != nil {
		status(sink, s.Name(), s.opts.Clock(), model.StateFailing, "", err)
		return s.secrets.Error(err)
	}
	return s.secrets.Error(eachPlace(ps, func(p *place) error { return p.backfillOnly(ctx) }))
}

// status reports a source status.
func status(sink model.Sink, name string, now time.Time, st model.SourceState, detail string, err error) {
	ev := model.Event{Kind: model.KindStatus, Source: name, Time: now,
		Status: model.SourceStatus{Name: name, State: st, Detail: detail}}
	if err != nil {
		ev.Status.LastError = short(err)
	}
	sink.Ingest(ev)
}
