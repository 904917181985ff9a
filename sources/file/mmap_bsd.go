//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package file

const mapPopulate = 0
