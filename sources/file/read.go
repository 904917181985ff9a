package file

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// blockSize is the size of the reads handed from the reader to the splitter.
const blockSize = 256 << 10

// block is one read of input. The splitter reads lines and documents in
// place, and the work it sends to workers points into the block rather
// than copying it, so a block is shared: refs counts its holders (the
// splitter while it reads the block, and each chunk that points into it),
// and the last one to let go returns it to the pool.
type block struct {
	buf  []byte
	refs atomic.Int32
	// mapped says that buf maps the file: it is unmapped, not pooled, when
	// the last hold goes.
	mapped bool
}

// mapBlock is the size of the blocks of a mapped file, and firstMapBlock
// of the first; both are multiples of any page size.
const (
	mapBlock      = 8 << 20
	firstMapBlock = 512 << 10
)

// blockPool recycles blocks.
type blockPool struct{ ch chan *block }

func newBlockPool() *blockPool { return &blockPool{ch: make(chan *block, 32)} }

func (p *blockPool) get() *block {
	select {
	case b := <-p.ch:
		return b
	default:
		return &block{buf: make([]byte, blockSize)}
	}
}

// release drops one hold on b.
func (p *blockPool) release(b *block) {
	if b.refs.Add(-1) == 0 {
		if b.mapped {
			unmapFile(b.buf)
			return
		}
		select {
		case p.ch <- b:
		default:
		}
	}
}

// readMsg is what the reading goroutine sends to the splitter.
type readMsg struct {
	blk *block // a block of input, blk.buf[:n], held once for the splitter
	n   int
	// reset says that the input restarted (the file was truncated or
	// replaced): a partial line or document before it is dropped.
	reset bool
	// err is a read error that the reader retries (when following).
	err error
}

// input is an open file or stream.
type input struct {
	path    string
	file    *os.File    // the file opened from path, closed at the end
	info    os.FileInfo // of file
	regular bool        // file is a regular file: it can be followed
	src     io.Reader   // the file or stream
	br      *bufio.Reader
	r       io.Reader // what blocks are read from: br or a gzip reader over it; nil until setReader
	gzip    bool
	// offset counts the bytes of a plain file handed out, to notice
	// truncation.
	offset int64
	mapped func() // see config
}

var gzipMagic = []byte{0x1f, 0x8b}

// setReader reads from r, decompressing it if it starts with the gzip magic.
// Every member of a multi-member gzip stream is read.
func (in *input) setReader(r io.Reader) error {
	if in.br == nil {
		in.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		in.br.Reset(r)
	}
	in.r, in.gzip = in.br, false
	magic, _ := in.br.Peek(2)
	if bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(in.br)
		if err != nil {
			return err
		}
		in.r, in.gzip = zr, true
	}
	return nil
}

func (in *input) close() {
	if in.file != nil {
		_ = in.file.Close() // opened for reading: nothing to lose
		in.file = nil
	}
}

// read sends the input in blocks until its end (or, when following, until
// ctx ends), then closes the file.
func (in *input) read(ctx context.Context, follow bool, poll time.Duration, out chan<- readMsg, pool *blockPool) error {
	defer in.close()
	if in.r == nil {
		if err := in.setReader(in.src); err != nil {
			return err
		}
	}
	send := func(m readMsg) bool {
		select {
		case out <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	wait := func() bool {
		t := time.NewTimer(poll)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// report sends a read error, once until data flows again.
	lastErr := ""
	report := func(err error) bool {
		if err.Error() == lastErr {
			return true
		}
		lastErr = err.Error()
		return send(readMsg{err: err})
	}
	if !follow && in.regular && !in.gzip && in.file != nil {
		if ok, err := in.readMapped(send); !ok || err != nil {
			return err
		}
	}
	rotated := false // the path names another file: finish this one first
	for {
		b := pool.get()
		b.refs.Store(1)
		n, err := in.r.Read(b.buf)
		if n > 0 {
			if !in.gzip {
				in.offset += int64(n)
			}
			lastErr = ""
			if !send(readMsg{blk: b, n: n}) {
				return nil
			}
		} else {
			pool.release(b)
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			if !follow {
				return nil
			}
		case !follow:
			return err
		default:
			// Report the error, then start over with a fresh open.
			if !report(err) || !wait() {
				return nil
			}
			if err := in.reopen(); err != nil {
				if !report(err) {
					return nil
				}
				continue
			}
			if !send(readMsg{reset: true}) {
				return nil
			}
			continue
		}
		if n > 0 {
			continue // read on until a read returns nothing
		}
		// Following, at the end of the data.
		if rotated {
			rotated = false
			if err := in.reopen(); err != nil {
				if !report(err) || !wait() {
					return nil
				}
				rotated = true // try again
				continue
			}
			if !send(readMsg{reset: true}) {
				return nil
			}
			continue
		}
		if !wait() {
			return nil
		}
		fi, err := os.Stat(in.path)
		switch {
		case err != nil:
			// Gone for now (being rotated): keep the open file.
		case !os.SameFile(fi, in.info):
			rotated = true // drain the old file, then switch
		case fi.Size() < in.offset:
			if _, err := in.file.Seek(0, io.SeekStart); err != nil {
				if !report(err) {
					return nil
				}
				continue
			}
			in.br.Reset(in.file)
			in.offset = 0
			if !send(readMsg{reset: true}) {
				return nil
			}
		}
	}
}

// readMapped sends what a plain file held when it was opened as blocks
// that map it, which nothing copies, and leaves the reader at the end of
// that, for read to go on from (a file that grew since). A file that cannot
// be mapped is left to read whole. It reports false when ctx ended.
func (in *input) readMapped(send func(readMsg) bool) (bool, error) {
	size := in.info.Size()
	var off int64
	for off < size {
		// A small first block gets the work going while the next is
		// mapped.
		n := int(min(mapBlock, size-off))
		if off == 0 {
			n = int(min(firstMapBlock, size))
		}
		buf, err := mapFile(in.file, off, n)
		if err != nil {
			break // read the rest
		}
		if in.mapped != nil {
			in.mapped()
		}
		b := &block{buf: buf, mapped: true}
		b.refs.Store(1)
		if !send(readMsg{blk: b, n: n}) {
			unmapFile(buf)
			return false, nil
		}
		off += int64(n)
	}
	if off == 0 {
		return true, nil
	}
	if _, err := in.file.Seek(off, io.SeekStart); err != nil {
		return true, err
	}
	in.br.Reset(in.file)
	in.r, in.offset = in.br, off
	return true, nil
}

// errShrank is what reading a mapped file that lost data meanwhile (it was
// truncated) gives.
var errShrank = errors.New("the file shrank while it was read")

// catchFault runs f, which reads blocks, and turns a memory fault (a mapped
// file that shrank: see debug.SetPanicOnFault) into errShrank. The caller
// has set SetPanicOnFault.
func catchFault(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				err = errShrank
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// reopen opens the path again, from its start.
func (in *input) reopen() error {
	f, err := os.Open(in.path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close() // opened for reading: nothing to lose
		return err
	}
	in.close()
	in.file, in.info, in.offset = f, fi, 0
	return in.setReader(f)
}
