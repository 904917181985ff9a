package demo

import (
	"fmt"
	"math"

	"github.com/fntop/fntop/model"
)

// Account is the AWS account every simulated function lives in.
const Account = "123456789012"

// Regions of the simulated fleet.
const (
	regionUSEast1 = "us-east-1"
	regionEUWest1 = "eu-west-1"
)

// lang is how a runtime writes its application log lines.
type lang uint8

const (
	langNode   lang = iota // <ISO time>\t<id>\t<LEVEL>\t<msg>
	langPython             // [<LEVEL>]\t<ISO time>\t<id>\t<msg>
	langJava               // log4j2: <date time> <id> <LEVEL> <Class> - <msg>
	langGo                 // standard library log: <date> <time> <msg>
	langGoSlog             // log/slog JSON handler: {"time":...,"level":...,"msg":...}
)

// runtimeInfo is a Lambda managed or custom runtime as the logs name it.
type runtimeInfo struct {
	id      string // configuration name: "nodejs22.x"
	version string // INIT_START "Runtime Version": "nodejs:22.v58"
	arnHash string // 64 hex digits of the runtime version ARN
	initMs  float64
}

func newRuntime(id, version string, initMs float64) *runtimeInfo {
	k := nameKey(version)
	var h []byte
	for i := range uint64(4) {
		h = fmt.Appendf(h, "%016x", mix64(k+i*golden))
	}
	return &runtimeInfo{id: id, version: version, arnHash: string(h), initMs: initMs}
}

// logFormat is a function's LoggingConfig.LogFormat.
type logFormat uint8

const (
	formatText logFormat = iota
	formatJSON
)

// logTmpl is one application log line a function may write per invocation.
// Msg may hold placeholders ({id}, {user}, {sku}, {order}, {ms}, {n}, {n3},
// {bpm}, {hex}, {kw}, {amt}, {inv}, {ticket}, {queue}) and "\r" for the
// inner lines of a multi-line console.log. Attrs is a JSON fragment added to
// JSON lines (slog and the JSON log format).
type logTmpl struct {
	p     float64
	level model.Level
	class string // Java logger class
	msg   string
	attrs string
}

// failure is how a function fails when its code throws.
type failure struct {
	p      float64 // probability per invocation outside incidents
	typ    string  // error type: "PaymentGatewayError"
	msg    string  // error message
	stack  string  // JSON array elements of the stack, without brackets
	appMsg string  // ERROR application line written before the failure
}

// spec is one simulated function: its configuration, its load and its
// behaviour.
type spec struct {
	name    string
	rt      *runtimeInfo
	lang    lang
	format  logFormat
	arch    model.Arch
	memMB   int
	timeout int64 // ms; for a function that deploys, the timeout its deploys set in even hours (UTC)
	region  string
	// oddTimeout (ms), when set, is the timeout that the deploys of a
	// function that deploys set in odd hours (UTC): each hourly deploy
	// changes its configuration as well as its version (see timeoutAt).
	oddTimeout int64

	// Load: a Poisson rate at the daily peak (invocations per second), or a
	// schedule (every seconds, at phase), or a fraction of an upstream
	// stage's invocations one second earlier.
	rate     float64
	diurnal  float64 // 0: flat, 1: follows the daily curve fully
	every    int64
	phase    int64
	upstream string
	fraction float64
	burst    bool // the influencer-post burst drives it
	reserved int  // reserved concurrency; 0: none

	// Duration: log-normal around medianMs, with a tail.
	medianMs float64
	sigma    float64
	tailP    float64
	initMs   float64 // median init duration on a cold start

	memBase   int // MB used by a warm invocation
	memJitter int // MB of spread per invocation

	fail     failure
	oomP     float64 // out of memory, new form (Status: error, Runtime.OutOfMemory)
	exitOOMP float64 // out of memory, old form (signal: killed, Runtime.ExitError)
	timeoutP float64 // an upstream hangs: the invocation runs into its timeout

	snapStart  string // published version served by SnapStart restores
	deploys    bool   // hourly deploys publish a new version
	traced     bool   // X-Ray active tracing
	secretsExt bool   // AWS Parameters and Secrets extension
	datadog    bool   // Datadog extension (TELEMETRY and EXTENSION lines)
	spike      bool   // the error spike hits it

	initLog string // module-level log line written during init (Node.js)
	logs    []logTmpl
}

