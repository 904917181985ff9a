package textsafe

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestRedactCredentials(t *testing.T) {
	for _, tc := range []struct{ in, gone, kept string }{
		{"Authorization: AWS4-HMAC-SHA256 Credential=AKIAFNTOPTEST0000001/20261125/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef",
			"AKIAFNTOPTEST0000001", "Authorization: "},
		{`{"X-Amz-Security-Token":"FQoGZXIvYXdzEJr//////////wEaDFAKE+TOKEN=="}`, "FQoGZXIvYXdzEJr", "X-Amz-Security-Token"},
		{"headers: x-amz-security-token=IQoJb3JpZ2luX2VjEFAKE&next=1", "IQoJb3JpZ2lu", "next=1"},
		{"Credential=ASIAFNTOPTEST0000002/20261125/us-east-1/logs/aws4_request", "ASIAFNTOPTEST0000002", "Credential="},
		{"the key ASIAFNTOPTEST0000003 is unknown", "ASIAFNTOPTEST0000003", "is unknown"},
		{"Signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "9f86d081884c7d659a2f", "Signature="},
		{"GET http://fntop:hunter2-pass@prom:9090/api failed", "hunter2-pass", "http://fntop:"},
		{"rejected Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "eyJhbGciOiJIUzI1NiJ9", "rejected Bearer"},
		{"got Basic Zm50b3A6aHVudGVyMg==", "Zm50b3A6aHVudGVyMg", "got Basic"},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "aws_secret_access_key"},
		{"password: s3cr3t-value", "s3cr3t-value", "password"},
	} {
		got := RedactCredentials(tc.in)
		if strings.Contains(got, tc.gone) || !strings.Contains(got, tc.kept) || !strings.Contains(got, Redacted) {
			t.Errorf("RedactCredentials(%q) = %q", tc.in, got)
		}
	}
	for _, prose := range []string{
		"unauthorized (401): check the credentials (basic auth, bearer token)",
		"Basic authentication failed; Bearer tokens expire",
		"The security token included in the request is expired",
		"no answer within 10s",
		"user@example.com wrote to /aws/lambda/x",
	} {
		if got := RedactCredentials(prose); got != prose {
			t.Errorf("prose changed: %q -> %q", prose, got)
		}
	}
}

func TestSecrets(t *testing.T) {
	var s Secrets
	s.Add("", "abc", "  known-secret-value\n", "known-secret-value")
	if len(s.vals) != 1 {
		t.Fatalf("kept %q", s.vals)
	}
	if got := s.Clean("echo known-secret-value and abc"); got != "echo "+Redacted+" and abc" {
		t.Errorf("Clean = %q", got)
	}
	err := s.Error(&fs.PathError{Op: "open", Path: "known-secret-value", Err: fs.ErrNotExist})
	if strings.Contains(err.Error(), "known-secret-value") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error = %v (is ErrNotExist: %v)", err, errors.Is(err, fs.ErrNotExist))
	}
	plain := errors.New("nothing secret")
	if s.Error(plain) != plain || s.Error(nil) != nil {
		t.Error("a clean error was wrapped")
	}
	var nilSet *Secrets
	if got := nilSet.Clean("Credential=AKIAFNTOPTEST0000001/x"); strings.Contains(got, "AKIA") {
		t.Errorf("nil set: %q", got)
	}
}
