package lambdalog

import (
	"strings"
	"testing"

	"github.com/fntop/fntop/model"
)

// asPrintedCases are platform line bodies as Lambda prints them and
// variants that the shortcuts must either read the same as the field loops
// or leave to them.
func asPrintedCases() []string {
	const id = "8e6d2c8b-9cdd-4145-b1f6-7c50ef8a2a36"
	bodies := []string{
		" RequestId: " + id + " Version: $LATEST",
		" RequestId: " + id + " Version: 12",
		" RequestId: " + id,
		" RequestId: " + id + "\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t",
		" RequestId: " + id + "\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 137.50 ms\t\nXRAY TraceId: 1-66320000-0123\tSegmentId: 0123\tSampled: true",
		" RequestId: " + id + "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout",
		" RequestId: " + id + "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.ExitError",
		" RequestId: " + id + "\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB",
		" RequestId: " + id + "\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tDuration: 2 ms",
		" RequestId: " + id + "\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tRequestId: other",
		" RequestId: " + id + "\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MBx",
		" RequestId: " + id + "\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB ms",
		" RequestId: ms Version: MB",
		" RequestId: Version: Version: 1",
		" RequestId: x Version: ",
		" RequestId: x Version: a b",
		" RequestId:  x Version: 1",
		" RequestId: x  Version: 1",
		" RequestId: x ms Version: 1",
		" RequestId: x Version: 1 ms",
		" RequestId: \tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB",
		" RequestId: x\tDuration: 1ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB",
		" RequestId: x\tDuration: -1 ms\tBilled Duration: 1.5.5 ms\tMemory Size: 12x MB\tMax Memory Used: 70 MB",
		" RequestId: x\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 1234567890 MB\tMax Memory Used: 70 MB",
		" RequestId: x\tDuration: 1 MB\tBilled Duration: 1 MB\tMemory Size: 128 ms\tMax Memory Used: 70 ms",
		" RequestId: x Duration: 1 ms Billed Duration: 1 ms Memory Size: 128 MB Max Memory Used: 70 MB",
	}
	var out []string
	for _, b := range bodies {
		out = append(out, b, strings.ReplaceAll(b, "\t", " "), strings.ReplaceAll(b, " ", "  "),
			strings.TrimSuffix(b, "\t"), b+" ", b+"\t", b[:len(b)/2], strings.Replace(b, "ms", "", 1))
	}
	return out
}

// TestAsPrintedReadsLikeTheFieldLoops checks the shortcuts for lines as
// Lambda prints them against the general field loops.
func TestAsPrintedReadsLikeTheFieldLoops(t *testing.T) {
	for _, body := range asPrintedCases() {
		checkAsPrinted(t, body)
	}
}

func FuzzAsPrinted(f *testing.F) {
	for _, body := range asPrintedCases() {
		f.Add(body)
	}
	f.Fuzz(checkAsPrinted)
}

func checkAsPrinted(t *testing.T, body string) {
	for _, typ := range []RecordType{RecordStart, RecordEnd} {
		var got, want Record
		gotOK := parseStartEnd(body, &got, typ)
		wantOK := startEndFields(body, &want, typ)
		if gotOK != wantOK || got != want {
			t.Fatalf("%v %q: got %v %+v, the field loop %v %+v", typ, body, gotOK, got, wantOK, want)
		}
	}
	var got, want Record
	parseReport("REPORT"+body, &got)
	want.Line = model.LinePlatform
	reportFields(body, &want, 0, 0, "")
	if got != want {
		t.Fatalf("REPORT%q: got %+v, the field loop %+v", body, got, want)
	}
}
