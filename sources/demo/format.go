package demo

import (
	"strconv"
	"strings"

	"github.com/fntop/fntop/model"
)

// This file writes simulated invocations as the log messages Lambda stores
// in CloudWatch: the text format's platform lines (TAB-separated, each
// message ending in "\n"), the JSON format's Telemetry-API records, and the
// application lines of each runtime.

// write schedules every log line of one invocation.
func (g *generator) write(inv *invocation) {
	e := inv.e
	g.fpcg.Seed(inv.detail, golden)
	if e.stream == "" {
		g.buf = g.ts.appendStreamDate(g.buf[:0], e.born)
		g.buf = append(g.buf, "/["...)
		g.buf = append(g.buf, e.version...)
		g.buf = append(g.buf, ']')
		g.buf = appendHex(g.buf, e.hi, 16)
		g.buf = appendHex(g.buf, e.lo, 16)
		e.stream = string(g.buf)
	}
	var req [36]byte
	g.requestID(req[:])
	if inv.f.sp.format == formatJSON {
		g.writeJSON(inv, req[:])
	} else {
		g.writeText(inv, req[:])
	}
}

// line schedules the message in g.buf at unix ms at.
func (g *generator) line(inv *invocation, at int64) {
	f := inv.f
	g.push(item{at: at, seq: f.nextSeq(), fn: f.idx, kind: itemLine, stream: inv.e.stream, msg: string(g.buf)})
}

func (g *generator) writeText(inv *invocation, req []byte) {
	sp, r := inv.f.sp, g.frng
	initMs := inv.initUs / 1000
	if inv.cold {
		if sp.snapStart != "" {
			g.buf = g.runtimeLine(g.buf[:0], "RESTORE_START", sp)
			g.line(inv, inv.arrive)
			b := append(g.buf[:0], "RESTORE_REPORT Restore Duration: "...)
			b = appendFixed(b, (inv.restoreUs+5)/10, 2)
			g.buf = append(b, " ms\n"...)
			g.line(inv, inv.start)
		} else {
			g.buf = g.runtimeLine(g.buf[:0], "INIT_START", sp)
			g.line(inv, inv.arrive)
			if sp.secretsExt {
				g.secretsLine(inv, inv.arrive+initMs/5, "PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL is not present. Log level set to info.")
				g.secretsLine(inv, inv.arrive+initMs/4, "INFO Serving on port 2773")
				g.buf = append(g.buf[:0], "EXTENSION\tName: AWSParametersAndSecretsLambdaExtension\tState: Ready\tEvents: [INVOKE,SHUTDOWN]\n"...)
				g.line(inv, inv.arrive+initMs/3)
			}
			if sp.datadog {
				g.buf = append(g.buf[:0], "EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE,SHUTDOWN]\n"...)
				g.line(inv, inv.arrive+initMs/3)
				g.buf = append(g.buf[:0], "TELEMETRY\tName: datadog-agent\tState: Subscribed\tTypes: [Platform, Function, Extension]\n"...)
				g.line(inv, inv.arrive+initMs/2)
			}
			if sp.initLog != "" && sp.lang == langNode {
				b := g.ts.appendISO(g.buf[:0], inv.arrive+initMs*3/4)
				b = append(b, "\tundefined\tINFO\t"...)
				b = append(b, sp.initLog...)
				g.buf = append(b, '\n')
				g.line(inv, inv.arrive+initMs*3/4)
			}
		}
	}

	b := append(g.buf[:0], "START RequestId: "...)
	b = append(b, req...)
	b = append(b, " Version: "...)
	b = append(b, inv.e.version...)
	g.buf = append(b, '\n')
	g.line(inv, inv.start)

	g.appLines(inv, req)
	if sp.secretsExt && r.Float64() < 0.05 {
		g.secretsLine(inv, inv.start+1, "INFO cache miss, fetching secret prod/payments/gateway-key")
	}

	// Failure lines the runtime writes, before END or (for a late
	// timeout or runtime exit) after REPORT.
	late := r.Float64() < 0.5
	switch inv.fate {
	case fateError:
		g.failText(inv, req)
	case fateTimeout:
		if !late {
			g.timedOut(inv, req, inv.end)
		}
	case fateExitOOM:
		if !late {
			g.runtimeExit(inv, req, inv.end)
		}
	}

	b = append(g.buf[:0], "END RequestId: "...)
	b = append(b, req...)
	g.buf = append(b, '\n')
	g.line(inv, inv.end)
	g.buf = g.report(g.buf[:0], inv, req)
	g.line(inv, inv.end)

	if late {
		switch inv.fate {
		case fateTimeout:
			g.timedOut(inv, req, inv.end+1+int64(r.IntN(40)))
		case fateExitOOM:
			g.runtimeExit(inv, req, inv.end+1+int64(r.IntN(20)))
		}
	}
}

