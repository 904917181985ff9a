package prometheus

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/config"

	"github.com/fntop/fntop/model"
)

// echoAll answers every request with status code and a body that
// quotes the request's credentials every way a careless endpoint or
// proxy might: the Authorization header, the decoded basic auth pair,
// all headers, the URL.
func echoAll(code int, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		echo := fmt.Sprintf("rejected Authorization: %s (user %s, password %s) headers %v at %s", r.Header.Get("Authorization"), u, p, r.Header, r.URL.String())
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		if contentType == "application/json" {
			fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, echo)
			return
		}
		fmt.Fprint(w, echo)
	}
}

// TestSecretsNeverShownEitherMode: in scrape and in query mode, with a
// bearer token file, a basic auth password file or a password in the
// URL's user info, against endpoints that fail with 400, 401, 403 and
// 500 and echo the credentials, no secret (nor basic auth's base64 form)
// appears in the returned error or in any status; the failure is told.
func TestSecretsNeverShownEitherMode(t *testing.T) {
	const pass, token = "hunter2-very-secret", "bearer-token-xyz-987"
	basic := base64.StdEncoding.EncodeToString([]byte("fntop:" + pass))
	for _, mode := range []Mode{ModeScrape, ModeQuery} {
		for _, fault := range []struct {
			code int
			ct   string
		}{{400, "application/json"}, {401, "text/plain"}, {403, "text/plain"}, {500, "text/plain"}, {503, "application/json"}} {
			srv := httptest.NewServer(echoAll(fault.code, fault.ct))
			for _, auth := range []struct {
				name string
				url  string
				http config.HTTPClientConfig
			}{
				{"basic auth file", srv.URL, config.HTTPClientConfig{BasicAuth: &config.BasicAuth{Username: "fntop", PasswordFile: qryWriteFile(t, "p", pass+"\n")}}},
				{"bearer file", srv.URL, config.HTTPClientConfig{Authorization: &config.Authorization{Type: "Bearer", CredentialsFile: qryWriteFile(t, "t", token)}}},
				{"URL user info", strings.Replace(srv.URL, "http://", "http://fntop:"+pass+"@", 1) + "/metrics?x=1", config.HTTPClientConfig{}},
			} {
				t.Run(fmt.Sprintf("%s/%d/%s", mode, fault.code, auth.name), func(t *testing.T) {
					src, err := New(Options{URL: auth.url, Mode: mode, Preset: Presets["openfaas"], Backfill: time.Minute,
						Interval: 20 * time.Millisecond, Observe: 50 * time.Millisecond, Timeout: time.Second, HTTP: auth.http, Clock: time.Now})
					if err != nil {
						t.Fatal(err)
					}
					rec := &qrySink{}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					err = src.Backfill(ctx, rec)
					if err == nil {
						t.Fatal("no error")
					}
					texts := []string{err.Error()}
					for _, e := range rec.kind(model.KindStatus) {
						texts = append(texts, e.Status.LastError, e.Status.Detail, e.Status.Name)
					}
					all := strings.Join(texts, "\n")
					for _, sec := range []string{pass, token, basic} {
						if strings.Contains(all, sec) {
							t.Errorf("secret %q shown:\n%s", sec, all)
						}
					}
					if !strings.Contains(all, fmt.Sprint(fault.code)) && !strings.Contains(all, "rejected") {
						t.Errorf("the failure is not told:\n%s", all)
					}
				})
			}
			srv.Close()
		}
	}
}

// TestBadURLHidesItsPassword: a URL fntop cannot use is quoted in the
// error without its password.
func TestBadURLHidesItsPassword(t *testing.T) {
	for _, u := range []string{"ftp://fntop:hunter2-very-secret@host/", "http://fntop:hunter2-very-secret@", "http://fntop:hunter2-very-secret@host:bad/"} {
		_, err := New(Options{URL: u})
		if err == nil {
			t.Fatalf("%s: no error", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
