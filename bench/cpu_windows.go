//go:build windows

package bench

import "time"

// SelfCPU is 0 on Windows: the benchmarks measure CPU on Linux only.
func SelfCPU() time.Duration { return 0 }
