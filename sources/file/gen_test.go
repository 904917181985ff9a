package file

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// genStats is what a generated file holds, to check a reading against.
type genStats struct {
	Bytes       int
	Docs        int
	Events      int // log events of DATA_MESSAGE documents
	Invocations map[string]int
	Billed      map[string]float64
	Cold        map[string]int
	Timeouts    map[string]int
}

func (g genStats) totalInvocations() int {
	n := 0
	for _, v := range g.Invocations {
		n += v
	}
	return n
}

// genFunction is one function of the generated fleet.
type genFunction struct {
	name   string // function name as fntop should report it
	group  string
	custom bool // custom log group: the stream names the function
	memory int
	mean   float64 // mean duration, ms
}

var genFleet = []genFunction{
	{name: "orders-api", group: "/aws/lambda/orders-api", memory: 512, mean: 45},
	{name: "payments", group: "/aws/lambda/payments", memory: 1024, mean: 120},
	{name: "thumbnailer", group: "/aws/lambda/thumbnailer", memory: 2048, mean: 900},
	{name: "auth-edge", group: "/aws/lambda/us-east-1.auth-edge", memory: 128, mean: 4},
	{name: "search", group: "/aws/lambda/search", memory: 256, mean: 30},
	{name: "mailer", group: "/shared/lambda-logs", custom: true, memory: 256, mean: 200},
	{name: "reports", group: "/shared/lambda-logs", custom: true, memory: 3008, mean: 2500},
	{name: "webhooks", group: "/aws/lambda/webhooks", memory: 256, mean: 60},
}

// genStream is one execution environment producing messages.
type genStream struct {
	fn      *genFunction
	name    string
	queue   []genEvent
	invoked int
	t       time.Time
}

type genEvent struct {
	t   time.Time
	msg string
}

// GenerateSubscription writes CloudWatch Logs subscription messages, one
// DATA_MESSAGE document a line (after one CONTROL_MESSAGE), until at least
// size bytes are written. The output is a pure function of size and seed.
// Invocations are START, a few Node.js application lines, END and REPORT;
// the first of each stream is a cold start and some time out.
func GenerateSubscription(w io.Writer, size int, seed int64) (genStats, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	bw := bufio.NewWriterSize(w, 1<<20)
	st := genStats{Invocations: map[string]int{}, Billed: map[string]float64{}, Cold: map[string]int{}, Timeouts: map[string]int{}}
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

	var streams []*genStream
	for i := range genFleet {
		fn := &genFleet[i]
		for e := range 3 {
			id := fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
			name := fmt.Sprintf("2024/05/01/[$LATEST]%s", id)
			if fn.custom {
				name = fmt.Sprintf("2024/05/01/%s[$LATEST]%s", fn.name, id)
			}
			streams = append(streams, &genStream{fn: fn, name: name, t: base.Add(time.Duration(e) * time.Second)})
		}
	}

	write := func(s string) {
		bw.WriteString(s)
		st.Bytes += len(s)
	}
	write(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1714557600000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}` + "\n")

	var line strings.Builder
	for st.Bytes < size {
		s := streams[rng.IntN(len(streams))]
		want := 5 + rng.IntN(40)
		for len(s.queue) < want {
			s.invoke(rng, &st)
		}
		batch := s.queue[:want]
		line.Reset()
		line.WriteString(`{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"`)
		line.WriteString(s.fn.group)
		line.WriteString(`","logStream":"`)
		line.WriteString(s.name)
		line.WriteString(`","subscriptionFilters":["fntop-firehose"],"logEvents":[`)
		for i, e := range batch {
			if i > 0 {
				line.WriteByte(',')
			}
			line.WriteString(`{"id":"`)
			line.WriteString(strconv.FormatUint(rng.Uint64(), 10))
			line.WriteString(strconv.FormatUint(rng.Uint64(), 10))
			line.WriteString(`","timestamp":`)
			line.WriteString(strconv.FormatInt(e.t.UnixMilli(), 10))
			line.WriteString(`,"message":`)
			line.WriteString(strconv.Quote(e.msg)) // Go quoting is valid JSON for ASCII
			line.WriteByte('}')
		}
		line.WriteString("]}\n")
		s.queue = s.queue[want:]
		st.Docs++
		st.Events += len(batch)
		write(line.String())
	}
	// Events still queued were never written: take their invocations back
	// out of the expected figures.
	for _, s := range streams {
		for _, e := range s.queue {
			if strings.HasPrefix(e.msg, "REPORT ") {
				st.unreport(s.fn.name, e.msg)
			}
		}
	}
	return st, bw.Flush()
}

