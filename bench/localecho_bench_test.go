//go:build linux

package bench

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// BenchmarkLocalEcho measures a keystroke typed at the workstation's own
// terminal until its echo is back on that terminal, through `ct wrap -- cat`
// (hub unreachable: the local path alone) and through `script -qfc cat`, the
// same relay without ct, back to back and with gaps of 5-120 ms. The test
// plays the terminal: it holds the master of the PTY both run on.
func BenchmarkLocalEcho(b *testing.B) {
	n := *flagKeys
	runs := []struct {
		name string
		args []string
	}{
		{"script", []string{"script", "-qfc", "cat", "/dev/null"}},
		{"wrap", []string{ctBinary(b), "wrap", "--hub", closedURL(b), "--name", "localecho", "--", "cat"}},
	}
	for _, r := range runs {
		for _, gaps := range [][2]int{{0, 0}, {5, 120}} {
			lat := localEcho(b, r.args, n, gaps[0], gaps[1])
			name := r.name + "-p50-us"
			if gaps[1] > 0 {
				name = r.name + "-gaps-p50-us"
			}
			say("%-6s gaps %3d-%-3d ms: p50 %6.0f µs  p90 %6.0f  p99 %6.0f (%d keys)", r.name, gaps[0], gaps[1],
				1000*Percentile(lat, 50), 1000*Percentile(lat, 90), 1000*Percentile(lat, 99), len(lat))
			b.ReportMetric(1000*Percentile(lat, 50), name)
		}
	}
	KillFlushers(os.Getenv("XDG_STATE_HOME"))
}

// localEcho runs args on a fresh PTY and types n keys into it, each once
// the last one's echo came back, returning each key's echo time in ms.
func localEcho(b *testing.B, args []string, n, gapLo, gapHi int) []float64 {
	cmd := exec.Command(args[0], args[1:]...)
	m0, err := pty.Start(cmd)
	if err != nil {
		b.Fatal(err)
	}
	// pty.Start leaves the master blocking; a non-blocking copy takes read
	// deadlines (the settle loop below).
	fd, err := syscall.Dup(int(m0.Fd()))
	if err == nil {
		err = syscall.SetNonblock(fd, true)
	}
	if err != nil {
		b.Fatal(err)
	}
	m := os.NewFile(uintptr(fd), "ptmx")
	_ = m0.Close()
	defer func() { _ = m.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	buf := make([]byte, 4096)
	_ = m.SetReadDeadline(time.Now().Add(1500 * time.Millisecond)) // startup output (ct's "hub unreachable")
	for err == nil {
		_, err = m.Read(buf)
	}
	var lat []float64
	g := newGapper(gapLo, gapHi)
	for k := range n {
		g.wait()
		c := byte('a' + k%26)
		t0 := time.Now()
		if _, err := m.Write([]byte{c}); err != nil {
			b.Fatal(err)
		}
		_ = m.SetReadDeadline(time.Now().Add(5 * time.Second))
		for seen := false; !seen; {
			nr, err := m.Read(buf)
			if err != nil {
				b.Fatalf("%s: no echo of key %d: %v", args[0], k, err)
			}
			for _, x := range buf[:nr] {
				seen = seen || x == c
			}
		}
		lat = append(lat, Ms(time.Since(t0)))
		if k%26 == 25 {
			_, _ = m.Write([]byte{0x15}) // Ctrl-U: keep cat's line short
		}
	}
	return lat
}