func (g *generator) runtimeLine(b []byte, keyword string, sp *spec) []byte {
	b = append(b, keyword...)
	b = append(b, " Runtime Version: "...)
	b = append(b, sp.rt.version...)
	b = append(b, "\tRuntime Version ARN: arn:aws:lambda:"...)
	b = append(b, sp.region...)
	b = append(b, "::runtime:"...)
	b = append(b, sp.rt.arnHash...)
	return append(b, '\n')
}

func (g *generator) secretsLine(inv *invocation, at int64, msg string) {
	b := append(g.buf[:0], "[AWS Parameters and Secrets Lambda Extension] "...)
	b = g.ts.appendGoTS(b, at)
	b = append(b, ' ')
	b = append(b, msg...)
	g.buf = append(b, '\n')
	g.line(inv, at)
}

func (g *generator) timedOut(inv *invocation, req []byte, at int64) {
	b := g.ts.appendISO(g.buf[:0], at)
	b = append(b, ' ')
	b = append(b, req...)
	b = append(b, " Task timed out after "...)
	b = appendFixed(b, inv.timeoutMs/10, 2)
	g.buf = append(b, " seconds\n"...)
	g.line(inv, at)
}

func (g *generator) runtimeExit(inv *invocation, req []byte, at int64) {
	b := append(g.buf[:0], "RequestId: "...)
	b = append(b, req...)
	g.buf = append(b, " Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n"...)
	g.line(inv, at)
}

// failText writes a thrown error: an ERROR application line and the Node.js
// runtime's "Invoke Error" line (other runtimes log the application line
// only, as the text format has no failure line for them).
func (g *generator) failText(inv *invocation, req []byte) {
	sp := inv.f.sp
	at := max(inv.start, inv.end-1)
	if sp.fail.appMsg != "" {
		g.appLine(inv, req, at, lvlError, "", sp.fail.appMsg, "")
	}
	if sp.lang != langNode {
		return
	}
	b := g.ts.appendISO(g.buf[:0], inv.end)
	b = append(b, '\t')
	b = append(b, req...)
	b = append(b, "\tERROR\tInvoke Error \t{\"errorType\":"...)
	b = appendJSONString(b, sp.fail.typ)
	b = append(b, ",\"errorMessage\":"...)
	b = appendJSONString(b, sp.fail.msg)
	b = append(b, ",\"stack\":["...)
	b = append(b, sp.fail.stack...)
	g.buf = append(b, "]}\n"...)
	g.line(inv, inv.end)
}

// report writes the REPORT line: TAB after every field, Init Duration
// before Status, and the X-Ray trailer after a newline.
func (g *generator) report(b []byte, inv *invocation, req []byte) []byte {
	sp := inv.f.sp
	d100 := (inv.durUs + 5) / 10
	i100 := (inv.initUs + 5) / 10
	billed := ceilDiv(d100+i100, 100)
	if inv.restoreUs > 0 {
		billed = ceilDiv(d100+inv.billedRestoreMs*100, 100)
	}
	b = append(b, "REPORT RequestId: "...)
	b = append(b, req...)
	b = append(b, "\tDuration: "...)
	b = appendFixed(b, d100, 2)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, billed, 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(sp.memMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(inv.maxMem), 10)
	b = append(b, " MB\t"...)
	if inv.initUs > 0 {
		b = append(b, "Init Duration: "...)
		b = appendFixed(b, i100, 2)
		b = append(b, " ms\t"...)
	}
	if inv.restoreUs > 0 {
		b = append(b, "Restore Duration: "...)
		b = appendFixed(b, (inv.restoreUs+5)/10, 2)
		b = append(b, " ms\tBilled Restore Duration: "...)
		b = strconv.AppendInt(b, inv.billedRestoreMs, 10)
		b = append(b, " ms\t"...)
	}
	switch inv.fate {
	case fateTimeout:
		b = append(b, "Status: timeout\t"...)
	case fateOOM:
		b = append(b, "Status: error\tError Type: Runtime.OutOfMemory\t"...)
	}
	if sp.traced {
		r := g.frng
		b = append(b, "\nXRAY TraceId: 1-"...)
		b = appendHex(b, uint64(inv.arrive/1000), 8)
		b = append(b, '-')
		b = appendHex(b, r.Uint64(), 16)
		b = appendHex(b, r.Uint64(), 8)
		b = append(b, "\tSegmentId: "...)
		b = appendHex(b, r.Uint64(), 16)
		b = append(b, "\tSampled: "...)
		b = strconv.AppendBool(b, r.Float64() < 0.2)
	} else if g.frng.Float64() < 0.1 {
		// The trailing TAB is sometimes missing in real captures.
		b = b[:len(b)-1]
	}
	return append(b, '\n')
}

