// Package lambdalog parses AWS Lambda log messages into model events. Every
// AWS-shaped source (the file input, the demo fleet, the CloudWatch poller)
// feeds its messages through it, so that they all count invocations, cold
// starts and errors the same way.
//
// The package has two layers:
//
//   - ParseMessage is stateless: it classifies one message and extracts what
//     the message alone says (a Record).
//   - Parser is stateful: Feed turns messages into model events, attributing
//     request-less lines to the invocation in progress in their log stream and
//     correlating runtime failure lines with the report of their request, in
//     whichever order they arrive. All of its state is bounded.
//
// # Grammar
//
// A message is one CloudWatch log event (or one line of raw function output).
// A trailing newline (CloudWatch stores one), a carriage return and a leading
// byte order mark are ignored when classifying. Platform lines are read as
// "Key: value [unit]" pairs by their known names, in any order, whatever
// whitespace separates them (a tab, a run of spaces, the old "ms \t"), so that
// copies that lost their tabs still parse:
//
//	START RequestId: <id> Version: <$LATEST|N>
//	END RequestId: <id>
//	REPORT RequestId: <id>\tDuration: <f> ms\tBilled Duration: <n> ms\tMemory Size: <n> MB\tMax Memory Used: <n> MB\t
//	    [Init Duration: <f> ms\t] [Restore Duration: <f> ms\tBilled Restore Duration: <n> ms\t]
//	    [Status: <timeout|error>\t[Error Type: <Runtime.X>]]
//	    [\nXRAY TraceId: <id>\tSegmentId: <hex>\tSampled: <bool>]
//	INIT_START Runtime Version: <runtime>\tRuntime Version ARN: <arn>
//	INIT_REPORT Init Duration: <f> ms\tPhase: <init|invoke>\tStatus: <status>[\tError Type: <Runtime.X>]
//	RESTORE_START Runtime Version: <runtime>\tRuntime Version ARN: <arn>
//	RESTORE_REPORT Restore Duration: <f> ms[\tStatus: <status>[\tError Type: <Runtime.X>]]
//	TELEMETRY|EXTENSION|LOGS\tName: <name>\tState: <state>\t...
//
// A REPORT must carry its request ID, Duration, Billed Duration, Memory Size
// and Max Memory Used, each a valid non-negative number (a platform.report:
// its requestId and metrics.durationMs, since some environments print no
// more); one that does not is malformed, counted as skipped, and never
// becomes an invocation. Unknown tokens between fields are ignored so that
// new fields do not break parsing. A line that merely starts with the word
// REPORT, followed by neither a request ID nor a duration, is plain text.
//
// Runtime failure lines name their request:
//
//	<ISO time> <id> Task timed out after <N.NN> seconds
//	RequestId: <id> Error: <message>\nRuntime.<Type>
//	<ISO time>\t<id>\tERROR\tInvoke Error \t{"errorType":...,"errorMessage":...}   (Node.js)
//	<message>\nRuntime.<Type>   (no request ID: attributed to the invocation in progress)
//
// Application lines:
//
//	<ISO time>\t<id|undefined>\t<LEVEL>\t<message>   (Node.js; "\r" separates inner lines)
//	[<LEVEL>]\t<ISO time>\t<id>\t<message>           (Python)
//	[<LEVEL>] <message>                              (Python, outside a handler)
//
// Extension output: lines that start with a bracketed name that mentions an
// extension ("[AWS Parameters and Secrets Lambda Extension] ...").
//
// The JSON log format is recognised by a leading "{": platform events have
// the Telemetry API shape {"time":...,"type":"platform.<x>","record":{...}}
// (initStart, start, runtimeDone, report, initReport, restoreStart,
// restoreReport, and others kept as plain platform lines); any other JSON
// object is an application line whose "timestamp" (or "time"), "level"
// (missing or UNDEFINED means INFO) and "requestId" (Java: "AWSRequestId")
// are read. Anything else is plain text.
//
// # Errors
//
// An invocation is an error when its report status is not success, or when a
// runtime failure line names its request. The kinds, most specific first:
// out of memory (Error Type Runtime.OutOfMemory, a failure message that says
// so, or a runtime exit or bare error status with Max Memory Used at the
// memory size), timeout (status timeout, "Task timed out"), runtime exit
// (Runtime.ExitError, "Runtime exited with error"), and function error
// (anything else). A failure line seen before its REPORT is merged into the
// invocation; one seen after it produces a model.KindAmend, only when it
// makes the error kind more specific, and at most once per request. A REPORT
// delivered twice (same request, time and figures) counts once; a retry
// under the same request ID counts again.
//
// # State
//
// A Parser remembers, each in a table of fixed maximum size that evicts
// entries not used lately (the CLOCK approximation of least recently used):
// the invocation in progress per log stream,
// failure lines waiting for their REPORT, recently reported requests, and
// the configuration last announced per function. Memory therefore stays
// bounded however long it runs; an evicted entry only costs a late failure
// line its correlation.
package lambdalog
