//go:build unix

package hub

import "syscall"

// freeBytes is the space available to this user on dir's file system, or
// -1 when it cannot be read.
func freeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