func (g *generator) writeJSON(inv *invocation, req []byte) {
	sp, e := inv.f.sp, inv.e
	if inv.cold {
		b := g.jsonHead(g.buf[:0], inv.arrive, "platform.initStart")
		b = append(b, `"initializationType":"on-demand","phase":"init","runtimeVersion":"`...)
		b = append(b, sp.rt.version...)
		b = append(b, `","runtimeVersionArn":"arn:aws:lambda:`...)
		b = append(b, sp.region...)
		b = append(b, "::runtime:"...)
		b = append(b, sp.rt.arnHash...)
		b = append(b, `","functionName":"`...)
		b = append(b, sp.name...)
		b = append(b, `","functionVersion":"`...)
		b = append(b, e.version...)
		b = append(b, `","instanceId":"`...)
		// The instance id embeds the function name, unlike the stream name.
		b = g.ts.appendStreamDate(b, e.born)
		b = append(b, '/')
		b = append(b, sp.name...)
		b = append(b, '[')
		b = append(b, e.version...)
		b = append(b, ']')
		b = appendHex(b, e.hi, 16)
		b = appendHex(b, e.lo, 16)
		b = append(b, `","instanceMaxMemory":`...)
		b = strconv.AppendInt(b, int64(sp.memMB)<<20, 10)
		g.buf = append(b, "}}"...)
		g.line(inv, inv.arrive)
	}

	b := g.jsonHead(g.buf[:0], inv.start, "platform.start")
	b = append(b, `"requestId":"`...)
	b = append(b, req...)
	b = append(b, `","functionArn":"`...)
	b = append(b, inv.f.arn...)
	b = append(b, `","version":"`...)
	b = append(b, e.version...)
	g.buf = append(b, `"}}`...)
	g.line(inv, inv.start)

	g.appLines(inv, req)

	status, errType := "success", ""
	switch inv.fate {
	case fateError:
		status, errType = "error", sp.fail.typ
		g.failJSON(inv, req)
	case fateTimeout:
		status = "timeout"
	case fateOOM, fateExitOOM:
		status, errType = "error", "Runtime.OutOfMemory"
	}
	if status != "success" {
		b = g.jsonHead(g.buf[:0], inv.end, "platform.runtimeDone")
		b = append(b, `"requestId":"`...)
		b = append(b, req...)
		b = append(b, `","status":"`...)
		b = append(b, status...)
		if errType != "" {
			b = append(b, `","errorType":`...)
			b = appendJSONString(b, errType)
		} else {
			b = append(b, '"')
		}
		b = append(b, `,"metrics":{"durationMs":`...)
		b = appendMs3(b, inv.durUs)
		g.buf = append(b, `,"producedBytes":0}}}`...)
		g.line(inv, inv.end)
	}

	b = g.jsonHead(g.buf[:0], inv.end, "platform.report")
	b = append(b, `"requestId":"`...)
	b = append(b, req...)
	b = append(b, `","metrics":{"durationMs":`...)
	b = appendMs3(b, inv.durUs)
	b = append(b, `,"billedDurationMs":`...)
	b = strconv.AppendInt(b, ceilDiv(inv.durUs+inv.initUs, 1000), 10)
	b = append(b, `,"memorySizeMB":`...)
	b = strconv.AppendInt(b, int64(sp.memMB), 10)
	b = append(b, `,"maxMemoryUsedMB":`...)
	b = strconv.AppendInt(b, int64(inv.maxMem), 10)
	if inv.initUs > 0 {
		b = append(b, `,"initDurationMs":`...)
		b = appendMs3(b, inv.initUs)
	}
	b = append(b, '}')
	if sp.traced {
		r := g.frng
		span := r.Uint64()
		b = append(b, `,"tracing":{"spanId":"`...)
		b = appendHex(b, span, 16)
		b = append(b, `","type":"X-Amzn-Trace-Id","value":"Root=1-`...)
		b = appendHex(b, uint64(inv.arrive/1000), 8)
		b = append(b, '-')
		b = appendHex(b, r.Uint64(), 16)
		b = appendHex(b, r.Uint64(), 8)
		b = append(b, ";Parent="...)
		b = appendHex(b, r.Uint64(), 16)
		if r.Float64() < 0.2 {
			b = append(b, `;Sampled=1"}`...)
		} else {
			b = append(b, `;Sampled=0"}`...)
		}
	}
	b = append(b, `,"status":"`...)
	b = append(b, status...)
	b = append(b, '"')
	if errType != "" {
		b = append(b, `,"errorType":`...)
		b = appendJSONString(b, errType)
	}
	g.buf = append(b, "}}"...)
	g.line(inv, inv.end)
}

