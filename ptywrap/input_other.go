//go:build !linux

package ptywrap

import "io"

// localInput is stdin as it is (input_linux.go reopens a terminal for
// Go's poller; not done where it is not tested).
func localInput(stdin io.Reader, _ bool) io.Reader { return stdin }
