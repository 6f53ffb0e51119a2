package platform

import "errors"

// ErrLocked says another process holds the lock TryLock asked for.
var ErrLocked = errors.New("the file is locked by another process")
