package prometheus

import (
	"github.com/fntop/fntop/model/textsafe"
)

// secrets are the source's credentials (the URL's password, the
// contents of the secret files, basic auth's header form; see
// newRedactor), read when a run starts, to be removed with whatever has
// the shape of a credential from every status and error the source gives
// out, in scrape and query mode alike: an exporter, an API or a proxy may
// echo a request's headers in its answer.
func (s *Source) secrets() *textsafe.Secrets {
	sec := &textsafe.Secrets{}
	sec.Add(newRedactor(&s.opts.HTTP, s.base.User).secrets...)
	return sec
}
