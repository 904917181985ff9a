// Package faultproxy is a test helper: a TCP proxy on 127.0.0.1 in front of
// one HTTP server, which a test switches between passing traffic through
// and failing in the ways networks fail: nothing listening (connection
// refused), connections reset, answers that never come, bodies cut short,
// and canned answers (5xx, 429, malformed bodies) the server never gave.
//
//	p := faultproxy.New(t, srv.Listener.Addr().String())
//	src := ... p.URL() ...
//	p.Set(faultproxy.Refuse) // down
//	p.Set(faultproxy.Pass)   // back, on the same port
//
// Every Set closes the connections open at that moment, so a client's
// kept-alive connections see the change too, and a hanging request is
// released. Passing traffic is relayed byte for byte (streams included);
// the other modes read one HTTP request per connection and answer (or not)
// themselves.
package faultproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Mode is how the proxy treats new connections.
type Mode int

// Modes.
const (
	// Pass relays bytes both ways.
	Pass Mode = iota
	// Refuse closes the listening socket: connecting is refused. The port
	// is kept; another Set listens on it again.
	Refuse
	// Reset accepts, reads the request and resets the connection (RST)
	// without an answer.
	Reset
	// ResetMid forwards the request, sends the answer's header and half
	// its body, then resets the connection.
	ResetMid
	// Truncate forwards the request, sends the answer's header (with the
	// full Content-Length) and half its body, then closes the connection
	// cleanly: the client reads an unexpected EOF.
	Truncate
	// Hang accepts and reads the request and never answers, until the
	// next Set or Close.
	Hang
	// Canned answers every request with the response given to SetCanned,
	// without asking the server.
	Canned
)

func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Refuse:
		return "refuse"
	case Reset:
		return "reset"
	case ResetMid:
		return "reset-mid"
	case Truncate:
		return "truncate"
	case Hang:
		return "hang"
	case Canned:
		return "canned"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Proxy is the proxy. Its methods are safe for concurrent use.
type Proxy struct {
	upstream string
	addr     string

	mu       sync.Mutex
	ln       net.Listener
	mode     Mode
	canned   cannedResponse
	conns    map[net.Conn]struct{}
	accepted int
	requests map[Mode]int
	closed   bool
	wg       sync.WaitGroup
}

type cannedResponse struct {
	status int
	header http.Header
	body   []byte
}

// New starts a proxy to upstream (host:port) on a free port of 127.0.0.1
// and closes it when the test ends.
func New(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: listen: %v", err)
	}
	p := &Proxy{upstream: upstream, addr: ln.Addr().String(), ln: ln,
		conns: map[net.Conn]struct{}{}, requests: map[Mode]int{}}
	p.serve(ln)
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port; URL is "http://" + Addr.
func (p *Proxy) Addr() string { return p.addr }

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return "http://" + p.addr }

// Set switches the mode and closes every open connection.
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.mode = m
	var ln net.Listener
	switch {
	case m == Refuse && p.ln != nil:
		_ = p.ln.Close()
		p.ln = nil
	case m != Refuse && p.ln == nil:
		// Listen on the same port again (Go sets SO_REUSEADDR).
		var err error
		for range 50 {
			if ln, err = net.Listen("tcp", p.addr); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			p.mu.Unlock()
			panic(fmt.Sprintf("faultproxy: listen again on %s: %v", p.addr, err))
		}
		p.ln = ln
	}
	p.closeConnsLocked()
	p.mu.Unlock()
	if ln != nil {
		p.serve(ln)
	}
}

// SetCanned switches to Canned with this answer; a Content-Length is
// added.
func (p *Proxy) SetCanned(status int, header http.Header, body string) {
	p.mu.Lock()
	p.canned = cannedResponse{status: status, header: header.Clone(), body: []byte(body)}
	p.mu.Unlock()
	p.Set(Canned)
}

// Mode is the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Accepted counts the connections accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Requests counts the requests a fault mode (not Pass, which relays bytes
// and sees no requests) has treated.
func (p *Proxy) Requests(m Mode) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[m]
}

// Close stops the proxy, closes every connection and waits for its
// goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		if p.ln != nil {
			_ = p.ln.Close()
			p.ln = nil
		}
		p.closeConnsLocked()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) closeConnsLocked() {
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// track registers c; it reports false (and closes c) when the proxy is
// closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed: Refuse or Close
			}
			p.mu.Lock()
			p.accepted++
			mode, canned := p.mode, p.canned
			p.mu.Unlock()
			if !p.track(c) {
				continue
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer p.untrack(c)
				p.handle(c, mode, canned)
			}()
		}
	}()
}

func (p *Proxy) count(m Mode) {
	p.mu.Lock()
	p.requests[m]++
	p.mu.Unlock()
}

func (p *Proxy) handle(c net.Conn, mode Mode, canned cannedResponse) {
	if mode == Pass {
		p.relay(c)
		return
	}
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	body, _ := io.ReadAll(req.Body)
	_ = req.Body.Close()
	p.count(mode)
	switch mode {
	case Reset:
		reset(c)
	case Hang:
		// Wait for the client to give up, or for Set or Close to close
		// the connection.
		_, _ = io.Copy(io.Discard, c)
	case Canned:
		resp := &http.Response{StatusCode: canned.status, ProtoMajor: 1, ProtoMinor: 1,
			Header: canned.header.Clone(), ContentLength: int64(len(canned.body)),
			Body: io.NopCloser(bytes.NewReader(canned.body)), Close: true}
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		_ = resp.Write(c)
	case ResetMid, Truncate:
		head, half, ok := p.fetchHalf(req, body)
		if !ok {
			reset(c)
			return
		}
		_, _ = c.Write(head)
		_, _ = c.Write(half)
		if mode == ResetMid {
			reset(c)
		}
	}
}

// fetchHalf asks the upstream server and returns the answer's header (as
// sent, with its full Content-Length) and the first half of its body.
func (p *Proxy) fetchHalf(req *http.Request, body []byte) (head, half []byte, ok bool) {
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		return nil, nil, false
	}
	defer up.Close() //nolint:errcheck // the half response is already read or lost
	if !p.track(up) {
		return nil, nil, false
	}
	defer p.untrack(up)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Close = true
	if err := req.Write(up); err != nil {
		return nil, nil, false
	}
	resp, err := http.ReadResponse(bufio.NewReader(up), req)
	if err != nil {
		return nil, nil, false
	}
	full, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, nil, false
	}
	resp.Header.Del("Transfer-Encoding")
	resp.TransferEncoding = nil
	resp.Header.Set("Content-Length", strconv.Itoa(len(full)))
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\n", resp.Status)
	_ = resp.Header.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes(), full[:len(full)/2], true
}

// relay copies bytes both ways until either side closes.
func (p *Proxy) relay(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		reset(c)
		return
	}
	if !p.track(up) {
		return
	}
	defer p.untrack(up)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(up, c)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	_, _ = io.Copy(c, up)
	_ = c.Close()
	<-done
}

// reset closes c with a TCP RST.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
