//go:build windows

package e2e

import "syscall"

// controllingTTY: Windows has no controlling terminals (the e2e suite runs
// on Linux and macOS; this keeps it compiling for go vet).
func controllingTTY() *syscall.SysProcAttr { return nil }

// sigStop and sigCont: Windows has neither; the numbers are Linux's, only
// so the suite compiles for go vet.
const sigStop, sigCont = syscall.Signal(19), syscall.Signal(18)
