package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// errorCode returns the API error code of err ("" when it is not an API
// error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isThrottle reports whether err asks the caller to slow down.
func isThrottle(err error) bool {
	switch errorCode(err) {
	case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown":
		return true
	}
	return httpStatus(err) == 429
}

// isDenied reports whether err is a permission refusal.
func isDenied(err error) bool {
	switch errorCode(err) {
	case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AccessDeniedFault":
		return true
	}
	// A 403 without a code may as well be refused credentials: not a
	// permission to give up on.
	return false
}

// isCredential reports whether the service refused the credentials
// themselves (expired, unknown or badly signed).
func isCredential(err error) bool {
	switch errorCode(err) {
	case "ExpiredTokenException", "ExpiredToken", "UnrecognizedClientException",
		"InvalidClientTokenId", "InvalidSignatureException", "IncompleteSignature",
		"InvalidAccessKeyId", "SignatureDoesNotMatch", "MissingAuthenticationToken":
		return true
	}
	return false
}

// isTransient reports whether err is worth retrying soon: a 5xx, a
// time-out, a broken connection.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if s := httpStatus(err); s >= 500 {
		return true
	}
	switch errorCode(err) {
	case "ServiceUnavailableException", "InternalFailure", "InternalServerError", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "EOF")
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// maxTransientRetries bounds the retries of call for errors other than
// throttling.
const maxTransientRetries = 4

// call makes one API call within budget b, retrying throttling answers
// (which slow the budget) until ctx ends and transient failures a few times
// with backoff. Every attempt takes a token from the budget, so the budget
// counts real requests.
func call(ctx context.Context, b *Budget, fn func(context.Context) error) error {
	transient := 0
	for {
		if err := b.Wait(ctx); err != nil {
			return err
		}
		err := fn(ctx)
		switch {
		case err == nil:
			b.OK()
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case isThrottle(err):
			b.Failed(err)
			b.Throttled()
		case isTransient(err) && transient < maxTransientRetries:
			b.Failed(err)
			transient++
			wait := time.Duration(transient*transient) * 100 * time.Millisecond
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		default:
			return err
		}
	}
}

// CredentialError is a credential problem told the way a user can act on
// it: which profile, what happened, what to run.
type CredentialError struct {
	Profile string
	Problem string
	Fix     string
	Err     error
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("AWS credentials for %s: %s; %s", profileLabel(e.Profile), e.Problem, e.Fix)
}

func (e *CredentialError) Unwrap() error { return e.Err }

func profileLabel(p string) string {
	if p == "" {
		return "the default profile"
	}
	return "profile " + p
}

func loginHint(profile string) string {
	if profile == "" {
		return "aws sso login"
	}
	return "aws sso login --profile " + profile
}

func configureHint(profile string) string {
	if profile == "" {
		return "aws configure"
	}
	return "aws configure --profile " + profile
}

// explainCredentials turns an SDK credential failure into a
// CredentialError; other errors are returned as they are.
func explainCredentials(profile string, err error) error {
	if err == nil {
		return nil
	}
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		return &CredentialError{Profile: profile, Err: err,
			Problem: "the profile is not in ~/.aws/config or ~/.aws/credentials",
			Fix:     "run `" + configureHint(profile) + "` or pick another with --profile"}
	}
	if isCredential(err) {
		return &CredentialError{Profile: profile, Err: err,
			Problem: "AWS refused them (" + errorCode(err) + "): they are expired or invalid",
			Fix:     "run `" + loginHint(profile) + "` or refresh the keys, then start fntop again"}
	}
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "sso") && (strings.Contains(low, "expired") || strings.Contains(low, "token")):
		return &CredentialError{Profile: profile, Err: err,
			Problem: "the SSO session has expired or was never started",
			Fix:     "run `" + loginHint(profile) + "`"}
	case strings.Contains(low, "expired"):
		return &CredentialError{Profile: profile, Err: err,
			Problem: "they have expired",
			Fix:     "run `" + loginHint(profile) + "` or refresh the keys"}
	case strings.Contains(low, "failed to retrieve credentials") || strings.Contains(low, "no ec2 imds role") ||
		strings.Contains(low, "failed to refresh cached credentials") || strings.Contains(low, "anonymous"):
		return &CredentialError{Profile: profile, Err: err,
			Problem: "none were found (environment, shared files, SSO, web identity, instance role)",
			Fix:     "run `" + configureHint(profile) + "` or `" + loginHint(profile) + "`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}
	}
	return err
}

// short shortens an SDK error to its code and message for the status bar.
func short(err error) string {
	if err == nil {
		return ""
	}
	var ce *CredentialError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if m := ae.ErrorMessage(); m != "" {
			return ae.ErrorCode() + ": " + m
		}
		return ae.ErrorCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch s := re.HTTPStatusCode(); {
		case s >= 300:
			return fmt.Sprintf("HTTP %d", s)
		case s != 0 && re.Err != nil:
			// A success status whose body could not be read: say what
			// was wrong with it.
			cause := re.Err.Error()
			var oe *net.OpError
			if errors.As(re.Err, &oe) {
				cause = oe.Err.Error() // without the addresses
			}
			return clip(fmt.Sprintf("bad answer (HTTP %d): %s", s, cause))
		}
	}
	msg := err.Error()
	var oe *net.OpError
	switch i := strings.LastIndex(msg, ": dial tcp"); {
	case i >= 0:
		msg = "cannot connect:" + msg[i+len(": dial tcp"):]
	case errors.As(err, &oe) && oe.Op != "dial":
		// A broken connection: the operation and the cause, not the
		// request's URL and the addresses.
		msg = "connection failed: " + oe.Err.Error()
	case strings.Contains(msg, "timeout awaiting response headers"):
		msg = "no answer: timeout awaiting response headers"
	}
	return clip(msg)
}

// clip bounds a status message.
func clip(msg string) string {
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return msg
}
