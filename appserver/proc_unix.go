//go:build !windows

package appserver

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the server in its own process group: Ctrl-C on the PTY
// (SIGINT to the foreground group) interrupts the turn through Run, and
// must not kill the server.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
