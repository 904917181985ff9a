// Package demo is fntop's built-in simulated fleet, the default source: two
// dozen Lambda functions modelled on what serverless shops really run, with
// daily load, cold starts, failures and an hourly set of incidents, so that
// every view of fntop has something true-to-life to show without an AWS
// account.
//
// The fleet writes real Lambda log messages (the text format for most
// functions, the JSON log format for a few, each with its runtime's
// application line shapes) and turns them into events through the same
// parser as the CloudWatch and file sources (package lambdalog): the demo is
// how that parser runs live. What Lambda does not log comes as the metric
// would: throttles as one-minute model.KindAggregate buckets (HasThrottles,
// released when the minute is over, as CloudWatch would), configuration as
// model.KindMeta (region, account, architecture, runtime, memory size,
// timeout, version, and reserved concurrency for the functions that have
// one: ig-dm-sender's 8).
//
// # The fleet
//
//	function               runtime          arch    MB    timeout load                   notes
//	ig-comment-webhook     nodejs22.x       arm64   256   10s     6/s                    burst source; multi-line \r dumps
//	ig-keyword-matcher     python3.13       arm64   512   15s     95% of webhook         chain stage 2
//	ig-product-lookup      nodejs22.x       arm64   512   10s     35% of matcher         chain stage 3; X-Ray
//	ig-dm-sender           nodejs22.x       arm64   256   30s     90% of lookup          reserved concurrency 8: throttled in bursts
//	order-processor        nodejs22.x       x86_64  1024  15s     5/s                    error spike, hourly deploy (timeout 15s/20s); X-Ray; secrets extension
//	image-thumbnailer      nodejs22.x       x86_64  1536  30s     2/s                    heavy tail, some timeouts
//	push-notifications     python3.13       arm64   256   10s     4/s                    JSON log format
//	invoice-pdf-generator  java21           x86_64  3008  60s     0.3/s                  PDF rendering: seconds, ~2 GB; 3 s inits
//	ticket-router          python3.13       arm64   512   30s     1.5/s                  JSON log format; LLM call, some timeouts
//	inventory-sync         provided.al2023  arm64   256   30s     every minute           Go; scheduled
//	inventory-full-sync    python3.13       x86_64  1024  120s    every 5 minutes        often runs into its timeout
//	appointment-reminders  python3.13       arm64   256   60s     every 5 minutes        scheduled
//	health-alerts          nodejs22.x       arm64   256   10s     1/s                    Datadog extension lines
//	auth-token-refresh     nodejs22.x       arm64   128   5s      12/s                   JSON log format; fast
//	search-indexer         provided.al2023  arm64   512   30s     2/s                    Go slog JSON lines; killed (old OOM form)
//	payment-webhook        java21           x86_64  1024  30s     1.2/s                  SnapStart version 12: restores
//	email-sender           python3.13       arm64   256   30s     3/s                    JSON log format; SMTP errors
//	order-status-api       nodejs22.x       arm64   512   6s      10/s                   API behind API Gateway
//	csv-report-exporter    python3.13       x86_64  512   300s    0.15/s                 the out-of-memory function
//	cart-abandonment-scan  nodejs22.x       arm64   256   60s     every 5 minutes        scheduled
//	user-signup            nodejs22.x       arm64   256   10s     0.5/s                  JSON log format; X-Ray
//	geoip-enricher         provided.al2023  arm64   128   3s      8/s                    Go; milliseconds
//	audit-log-shipper      provided.al2023  x86_64  256   60s     1/s                    Go
//	sms-sender             python3.13       arm64   128   10s     0.8/s                  Python text app lines
//
// Rates are at the daily peak. Load follows a daily curve (peak at 16:00
// UTC, 30% of it at 04:00) with a slow per-function drift; in all the fleet
// makes about 70 invocations/s at the peak and 25/s at the trough, four or
// five log lines each. The Instagram chain is linked: each stage gets a
// fraction of the previous stage's invocations one second later.
// Functions(n) with n above 24 adds generated functions cloned from these
// families (for UI load tests), sharing about half the designed fleet's
// traffic.
//
// # Behaviour
//
// Durations are log-normal with a tail. Invocations run in execution
// environments (one log stream each, "YYYY/MM/DD/[$LATEST]<32 hex>"): a new
// one starts when all are busy (a cold start: INIT_START, extension and
// module-level lines, Init Duration in the REPORT, and billed
// ceil(duration+init) as Lambda does since 2025-08-01); the most recently
// used idle one serves otherwise, and one idle for 5 to 12 minutes is
// reaped. A timeout or a crash restarts the runtime, so the next invocation
// on that stream initialises again. Every two hours the platform recycles
// all environments of a function, at a time of its own away from the
// incidents.
//
// Failures: Node.js "Invoke Error" lines (function errors), "Task timed out
// after N.NN seconds" lines before END or after REPORT with "Status:
// timeout", out of memory as "Status: error\tError Type:
// Runtime.OutOfMemory" with Max Memory Used at the memory size, and the
// older "RequestId: <id> Error: Runtime exited with error: signal: killed"
// + "Runtime.ExitError" form (before END or after REPORT, which the parser
// turns into an amendment). JSON-format functions fail through
// platform.runtimeDone and platform.report records.
//
// # Incidents
//
// Every hour, at fixed minutes (UTC), so that an hour of history holds one
// of each (Incidents lists them for any time range):
//
//	minute 10-15  burst        an influencer post: ig-comment-webhook x10, the chain scales out,
//	                           ig-dm-sender is throttled
//	minute 25-30  error spike  order-processor: payment gateway 502s, a third of invocations fail
//	minute 40     deploy       order-processor: a new version number in START lines and stream
//	                           names, a configuration change (its timeout becomes 15 s in even
//	                           hours, 20 s in odd hours), a KindMeta with the new Version and
//	                           TimeoutMs, a cold-start wave
//
// The deploy's timeout is the one the simulation applies: from the deploy
// on, order-processor's invocations that hang (about one in a thousand)
// time out after 15 or 20 seconds ("Task timed out after 20.00 seconds").
//
// Each incident is short against the hour before it, so that it stands out
// against a baseline of the preceding hour although that hour holds the
// same incidents 60 minutes earlier: during the spike order-processor fails
// about 35% of its invocations against about 4% over an hour, and the
// webhook's rate in the minute after the burst's rise is about seven
// times its hourly average.
//
// # History
//
// Backfill (and Run, when it starts) fills the last two hours by default
// (History): a one-hour window and the hour before it, its baseline, both
// as real log lines. The designed fleet's two hours at the daily peak are
// about half a million invocations; the backfill simulates and writes them
// on the calling goroutine, parses them on a second and ingests the events
// on a third (in order), so that on two cores two hours take about as long
// as one hour took on one (a second and a half or less into a
// model.Store).
//
// # Determinism
//
// The events are a pure function of (seed, time): every draw is keyed by
// (seed, function, second, purpose), the simulation runs whole seconds in
// order, and its state resets at each deploy or recycle, so a window is
// simulated from the last reset before it. The events of a second depend
// neither on how ticks fall nor on when Run started; the same seed and the
// same clock give the same events.
package demo
