package aws

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fntop/fntop/model"
)

// inventoryDeniedNote is the status note of a place that may not list its
// functions.
const inventoryDeniedNote = "function inventory not permitted (lambda:ListFunctions): " +
	"memory size from REPORT lines, x86_64 prices assumed"

// listFunctionsPage is the most functions ListFunctions returns per page.
const listFunctionsPage = 50

// loadInventory lists the place's functions with lambda:ListFunctions,
// one page per call within the list budget, and emits a model.KindMeta
// (region, account, architecture, runtime, memory size, timeout) for every
// function whose log group the place watches or will once it exists:
// under the prefix, through Include and Exclude as discovery applies them.
// A meta is emitted only when it is new or changed since the last load, so
// that the periodic refresh is quiet. p.inventory then holds the metas by
// log group.
//
// A refusal (AccessDenied) degrades the place: a status note, no metas, no
// error, and no further calls, since every refusal is an AccessDenied
// entry in CloudTrail, which security tooling watches. Any other error
// is returned, with nothing emitted and the previous inventory kept.
func (p *place) loadInventory(ctx context.Context) error {
	if p.lambda == nil {
		return nil
	}
	p.mu.Lock()
	denied := p.inventoryDenied
	p.mu.Unlock()
	if denied {
		return nil
	}

	var (
		fns    []types.FunctionConfiguration
		marker *string
	)
	for {
		var out *lambda.ListFunctionsOutput
		err := call(ctx, p.list, func(ctx context.Context) error {
			var err error
			out, err = p.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{
				Marker:   marker,
				MaxItems: aws.Int32(listFunctionsPage),
			})
			return err
		})
		if err != nil {
			if isDenied(err) {
				p.mu.Lock()
				p.inventoryDenied = true
				p.mu.Unlock()
				p.note(inventoryDeniedNote)
				return nil
			}
			return explainCredentials(p.profile, err)
		}
		fns = append(fns, out.Functions...)
		next := aws.ToString(out.NextMarker)
		if next == "" || next == aws.ToString(marker) {
			break
		}
		marker = out.NextMarker
	}

	metas := p.inventoryOf(fns)
	now := p.opts.Clock()
	var evs []model.Event
	p.mu.Lock()
	for _, m := range metas {
		if old, ok := p.inventory[m.key]; ok && old == m.meta {
			continue
		}
		evs = append(evs, model.Event{
			Kind: model.KindMeta, Source: p.name, Function: m.function + p.qual, Time: now, Meta: m.meta,
		})
	}
	inv := make(map[string]model.FunctionMeta, len(metas))
	for _, m := range metas {
		inv[m.key] = m.meta
	}
	p.inventory = inv
	for i := 0; i < len(fns) && p.account == ""; i++ { // any function tells, watched or not
		if a, err := arn.Parse(aws.ToString(fns[i].FunctionArn)); err == nil {
			p.account = a.AccountID
		}
	}
	p.mu.Unlock()
	if len(evs) > 0 {
		p.sink.Ingest(evs...)
	}
	return nil
}

// functionMeta is one listed function the place watches.
type functionMeta struct {
	function string
	// key is the function's log group, or for a function sharing a custom
	// log group with others, "<group>:<function>" (':' is not allowed in
	// log group names, so such a key never passes for a group).
	key  string
	meta model.FunctionMeta
}

// inventoryOf keeps the functions whose log group the place watches or
// would, in name order, with their metas.
func (p *place) inventoryOf(fns []types.FunctionConfiguration) []functionMeta {
	var out []functionMeta
	users := map[string]int{} // functions per log group
	for i := range fns {
		f := &fns[i]
		name := aws.ToString(f.FunctionName)
		if name == "" {
			continue
		}
		grp := DefaultPrefix + name
		if f.LoggingConfig != nil && aws.ToString(f.LoggingConfig.LogGroup) != "" {
			grp = aws.ToString(f.LoggingConfig.LogGroup)
		}
		if !strings.HasPrefix(grp, p.opts.Prefix) || !p.wanted(functionName(p.opts.Prefix, grp), grp) {
			continue
		}
		users[grp]++
		out = append(out, functionMeta{function: name, key: grp, meta: p.metaOf(f)})
	}
	for i := range out {
		if users[out[i].key] > 1 {
			out[i].key += ":" + out[i].function
		}
	}
	slices.SortFunc(out, func(a, b functionMeta) int { return strings.Compare(a.function, b.function) })
	return out
}

// metaOf is the configuration of a listed function. The version is left
// out: ListFunctions describes $LATEST, while the log lines tell which
// version ran.
func (p *place) metaOf(f *types.FunctionConfiguration) model.FunctionMeta {
	m := model.FunctionMeta{
		Region:       p.region,
		Arch:         archOf(f.Architectures),
		Runtime:      string(f.Runtime),
		MemorySizeMB: int(aws.ToInt32(f.MemorySize)),
		TimeoutMs:    float64(aws.ToInt32(f.Timeout)) * 1000,
	}
	if a, err := arn.Parse(aws.ToString(f.FunctionArn)); err == nil {
		m.Account = a.AccountID
	}
	return m
}

// archOf reads Architectures: x86_64 when absent, as Lambda defaults.
func archOf(as []types.Architecture) model.Arch {
	if len(as) == 0 {
		return model.ArchX86
	}
	switch as[0] {
	case types.ArchitectureArm64:
		return model.ArchARM
	case types.ArchitectureX8664:
		return model.ArchX86
	}
	return model.ArchUnknown
}