var genPaths = []string{"/orders", "/orders/{id}", "/checkout", "/health", "/users/{id}/cart"}

// invoke queues the messages of one invocation.
func (s *genStream) invoke(rng *rand.Rand, st *genStats) {
	id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	s.t = s.t.Add(time.Duration(50+rng.IntN(2000)) * time.Millisecond)
	t := s.t
	add := func(d time.Duration, msg string) {
		s.queue = append(s.queue, genEvent{t: t.Add(d), msg: msg})
	}
	cold := s.invoked == 0
	s.invoked++
	if cold {
		add(-300*time.Millisecond, "INIT_START Runtime Version: nodejs:20.v22\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:da57c20c4b965d5b75540f6865a35fc8030358e33ec44ecfed33e90901a27a72\n")
	}
	add(0, "START RequestId: "+id+" Version: $LATEST\n")
	for i := range 1 + rng.IntN(4) {
		ts := t.Add(time.Duration(i+1) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		switch rng.IntN(3) {
		case 0:
			add(time.Millisecond, ts+"\t"+id+"\tINFO\thandling "+genPaths[rng.IntN(len(genPaths))]+" for tenant "+strconv.Itoa(rng.IntN(500))+"\n")
		case 1:
			add(time.Millisecond, ts+"\t"+id+"\tINFO\t{\"level\":\"info\",\"msg\":\"db query\",\"table\":\"orders\",\"rows\":"+strconv.Itoa(rng.IntN(100))+",\"ms\":"+strconv.Itoa(rng.IntN(40))+"}\n")
		default:
			add(time.Millisecond, ts+"\t"+id+"\tWARN\tslow downstream call to https://api.example.com/v1/items?page="+strconv.Itoa(rng.IntN(9))+"\n")
		}
	}
	timeout := rng.IntN(50) == 0
	dur := s.fn.mean * (0.5 + rng.Float64())
	if timeout {
		dur = 3000
		add(time.Duration(dur)*time.Millisecond, t.Add(3*time.Second).Format("2006-01-02T15:04:05.000Z")+" "+id+" Task timed out after 3.00 seconds\n")
	}
	init := ""
	billed := float64(int(dur) + 1)
	if cold {
		initMs := 150 + rng.Float64()*400
		init = fmt.Sprintf("Init Duration: %.2f ms\t", initMs)
		billed = float64(int(dur+initMs) + 1)
	}
	status := ""
	if timeout {
		status = "Status: timeout"
	}
	add(time.Duration(dur)*time.Millisecond, "END RequestId: "+id+"\n")
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t%s%s\n",
		id, dur, billed, s.fn.memory, s.fn.memory/3+rng.IntN(20), init, status)
	if rng.IntN(4) == 0 {
		report += "XRAY TraceId: 1-" + fmt.Sprintf("%08x-%024x", uint32(t.Unix()), rng.Uint64()) + "\tSegmentId: " + fmt.Sprintf("%016x", rng.Uint64()) + "\tSampled: true\n"
	}
	add(time.Duration(dur)*time.Millisecond, report)
	st.Invocations[s.fn.name]++
	st.Billed[s.fn.name] += billed
	if cold {
		st.Cold[s.fn.name]++
	}
	if timeout {
		st.Timeouts[s.fn.name]++
	}
}

// unreport removes a queued (unwritten) REPORT from the expected figures.
func (g *genStats) unreport(fn, report string) {
	g.Invocations[fn]--
	_, rest, _ := strings.Cut(report, "Billed Duration: ")
	ms, _, _ := strings.Cut(rest, " ")
	b, _ := strconv.ParseFloat(ms, 64)
	g.Billed[fn] -= b
	if strings.Contains(report, "Init Duration") {
		g.Cold[fn]--
	}
	if strings.Contains(report, "Status: timeout") {
		g.Timeouts[fn]--
	}
}
