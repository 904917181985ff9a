// Package cwltest is a CloudWatch Logs server for fntop's tests: an
// in-memory model of log groups and their events behind the real wire
// protocol (awsJson1_1 on net/http/httptest, 127.0.0.1 only), so that the
// AWS source runs against the real SDK client with no AWS account, and so
// that every fault the source must survive can be produced on demand.
//
// # Protocol
//
// Every call is POST / with Content-Type application/x-amz-json-1.1 and
// X-Amz-Target Logs_20140328.<Operation>; members are lowerCamelCase JSON,
// timestamps epoch milliseconds (StartQuery's startTime and endTime are
// epoch seconds). Errors are HTTP 400 (5xx for server faults) with a body
// {"__type": "<Code>", "message": "..."} and the X-Amzn-ErrorType header.
// Client builds a real *cloudwatchlogs.Client for a Server, with the SDK's
// "stream-" host prefix disabled so that StartLiveTail reaches 127.0.0.1.
//
// # Operations
//
//   - DescribeLogGroups: logGroupNamePrefix or logGroupNamePattern
//     (substring), limit (default and maximum 50), nextToken; groups in
//     name order with arn (ending ":*"), logGroupArn and creationTime.
//   - FilterLogEvents: logGroupName or logGroupIdentifier (name or ARN),
//     logStreamNames or logStreamNamePrefix, startTime/endTime (endTime
//     exclusive), filterPattern (see below), limit (default 10,000),
//     nextToken. Events come sorted by timestamp, then ingestion time, then
//     arrival; a page holds at most limit events, the server's page size
//     (WithPageSize) and about 1 MB of messages. A page token points after
//     the last event returned, so an event ingested late behind it is only
//     found by a later call, as with CloudWatch.
//   - GetLogEvents: one stream, startTime/endTime, limit, startFromHead,
//     nextForwardToken/nextBackwardToken (the token passed in comes back at
//     the end of the stream).
//   - StartQuery, GetQueryResults, StopQuery: Logs Insights over Lambda
//     logs, evaluated by the small engine described under "Queries". A
//     query reports Running (no results) for the first WithQueryPolls
//     GetQueryResults calls, then Complete with every result; StopQuery
//     turns it Cancelled.
//   - StartLiveTail: the event stream (application/vnd.amazon.eventstream):
//     initial-response, sessionStart, then a sessionUpdate every
//     WithLiveTailInterval carrying the events that became visible since the
//     last one (sampled down to WithLiveTailMaxEvents with sampled=true),
//     and a SessionTimeoutException after WithLiveTailTimeout.
//
// Any other operation is answered with UnknownOperationException.
//
// # Lambda
//
// The same URL serves Lambda's ListFunctions, so that the source's
// function inventory runs against the real Lambda client (LambdaClient).
// Lambda speaks REST-JSON: GET /2015-03-31/functions/ with the query
// parameters Marker, MaxItems (1 to 10,000; a page holds at most 50, the
// default), FunctionVersion (ALL, or absent) and MasterRegion; the answer
// is {"Functions": [...], "NextMarker": "..."} with the functions in name
// order, each with FunctionName, FunctionArn, Runtime, Handler,
// MemorySize, Timeout (seconds), Architectures, LastModified
// ("2006-01-02T15:04:05.000+0000"), PackageType, Version $LATEST and
// LoggingConfig {LogFormat, LogGroup}. Published versions and Lambda@Edge
// replicas are not modelled: FunctionVersion=ALL lists the same
// functions, MasterRegion none. Errors carry the code in X-Amzn-ErrorType
// and a body {"Type": "User", "message": "..."}: the faults below apply
// to the operation name "ListFunctions" as to any other, answered the way
// Lambda would: throttling as HTTP 429 TooManyRequestsException, Deny as
// 403 AccessDeniedException (lambda:ListFunctions), 5xx faults as
// ServiceException, InvalidParameterValueException for bad parameters.
//
// The functions are those set with SetFunction (runtime, memory size,
// timeout, architecture, handler, package type, log format and group),
// plus one for every log group /aws/lambda/<name> whose function was not
// set: x86_64, 128 MB, 3 s, nodejs22.x, so that a test of log groups
// alone sees a plausible fleet. DeleteFunction removes either kind (the
// log group stays, as in AWS, where log groups outlive their functions).
// FillFromDemo sets the demo fleet's functions with its runtimes, memory
// sizes, architectures and timeouts.
//
// # Filter patterns
//
// FilterLogEvents and StartLiveTail accept the term syntax: an empty
// pattern matches everything; bare words and "quoted phrases" must all occur
// (case-sensitive); terms prefixed with ? are alternatives, at least one of
// which must occur (?"Status: timeout" ?"Status: error"); a term prefixed
// with - must not occur. JSON patterns ({ $.x = ... }) and regular
// expressions are answered with InvalidParameterException.
//
// # Queries
//
// The Logs Insights engine understands the pipelines fntop sends:
//
//	filter @type = "REPORT"
//	| stats count(*) as invocations, sum(@billedDuration), avg(@duration),
//	        max(@maxMemoryUsed), pct(@duration, 99),
//	        count(@initDuration) as coldStarts, sum(ispresent(@initDuration))
//	  by bin(1m), @log
//	| sort invocations desc
//	| limit 100
//
//	filter type = "platform.report"
//	| stats count(*), sum(record.metrics.billedDurationMs), pct(record.metrics.durationMs, 50),
//	        count(record.metrics.initDurationMs), sum(strcontains(record.status, "timeout"))
//	  by bin(1m), @log
//
//	fields @timestamp, @log, @logStream, @message
//	| filter @message like /Task timed out|Invoke Error|Status: timeout/
//	| limit 10000
//
// Commands: fields (names only), filter, stats, sort, limit. Filter
// conditions, joined with "and": field = / != / < / <= / > / >= a string or
// a number, field like /regexp/ or like "substring", ispresent(field) and
// not ispresent(field). Aggregates: count(*), count(field) (records where it
// is present), sum, avg, min, max, pct(field, p) (nearest rank); their
// argument is a field, ispresent(field) or strcontains(field, "text") (1 or
// 0). Group keys: bin(N s|m|h|d) and any field.
//
// Fields of each event: @timestamp, @ingestionTime, @message, @logStream,
// @log ("<account>:<group>"); for the text Lambda lines @type
// (START|END|REPORT), @requestId, and on REPORT lines @duration,
// @billedDuration, @initDuration (milliseconds), @memorySize and
// @maxMemoryUsed (bytes: MB x 1,000,000, as CloudWatch reports them). A
// message that is one JSON object (the JSON log format's platform.* records
// and application lines, slog output) also has its members as fields, as
// Insights discovers them: nested names joined with dots (type,
// record.requestId, record.metrics.durationMs, record.status), array
// elements by index (stackTrace.0), numbers as numbers, strings and
// booleans as text; null members, names starting with '@' (the system
// fields win) and members after the first 200 are left out. Such messages
// have no @type: the text format's fields are the text lines' alone.
//
// Every value is returned as a string: counts as integers, other computed
// numbers in the shortest decimal form, a JSON number as the message
// writes it, bins and @timestamp as "2006-01-02 15:04:05.000" (UTC).
// Without a sort command, stats rows come ordered by their group keys;
// queries without stats return the listed fields (default @timestamp,
// @message) plus @ptr, oldest first. Anything else is a
// MalformedQueryException.
//
// # Faults
//
// Faults are toggled at run time, from any goroutine:
//
//   - FailNext and Throttle: the next n calls of an operation (or of any)
//     fail with an error such as ErrThrottling ("Rate exceeded"),
//     ErrLimitExceeded (Insights concurrency), ErrServiceUnavailable (503)
//     or ErrInternal (500); FailFraction fails a share of calls at random.
//   - Deny: AccessDeniedException for chosen operations.
//   - SetDelay: slow responses.
//   - SetIngestionDelay and Event.Ingested: late events, visible only once
//     ingested while their timestamps are old.
//   - SetDuplicates: every FilterLogEvents page after the first repeats the
//     last event of the previous page.
//   - SetEmptyPages: n empty pages with a nextToken before every page of
//     FilterLogEvents.
//   - AddGroup and DeleteGroup at any time: groups appear and disappear.
//
// # Accounting
//
// Every request that reaches the server is counted, failed ones included:
// Calls, MaxCallsPerSecond and Requests let tests assert an API budget.
package cwltest