func (g *generator) jsonHead(b []byte, at int64, typ string) []byte {
	b = append(b, `{"time":"`...)
	b = g.ts.appendISO(b, at)
	b = append(b, `","type":"`...)
	b = append(b, typ...)
	return append(b, `","record":{`...)
}

// failJSON writes the runtime's ERROR line for a thrown error in the JSON
// log format.
func (g *generator) failJSON(inv *invocation, req []byte) {
	sp := inv.f.sp
	at := max(inv.start, inv.end-1)
	b := append(g.buf[:0], `{"timestamp":"`...)
	b = g.ts.appendISO(b, at)
	b = append(b, `","level":"ERROR","requestId":"`...)
	b = append(b, req...)
	if sp.lang == langPython {
		b = append(b, `","message":`...)
		b = appendJSONString(b, sp.fail.typ+": "+sp.fail.msg)
		b = append(b, `,"logger":"root","errorType":`...)
	} else {
		b = append(b, `","message":"Invoke Error","errorType":`...)
	}
	b = appendJSONString(b, sp.fail.typ)
	b = append(b, `,"errorMessage":`...)
	b = appendJSONString(b, sp.fail.msg)
	b = append(b, `,"stackTrace":[`...)
	b = append(b, sp.fail.stack...)
	g.buf = append(b, "]}\n"...)
	g.line(inv, at)
}

// appLines writes the function's application lines for one invocation,
// spread over its duration.
func (g *generator) appLines(inv *invocation, req []byte) {
	logs := inv.f.sp.logs
	durMs := inv.durUs / 1000
	for j := range logs {
		t := &logs[j]
		if g.frng.Float64() >= t.p {
			continue
		}
		at := inv.start + durMs*int64(j+1)/int64(len(logs)+1)
		g.appLine(inv, req, at, t.level, t.class, t.msg, t.attrs)
	}
}

// appLine writes one application line in the shape of the function's
// runtime and log format.
func (g *generator) appLine(inv *invocation, req []byte, at int64, level model.Level, class, msg, attrs string) {
	sp := inv.f.sp
	g.tmp = g.expand(g.tmp[:0], msg)
	b := g.buf[:0]
	switch {
	case sp.format == formatJSON && sp.lang == langPython:
		b = append(b, `{"timestamp":"`...)
		b = g.ts.appendISO(b, at)
		b = append(b, `","level":"`...)
		b = append(b, level.String()...)
		b = append(b, `","message":`...)
		b = appendJSONBytes(b, g.tmp)
		b = append(b, `,"logger":"root","requestId":"`...)
		b = append(b, req...)
		b = append(b, '"')
		b = g.attrs(b, attrs)
		b = append(b, "}\n"...)
	case sp.format == formatJSON:
		b = append(b, `{"timestamp":"`...)
		b = g.ts.appendISO(b, at)
		b = append(b, `","level":"`...)
		b = append(b, level.String()...)
		b = append(b, `","requestId":"`...)
		b = append(b, req...)
		b = append(b, `","message":`...)
		b = appendJSONBytes(b, g.tmp)
		b = g.attrs(b, attrs)
		b = append(b, "}\n"...)
	case sp.lang == langNode:
		b = g.ts.appendISO(b, at)
		b = append(b, '\t')
		b = append(b, req...)
		b = append(b, '\t')
		b = append(b, level.String()...)
		b = append(b, '\t')
		b = append(b, g.tmp...)
		b = append(b, '\n')
	case sp.lang == langPython:
		b = append(b, '[')
		b = append(b, level.String()...)
		b = append(b, "]\t"...)
		b = g.ts.appendISO(b, at)
		b = append(b, '\t')
		b = append(b, req...)
		b = append(b, '\t')
		b = append(b, g.tmp...)
		b = append(b, '\n')
	case sp.lang == langJava:
		b = g.ts.appendJavaTS(b, at)
		b = append(b, ' ')
		b = append(b, req...)
		b = append(b, ' ')
		lv := level.String()
		b = append(b, lv...)
		b = append(b, "      "[:6-len(lv)]...)
		if class == "" {
			class = "Handler"
		}
		b = append(b, class...)
		b = append(b, " - "...)
		b = append(b, g.tmp...)
		b = append(b, '\n')
	case sp.lang == langGoSlog:
		b = append(b, `{"time":"`...)
		b = g.ts.appendISO(b, at)
		b = append(b, `","level":"`...)
		b = append(b, level.String()...)
		b = append(b, `","msg":`...)
		b = appendJSONBytes(b, g.tmp)
		b = g.attrs(b, attrs)
		b = append(b, "}\n"...)
	default: // langGo: the standard library logger
		b = g.ts.appendGoTS(b, at)
		b = append(b, ' ')
		b = append(b, g.tmp...)
		b = append(b, '\n')
	}
	g.buf = b
	g.line(inv, at)
}

