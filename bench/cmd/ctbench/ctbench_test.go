package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseResult(t *testing.T) {
	r, ok := parseResult("BenchmarkScreenFeed/screen=80x24-2   \t  3\t 2415304870 ns/op\t   3.55 MB/s")
	if !ok || r.name != "BenchmarkScreenFeed/screen=80x24" || r.values["MB/s"] != 3.55 || r.values["ns/op"] != 2415304870 {
		t.Fatalf("got %+v %v", r, ok)
	}
	r, ok = parseResult("BenchmarkKeystrokeLatency-2 1 9e+09 ns/op 1.05 p50-ms 3.52 p99-ms")
	if !ok || r.values["p99-ms"] != 3.52 {
		t.Fatalf("got %+v %v", r, ok)
	}
	for _, line := range []string{"ok  \tgithub.com/ct-dev/ct/bench\t12.3s", "BenchmarkX-2 --- FAIL", "rep 0 ct p50 1.2", "BenchmarkX-2 1 5 ns/op 3"} {
		if _, ok := parseResult(line); ok {
			t.Errorf("%q parsed as a result", line)
		}
	}
}

func TestFiguresAndGoals(t *testing.T) {
	s, err := pick("wrap")
	if err != nil {
		t.Fatal(err)
	}
	// The goal-3 row is the wrap's own CPU (wrap+cat, hub connected), not
	// the sum with the hub's, which is a row of its own.
	figs := s[0].figures([]result{{name: "BenchmarkWrapOverhead", values: map[string]float64{
		"ratio": 1.5, "wrap-cpu-ratio": 1.05, "wrap+hub-cpu-ratio": 2.53, "nohub-cpu-ratio": 1.22, "hub-cpu-s/100MiB": 2.4}}})
	if len(figs) != 5 || figs[0].goal.met(figs[0].value) != "NOT met" || figs[1].value != 1.05 || figs[1].goal.met(figs[1].value) != "met" {
		t.Fatalf("figures %+v", figs)
	}
	if figs[2].value != 1.22 || figs[3].value != 2.4 || !strings.Contains(figs[3].label, "hub CPU") {
		t.Fatalf("the no-hub CPU ratio and the hub's CPU must be rows of their own: %+v", figs)
	}
	if !strings.Contains(figs[4].label, "not reported") {
		t.Errorf("a metric the run did not report must say so: %+v", figs[4])
	}
	if _, err := pick("nope"); err == nil || !strings.Contains(err.Error(), "keys") {
		t.Errorf("an unknown suite must list the known ones: %v", err)
	}
}

func TestAppendHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	if err := os.WriteFile(path, []byte("# ct benchmarks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	figs := []figure{{suite: "keys", label: "p50", value: 0.4, goal: goal{"<=", 0.5}}}
	for range 2 {
		if err := appendHistory(path, figs, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if strings.Count(s, historyHeading) != 1 || strings.Count(s, "| 2026-12-01 |") != 2 || !strings.Contains(s, "| keys | p50 | 0.4 | ≤ 0.5 met |") {
		t.Fatalf("history:\n%s", s)
	}
}

func TestLoadLines(t *testing.T) {
	parse := loadLine()
	var got result
	for _, line := range []string{
		"hub CPU        12.0 s over the window = 0.20 cores (12.5 s until the store caught up)",
		"hub peak RSS   212 MiB (VmHWM)",
		"update delay   p50 12 ms  p90 40 ms  p99 180 ms  max 900 ms  (5000 timestamped updates)",
		"store          100 of 100 sessions complete, 599000000 of 600000000 bytes, 0 dropped; caught up 1.0 s after the writing ended",
	} {
		if r, ok := parse(line); ok {
			got = r
		}
	}
	if got.values["p99-ms"] != 180 || got.values["rss-MiB"] != 212 || got.values["missing-bytes"] != 1e6 {
		t.Fatalf("ctload figures %+v", got.values)
	}
}
