package cwltest

import (
	"path/filepath"
	"testing"
)

// IsolateEnv points the AWS SDK's default configuration at nothing but the
// test: no shared config or credentials files, no profile, no instance or
// container metadata, no endpoint override, region DefaultRegion, and (with
// keys) static test keys in the environment. It uses t.Setenv, so the test
// must not be parallel.
func IsolateEnv(t testing.TB, keys bool) {
	t.Helper()
	dir := t.TempDir()
	set := t.Setenv
	set("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	set("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	set("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_LAMBDA", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_SESSION_TOKEN"} {
		set(k, "")
	}
	set("AWS_REGION", DefaultRegion)
	if keys {
		set("AWS_ACCESS_KEY_ID", "AKIDCWLTEST")
		set("AWS_SECRET_ACCESS_KEY", "cwltest-secret")
	} else {
		set("AWS_ACCESS_KEY_ID", "")
		set("AWS_SECRET_ACCESS_KEY", "")
	}
}
