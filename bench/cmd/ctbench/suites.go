package main

import (
	"fmt"
	"slices"
	"strings"
)

// goal is what a figure is held to: at most or at least a value. A zero
// goal (op "") is a figure shown for its trend only.
type goal struct {
	op    string // "<=" or ">="
	value float64
}

func (g goal) String() string {
	if g.op == "" {
		return "—"
	}
	return fmt.Sprintf("%s %g", map[string]string{"<=": "≤", ">=": "≥"}[g.op], g.value)
}

func (g goal) met(v float64) string {
	switch {
	case g.op == "":
		return ""
	case g.op == "<=" && v <= g.value, g.op == ">=" && v >= g.value:
		return "met"
	}
	return "NOT met"
}

// metric picks one value a benchmark reports (by unit, in the benchmark
// whose name contains bench) and says what it is held to.
type metric struct {
	bench, unit, label string
	goal               goal
}

// suite is one go test -bench run; full and quick are its extra flags.
type suite struct {
	name, about string
	pkg, bench  string
	full, quick []string
	metrics     []metric // none: every value the benchmarks report except ns/op
	load        bool     // run bench/cmd/ctload (with full or quick) instead of go test -bench
}

var suites = []suite{
	{name: "keys", about: "keystroke → SSE screen update, back to back and with gaps, floors in the same run",
		pkg: "./bench", bench: "KeystrokeLatency", full: []string{"-keys", "500", "-latreps", "3"}, quick: []string{"-keys", "200", "-latreps", "1"},
		metrics: []metric{
			{"KeystrokeLatency", "p50-ms", "keystroke p50 ms, back to back", goal{"<=", 0.5}},
			{"KeystrokeLatency", "p99-ms", "keystroke p99 ms, back to back", goal{"<=", 2}},
			{"KeystrokeLatency", "gaps-p50-ms", "keystroke p50 ms, gaps 5–120 ms", goal{"<=", 0.5}},
			{"KeystrokeLatency", "gaps-p99-ms", "keystroke p99 ms, gaps 5–120 ms", goal{"<=", 2}},
			{"KeystrokeLatency", "hub-cpu-us/key", "hub CPU µs per keystroke, back to back", goal{}},
			{"KeystrokeLatency", "gaps-hub-cpu-us/key", "hub CPU µs per keystroke, gaps 5–120 ms", goal{}},
			{"KeystrokeLatency", "sse-gaps-p50-ms", "floor: SSE event p50 ms, gaps 5–120 ms", goal{}},
			{"KeystrokeLatency", "post-gaps-p50-ms", "floor: bare HTTP POST p50 ms, gaps 5–120 ms", goal{}},
		}},
	{name: "screen", about: "the hub's terminal emulator alone, 8 MiB in 64 KB frames",
		pkg: "./bench", bench: "ScreenFeed", full: []string{"-benchtime", "3x"}, quick: nil,
		metrics: []metric{
			{"screen=80x24", "MB/s", "emulator MB/s at 80×24", goal{}},
			{"screen=200x50", "MB/s", "emulator MB/s at 200×50", goal{}},
		}},
	{name: "stream", about: "100 MiB through a wrapped shell to the hub and a viewer, paired with a bare PTY",
		pkg: "./bench", bench: "HubThroughput", full: []string{"-reps", "3"}, quick: []string{"-reps", "1", "-size", "16777216"},
		metrics: []metric{
			{"HubThroughput", "ratio", "stream rate / bare PTY", goal{">=", 0.6}},
			{"HubThroughput", "hub-MiB/s", "stream MiB/s into the hub", goal{}},
			{"HubThroughput", "hub-cpu-s/100MiB", "hub CPU s per 100 MiB, one viewer", goal{"<=", 1.5}},
			{"HubThroughput", "overflowed", "runs whose spool overflowed (declared drops)", goal{"<=", 0}},
		}},
	{name: "wrap", about: "ct wrap's own cost against script(1), 100 MiB",
		pkg: "./bench", bench: "WrapOverhead", full: []string{"-reps", "3"}, quick: []string{"-reps", "1", "-size", "16777216"},
		metrics: []metric{
			{"WrapOverhead", "ratio", "wrap wall / script, hub connected", goal{"<=", 1.3}},
			{"WrapOverhead", "wrap-cpu-ratio", "wrap CPU / script CPU, hub connected (wrap+cat / script+cat)", goal{"<=", 1.10}},
			{"WrapOverhead", "nohub-cpu-ratio", "wrap CPU / script CPU, no hub", goal{}},
			{"WrapOverhead", "hub-cpu-s/100MiB", "hub CPU s per 100 MiB while the wrap streams", goal{}},
			{"WrapOverhead", "nohub-ratio", "wrap wall / script, no hub", goal{}},
		}},
	{name: "scale", about: "100 simulated wraps × 100 KB/s × 60 s and 100 viewers into one hub (bench/cmd/ctload -sim)",
		load: true, full: []string{"-sim"}, quick: []string{"-sim", "-duration", "10s", "-wraps", "20", "-viewers", "20"},
		metrics: []metric{
			{"ctload", "p99-ms", "screen update delay p99 ms", goal{"<=", 200}},
			{"ctload", "rss-MiB", "hub peak RSS MiB", goal{"<=", 1024}},
			{"ctload", "missing-bytes", "bytes not in the store", goal{"<=", 0}},
		}},
	{name: "approvals", about: "a permission prompt's round trip through a real hub and wrap",
		pkg: "./bench", bench: "ApprovalRoundTrip"},
	{name: "mesh", about: "a coordination event to an MCP peer's wait_for_events",
		pkg: "./e2e", bench: "SystemEventToMCP"},
}

func suiteNames() []string {
	var n []string
	for _, s := range suites {
		n = append(n, s.name)
	}
	return n
}

// pick returns the suites named in a comma-separated list, all for "".
func pick(only string) ([]suite, error) {
	if only == "" {
		return suites, nil
	}
	var out []suite
	for _, name := range strings.Split(only, ",") {
		i := slices.IndexFunc(suites, func(s suite) bool { return s.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("no suite %q: choose from %s", name, strings.Join(suiteNames(), ", "))
		}
		out = append(out, suites[i])
	}
	return out, nil
}

// figure is one value for the table and the history.
type figure struct {
	suite, label string
	value        float64
	goal         goal
}

// figures turns a suite's results into figures: its chosen metrics, or
// every reported value but ns/op when it chose none. A chosen metric the
// run did not report is an error in the benchmark's contract, shown as
// missing rather than silently dropped.
func (s suite) figures(rs []result) []figure {
	var out []figure
	if len(s.metrics) == 0 {
		for _, r := range rs {
			units := make([]string, 0, len(r.values))
			for u := range r.values {
				if u != "ns/op" {
					units = append(units, u)
				}
			}
			slices.Sort(units)
			for _, u := range units {
				out = append(out, figure{s.name, strings.TrimPrefix(r.name, "Benchmark") + " " + u, r.values[u], goal{}})
			}
		}
		return out
	}
	for _, m := range s.metrics {
		f := figure{suite: s.name, label: m.label, value: -1, goal: m.goal}
		for _, r := range rs {
			if v, ok := r.values[m.unit]; ok && strings.Contains(r.name, m.bench) {
				f.value = v
				break
			}
		}
		if f.value < 0 {
			f.label += " (not reported)"
		}
		out = append(out, f)
	}
	return out
}
