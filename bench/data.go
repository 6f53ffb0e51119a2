// Package bench holds ct's benchmarks (issue 2): wrap overhead against a bare
// PTY, hub throughput, keystroke latency and a many-session load. They run
// only when asked (go test -bench, or go run ./bench/cmd/ctload); BENCHMARKS.md
// has the commands and the figures. This file and its siblings are the
// helpers they share: test data, statistics, a minimal SSE reader and
// /proc sampling. Nothing here is imported by the product.
package bench

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"strings"
)

// DataFile describes a generated benchmark input.
type DataFile struct {
	Path     string
	Size     int64  // bytes in the file
	PTYSize  int64  // bytes after PTY output translation (\n -> \r\n)
	PTYHash  string // hex sha256 of the translated bytes
	LastLine string // the file's last line, plain text, unique in the file
}

// words give the lines a realistic mix of lengths and letters.
var words = strings.Fields(`the quick brown fox jumps over lazy dog func return error nil
struct package import main value index count buffer stream session screen output input
hub wrap terminal cursor colour bold build test pass fail ok done running waiting 0 1 2 42 1024`)

// colours are SGR sequences of the kinds programs emit: 16, 256 and true
// colour, bold, underline, inverse.
var colours = []string{
	"\x1b[31m", "\x1b[32m", "\x1b[1;33m", "\x1b[34;47m", "\x1b[4m", "\x1b[7m",
	"\x1b[38;5;208m", "\x1b[48;5;22m", "\x1b[38;2;200;120;40m", "\x1b[1m",
}

// WriteDataFile writes about size bytes of mixed printable lines, roughly one
// in six coloured, ending with a unique plain last line. The same seed gives
// the same file. Lines stay under 80 columns so a screen shows them whole.
func WriteDataFile(path string, size int64, seed uint64) (DataFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return DataFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	pw := &ptyCounter{h: h}
	bw := bufio.NewWriterSize(io.MultiWriter(f, pw), 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	last := fmt.Sprintf("END-OF-BENCH-FILE size=%d seed=%d", size, seed)
	var n int64
	var line []byte
	for n < size-int64(len(last))-1 {
		line = line[:0]
		coloured := r.IntN(6) == 0
		if coloured {
			line = append(line, colours[r.IntN(len(colours))]...)
		}
		width, want := 0, r.IntN(78)
		for width < want {
			w := words[r.IntN(len(words))]
			if width+len(w)+1 > 78 {
				break
			}
			line = append(line, w...)
			line = append(line, ' ')
			width += len(w) + 1
		}
		if coloured {
			line = append(line, "\x1b[0m"...)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return DataFile{}, err
		}
		n += int64(len(line))
	}
	if _, err := bw.WriteString(last + "\n"); err != nil {
		return DataFile{}, err
	}
	n += int64(len(last)) + 1
	if err := bw.Flush(); err != nil {
		return DataFile{}, err
	}
	if err := f.Close(); err != nil {
		return DataFile{}, err
	}
	return DataFile{Path: path, Size: n, PTYSize: pw.n, PTYHash: hex.EncodeToString(h.Sum(nil)), LastLine: last}, nil
}

// ptyCounter hashes and counts what a PTY makes of the bytes written to it
// with default settings (onlcr: each \n leaves as \r\n).
type ptyCounter struct {
	h   hash.Hash
	n   int64
	buf []byte
}

func (p *ptyCounter) Write(b []byte) (int, error) {
	p.buf = p.buf[:0]
	for _, c := range b {
		if c == '\n' {
			p.buf = append(p.buf, '\r')
		}
		p.buf = append(p.buf, c)
	}
	p.h.Write(p.buf)
	p.n += int64(len(p.buf))
	return len(b), nil
}

// HashReader returns the length and hex sha256 of everything r yields.
func HashReader(r io.Reader) (int64, string, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, hex.EncodeToString(h.Sum(nil)), err
}
