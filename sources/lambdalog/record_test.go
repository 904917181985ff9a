package lambdalog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fntop/fntop/model"
)

const (
	arnPython = "arn:aws:lambda:us-east-1::runtime:0cdcfbdefbc5e7d3343f73c2e2dd3cba17d61dea0686b404502a0c9ce83931b9"
	arnJava   = "arn:aws:lambda:eu-west-1::runtime:2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819"
	arnNode   = "arn:aws:lambda:eu-central-1::runtime:775dab0d220a0b97f3ec34fe1692d7a07b5d13049153b00f03204c9543bd69e4"
)

// wantRecords is the exact Record each testdata sample must parse to, and
// the error kind it implies on its own.
func wantRecords(t *testing.T) map[string]struct {
	rec  Record
	kind model.ErrorKind
} {
	type want = struct {
		rec  Record
		kind model.ErrorKind
	}
	rep := func(id string, m Metrics) Record {
		return Record{Type: RecordReport, Line: model.LinePlatform, RequestID: id, Metrics: m}
	}
	with := func(r Record, f func(*Record)) Record { f(&r); return r }
	plat := func(typ RecordType) Record { return Record{Type: typ, Line: model.LinePlatform} }
	malformed := func(id, problem string, m Metrics) Record {
		return Record{Type: RecordMalformedReport, Line: model.LinePlatform, RequestID: id, Problem: problem, Metrics: m}
	}
	ext := Record{Type: RecordExtension, Line: model.LineExtension}
	return map[string]want{
		// Text platform lines.
		"report_tabs_trailing": {rec: rep("8c360c87-d4b7-4423-b5f3-af02be3c1763",
			Metrics{DurationMs: 2338.66, BilledMs: 2521, MemorySizeMB: 3009, MaxMemoryUsedMB: 173, RestoreDurationMs: 398.97, BilledRestoreMs: 182})},
		"report_tabs_no_trailing": {rec: rep("5c1b2e0a-7f3d-4c1e-9a8b-2d4e6f8a0b1c",
			Metrics{DurationMs: 14.97, BilledMs: 15, MemorySizeMB: 128, MaxMemoryUsedMB: 67})},
		"report_single_spaces": {rec: with(rep("24addd09-6e64-49fb-b187-94ba9b60b59a",
			Metrics{DurationMs: 127.10, BilledMs: 154, MemorySizeMB: 2048, MaxMemoryUsedMB: 212, RestoreDurationMs: 325.93, BilledRestoreMs: 26}),
			func(r *Record) { r.TraceID = "1-66d978e5-56c7378e556e94b5461da07c" })},
		"report_space_runs": {rec: rep("1fa87a52-03db-478f-9b7e-92ce62d445cd",
			Metrics{DurationMs: 169.66, BilledMs: 181, MemorySizeMB: 131, MaxMemoryUsedMB: 32, InitDurationMs: 11.10})},
		"report_old_billed_space": {rec: rep("9b5ff1ba-e6a0-11e8-a3b2-2b1d5e0b1f54",
			Metrics{DurationMs: 17990.41, BilledMs: 18000, MemorySizeMB: 512, MaxMemoryUsedMB: 77})},
		"report_init_first": {rec: rep("0e3c1b4e-6d1c-4bd5-a1c2-3b6f6a1e9d27",
			Metrics{DurationMs: 1.53, BilledMs: 2, MemorySizeMB: 3008, MaxMemoryUsedMB: 3008, InitDurationMs: 0.35})},
		"report_cold_xray": {rec: with(rep("5009fcc8-5032-41fd-9a62-fc133fe04d67",
			Metrics{DurationMs: 2.37, BilledMs: 427, MemorySizeMB: 1024, MaxMemoryUsedMB: 95, InitDurationMs: 423.98}),
			func(r *Record) { r.TraceID = "1-6ac7d554-62c6be2f6c1bd8032dac9acf" })},
		"report_oom": {rec: with(rep("276ff3b9-1609-4ee7-a288-db3752630767",
			Metrics{DurationMs: 10935.70, BilledMs: 10936, MemorySizeMB: 1024, MaxMemoryUsedMB: 1024}),
			func(r *Record) {
				r.Status, r.ErrorType, r.TraceID = "error", "Runtime.OutOfMemory", "1-6ac7d556-032906e375c910cf42cb849e"
			}), kind: model.ErrOutOfMemory},
		"report_timeout": {rec: with(rep("3e1f7c4a-58b2-4d0e-8f6a-1c2b3d4e5f60",
			Metrics{DurationMs: 600000, BilledMs: 600517, MemorySizeMB: 1024, MaxMemoryUsedMB: 301, InitDurationMs: 516.31}),
			func(r *Record) { r.Status = "timeout" }), kind: model.ErrTimeout},
		"report_exit_error": {rec: with(rep("7d0c5c9e-2b0a-4f43-9f3e-6a1d2c3b4a59",
			Metrics{DurationMs: 812.44, BilledMs: 813, MemorySizeMB: 256, MaxMemoryUsedMB: 118}),
			func(r *Record) { r.Status, r.ErrorType = "error", "Runtime.ExitError" }), kind: model.ErrRuntimeExit},
		"report_restore_first": {rec: rep("b771fecc-1b53-4faf-922d-1d74357b1676",
			Metrics{DurationMs: 306.34, BilledMs: 610, MemorySizeMB: 3009, MaxMemoryUsedMB: 155, RestoreDurationMs: 511.25, BilledRestoreMs: 303})},
		"report_crlf": {rec: rep("06e8554f-3109-426f-8992-0c834de2ac20",
			Metrics{DurationMs: 329.18, BilledMs: 330, MemorySizeMB: 1792, MaxMemoryUsedMB: 125})},
		"report_bom": {rec: rep("79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36",
			Metrics{DurationMs: 1.40, BilledMs: 450, MemorySizeMB: 128, MaxMemoryUsedMB: 41, InitDurationMs: 447.83})},
		"report_xray_trailing_tab": {rec: with(rep("9ca25a1b-a606-4d8e-8f9d-10ee0d742fce",
			Metrics{DurationMs: 33277.10, BilledMs: 33278, MemorySizeMB: 128, MaxMemoryUsedMB: 116, InitDurationMs: 394.01}),
			func(r *Record) { r.TraceID = "1-621fa5b2-1d0fdf726117126372296a3b" })},
		"start": {rec: with(plat(RecordStart), func(r *Record) {
			r.RequestID, r.Version = "5009fcc8-5032-41fd-9a62-fc133fe04d67", "$LATEST"
		})},
		"start_published": {rec: with(plat(RecordStart), func(r *Record) {
			r.RequestID, r.Version = "8c360c87-d4b7-4423-b5f3-af02be3c1763", "72"
		})},
		"end": {rec: with(plat(RecordEnd), func(r *Record) { r.RequestID = "5009fcc8-5032-41fd-9a62-fc133fe04d67" })},
		"init_start": {rec: with(plat(RecordInitStart), func(r *Record) {
			r.Runtime, r.RuntimeARN = "python:3.9.v64", arnPython
		})},
		"init_report_timeout": {rec: with(plat(RecordInitReport), func(r *Record) {
			r.Metrics.InitDurationMs, r.Phase, r.Status = 9999.79, "init", "timeout"
		})},
		"init_report_error": {rec: with(plat(RecordInitReport), func(r *Record) {
			r.Metrics.InitDurationMs, r.Phase, r.Status, r.ErrorType = 150.79, "init", "error", "Runtime.UserCodeSyntaxError"
		})},
		"init_report_invoke": {rec: with(plat(RecordInitReport), func(r *Record) {
			r.Metrics.InitDurationMs, r.Phase, r.Status, r.ErrorType = 4.87, "invoke", "error", "Runtime.ExitError"
		})},
		"init_report_snapstart": {rec: with(plat(RecordInitReport), func(r *Record) { r.Metrics.InitDurationMs = 9908.09 })},
		"restore_start": {rec: with(plat(RecordRestoreStart), func(r *Record) {
			r.Runtime, r.RuntimeARN = "java:11.v20", arnJava
		})},
		"restore_report": {rec: with(plat(RecordRestoreReport), func(r *Record) { r.Metrics.RestoreDurationMs = 398.97 })},
		"restore_report_timeout": {rec: with(plat(RecordRestoreReport), func(r *Record) {
			r.Metrics.RestoreDurationMs, r.Status = 10000, "timeout"
		})},

		// Runtime failure lines.
		"timeout_line": {rec: Record{Type: RecordTimeout, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "3e1f7c4a-58b2-4d0e-8f6a-1c2b3d4e5f60", Time: ts(t, "2023-11-15T10:12:31.123Z"),
			ErrorMessage: "Task timed out after 3.00 seconds"}, kind: model.ErrTimeout},
		"timeout_line_no_id": {rec: Record{Type: RecordTimeout, Line: model.LineFailure, Level: model.LevelError,
			ErrorMessage: "Task timed out after 30.03 seconds"}, kind: model.ErrTimeout},
		"runtime_exit_137": {rec: Record{Type: RecordRuntimeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "0b9a6f7e-3c2d-4e1f-8a9b-7c6d5e4f3a2b", ErrorType: "Runtime.ExitError",
			ErrorMessage: "Runtime exited with error: exit status 137"}, kind: model.ErrRuntimeExit},
		"runtime_exit_killed": {rec: Record{Type: RecordRuntimeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "9ca25a1b-a606-4d8e-8f9d-10ee0d742fce", ErrorType: "Runtime.ExitError",
			ErrorMessage: "Runtime exited with error: signal: killed"}, kind: model.ErrRuntimeExit},
		"runtime_exit_java_oom": {rec: Record{Type: RecordRuntimeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "2f4e6a8c-0b1d-4f3e-a5c7-9e1b3d5f7a9c", ErrorType: "Runtime.ExitError",
			ErrorMessage: "java.lang.OutOfMemoryError: Java heap space"}, kind: model.ErrOutOfMemory},
		"bare_runtime_unknown": {rec: Record{Type: RecordRuntimeError, Line: model.LineFailure, Level: model.LevelError,
			ErrorType: "Runtime.Unknown", ErrorMessage: "Unknown application error occurred"}, kind: model.ErrFunction},
		"node_invoke_error": {rec: Record{Type: RecordInvokeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "a57bdd96-bb4d-4a3c-bff0-226eed1171c1", Time: ts(t, "2022-09-24T04:57:13.319Z"),
			ErrorType: "TypeError", ErrorMessage: "Cannot read properties of undefined (reading 'id')",
			Body: `Invoke Error 	{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')","stack":["TypeError: Cannot read properties of undefined (reading 'id')","    at Runtime.handler (file:///var/task/index.mjs:3:22)"]}`},
			kind: model.ErrFunction},
		"node_invoke_error_pretty": {rec: Record{Type: RecordInvokeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "045fa3a5-51a1-4ea2-ba0e-7fe182a39109", Time: ts(t, "2024-04-11T07:31:48.497Z"),
			ErrorType: "Error", ErrorMessage: "Cannot find package 'nanoid' imported from /var/task/index.js\nDid you mean to import nanoid/index.cjs?",
			Body: "Invoke Error \t{\n    \"errorType\": \"Error\",\n    \"errorMessage\": \"Cannot find package 'nanoid' imported from /var/task/index.js\\nDid you mean to import nanoid/index.cjs?\",\n    \"code\": \"ERR_MODULE_NOT_FOUND\",\n    \"stack\": [\n        \"Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'nanoid'\"\n    ]\n}"},
			kind: model.ErrFunction},
		"node_invoke_error_cut": {rec: Record{Type: RecordInvokeError, Line: model.LineFailure, Level: model.LevelError,
			RequestID: "4e8cfa2f-d871-49cb-b49b-3b023add146f", Time: ts(t, "2023-04-14T09:23:16.008Z"),
			ErrorType: "AccessDeniedException", ErrorMessage: "User is not authorized to perform: dynamodb:Scan",
			Body: `Invoke Error 	{"errorType":"AccessDeniedException","errorMessage":"User is not authorized to perform: dynamodb:Scan","stack":["AccessDeniedException: User is not aut`},
			kind: model.ErrFunction},

		// Application lines.
		"node_info_init": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo,
			Time: ts(t, "2023-12-05T22:10:47.468Z"), Body: "Loading function"}},
		"node_multiline_cr": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo,
			RequestID: "7f3a2b1c-0d9e-4f8a-b7c6-5d4e3f2a1b0c", Time: ts(t, "2023-12-05T22:10:48.001Z"),
			Body: "EVENT\r{\r  \"key\": \"value\"\r}"}},
		"node_uncaught": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelError,
			Time: ts(t, "2025-02-10T07:37:11.523Z"),
			Body: `Uncaught Exception 	{"errorType":"Runtime.UserCodeSyntaxError","errorMessage":"SyntaxError: Unexpected end of input","stack":["Runtime.UserCodeSyntaxError: SyntaxError: Unexpected end of input"]}`}},
		"node_warn": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelWarn,
			RequestID: "d661f7cf-9208-46b9-85b0-213b04a91065", Time: ts(t, "2024-02-09T08:42:44.078Z"), Body: "retrying request"}},
		"python_info": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo,
			RequestID: "4b142fc3-17b8-4cdb-a46b-a8dbe7918715", Time: ts(t, "2024-05-20T16:29:45.009Z"), Body: "Processing event"}},
		"python_warning": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelWarn,
			RequestID: "4b142fc3-17b8-4cdb-a46b-a8dbe7918715", Time: ts(t, "2024-05-20T16:29:45.109Z"), Body: "Slow query: 812 ms"}},
		"python_error_bare": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelError,
			Body: "Runtime.ImportModuleError: Unable to import module 'app': No module named 'daily'\nTraceback (most recent call last):"}},
		"telemetry": {rec: ext},
		"extension": {rec: ext},
		"logs_api":  {rec: ext},
		"extension_secrets": {rec: with(ext, func(r *Record) {
			r.Body = "2024/04/11 02:14:17 INFO ready to serve traffic"
		})},
		"plain":             {rec: Record{Type: RecordPlain, Line: model.LinePlain}},
		"plain_with_time":   {rec: Record{Type: RecordPlain, Line: model.LinePlain, Time: ts(t, "2024-06-06T08:33:41.023Z")}},
		"plain_report_word": {rec: Record{Type: RecordPlain, Line: model.LinePlain}},

		// Report-like lines that do not parse.
		"malformed_report_no_fields": {rec: malformed("req-1", "missing Duration", Metrics{})},
		"malformed_report_cut": {rec: malformed("6b8e2c1a-4d3f-4e5a-9b7c-1d2e3f4a5b6c", "missing Billed Duration",
			Metrics{DurationMs: 12.5})},
		"malformed_report_bad_number": {rec: malformed("6b8e2c1a-4d3f-4e5a-9b7c-1d2e3f4a5b6d", "invalid Duration",
			Metrics{BilledMs: 2, MemorySizeMB: 128, MaxMemoryUsedMB: 60})},
		"malformed_report_negative": {rec: malformed("6b8e2c1a-4d3f-4e5a-9b7c-1d2e3f4a5b6e", "invalid Duration",
			Metrics{BilledMs: 2, MemorySizeMB: 128, MaxMemoryUsedMB: 60})},
		"malformed_report_no_id": {rec: malformed("", "missing RequestId",
			Metrics{DurationMs: 5, BilledMs: 5, MemorySizeMB: 128, MaxMemoryUsedMB: 60})},

		// JSON log format.
		"json_init_start": {rec: Record{Type: RecordInitStart, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:27.768Z"), Version: "$LATEST", Phase: "init", InitType: "on-demand",
			Runtime: "nodejs:22.mainline.v122", RuntimeARN: arnNode, Metrics: Metrics{MemorySizeMB: 256}}},
		"json_start": {rec: Record{Type: RecordStart, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:28.235Z"), RequestID: "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36", Version: "$LATEST"}},
		"json_app_error": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelError, JSON: true,
			Time: ts(t, "2026-10-08T07:30:29.443Z"), RequestID: "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36"}},
		"json_report_cold": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:29.470Z"), RequestID: "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36",
			Metrics: Metrics{DurationMs: 1233.96, BilledMs: 1698, MemorySizeMB: 256, MaxMemoryUsedMB: 123, InitDurationMs: 463.512}}},
		"json_report_tracing": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2025-11-30T22:35:51.578909Z"), RequestID: "0c90003a-8970-474c-b696-fca5336ef4f5",
			Metrics: Metrics{DurationMs: 13.74, BilledMs: 100, MemorySizeMB: 128, MaxMemoryUsedMB: 64},
			TraceID: "1-692cc6c7-f2ce8d3383524609b99c07a9"}},
		"json_runtime_done_success": {rec: Record{Type: RecordRuntimeDone, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2024-05-20T16:29:45.019Z"), RequestID: "4b142fc3-17b8-4cdb-a46b-a8dbe7918715",
			Metrics: Metrics{DurationMs: 11.185}}},
		"json_runtime_done_timeout": {rec: Record{Type: RecordRuntimeDone, Line: model.LineFailure, Level: model.LevelError, JSON: true,
			Time: ts(t, "2026-07-09T06:05:50.562Z"), RequestID: "aec7a529-47f9-4090-be01-c9ed91bf83cf",
			Status: "timeout", Metrics: Metrics{DurationMs: 5001.182}}, kind: model.ErrTimeout},
		"json_report_timeout": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-07-09T06:05:50.581Z"), RequestID: "aec7a529-47f9-4090-be01-c9ed91bf83cf", Status: "timeout",
			Metrics: Metrics{DurationMs: 5000, BilledMs: 5000, MemorySizeMB: 128, MaxMemoryUsedMB: 94}}, kind: model.ErrTimeout},
		"json_runtime_done_oom": {rec: Record{Type: RecordRuntimeDone, Line: model.LineFailure, Level: model.LevelError, JSON: true,
			Time: ts(t, "2026-03-02T11:04:05.120Z"), RequestID: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
			Status: "error", ErrorType: "Runtime.OutOfMemory", Metrics: Metrics{DurationMs: 2040.5}}, kind: model.ErrOutOfMemory},
		"json_runtime_done_failure": {rec: Record{Type: RecordRuntimeDone, Line: model.LineFailure, Level: model.LevelError, JSON: true,
			Time: ts(t, "2024-01-01T00:00:00Z"), RequestID: "d4c3b2a1-0f9e-4d8c-b7a6-958473625140", Status: "failure"},
			kind: model.ErrFunction},
		"json_init_report": {rec: Record{Type: RecordInitReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2025-11-30T22:35:51.565857Z"), Phase: "init", InitType: "on-demand",
			Metrics: Metrics{InitDurationMs: 565.4}}},
		"json_init_report_error": {rec: Record{Type: RecordInitReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2025-02-10T07:37:11.600Z"), Phase: "init", InitType: "provisioned-concurrency",
			Status: "error", ErrorType: "Runtime.Unknown", Metrics: Metrics{InitDurationMs: 1670.77}}},
		"json_restore_report": {rec: Record{Type: RecordRestoreReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2024-02-09T08:42:43.950Z"), Metrics: Metrics{RestoreDurationMs: 474.16}}},
		"json_report_restore": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2024-02-09T08:42:44.080Z"), RequestID: "d661f7cf-9208-46b9-85b0-213b04a91065",
			Metrics: Metrics{DurationMs: 147.156, BilledMs: 201, MemorySizeMB: 1024, MaxMemoryUsedMB: 21, RestoreDurationMs: 474.16, BilledRestoreMs: 53}}},
		"json_report_only_duration": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-05-01T12:00:00Z"), RequestID: "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9",
			Metrics: Metrics{DurationMs: 42.5}}},
		"json_java_app": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo, JSON: true,
			Time: ts(t, "2025-01-08T21:21:30.201Z"), RequestID: "fed29e7c-5b0b-4f4a-8030-a7a166498dd4"}},
		"json_python_app": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo, JSON: true,
			Time: ts(t, "2024-05-20T16:29:45Z"), RequestID: "4b142fc3-17b8-4cdb-a46b-a8dbe7918715"}},
		"json_app_no_level": {rec: Record{Type: RecordApp, Line: model.LineApp, Level: model.LevelInfo, JSON: true,
			Time: ts(t, "2024-05-20T16:29:46.500Z"), RequestID: "4b142fc3-17b8-4cdb-a46b-a8dbe7918715"}},
		"json_platform_extension": {rec: Record{Type: RecordPlatformOther, Line: model.LineExtension, JSON: true,
			Time: ts(t, "2024-05-20T16:29:44.700Z")}},
		"json_logs_dropped": {rec: Record{Type: RecordPlatformOther, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2024-05-20T16:29:50Z")}},
		"json_report_cut": {rec: Record{Type: RecordMalformedReport, Line: model.LinePlatform, Problem: "invalid JSON"}},
		"json_report_no_metrics": {rec: Record{Type: RecordMalformedReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:42.149Z"), RequestID: "f0c9f58b-8ebe-4e84-a656-95eb6eee865a",
			Problem: "missing metrics.durationMs"}},
		"json_report_bad_number": {rec: Record{Type: RecordMalformedReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:42.149Z"), RequestID: "f0c9f58b-8ebe-4e84-a656-95eb6eee865a",
			Problem: "invalid metrics.durationMs", Metrics: Metrics{BilledMs: 1073, MemorySizeMB: 256, MaxMemoryUsedMB: 125}}},
		"json_app_cut": {rec: Record{Type: RecordPlain, Line: model.LinePlain}},
		"json_pretty_report": {rec: Record{Type: RecordReport, Line: model.LinePlatform, JSON: true,
			Time: ts(t, "2026-10-08T07:30:42.149Z"), RequestID: "f0c9f58b-8ebe-4e84-a656-95eb6eee865a",
			Metrics: Metrics{DurationMs: 1072.145, BilledMs: 1073, MemorySizeMB: 256, MaxMemoryUsedMB: 125}}},
	}
}

