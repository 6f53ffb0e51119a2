package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Package-init budget of `ct hook`, which Claude Code and Gemini CLI start
// for every hook event (PostToolUse after every tool call): Go runs every
// linked package's init whatever the subcommand, so a package-level table
// or regexp anywhere in the binary is paid on each hook. Allocations, not
// time: the same binary makes the same allocations on a loaded machine.
// Measured at the budget's introduction: 1,987 allocations and 306 KB in
// all, the largest package encoding/gob (371, via the MCP SDK); before,
// 6,178 and 875 KB with goldmark's extension package alone at 2,049.
const (
	hookInitPackageAllocs = 400 // any one package
	hookInitPackageBytes  = 96 << 10
	hookInitTotalAllocs   = 2600 // every package together
	hookInitTotalBytes    = 400 << 10
)

// TestHookInitBudget runs `ct hook` as Claude Code would (no wrap socket:
// it returns at once) with GODEBUG=inittrace=1 and checks each package's
// init allocations and the total against the budget.
func TestHookInitBudget(t *testing.T) {
	bin := Binary(t)
	cmd := exec.Command(bin, "hook", "PostToolUse")
	cmd.Stdin = strings.NewReader(`{"hook_event_name":"PostToolUse","tool_name":"Bash"}`)
	cmd.Env = append(cleanHookEnv(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ct hook: %v\n%s", err, stderr.String())
	}
	inits := parseInitTrace(t, stderr.String())
	if len(inits) < 50 {
		t.Fatalf("only %d packages in the init trace; did GODEBUG=inittrace=1 reach ct hook?\n%s", len(inits), stderr.String())
	}
	var allocs, bytes int
	for _, p := range inits {
		allocs += p.allocs
		bytes += p.bytes
		if p.allocs > hookInitPackageAllocs || p.bytes > hookInitPackageBytes {
			t.Errorf("package %s allocates %d times (%d bytes) at init, over the budget of %d (%d bytes) for one package: "+
				"every ct hook pays it; build its tables or regexps on first use (sync.OnceValue), or keep the dependency out",
				p.name, p.allocs, p.bytes, hookInitPackageAllocs, hookInitPackageBytes)
		}
	}
	t.Logf("ct hook init: %d packages, %d allocations, %d bytes", len(inits), allocs, bytes)
	if allocs > hookInitTotalAllocs || bytes > hookInitTotalBytes {
		t.Errorf("ct hook's package init allocates %d times (%d bytes) in all, over the budget of %d (%d bytes): "+
			"find the new package-level work with GODEBUG=inittrace=1 ct hook PostToolUse </dev/null and make it lazy",
			allocs, bytes, hookInitTotalAllocs, hookInitTotalBytes)
	}
}

// cleanHookEnv is the environment without a wrap's hook socket, so ct hook
// returns at once.
func cleanHookEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CT_") && !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	return env
}

type initCost struct {
	name          string
	bytes, allocs int
}

// parseInitTrace reads lines like
// "init github.com/x/y @1.2 ms, 0.3 ms clock, 264240 bytes, 2049 allocs".
func parseInitTrace(t *testing.T, s string) []initCost {
	t.Helper()
	var out []initCost
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		b, err1 := strconv.Atoi(f[7])
		a, err2 := strconv.Atoi(f[9])
		if err1 != nil || err2 != nil {
			t.Fatalf("unexpected init trace line %q", sc.Text())
		}
		out = append(out, initCost{name: f[1], bytes: b, allocs: a})
	}
	return out
}
