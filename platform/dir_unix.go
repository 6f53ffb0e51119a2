//go:build unix

package platform

import (
	"os"
	"syscall"
)

// RestrictDir makes dir reachable by this user only. On Unix the callers'
// own mode bits (0700, checked owner) already do that, so it does nothing.
func RestrictDir(dir string) error { return nil }

// OwnedByOther reports whether fi (from os.Stat) belongs to another user.
func OwnedByOther(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) != os.Getuid()
}
