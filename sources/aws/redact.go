package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

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
