//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"os"
	"syscall"
)

// mapFile maps n bytes of f from off (a multiple of the page size) for
// reading.
func mapFile(f *os.File, off int64, n int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), off, n, syscall.PROT_READ, syscall.MAP_SHARED|mapPopulate)
}

func unmapFile(b []byte) { syscall.Munmap(b) } //nolint:errcheck // nothing to do about it
