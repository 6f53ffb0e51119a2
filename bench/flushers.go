package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// KillFlushers ends every detached `ct flush` whose environment holds
// XDG_STATE_HOME=state. A ct wrap whose hub is unreachable keeps its
// output's tail and leaves a flush delivering it for 15 minutes (flush.go);
// a benchmark that runs such wraps (BenchmarkWrapOverhead's "no hub" runs)
// must not leave them polling on the cores its later runs measure. It
// returns how many it ended; where /proc is missing it finds none.
func KillFlushers(state string) int {
	want := []byte("XDG_STATE_HOME=" + state + "\x00")
	procs, _ := filepath.Glob("/proc/[0-9]*")
	n := 0
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(p))
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err != nil {
			continue
		}
		args := bytes.Split(cmdline, []byte{0})
		if len(args) < 2 || string(args[1]) != "flush" {
			continue
		}
		env, err := os.ReadFile(filepath.Join(p, "environ"))
		if err != nil || !bytes.Contains(append(env, 0), want) {
			continue
		}
		if proc, err := os.FindProcess(pid); err == nil && proc.Kill() == nil {
			n++
		}
	}
	return n
}
