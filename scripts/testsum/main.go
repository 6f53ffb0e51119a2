// Command testsum reads `go test -json` on stdin and prints what a person
// wants from a whole-suite run: each package's result line as go test
// prints it, the full output of every failed test, and a closing line
// "N passed, N failed, N skipped" (tests and subtests). It exits non-zero
// when anything failed, so a pipeline keeps go test's verdict.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var passed, failed, skipped, pkgFailed int
	var skips []string                       // which tests skipped, and why (their last output line)
	outputs := map[string]*strings.Builder{} // package/test -> its output so far
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20) // a test may print long lines
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // not JSON: a build error, say; pass it on
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			pkgFailed++
		case "output":
			if e.Test == "" {
				if isResultLine(e.Output) {
					fmt.Fprint(out, e.Output)
				} else if b := outputs[key]; b != nil || strings.Contains(e.Output, "FAIL") || strings.Contains(e.Output, "panic") {
					appendOut(outputs, key, e.Output)
				}
				continue
			}
			appendOut(outputs, key, e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					pkgFailed++
					if b := outputs[key]; b != nil {
						fmt.Fprint(out, b.String())
					}
				}
				delete(outputs, key)
				continue
			}
			switch e.Action {
			case "pass":
				passed++
			case "skip":
				skipped++
				why := ""
				if b := outputs[key]; b != nil {
					lines := strings.Split(strings.TrimSpace(b.String()), "\n")
					if n := len(lines); n > 1 && strings.HasPrefix(strings.TrimSpace(lines[n-1]), "--- SKIP") {
						lines = lines[:n-1] // the reason is the line before go test's own
					}
					why = strings.TrimSpace(lines[len(lines)-1])
				}
				skips = append(skips, e.Package+" "+e.Test+": "+why)
			case "fail":
				failed++
				if b := outputs[key]; b != nil {
					fmt.Fprint(out, b.String())
				}
			}
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, sk := range skips {
		fmt.Fprintln(out, "skipped", sk)
	}
	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || pkgFailed > 0 {
		return fmt.Errorf("%d tests and %d packages failed", failed, pkgFailed)
	}
	return nil
}

func appendOut(m map[string]*strings.Builder, key, s string) {
	b := m[key]
	if b == nil {
		b = &strings.Builder{}
		m[key] = b
	}
	b.WriteString(s)
}

// isResultLine is go test's one line per package: ok, FAIL or no tests.
func isResultLine(s string) bool {
	return strings.HasPrefix(s, "ok  \t") || strings.HasPrefix(s, "FAIL\t") || strings.HasPrefix(s, "?   \t")
}
