//go:build !linux

package ptywrap

import "io"

// localInput is stdin as it is (local_linux.go reopens a terminal for
// Go's poller; not done where it is not tested).
func localInput(stdin io.Reader, _ bool) io.Reader { return stdin }

// localOutput is stdout as it is (local_linux.go gives a terminal or a
// pipe its own non-blocking open file).
func localOutput(stdout io.Writer) (io.Writer, func()) { return stdout, func() {} }
