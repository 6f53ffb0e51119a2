//go:build unix

package e2e

import "syscall"

// controllingTTY gives a process a session of its own with its stdin as
// controlling terminal.
func controllingTTY() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
}

// sigStop and sigCont freeze and thaw a process (a laptop put to sleep).
const sigStop, sigCont = syscall.SIGSTOP, syscall.SIGCONT
