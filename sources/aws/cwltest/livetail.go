package cwltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go/eventstream"
)

type startLiveTailIn struct {
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogStreamNames        []string `json:"logStreamNames"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes"`
	LogEventFilterPattern *string  `json:"logEventFilterPattern"`
}

type liveTailResult struct {
	IngestionTime      int64  `json:"ingestionTime"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	Message            string `json:"message"`
	Timestamp          int64  `json:"timestamp"`
}

// startLiveTail answers with the event stream itself: initial-response,
// sessionStart, sessionUpdate every interval, SessionTimeoutException at
// the end. The session ends early when the client goes or the server
// closes.
func (s *Server) startLiveTail(w http.ResponseWriter, r *http.Request, body []byte) (any, *APIError) {
	var in startLiveTailIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if n := len(in.LogGroupIdentifiers); n == 0 || n > 10 {
		return nil, invalid("between 1 and 10 logGroupIdentifiers are required, got %d", n)
	}
	if (len(in.LogStreamNames) > 0 || len(in.LogStreamNamePrefixes) > 0) && len(in.LogGroupIdentifiers) != 1 {
		return nil, invalid("logStreamNames and logStreamNamePrefixes need exactly one log group")
	}
	if len(in.LogStreamNames) > 0 && len(in.LogStreamNamePrefixes) > 0 {
		return nil, invalid("logStreamNames and logStreamNamePrefixes are mutually exclusive")
	}
	pat, perr := parsePattern(deref(in.LogEventFilterPattern))
	if perr != nil {
		return nil, perr
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return nil, &APIError{http.StatusInternalServerError, "InternalFailure", "streaming unsupported"}
	}

	s.mu.Lock()
	byName := map[string]string{} // group name -> identifier as asked
	for _, id := range in.LogGroupIdentifiers {
		if strings.HasSuffix(id, "*") {
			s.mu.Unlock()
			return nil, invalid("logGroupIdentifiers must not end with *: %s", id)
		}
		g := s.groupByIdentifierLocked(id)
		if g == nil {
			s.mu.Unlock()
			return nil, notFound(id)
		}
		byName[g.Name] = id
	}
	cursor := len(s.log) // events put from now on
	s.qseq++
	sessionID := fmt.Sprintf("%08x-1a11-4000-8000-%012x", s.qseq, s.now().UnixMilli())
	s.mu.Unlock()

	streams := map[string]bool{}
	for _, n := range in.LogStreamNames {
		streams[n] = true
	}
	matches := func(e *StoredEvent) bool {
		if _, ok := byName[e.Group]; !ok {
			return false
		}
		if len(streams) > 0 && !streams[e.Stream] {
			return false
		}
		if len(in.LogStreamNamePrefixes) > 0 {
			hit := false
			for _, p := range in.LogStreamNamePrefixes {
				hit = hit || strings.HasPrefix(e.Stream, p)
			}
			if !hit {
				return false
			}
		}
		return pat.match(e.Message)
	}

	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", sessionID)
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder()
	send := func(msgType, value string, payload any) error {
		b, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		var m eventstream.Message
		m.Headers.Set(eventstream.MessageTypeHeader, eventstream.StringValue(msgType))
		if msgType == eventstream.ExceptionMessageType {
			m.Headers.Set(eventstream.ExceptionTypeHeader, eventstream.StringValue(value))
		} else {
			m.Headers.Set(eventstream.EventTypeHeader, eventstream.StringValue(value))
		}
		m.Headers.Set(eventstream.ContentTypeHeader, eventstream.StringValue("application/json"))
		m.Payload = b
		if err := enc.Encode(w, m); err != nil {
			return err
		}
		flusher.Flush()
		return nil
	}
	if send(eventstream.EventMessageType, "initial-response", struct{}{}) != nil {
		return nil, nil
	}
	start := map[string]any{
		"requestId": sessionID, "sessionId": sessionID,
		"logGroupIdentifiers":   in.LogGroupIdentifiers,
		"logStreamNames":        nonNil(in.LogStreamNames),
		"logStreamNamePrefixes": nonNil(in.LogStreamNamePrefixes),
		"logEventFilterPattern": deref(in.LogEventFilterPattern),
	}
	if send(eventstream.EventMessageType, "sessionStart", start) != nil {
		return nil, nil
	}

	tick := time.NewTicker(s.opts.liveTailInterval)
	defer tick.Stop()
	timeout := time.NewTimer(s.opts.liveTailTimeout)
	defer timeout.Stop()
	var pending []*StoredEvent // matching events not yet ingested
	for {
		select {
		case <-r.Context().Done():
			return nil, nil
		case <-s.done:
			return nil, nil
		case <-timeout.C:
			_ = send(eventstream.ExceptionMessageType, "SessionTimeoutException",
				map[string]string{"message": "Session timed out"})
			return nil, nil
		case <-tick.C:
		}
		s.mu.Lock()
		nowMs := s.now().UnixMilli()
		for _, e := range s.log[cursor:] {
			if matches(e) {
				pending = append(pending, e)
			}
		}
		cursor = len(s.log)
		var ready []liveTailResult
		kept := pending[:0]
		for _, e := range pending {
			if !s.visible(e, nowMs) {
				kept = append(kept, e)
				continue
			}
			ready = append(ready, liveTailResult{e.IngestionTime, byName[e.Group], e.Stream, e.Message, e.Timestamp})
		}
		pending = kept
		s.mu.Unlock()
		sampled := false
		if limit := s.opts.liveTailMaxEvents; limit > 0 && len(ready) > limit {
			sampled = true
			picked := make([]liveTailResult, 0, limit)
			for i := range limit {
				picked = append(picked, ready[i*len(ready)/limit])
			}
			ready = picked
		}
		update := map[string]any{
			"sessionMetadata": map[string]bool{"sampled": sampled},
			"sessionResults":  nonNil(ready),
		}
		if send(eventstream.EventMessageType, "sessionUpdate", update) != nil {
			return nil, nil
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
