//go:build unix

package handlers

import "syscall"

// smallReceiveBuffer makes a test socket's receive buffer tiny, so a client
// that does not read stalls its server within a few KiB.
func smallReceiveBuffer(fd uintptr) {
	_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
}
