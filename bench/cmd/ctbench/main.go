// Command ctbench reruns ct's benchmarks (issue 17) in one go and prints one
// table: each figure, the goal it is held to, and whether it met it. Every
// figure is measured against a baseline run in the same invocation by the
// benchmark itself (script(1), a bare PTY, a loopback SSE push), so the
// ratios stay meaningful on a loaded machine; ctbench only runs them in turn
// and collects what they report.
//
//	go run ./bench/cmd/ctbench                 # every suite, full size (~30 min on 2 cores)
//	go run ./bench/cmd/ctbench -quick          # smaller inputs (~5 min), for a trend
//	go run ./bench/cmd/ctbench -only screen,keys
//	go run ./bench/cmd/ctbench -record         # also append the figures to BENCHMARKS.md's history
//
// Run it on a quiet machine: never while other builds or tests run.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ctbench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "smaller inputs and fewer repetitions (a trend, not a figure to record)")
	only := fs.String("only", "", "comma-separated suite names to run (default all): "+strings.Join(suiteNames(), ","))
	record := fs.Bool("record", false, "append the figures, with the date and commit, to BENCHMARKS.md's history")
	file := fs.String("file", "BENCHMARKS.md", "the file -record appends to")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ctbench [-quick] [-only suites] [-record]\n\nRuns ct's benchmarks in turn and prints each figure against its goal.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	chosen, err := pick(*only)
	if err != nil {
		return err
	}
	if *record && *quick {
		return fmt.Errorf("-record keeps full-size figures only: drop -quick")
	}
	var figs []figure
	for i, s := range chosen {
		fmt.Fprintf(stderr, "== [%d/%d] %s: %s\n", i+1, len(chosen), s.name, s.about)
		start := time.Now()
		got, err := runSuite(s, *quick, stderr)
		if err != nil {
			return fmt.Errorf("suite %s: %w", s.name, err)
		}
		fmt.Fprintf(stderr, "== %s done in %s\n", s.name, time.Since(start).Round(time.Second))
		figs = append(figs, got...)
	}
	writeTable(stdout, figs)
	if *record {
		return appendHistory(*file, figs, time.Now())
	}
	return nil
}

// runSuite runs one suite's go test -bench and returns the figures it
// reported; its output goes to progress as it comes, so a long run shows
// where it is.
func runSuite(s suite, quick bool, progress io.Writer) ([]figure, error) {
	args := []string{"test", s.pkg, "-run", "^$", "-bench", s.bench, "-benchtime", "1x", "-timeout", "60m"}
	parse := parseResult
	if s.load {
		args, parse = []string{"run", "./bench/cmd/ctload"}, loadLine()
	}
	if quick {
		args = append(args, s.quick...)
	} else {
		args = append(args, s.full...)
	}
	cmd := exec.Command("go", args...)
	cmd.Stderr = progress
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var results []result
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(progress, line)
		if r, ok := parse(line); ok {
			results = append(results, r)
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("go %s: %w (its output is above)", strings.Join(args, " "), err)
	}
	return s.figures(results), nil
}
