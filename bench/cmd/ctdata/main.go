// Command ctdata writes the benchmarks' generated output file (mixed
// printable lines with ANSI colours, the same bytes for the same seed) so a
// run can be repeated by hand, e.g. under perf:
//
//	go run ./bench/cmd/ctdata -size 104857600 /tmp/out.txt
//	ct wrap --hub http://127.0.0.1:7200 -- cat /tmp/out.txt > /dev/null
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ct-dev/ct/bench"
)

func main() {
	size := flag.Int64("size", 100<<20, "bytes to write")
	seed := flag.Uint64("seed", 1, "generator seed")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ctdata [-size BYTES] [-seed N] FILE")
		os.Exit(2)
	}
	f, err := bench.WriteDataFile(flag.Arg(0), *size, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctdata:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes; after a PTY %d bytes, sha256 %s; last line %q\n", f.Path, f.Size, f.PTYSize, f.PTYHash, f.LastLine)
}
