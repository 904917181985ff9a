package prometheus

import (
	"github.com/fntop/fntop/model"
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

// cleanSink removes the credentials from the status events it passes on.
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
