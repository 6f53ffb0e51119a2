package bench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The benchmarks' helpers are checked by ordinary tests (fast, no processes),
// so a wrong expectation cannot make a benchmark pass or fail falsely.

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, c := range []struct{ p, want float64 }{{50, 5}, {90, 9}, {99, 10}, {100, 10}, {0, 1}} {
		if got := Percentile(xs, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if s := Summarise([]float64{3, 1, 2, 10}); s.Median != 2.5 || s.Min != 1 || s.Max != 10 {
		t.Errorf("Summarise = %+v", s)
	}
}

func TestReadEvents(t *testing.T) {
	stream := ": ping\n\nid: 7\nevent: screen\ndata: <div>a\ndata: b</div>\n\ndata: x\r\n\r\n"
	var got []Event
	err := ReadEvents(strings.NewReader(stream), func(e Event) bool { got = append(got, e); return true })
	if err == nil || len(got) != 2 {
		t.Fatalf("got %d events, err %v; want 2 and EOF", len(got), err)
	}
	if got[0].ID != "7" || got[0].Name != "screen" || string(got[0].Data) != "<div>a\nb</div>" {
		t.Errorf("first event %+v", got[0])
	}
	if string(got[1].Data) != "x" {
		t.Errorf("second event data %q", got[1].Data)
	}
}

func TestWriteDataFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := WriteDataFile(path, 200<<10, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != f.Size || f.Size < 200<<10 || f.Size > 200<<10+100 {
		t.Fatalf("file has %d bytes, DataFile says %d, asked for %d", len(b), f.Size, 200<<10)
	}
	pty := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
	sum := sha256.Sum256(pty)
	if int64(len(pty)) != f.PTYSize || hex.EncodeToString(sum[:]) != f.PTYHash {
		t.Fatalf("PTY expectation %d %s, want %d %x", f.PTYSize, f.PTYHash, len(pty), sum)
	}
	if !bytes.HasSuffix(b, []byte(f.LastLine+"\n")) || bytes.Count(b, []byte(f.LastLine)) != 1 {
		t.Fatalf("last line %q is not unique at the end", f.LastLine)
	}
	if !bytes.Contains(b, []byte("\x1b[")) {
		t.Fatal("no ANSI colour codes in the file")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if plain := stripSGR(line); len(plain) >= 80 {
			t.Fatalf("line wider than 79 columns: %q", plain)
		}
	}
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
