package nodeagent

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The hub's word is not enough to delete a directory: a node.cleanup that
// names the repository itself, or a worktree of another session, keeps it.
func TestCleanupWorktreeRemovesOnlyTheSessionsOwn(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	repo := filepath.Join(root, "app")
	_ = os.MkdirAll(repo, 0o755)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"commit", "-q", "--allow-empty", "-m", "first"}} {
		if out, err := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	policy, err := NewPolicy([]string{"bash"}, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Policy: policy})
	dir, err := addWorktree(repo, "sess-a")
	if err != nil {
		t.Fatal(err)
	}
	if removed, note := a.cleanupWorktree("sess-a", repo); removed || !strings.Contains(note, "not the worktree") {
		t.Errorf("cleanup naming the repository itself: removed=%v %q", removed, note)
	}
	if removed, note := a.cleanupWorktree("sess-b", dir); removed || !strings.Contains(note, "not the worktree") {
		t.Errorf("cleanup of another session's worktree: removed=%v %q", removed, note)
	}
	if removed, note := a.cleanupWorktree("sess-a", "/"); removed || !strings.Contains(note, "outside") {
		t.Errorf("cleanup outside the roots: removed=%v %q", removed, note)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the worktree went: %v", err)
	}
	if removed, note := a.cleanupWorktree("sess-a", dir); !removed {
		t.Errorf("its own clean worktree was kept: %q", note)
	}
}
