package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// writeTable prints the figures as a Markdown table.
func writeTable(w io.Writer, figs []figure) {
	fmt.Fprintln(w, "| suite | figure | value | goal | |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, f := range figs {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", f.suite, f.label, value(f), f.goal, f.goal.met(f.value))
	}
}

func value(f figure) string {
	if f.value < 0 {
		return "—"
	}
	return fmt.Sprintf("%.4g", f.value)
}

// historyHeading starts the section -record appends to; it is created at
// the end of the file the first time.
const historyHeading = "## History (ctbench -record)"

// appendHistory adds one row per figure (date, commit, suite, figure,
// value, goal) under historyHeading. The file is rewritten through a
// temporary file and a rename, so an interrupted run leaves it whole.
func appendHistory(path string, figs []figure, now time.Time) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w (run ctbench from the repository root, or pass -file)", err)
	}
	var b bytes.Buffer
	b.Write(old)
	if !bytes.Contains(old, []byte(historyHeading)) {
		if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "\n%s\n\nRows appended by `go run ./bench/cmd/ctbench -record`, newest last.\n\n", historyHeading)
		b.WriteString("| date | commit | suite | figure | value | goal |\n|---|---|---|---|---|---|\n")
	}
	commit := gitCommit()
	for _, f := range figs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s %s |\n", now.Format("2006-01-02"), commit, f.suite, f.label, value(f), f.goal, f.goal.met(f.value))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// gitCommit names the checkout being measured: the short commit, marked
// "+dirty" when the tree has changes, or "unknown" outside git.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "+dirty"
	}
	return c
}
