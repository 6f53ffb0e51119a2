package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ct-dev/ct/screen"
)

// BenchmarkScreenFeed is the in-process equivalent of the hub's screen
// worker during a flood: the benchmark file's bytes (as they leave a PTY)
// written to one 80×24 screen in 64 KB frames, the wrap's frame size. It is
// the part of the hub that perf shows dominating BenchmarkHubThroughput, and
// is here so it can be profiled without perf:
//
//	go test ./bench -run '^$' -bench ScreenFeed -cpuprofile /tmp/screen.prof
//	go tool pprof -top /tmp/screen.prof
func BenchmarkScreenFeed(b *testing.B) {
	path := filepath.Join(b.TempDir(), "feed")
	f, err := WriteDataFile(path, 8<<20, 1)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(f.Path)
	if err != nil {
		b.Fatal(err)
	}
	var out []byte
	for _, c := range raw {
		if c == '\n' {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		b.Run(fmt.Sprintf("screen=%dx%d", size[0], size[1]), func(b *testing.B) {
			s := screen.New(size[0], size[1])
			defer s.Close()
			b.SetBytes(int64(len(out)))
			b.ResetTimer()
			for range b.N {
				for p := out; len(p) > 0; {
					n := min(len(p), 64<<10)
					s.Write(p[:n])
					p = p[n:]
				}
			}
		})
	}
}
