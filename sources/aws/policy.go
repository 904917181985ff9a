package aws

import (
	"encoding/json"
	"strings"
)

// Actions are the IAM actions the source may call, all read-only. The
// README prints Policy; a test fails when the source calls anything else.
var Actions = []string{
	"logs:DescribeLogGroups", // discovery of /aws/lambda/ groups
	"logs:FilterLogEvents",   // polling
	"logs:StartQuery",        // Logs Insights backfill and fleet aggregation
	"logs:GetQueryResults",
	"logs:StopQuery",
	"logs:StartLiveTail",   // --live-tail on the functions in focus
	"lambda:ListFunctions", // memory, architecture, runtime, timeout
}

// Policy is the least-privilege IAM policy fntop needs, as JSON.
func Policy() string {
	type statement struct {
		Sid      string
		Effect   string
		Action   []string
		Resource string
	}
	var logs, lam []string
	for _, a := range Actions {
		if strings.HasPrefix(a, "logs:") {
			logs = append(logs, a)
		} else {
			lam = append(lam, a)
		}
	}
	doc := struct {
		Version   string
		Statement []statement
	}{
		Version: "2012-10-17",
		Statement: []statement{
			{Sid: "FntopReadLambdaLogs", Effect: "Allow", Action: logs, Resource: "*"},
			{Sid: "FntopListFunctions", Effect: "Allow", Action: lam, Resource: "*"},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // static data
	}
	return string(b) + "\n"
}

// allowed reports whether op (an API operation name such as
// "FilterLogEvents") of a service ("logs" or "lambda") is in Actions.
func allowed(service, op string) bool {
	for _, a := range Actions {
		if a == service+":"+op {
			return true
		}
	}
	return false
}