func (g *generator) attrs(b []byte, attrs string) []byte {
	if attrs == "" {
		return b
	}
	b = append(b, ',')
	return g.expand(b, attrs)
}

var (
	handles  = [...]string{"maya.styles", "jon_runs", "plant.mom", "the.daily.fit", "lucas.cooks", "ari_travels", "kim.knits", "sam.lifts", "nora.reads", "dev.dad"}
	keywords = [...]string{"link", "price", "size", "restock", "shop", "info"}
	queues   = [...]string{"billing", "shipping", "returns", "account", "technical"}
)

// expand appends tmpl with its placeholders filled from the format RNG.
func (g *generator) expand(b []byte, tmpl string) []byte {
	r := g.frng
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			return append(b, tmpl...)
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return append(b, tmpl...)
		}
		b = append(b, tmpl[:i]...)
		name := tmpl[i+1 : i+j]
		switch name {
		case "id":
			b = append(b, "178"...)
			b = appendPad(b, int64(r.Uint64()%1e15), 15)
		case "user":
			b = append(b, handles[r.IntN(len(handles))]...)
			b = strconv.AppendInt(b, int64(r.IntN(90)+10), 10)
		case "sku":
			b = append(b, "SKU-"...)
			b = appendPad(b, int64(r.IntN(100000)), 5)
		case "order":
			b = append(b, "ORD-"...)
			b = appendPad(b, int64(r.IntN(10000000)), 7)
		case "inv":
			b = append(b, "INV-"...)
			b = appendPad(b, int64(r.IntN(100000000)), 8)
		case "ticket":
			b = append(b, "TCK-"...)
			b = appendPad(b, int64(r.IntN(1000000)), 6)
		case "ms":
			b = strconv.AppendInt(b, int64(5+r.IntN(300)), 10)
		case "bpm":
			b = strconv.AppendInt(b, int64(130+r.IntN(60)), 10)
		case "n":
			b = strconv.AppendInt(b, int64(1+r.IntN(24)), 10)
		case "n3":
			b = strconv.AppendInt(b, int64(100+r.IntN(900)), 10)
		case "hex":
			b = appendHex(b, r.Uint64(), 12)
		case "kw":
			b = append(b, keywords[r.IntN(len(keywords))]...)
		case "queue":
			b = append(b, queues[r.IntN(len(queues))]...)
		case "amt":
			b = appendFixed(b, int64(1200+r.IntN(48000)), 2)
		default:
			// Not a placeholder (a JSON brace in a template): keep it.
			b = append(b, '{')
			tmpl = tmpl[i+1:]
			continue
		}
		tmpl = tmpl[i+j+1:]
	}
}

// requestID writes a random version 4 UUID.
func (g *generator) requestID(b []byte) {
	hi, lo := g.frng.Uint64(), g.frng.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	const hexd = "0123456789abcdef"
	var raw [32]byte
	for i := range 16 {
		raw[i] = hexd[hi>>(60-4*i)&0xf]
		raw[16+i] = hexd[lo>>(60-4*i)&0xf]
	}
	copy(b[0:8], raw[0:8])
	b[8] = '-'
	copy(b[9:13], raw[8:12])
	b[13] = '-'
	copy(b[14:18], raw[12:16])
	b[18] = '-'
	copy(b[19:23], raw[16:20])
	b[23] = '-'
	copy(b[24:36], raw[20:32])
}

