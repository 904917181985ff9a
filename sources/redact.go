package sources

import (
	"github.com/fntop/fntop/model"
	"github.com/fntop/fntop/model/textsafe"
)

// CleanStatus wraps sink so that the source status events passing through
// it hold none of secrets: their errors and details quote what an
// endpoint (or a proxy) answered, which may echo credentials.
func CleanStatus(sink model.Sink, secrets *textsafe.Secrets) model.Sink {
	return cleanSink{sink, secrets}
}

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
