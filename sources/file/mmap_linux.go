package file

import "syscall"

// mapPopulate has the kernel map every page at once, rather than on the
// first read of each.
const mapPopulate = syscall.MAP_POPULATE
