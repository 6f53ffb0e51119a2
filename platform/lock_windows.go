//go:build windows

package platform

import (
	"os"

	"golang.org/x/sys/windows"
)

// allBytes locks the whole file: LockFileEx takes a byte range, and the
// range may lie beyond the end of the file.
const allBytes = ^uint32(0)

// Lock takes an exclusive lock on f (LockFileEx), waiting for it. The lock
// lives as long as f is open: a crashed holder frees it.
func Lock(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, allBytes, allBytes, new(windows.Overlapped))
}

// TryLock takes an exclusive lock on f, or returns ErrLocked at once when
// another process holds it.
func TryLock(f *os.File) error {
	flags := uint32(windows.LOCKFILE_EXCLUSIVE_LOCK | windows.LOCKFILE_FAIL_IMMEDIATELY)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, allBytes, allBytes, new(windows.Overlapped)); err != nil {
		return ErrLocked
	}
	return nil
}

// Unlock releases a lock taken by Lock or TryLock.
func Unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, allBytes, allBytes, new(windows.Overlapped))
}