// appendHex appends the low 4*digits bits of v as lower-case hex.
func appendHex(b []byte, v uint64, digits int) []byte {
	const hexd = "0123456789abcdef"
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hexd[v>>(4*uint(i))&0xf])
	}
	return b
}

// appendFixed appends v/10^decimals with exactly that many decimals.
func appendFixed(b []byte, v int64, decimals int) []byte {
	p := int64(1)
	for range decimals {
		p *= 10
	}
	b = strconv.AppendInt(b, v/p, 10)
	b = append(b, '.')
	return appendPad(b, v%p, decimals)
}

// appendMs3 appends microseconds as milliseconds with up to three decimals
// and at least one, as the JSON log format prints them ("5000.0", "463.512").
func appendMs3(b []byte, us int64) []byte {
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	b = append(b, '.')
	switch {
	case frac == 0:
		return append(b, '0')
	case frac%100 == 0:
		return strconv.AppendInt(b, frac/100, 10)
	case frac%10 == 0:
		return appendPad(b, frac/10, 2)
	}
	return appendPad(b, frac, 3)
}

func appendPad(b []byte, v int64, width int) []byte {
	var d [20]byte
	i := len(d)
	for v > 0 || i > len(d)-width {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[i:]...)
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		b = appendJSONByte(b, s[i])
	}
	return append(b, '"')
}

func appendJSONBytes(b, s []byte) []byte {
	b = append(b, '"')
	for _, c := range s {
		b = appendJSONByte(b, c)
	}
	return append(b, '"')
}

func appendJSONByte(b []byte, c byte) []byte {
	switch {
	case c == '"' || c == '\\':
		return append(b, '\\', c)
	case c == '\n':
		return append(b, '\\', 'n')
	case c == '\r':
		return append(b, '\\', 'r')
	case c == '\t':
		return append(b, '\\', 't')
	case c < 0x20:
		return append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
	}
	return append(b, c)
}

// tsCache formats timestamps from unix milliseconds, keeping the civil time
// of the last second it saw.
type tsCache struct {
	sec                int64
	valid              bool
	y, mo, d, h, mi, s int64
}

func (c *tsCache) set(ms int64) int64 {
	sec := floorDiv(ms, 1000)
	if !c.valid || sec != c.sec {
		c.sec, c.valid = sec, true
		days := floorDiv(sec, 86400)
		rem := sec - days*86400
		c.h, c.mi, c.s = rem/3600, rem%3600/60, rem%60
		c.y, c.mo, c.d = civilFromDays(days)
	}
	return ms - sec*1000
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (H. Hinnant's algorithm).
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func (c *tsCache) appendDate(b []byte, sep byte) []byte {
	b = appendPad(b, c.y, 4)
	b = append(b, sep)
	b = appendPad(b, c.mo, 2)
	b = append(b, sep)
	return appendPad(b, c.d, 2)
}

func (c *tsCache) appendClock(b []byte) []byte {
	b = appendPad(b, c.h, 2)
	b = append(b, ':')
	b = appendPad(b, c.mi, 2)
	b = append(b, ':')
	return appendPad(b, c.s, 2)
}

// appendISO appends 2006-01-02T15:04:05.000Z.
func (c *tsCache) appendISO(b []byte, ms int64) []byte {
	frac := c.set(ms)
	b = c.appendDate(b, '-')
	b = append(b, 'T')
	b = c.appendClock(b)
	b = append(b, '.')
	b = appendPad(b, frac, 3)
	return append(b, 'Z')
}

// appendJavaTS appends 2006-01-02 15:04:05 (log4j2's default layout).
func (c *tsCache) appendJavaTS(b []byte, ms int64) []byte {
	c.set(ms)
	b = c.appendDate(b, '-')
	b = append(b, ' ')
	return c.appendClock(b)
}

// appendGoTS appends 2006/01/02 15:04:05 (Go's standard logger).
func (c *tsCache) appendGoTS(b []byte, ms int64) []byte {
	c.set(ms)
	b = c.appendDate(b, '/')
	b = append(b, ' ')
	return c.appendClock(b)
}

// appendStreamDate appends 2006/01/02, the prefix of a log stream name.
func (c *tsCache) appendStreamDate(b []byte, ms int64) []byte {
	c.set(ms)
	return c.appendDate(b, '/')
}
