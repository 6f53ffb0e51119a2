//go:build !unix

package hub

// freeBytes cannot read free space on this platform: the floor is off
// (-1: unknown), the byte quotas still hold.
func freeBytes(string) int64 { return -1 }
