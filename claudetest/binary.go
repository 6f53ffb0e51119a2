package claudetest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireEnv names the variable that turns a missing CLI or tmux from a skip into a failure;
// CI sets it to 1 so the end-to-end tests cannot silently stop running.
const RequireEnv = "CT_REQUIRE_CLAUDE"

// BinEnv names the variable that picks another Claude Code binary than the pinned one (an
// absolute path), to run the same tests against another version: scripts/claude-version sets it.
const BinEnv = "CT_CLAUDE_BIN"

// Binary returns the path of the Claude Code CLI the tests run: $CT_CLAUDE_BIN when set (a
// missing file there is a failure, never a skip: someone asked for that version), else
// node_modules/.bin/claude at the repository root (the nearest directory above the test's
// working directory holding go.mod), the version package.json pins.
func Binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(BinEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s=%s: %v (point it at an installed claude, e.g. via scripts/claude-version)", BinEnv, bin, err)
		}
		return bin
	}
	root, err := RepoRoot()
	if err != nil {
		missing(t, err.Error())
		return ""
	}
	bin := filepath.Join(root, "node_modules", ".bin", "claude")
	if _, err := os.Stat(bin); err != nil {
		missing(t, "Claude Code CLI not installed at "+bin+": run `npm ci` in "+root)
	}
	return bin
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("claudetest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// requireTool returns the path of an executable on PATH, with the same skip-or-fail rule.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" not found on PATH (apt-get install "+name+")")
	}
	return path
}

// missing skips the test, or fails it when RequireEnv is set.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s (%s is set, so this is a failure)", why, RequireEnv)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", why, RequireEnv)
}
