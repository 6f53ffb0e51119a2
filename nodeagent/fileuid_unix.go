//go:build unix

package nodeagent

import (
	"os"
	"syscall"
)

// fileUID is the owner of a file, where the system says.
func fileUID(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
