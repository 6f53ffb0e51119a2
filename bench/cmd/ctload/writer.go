package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// runWriter is the program each wrap runs: from -start (unix ns) for
// -duration it writes fixed-length lines "T<unixnanos> <seq> ...\n" at -rate
// bytes a second, then exits. Every line carries the time it was written so
// viewers can tell how stale the screen they see is.
func runWriter(args []string) error {
	fs := flag.NewFlagSet("writer", flag.ContinueOnError)
	rate := fs.Int("rate", 100_000, "bytes per second")
	dur := fs.Duration("duration", time.Minute, "how long to write")
	lineLen := fs.Int("line", 100, "bytes per line including the newline")
	start := fs.Int64("start", 0, "unix nanoseconds to begin at (0: now)")
	tick := fs.Duration("tick", 20*time.Millisecond, "how often to top the output up to the rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *lineLen < 40 {
		return fmt.Errorf("-line must be at least 40 bytes")
	}
	lines := totalLines(*rate, *dur, *lineLen)
	if *start > 0 {
		time.Sleep(time.Until(time.Unix(0, *start))) // a shared start, not synchronisation
	}
	began := time.Now()
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	pad := make([]byte, *lineLen)
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	buf := make([]byte, 0, *lineLen)
	written := 0
	for written < lines {
		due := min(lines, int(float64(lines)*float64(time.Since(began))/float64(*dur))+1)
		for ; written < due; written++ {
			buf = append(buf[:0], 'T')
			buf = strconv.AppendInt(buf, time.Now().UnixNano(), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(written), 10)
			buf = append(buf, ' ')
			buf = append(buf, pad[:*lineLen-len(buf)-1]...)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		time.Sleep(*tick)
	}
	return nil
}

// totalLines is how many lines a writer writes in all.
func totalLines(rate int, dur time.Duration, lineLen int) int {
	return int(int64(rate) * int64(dur/time.Millisecond) / 1000 / int64(lineLen))
}