var (
	rtNode22    = newRuntime("nodejs22.x", "nodejs:22.v58", 185)
	rtPython313 = newRuntime("python3.13", "python:3.13.v38", 380)
	rtJava21    = newRuntime("java21", "java:21.v41", 2600)
	rtAL2023    = newRuntime("provided.al2023", "provided:al2023.v112", 62)
)

const (
	lvlInfo  = model.LevelInfo
	lvlWarn  = model.LevelWarn
	lvlError = model.LevelError
)

// Names of the functions the incidents involve.
const (
	fnWebhook   = "ig-comment-webhook"
	fnMatcher   = "ig-keyword-matcher"
	fnLookup    = "ig-product-lookup"
	fnDMSender  = "ig-dm-sender"
	fnOrders    = "order-processor"
	fnPayments  = "payment-webhook"
	fnExporter  = "csv-report-exporter"
	fnIndexer   = "search-indexer"
	fnFullSync  = "inventory-full-sync"
	burstPeak   = 55.0 // extra webhook invocations per second at the burst's peak
	spikeErrorP = 0.35 // order-processor failure probability during the spike
	// order-processor's timeout (ms) as its deploys set it: in even hours
	// (UTC) and in odd hours.
	ordersTimeoutEven = 15_000
	ordersTimeoutOdd  = 20_000
	// dmSenderReserved is ig-dm-sender's reserved concurrency.
	dmSenderReserved = 8
)

