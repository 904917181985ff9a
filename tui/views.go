package tui

import (
	"github.com/fntop/fntop/tui/fleet"
	"github.com/fntop/fntop/tui/function"
	"github.com/fntop/fntop/tui/invocation"
	"github.com/fntop/fntop/tui/logs"
	"github.com/fntop/fntop/tui/triage"
)

// The concrete view types the root stacks.
type (
	fleetView      = fleet.Model
	functionView   = function.Model
	logsView       = logs.Model
	triageView     = triage.Model
	invocationView = invocation.Model
)

func (m *Model) newFleet() fleetView { return fleet.New(m.styles) }

func (m *Model) newFunction(name string) functionView {
	return function.New(m.styles, name, function.WithPrices(m.prices))
}

func (m *Model) newLogs(fn string) logsView {
	opts := []logs.Option{logs.WithClock(m.clock)}
	if m.location != nil {
		opts = append(opts, logs.WithLocation(m.location))
	}
	return logs.New(m.styles, fn, opts...)
}

func (m *Model) newTriage() triageView { return triage.New(m.styles) }

func (m *Model) newInvocation(fn, requestID string) invocationView {
	return invocation.New(m.styles, fn, requestID)
}
