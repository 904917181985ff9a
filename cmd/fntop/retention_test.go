package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/fntop/fntop/model"
)

// The retention flags reach the store's options, in the UI and in the
// headless commands, and bad values are usage errors.
func TestRetentionFlags(t *testing.T) {
	var f topFlags
	var errb bytes.Buffer
	if _, err := f.parse([]string{"--demo", "--logs-per-function", "7", "--logs-total", "70", "--log-bytes", "65536",
		"--max-message-bytes", "300", "--recent-errors", "9"}, env{stderr: &errb}); err != nil {
		t.Fatalf("parse: %v (%s)", err, errb.String())
	}
	if got := f.src.retain.options(); !reflect.DeepEqual(got, model.Options{LogsPerFunction: 7, LogsTotal: 70, LogBytes: 65536, MaxMessageBytes: 300, RecentErrors: 9}) {
		t.Errorf("options = %+v", got)
	}
	var zero topFlags
	if _, err := zero.parse([]string{"--demo"}, env{stderr: &errb}); err != nil || !reflect.DeepEqual(zero.src.retain.options(), model.Options{}) {
		t.Errorf("no flags: %v %+v (zero keeps the model's defaults)", err, zero.src.retain.options())
	}

	out, stderr, code := runCmd(t, nil, "snapshot", "--demo", "--window", "1m", "--logs-per-function", "5", "--log-bytes", "100000", "--max-message-bytes", "64")
	if code != 0 || !strings.Contains(out, "FUNCTION") {
		t.Errorf("snapshot with retention flags: exit %d, stderr %q", code, stderr)
	}
	for _, flag := range []string{"--logs-per-function", "--logs-total", "--log-bytes", "--max-message-bytes", "--recent-errors"} {
		if _, stderr, code := runCmd(t, nil, "snapshot", "--demo", flag, "-1"); code != 2 || !strings.Contains(stderr, flag) {
			t.Errorf("%s -1: exit %d, stderr %q", flag, code, stderr)
		}
	}
}
