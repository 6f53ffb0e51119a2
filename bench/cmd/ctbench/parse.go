package main

import (
	"fmt"
	"strconv"
	"strings"
)

// result is one line of go test -bench output: the benchmark's name (with
// the -N GOMAXPROCS suffix removed) and every "value unit" pair after the
// iteration count, ns/op included.
type result struct {
	name   string
	values map[string]float64
}

// parseResult reads a line such as
//
//	BenchmarkScreenFeed/screen=80x24-2  3  1234 ns/op  4.50 MB/s
//
// and reports false for any other line.
func parseResult(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return result{}, false
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return result{}, false
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	r := result{name: name, values: map[string]float64{}}
	rest := f[2:]
	if len(rest)%2 != 0 {
		return result{}, false
	}
	for i := 0; i < len(rest); i += 2 {
		v, err := strconv.ParseFloat(rest[i], 64)
		if err != nil {
			return result{}, false
		}
		r.values[rest[i+1]] = v
	}
	return r, true
}

// loadLine returns a parser for ctload's summary lines; it reports one
// result, named "ctload", once the store line (the last figure) arrives,
// carrying the delay p99, the hub's peak RSS and the bytes missing.
func loadLine() func(string) (result, bool) {
	r := result{name: "ctload", values: map[string]float64{}}
	return func(line string) (result, bool) {
		var p50, p90, p99 float64
		var rss, complete, wraps, stored, want, dropped int64
		switch {
		case strings.HasPrefix(line, "update delay"):
			if _, err := fmt.Sscanf(line, "update delay p50 %g ms p90 %g ms p99 %g ms", &p50, &p90, &p99); err == nil {
				r.values["p99-ms"] = p99
			}
		case strings.HasPrefix(line, "hub peak RSS"):
			if _, err := fmt.Sscanf(line, "hub peak RSS %d MiB", &rss); err == nil {
				r.values["rss-MiB"] = float64(rss)
			}
		case strings.HasPrefix(line, "store "):
			if _, err := fmt.Sscanf(line, "store %d of %d sessions complete, %d of %d bytes, %d dropped", &complete, &wraps, &stored, &want, &dropped); err == nil {
				r.values["missing-bytes"] = float64(want - stored)
				return r, true
			}
		}
		return result{}, false
	}
}
