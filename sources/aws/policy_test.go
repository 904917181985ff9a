package aws

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestPolicyCoversTheAPIInterfaces fails when a method is added to the
// client interfaces (the only way the source reaches AWS) without its
// action in the policy.
func TestPolicyCoversTheAPIInterfaces(t *testing.T) {
	for service, iface := range map[string]reflect.Type{
		"logs":   reflect.TypeFor[LogsAPI](),
		"lambda": reflect.TypeFor[LambdaAPI](),
	} {
		for i := range iface.NumMethod() {
			op := iface.Method(i).Name
			if !allowed(service, op) {
				t.Errorf("%s:%s is callable but not in the policy", service, op)
			}
		}
	}
}

// TestPolicyIsReadOnlyJSON checks the printed policy: valid JSON, every
// action present, none that writes.
func TestPolicyIsReadOnlyJSON(t *testing.T) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(Policy()), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("effect %q", s.Effect)
		}
		for _, a := range s.Action {
			n++
			op := a[strings.IndexByte(a, ':')+1:]
			for _, w := range []string{"Put", "Create", "Delete", "Update", "Tag", "Invoke"} {
				if strings.HasPrefix(op, w) {
					t.Errorf("action %s writes", a)
				}
			}
		}
	}
	if n != len(Actions) {
		t.Errorf("policy lists %d actions, want %d", n, len(Actions))
	}
}
