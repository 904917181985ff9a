package aws

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// discover lists the log groups under the prefix (never their streams) and
// updates the place's groups: new ones are added, polled from the place's
// start, and deleted ones are dropped. It returns the number of groups.
func (p *place) discover(ctx context.Context) (int, error) {
	var (
		found []types.LogGroup
		token *string
	)
	for {
		var out *cloudwatchlogs.DescribeLogGroupsOutput
		err := call(ctx, p.describe, func(ctx context.Context) error {
			var err error
			out, err = p.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{
				LogGroupNamePrefix: aws.String(p.opts.Prefix),
				Limit:              aws.Int32(50),
				NextToken:          token,
			})
			return err
		})
		if err != nil {
			return 0, explainCredentials(p.profile, err)
		}
		found = append(found, out.LogGroups...)
		if out.NextToken == nil || *out.NextToken == "" || (token != nil && *out.NextToken == *token) {
			break
		}
		token = out.NextToken
	}
	p.noteOK()

	p.mu.Lock()
	defer p.mu.Unlock()
	seen := make(map[string]bool, len(found))
	for i := range found {
		lg := &found[i]
		name := aws.ToString(lg.LogGroupName)
		fn := functionName(p.opts.Prefix, name)
		if !p.wanted(fn, name) {
			continue
		}
		seen[name] = true
		if p.account == "" {
			p.account = accountOf(aws.ToString(lg.Arn))
		}
		if g, ok := p.groups[name]; ok {
			g.gone = false
			continue
		}
		arn := aws.ToString(lg.LogGroupArn)
		if arn == "" {
			arn = strings.TrimSuffix(aws.ToString(lg.Arn), ":*")
		}
		g := &group{name: name, arn: arn, function: fn, floor: p.t0, cursor: p.t0}
		g.due = p.opts.Clock()
		p.groups[name] = g
	}
	for name, g := range p.groups {
		if !seen[name] {
			g.gone = true
			if !g.busy {
				delete(p.groups, name)
			}
		}
	}
	return len(p.groups), nil
}

// wanted applies the include and exclude expressions to a function name
// (or, for a shared group, to the group name).
func (p *place) wanted(fn, groupName string) bool {
	s := fn
	if s == "" {
		s = groupName
	}
	if p.opts.Include != nil && !p.opts.Include.MatchString(s) {
		return false
	}
	if p.opts.Exclude != nil && p.opts.Exclude.MatchString(s) {
		return false
	}
	return true
}

// accountOf returns the account of an ARN (arn:aws:logs:region:account:...).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}