func TestParseMessageSamples(t *testing.T) {
	want := wantRecords(t)
	seen := map[string]bool{}
	for _, s := range loadSamples(t) {
		seen[s.name] = true
		t.Run(s.name, func(t *testing.T) {
			w, ok := want[s.name]
			if !ok {
				t.Fatalf("no expectation for %s sample %q", s.file, s.name)
			}
			got := ParseMessage(s.msg)
			diffRecord(t, got, w.rec)
			if k := got.ErrorKind(); k != w.kind {
				t.Errorf("ErrorKind = %v, want %v", k, w.kind)
			}
			// CloudWatch stores a trailing newline; files may end lines
			// with CRLF: neither changes the record.
			for _, suffix := range []string{"\n", "\r\n"} {
				if again := ParseMessage(s.msg + suffix); !reflect.DeepEqual(again, got) {
					t.Errorf("with %q appended the record changes:\n%+v\nvs\n%+v", suffix, again, got)
				}
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("expectation %q has no sample in testdata", name)
		}
	}
}

// diffRecord reports each field that differs.
func diffRecord(t *testing.T, got, want Record) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", name, g, w)
		}
	}
}

// TestSeparatorsAreEquivalent rewrites the field separators of a REPORT in
// the ways copies and old runtimes do and expects the same record.
func TestSeparatorsAreEquivalent(t *testing.T) {
	canon := "REPORT RequestId: 5009fcc8-5032-41fd-9a62-fc133fe04d67\tDuration: 2.37 ms\tBilled Duration: 427 ms\tMemory Size: 1024 MB\tMax Memory Used: 95 MB\tInit Duration: 423.98 ms\tStatus: timeout\t\nXRAY TraceId: 1-6ac7d554-62c6be2f6c1bd8032dac9acf\tSegmentId: 854892f93105b5ae\tSampled: true"
	want := ParseMessage(canon)
	if want.Type != RecordReport || want.Status != "timeout" || want.TraceID == "" || want.Metrics.InitDurationMs != 423.98 {
		t.Fatalf("canonical report parsed wrong: %+v", want)
	}
	variants := map[string]string{
		"single spaces":   strings.NewReplacer("\t", " ", "\n", " ").Replace(canon),
		"space runs":      strings.ReplaceAll(canon, "\t", "    "),
		"space then tab":  strings.ReplaceAll(canon, " ms\t", " ms \t"),
		"no trailing tab": strings.Replace(canon, "\t\nXRAY", "\nXRAY", 1),
		"crlf inside":     strings.Replace(canon, "\t\nXRAY", "\t\r\nXRAY", 1),
		"units stuck":     strings.NewReplacer(" ms", "ms", " MB", "MB").Replace(canon),
		"bom":             bom + canon,
		"leading spaces":  "  " + canon,
		"init first": strings.Replace(strings.Replace(canon, "\tInit Duration: 423.98 ms", "", 1),
			"RequestId: 5009fcc8-5032-41fd-9a62-fc133fe04d67\t", "RequestId: 5009fcc8-5032-41fd-9a62-fc133fe04d67\tInit Duration: 423.98 ms\t", 1),
		"status first": strings.Replace(strings.Replace(canon, "\tStatus: timeout", "", 1),
			"\tDuration:", "\tStatus: timeout\tDuration:", 1),
	}
	for name, v := range variants {
		if got := ParseMessage(v); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q\n got %+v\nwant %+v", name, v, got, want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"2338.66", 2338.66, true}, {"0.05", 0.05, true}, {"600000.00", 600000, true},
		{"5.", 5, true}, {".5", 0.5, true}, {"1234567890.123456789", 1234567890.123456789, true},
		{"", 0, false}, {".", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"NaN", 0, false},
		{"Inf", 0, false}, {"1.2.3", 0, false}, {"12a", 0, false}, {"+1", 0, false},
	} {
		got, ok := parseDecimal(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("parseDecimal(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseISOTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		n    int
	}{
		{"2023-12-05T22:10:47.468Z\tx", "2023-12-05T22:10:47.468Z", 24},
		{"2025-11-30T22:35:51.565094Z", "2025-11-30T22:35:51.565094Z", 27},
		{"2024-05-20T16:29:45Z", "2024-05-20T16:29:45Z", 20},
		{"2024-05-20T16:29:45.5+02:00 x", "2024-05-20T14:29:45.5Z", 27},
		{"2024-05-20T16:29:45.123456789123Z", "2024-05-20T16:29:45.123456789Z", 33},
	} {
		got, n, ok := parseISOTime(c.in)
		if !ok || n != c.n || !got.Equal(ts(t, c.want)) || got.Location() != ts(t, c.want).Location() {
			t.Errorf("parseISOTime(%q) = %v, %d, %v; want %s, %d", c.in, got, n, ok, c.want, c.n)
		}
	}
	for _, bad := range []string{"", "2023-12-05", "2023-13-05T22:10:47Z", "2023-12-05T25:10:47Z", "2023-12-05T22:10:47",
		"2023-12-05T22:10:47.Z", "abcd-ef-ghTij:kl:mnZ", "2023-12-05T22:10:47+0200"} {
		if _, _, ok := parseISOTime(bad); ok {
			t.Errorf("parseISOTime(%q) accepted", bad)
		}
	}
}
