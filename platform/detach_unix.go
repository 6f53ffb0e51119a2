//go:build unix

package platform

import (
	"os/exec"
	"syscall"
)

// Detach makes cmd run in its own session: Ctrl-C at the shell and the
// terminal closing do not reach it.
func Detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
