//go:build unix

package platform

import (
	"os"
	"syscall"
)

// Lock takes an exclusive advisory lock on f, waiting for it. The lock
// lives as long as f is open: a crashed holder frees it.
func Lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

// TryLock takes an exclusive advisory lock on f, or returns ErrLocked at
// once when another process holds it.
func TryLock(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return ErrLocked
	}
	return nil
}

// Unlock releases a lock taken by Lock or TryLock.
func Unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
