package ptywrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// The wrap reads the working tree without running anything the repository
// configures (an external diff, a textconv, an fsmonitor hook), cuts a
// long diff at the cap on a line boundary and says how long it was.
func TestRunGitReadOnlyAndCapped(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "start")
	ran := filepath.Join(t.TempDir(), "ran")
	hook := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ntouch "+ran+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "config", "diff.external", hook)
	gitIn(t, dir, "config", "core.fsmonitor", hook)
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(strings.Repeat("a changed line\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	a, diff := runGit(dir, 1000)
	if a.Error != "" {
		t.Fatalf("git failed: %s", a.Error)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Fatal("git ran the repository's external diff or fsmonitor hook")
	}
	if !strings.Contains(a.Status, " M a.txt") || !strings.HasPrefix(a.Status, "## main") {
		t.Fatalf("status: %q", a.Status)
	}
	if !a.Truncated || len(diff) > 1000 || a.DiffBytes <= 1000 || diff[len(diff)-1] != '\n' || !strings.Contains(string(diff), "+a changed line") {
		t.Fatalf("capped diff: truncated %v, %d bytes of %d:\n%s", a.Truncated, len(diff), a.DiffBytes, diff)
	}
	if a, _ := runGit(t.TempDir(), 1000); !strings.Contains(a.Error, "git status failed in") {
		t.Fatalf("outside a repository: %q", a.Error)
	}
}