// designedFleet is the hand-made fleet, incident functions first so that a
// small Functions(n) keeps them.
func designedFleet() []*spec {
	return []*spec{
		{
			name: fnWebhook, rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 256, timeout: 10_000, region: regionUSEast1,
			rate: 6, diurnal: 0.9, burst: true,
			medianMs: 42, sigma: 0.35, tailP: 0.01, memBase: 74, memJitter: 10,
			initLog: "registering webhook handlers for instagram comments",
			logs: []logTmpl{
				{p: 0.95, level: lvlInfo, msg: "comment {id} on media {id} from @{user}"},
				{p: 0.03, level: lvlInfo, msg: "EVENT\r{\r  \"object\": \"instagram\",\r  \"entry\": [\r    {\r      \"id\": \"{id}\",\r      \"changes\": [\r        {\r          \"field\": \"comments\",\r          \"value\": { \"id\": \"{id}\", \"text\": \"{kw} please\" }\r        }\r      ]\r    }\r  ]\r}"},
				{p: 0.004, level: lvlWarn, msg: "x-hub-signature-256 mismatch for delivery {hex}, ignoring"},
			},
		},
		{
			name: fnMatcher, rt: rtPython313, lang: langPython, arch: model.ArchARM, memMB: 512, timeout: 15_000, region: regionUSEast1,
			upstream: fnWebhook, fraction: 0.95,
			medianMs: 28, sigma: 0.5, tailP: 0.01, memBase: 96, memJitter: 8, initMs: 430,
			logs: []logTmpl{
				{p: 0.35, level: lvlInfo, msg: "matched keyword '{kw}' in comment {id}"},
				{p: 0.6, level: lvlInfo, msg: "no keyword in comment {id}"},
				{p: 0.02, level: lvlWarn, msg: "comment {id} has no text, skipping"},
			},
		},
		{
			name: fnLookup, rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 512, timeout: 10_000, region: regionUSEast1,
			upstream: fnMatcher, fraction: 0.35, traced: true,
			medianMs: 95, sigma: 0.45, tailP: 0.02, memBase: 104, memJitter: 14, initMs: 240,
			initLog: "DynamoDB client ready (table products-prod)",
			logs: []logTmpl{
				{p: 0.9, level: lvlInfo, msg: "keyword '{kw}' -> {sku} in {ms} ms"},
				{p: 0.05, level: lvlWarn, msg: "{sku} is out of stock, sending waitlist link"},
			},
		},
		{
			name: fnDMSender, rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 256, timeout: 30_000, region: regionUSEast1,
			upstream: fnLookup, fraction: 0.9, reserved: dmSenderReserved,
			medianMs: 620, sigma: 0.3, tailP: 0.02, memBase: 92, memJitter: 9, initMs: 210,
			logs: []logTmpl{
				{p: 0.97, level: lvlInfo, msg: "sent DM to @{user}: https://shop.example.com/p/{sku}"},
				{p: 0.03, level: lvlWarn, msg: "Graph API 429 (user request limit), retrying in {ms} ms"},
			},
		},
		{
			name: fnOrders, rt: rtNode22, lang: langNode, arch: model.ArchX86, memMB: 1024, timeout: ordersTimeoutEven, region: regionUSEast1,
			oddTimeout: ordersTimeoutOdd, timeoutP: 0.001,
			rate: 5, diurnal: 0.8, deploys: true, spike: true, traced: true, secretsExt: true,
			medianMs: 380, sigma: 0.45, tailP: 0.02, memBase: 182, memJitter: 30, initMs: 320,
			initLog: "loaded config from SSM (stage=prod)",
			fail: failure{
				p: 0.004, typ: "PaymentGatewayError", msg: "upstream returned 502 Bad Gateway",
				stack:  `"PaymentGatewayError: upstream returned 502 Bad Gateway","    at authorize (file:///var/task/payments.mjs:88:11)","    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)","    at async Runtime.handler (file:///var/task/index.mjs:41:5)"`,
				appMsg: "payment authorization failed for {order}: gateway 502 after {ms} ms",
			},
			logs: []logTmpl{
				{p: 0.9, level: lvlInfo, msg: "order {order} accepted: {n} items, total {amt} USD"},
				{p: 0.02, level: lvlWarn, msg: "inventory reservation for {sku} took {ms} ms"},
			},
		},
		{
			name: "image-thumbnailer", rt: rtNode22, lang: langNode, arch: model.ArchX86, memMB: 1536, timeout: 30_000, region: regionUSEast1,
			rate: 2, diurnal: 0.8, timeoutP: 0.003,
			medianMs: 680, sigma: 0.55, tailP: 0.02, memBase: 540, memJitter: 260, initMs: 460,
			initLog: "sharp 0.34.1 (libvips 8.16.0) loaded",
			logs: []logTmpl{
				{p: 0.9, level: lvlInfo, msg: "resized s3://media-uploads-prod/{hex}.jpg to 3 sizes in {ms} ms"},
				{p: 0.01, level: lvlWarn, msg: "input {hex}.heic is 48 MP, downsampling first"},
			},
		},
		{
			name: "push-notifications", rt: rtPython313, lang: langPython, format: formatJSON, arch: model.ArchARM, memMB: 256, timeout: 10_000, region: regionUSEast1,
			rate: 4, diurnal: 1,
			medianMs: 85, sigma: 0.5, tailP: 0.01, memBase: 71, memJitter: 6, initMs: 390,
			logs: []logTmpl{
				{p: 0.8, level: lvlInfo, msg: "sent push to {n} devices", attrs: `"campaign":"order-update","provider":"fcm"`},
				{p: 0.02, level: lvlWarn, msg: "APNs token expired for device {hex}, pruning"},
			},
		},
		{
			name: "invoice-pdf-generator", rt: rtJava21, lang: langJava, arch: model.ArchX86, memMB: 3008, timeout: 60_000, region: regionEUWest1,
			rate: 0.3, diurnal: 1,
			medianMs: 3400, sigma: 0.5, tailP: 0.03, memBase: 1650, memJitter: 900, initMs: 2900,
			logs: []logTmpl{
				{p: 0.95, level: lvlInfo, class: "InvoiceHandler", msg: "rendered {inv} ({n} pages) in {ms} ms"},
				{p: 0.05, level: lvlWarn, class: "FontCache", msg: "font cache miss, loading NotoSans-Regular.ttf"},
			},
		},
		{
			name: "ticket-router", rt: rtPython313, lang: langPython, format: formatJSON, arch: model.ArchARM, memMB: 512, timeout: 30_000, region: regionUSEast1,
			rate: 1.5, diurnal: 1, timeoutP: 0.004,
			medianMs: 780, sigma: 0.6, tailP: 0.02, memBase: 138, memJitter: 20, initMs: 610,
			logs: []logTmpl{
				{p: 0.95, level: lvlInfo, msg: "routed {ticket} to queue {queue} (confidence 0.{n3})"},
				{p: 0.03, level: lvlWarn, msg: "classifier latency {ms} ms above budget"},
			},
		},
		{
			name: "inventory-sync", rt: rtAL2023, lang: langGo, arch: model.ArchARM, memMB: 256, timeout: 30_000, region: regionUSEast1,
			every: 60, phase: 7,
			medianMs: 4200, sigma: 0.3, memBase: 58, memJitter: 12, initMs: 70,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "synced {n3} SKUs from ERP (delta)"},
				{p: 0.05, level: lvlInfo, msg: "ERP returned 304 for warehouse eu-{n}, nothing to do"},
			},
		},
		{
			name: fnFullSync, rt: rtPython313, lang: langPython, arch: model.ArchX86, memMB: 1024, timeout: 120_000, region: regionUSEast1,
			every: 300, phase: 125,
			medianMs: 78_000, sigma: 0.3, memBase: 610, memJitter: 180, initMs: 950,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "full sync started for {n} warehouses"},
				{p: 0.6, level: lvlWarn, msg: "ERP page {n} took {ms} ms, backing off"},
			},
		},
		{
			name: "appointment-reminders", rt: rtPython313, lang: langPython, arch: model.ArchARM, memMB: 256, timeout: 60_000, region: regionUSEast1,
			every: 300, phase: 30,
			medianMs: 2600, sigma: 0.4, memBase: 88, memJitter: 10, initMs: 420,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "queued {n} reminders for appointments in the next hour"},
			},
		},
		{
			name: "health-alerts", rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 256, timeout: 10_000, region: regionUSEast1,
			rate: 1, diurnal: 0.5, datadog: true,
			medianMs: 55, sigma: 0.5, tailP: 0.01, memBase: 118, memJitter: 10, initMs: 520,
			logs: []logTmpl{
				{p: 0.1, level: lvlWarn, msg: "heart rate {bpm} bpm above threshold for patient {hex}, paging on-call"},
				{p: 0.5, level: lvlInfo, msg: "{n} vitals readings within range"},
			},
		},
		{
			name: "auth-token-refresh", rt: rtNode22, lang: langNode, format: formatJSON, arch: model.ArchARM, memMB: 128, timeout: 5_000, region: regionUSEast1,
			rate: 12, diurnal: 0.8,
			medianMs: 22, sigma: 0.35, tailP: 0.005, memBase: 64, memJitter: 5, initMs: 160,
			fail: failure{
				p: 0.002, typ: "TokenExpiredError", msg: "refresh token expired",
				stack: `"TokenExpiredError: refresh token expired","    at verify (file:///var/task/jwt.mjs:31:13)","    at async Runtime.handler (file:///var/task/index.mjs:12:19)"`,
			},
			logs: []logTmpl{
				{p: 0.3, level: lvlInfo, msg: "issued access token", attrs: `"ttl":900`},
			},
		},
		{
			name: fnIndexer, rt: rtAL2023, lang: langGoSlog, arch: model.ArchARM, memMB: 512, timeout: 30_000, region: regionUSEast1,
			rate: 2, diurnal: 0.7, exitOOMP: 0.003,
			medianMs: 60, sigma: 0.6, tailP: 0.02, memBase: 120, memJitter: 40, initMs: 65,
			logs: []logTmpl{
				{p: 0.9, level: lvlInfo, msg: "indexed batch", attrs: `"docs":{n},"index":"products-v7","took_ms":{ms}`},
				{p: 0.01, level: lvlWarn, msg: "document too large, truncating", attrs: `"doc_id":"{hex}"`},
			},
		},
		{
			name: fnPayments, rt: rtJava21, lang: langJava, arch: model.ArchX86, memMB: 1024, timeout: 30_000, region: regionUSEast1,
			rate: 1.2, diurnal: 1, snapStart: "12",
			medianMs: 170, sigma: 0.4, tailP: 0.01, memBase: 236, memJitter: 30, initMs: 380,
			logs: []logTmpl{
				{p: 0.95, level: lvlInfo, class: "StripeWebhookHandler", msg: "handled charge.succeeded for {order} ({amt} USD)"},
				{p: 0.02, level: lvlWarn, class: "StripeWebhookHandler", msg: "duplicate event evt_{hex}, skipping"},
			},
		},
		{
			name: "email-sender", rt: rtPython313, lang: langPython, format: formatJSON, arch: model.ArchARM, memMB: 256, timeout: 30_000, region: regionUSEast1,
			rate: 3, diurnal: 0.9,
			medianMs: 190, sigma: 0.45, tailP: 0.01, memBase: 84, memJitter: 7, initMs: 400,
			fail: failure{
				p: 0.005, typ: "SMTPDataError", msg: "(421, b'4.7.0 Temporary System Problem. Try again later.')",
				stack: `"  File \"/var/task/app.py\", line 58, in handler\n    smtp.send_message(msg)\n"`,
			},
			logs: []logTmpl{
				{p: 0.9, level: lvlInfo, msg: "sent template order-confirmation to {user}@example.com", attrs: `"template":"order-confirmation"`},
			},
		},
		{
			name: "order-status-api", rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 512, timeout: 6_000, region: regionUSEast1,
			rate: 10, diurnal: 1,
			medianMs: 32, sigma: 0.5, tailP: 0.01, memBase: 94, memJitter: 8, initMs: 200,
			fail: failure{
				p: 0.001, typ: "ProvisionedThroughputExceededException", msg: "Rate of requests exceeds the allowed throughput.",
				stack: `"ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.","    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/smithy-client/dist-cjs/index.js:867:20)"`,
			},
			logs: []logTmpl{
				{p: 0.2, level: lvlInfo, msg: "GET /orders/{order} 200"},
			},
		},
		{
			name: fnExporter, rt: rtPython313, lang: langPython, arch: model.ArchX86, memMB: 512, timeout: 300_000, region: regionEUWest1,
			rate: 0.15, diurnal: 1, oomP: 0.15,
			medianMs: 9000, sigma: 0.7, memBase: 300, memJitter: 150, initMs: 1200,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "exporting {n3}000 rows for report {hex}"},
				{p: 0.2, level: lvlWarn, msg: "pandas frame is {n3} MB, consider chunking"},
			},
		},
		{
			name: "cart-abandonment-scan", rt: rtNode22, lang: langNode, arch: model.ArchARM, memMB: 256, timeout: 60_000, region: regionUSEast1,
			every: 300, phase: 200,
			medianMs: 1200, sigma: 0.4, memBase: 102, memJitter: 12, initMs: 230,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "found {n} abandoned carts, queued reminder emails"},
			},
		},
		{
			name: "user-signup", rt: rtNode22, lang: langNode, format: formatJSON, arch: model.ArchARM, memMB: 256, timeout: 10_000, region: regionUSEast1,
			rate: 0.5, diurnal: 1, traced: true,
			medianMs: 210, sigma: 0.4, tailP: 0.01, memBase: 98, memJitter: 9, initMs: 250,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "created user {user}", attrs: `"plan":"free","referrer":"instagram"`},
			},
		},
		{
			name: "geoip-enricher", rt: rtAL2023, lang: langGo, arch: model.ArchARM, memMB: 128, timeout: 3_000, region: regionUSEast1,
			rate: 8, diurnal: 0.8,
			medianMs: 7, sigma: 0.5, tailP: 0.005, memBase: 34, memJitter: 4, initMs: 45,
			logs: []logTmpl{
				{p: 0.05, level: lvlInfo, msg: "enriched {n3} records (cache hit rate 0.{n3})"},
			},
		},
		{
			name: "audit-log-shipper", rt: rtAL2023, lang: langGo, arch: model.ArchX86, memMB: 256, timeout: 60_000, region: regionUSEast1,
			rate: 1, diurnal: 0.5,
			medianMs: 380, sigma: 0.4, tailP: 0.01, memBase: 70, memJitter: 10, initMs: 80,
			logs: []logTmpl{
				{p: 1, level: lvlInfo, msg: "shipped {n3} audit records to s3://audit-archive-prod/{hex}.json.gz"},
			},
		},
		{
			name: "sms-sender", rt: rtPython313, lang: langPython, arch: model.ArchARM, memMB: 128, timeout: 10_000, region: regionUSEast1,
			rate: 0.8, diurnal: 1,
			medianMs: 310, sigma: 0.4, tailP: 0.01, memBase: 66, memJitter: 5, initMs: 360,
			logs: []logTmpl{
				{p: 0.95, level: lvlInfo, msg: "sent SMS reminder via provider twilio (segments={n})"},
				{p: 0.01, level: lvlWarn, msg: "carrier rejected message to +1555{n3}{n3}, will not retry"},
			},
		},
	}
}

