//go:build windows

package nodeagent

import "os"

// fileUID: Windows has no uids; the directory's ACL (platform.RestrictDir)
// is the guard there.
func fileUID(os.FileInfo) (int, bool) { return 0, false }
