package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
)

// recordingProvider remembers every set of credentials the SDK retrieves
// (refreshed session tokens included), so that the source can remove
// them from what it shows.
type recordingProvider struct {
	inner   aws.CredentialsProvider
	secrets *textsafe.Secrets
}

func (p recordingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.inner.Retrieve(ctx)
	if err == nil {
		p.secrets.Add(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	return c, err
}

// cleanSink removes the credentials from the status events it passes
// on: their errors and details quote what AWS (or a proxy) answered.
type cleanSink struct {
	model.Sink
	secrets *textsafe.Secrets
}

func (s cleanSink) Ingest(events ...model.Event) {
	first := -1
	for i := range events {
		if events[i].Kind == model.KindStatus {
			first = i
			break
		}
	}
	if first < 0 {
		s.Sink.Ingest(events...)
		return
	}
	out := append([]model.Event(nil), events...)
	for i := first; i < len(out); i++ {
		if st := &out[i].Status; out[i].Kind == model.KindStatus {
			st.LastError, st.Detail = s.secrets.Clean(st.LastError), s.secrets.Clean(st.Detail)
		}
	}
	s.Sink.Ingest(out...)
}