// teams prefix the names of generated functions.
var teams = [...]string{"checkout", "catalog", "crm", "billing", "media", "growth", "support", "logistics", "identity", "analytics", "search", "partners"}

// memorySizes are the memory settings generated functions pick from.
var memorySizes = [...]int{128, 128, 256, 256, 256, 512, 512, 1024, 1536, 2048, 3008}

// buildFleet returns n functions: the designed fleet (or its first n), then
// generated functions cloned from the designed families with names of their
// own. Generated functions share a budget of about half the designed fleet's
// traffic, so a fleet of thousands stays cheap to simulate.
func buildFleet(n int) []*spec {
	fleet := designedFleet()
	if n <= 0 {
		return fleet
	}
	if n <= len(fleet) {
		return pruneUpstreams(fleet[:n])
	}
	designed := len(fleet)
	extra := n - designed
	scale := 0.5 * float64(designed) / float64(extra)
	for i := range extra {
		tmpl := fleet[i%designed]
		h := nameKey(fmt.Sprintf("generated/%d", i))
		c := *tmpl
		c.name = fmt.Sprintf("%s-%s-%02d", teams[h%uint64(len(teams))], tmpl.name, i/designed+1)
		c.upstream, c.fraction = "", 0
		c.burst, c.spike, c.deploys, c.reserved, c.snapStart, c.oddTimeout = false, false, false, 0, "", 0
		c.memMB = memorySizes[(h>>8)%uint64(len(memorySizes))]
		if c.memMB < tmpl.memMB/2 {
			c.memMB = tmpl.memMB
		}
		c.memBase = min(c.memBase, c.memMB*3/5)
		c.memJitter = min(c.memJitter, c.memMB/5)
		c.medianMs = tmpl.medianMs * math.Exp2(unit(h>>16)*2-1)
		if h>>40&1 == 1 {
			c.arch = model.ArchARM
		} else {
			c.arch = model.ArchX86
		}
		if c.every > 0 {
			c.every *= int64(1 + (h>>24)%4)
			c.phase = int64((h >> 32) % uint64(c.every))
		} else {
			r := tmpl.rate
			if tmpl.upstream != "" {
				r = 2
			}
			c.rate = r * scale
			if c.diurnal == 0 {
				c.diurnal = 0.8
			}
		}
		fleet = append(fleet, &c)
	}
	return fleet
}

// pruneUpstreams turns a chain stage whose upstream was cut from a small
// fleet into a plain Poisson function.
func pruneUpstreams(fleet []*spec) []*spec {
	names := make(map[string]bool, len(fleet))
	for _, sp := range fleet {
		names[sp.name] = true
	}
	for i, sp := range fleet {
		if sp.upstream != "" && !names[sp.upstream] {
			c := *sp
			c.upstream, c.fraction, c.rate, c.diurnal = "", 0, 2, 0.9
			fleet[i] = &c
		}
	}
	return fleet
}
