package nodeagent

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// gitTimeout bounds each git command a worktree needs: local operations
// on one repository, seconds at most; a hung git must not hold a spawn.
const gitTimeout = 30 * time.Second

// worktreeDirName is the folder under a repository's top that holds the
// worktrees ct node makes; a .gitignore of "*" inside keeps it out of the
// repository's own status without editing the person's files.
const worktreeDirName = ".ct-worktrees"

// git runs git with args and no shell, in no directory of its own (every
// call names its repository with -C), and returns its trimmed stdout.
func git(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// No prompts, no pager: nobody is at this terminal.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// worktreeBranch is the branch of session id's worktree.
func worktreeBranch(id string) string { return "ct/" + id }

// addWorktree makes a new worktree of dir's repository for session id, on
// a new branch ct/<id> from the repository's HEAD, at
// <top>/.ct-worktrees/<id>, and returns the directory the session runs in:
// the same place inside the new worktree as dir is inside the repository.
func addWorktree(dir, id string) (string, error) {
	top, err := git("-C", dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("a new worktree needs a git repository: %s is not in one", dir)
	}
	rel, err := filepath.Rel(top, dir)
	if err != nil {
		return "", err
	}
	parent := filepath.Join(top, worktreeDirName)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(parent, ".gitignore"), []byte("*\n"), 0o644); err != nil {
		return "", err
	}
	wt := filepath.Join(parent, id)
	if _, err := git("-C", top, "worktree", "add", "-b", worktreeBranch(id), wt, "HEAD"); err != nil {
		return "", fmt.Errorf("cannot make the worktree (a repository with no commit has no HEAD to branch from): %w", err)
	}
	return filepath.Join(wt, rel), nil
}

// cleanupWorktree removes session id's worktree at (or above) dir when
// nothing would be lost: no uncommitted or untracked change (git status
// --porcelain is empty) and no commit on ct/<id> that no other branch or
// remote has. Otherwise it keeps it and says why. It acts only on a
// linked worktree under a root whose branch is ct/<id>: the hub's word is
// not enough to delete a directory.
func (a *Agent) cleanupWorktree(id, dir string) (removed bool, note string) {
	dir, err := a.cfg.Policy.Dir(dir)
	if err != nil {
		return false, "worktree kept: " + err.Error()
	}
	top, err := git("-C", dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return false, "worktree kept: " + dir + " is no longer a git worktree"
	}
	branch := worktreeBranch(id)
	head, _ := git("-C", top, "rev-parse", "--abbrev-ref", "HEAD")
	gitDir, _ := git("-C", top, "rev-parse", "--absolute-git-dir")
	common, _ := git("-C", top, "rev-parse", "--path-format=absolute", "--git-common-dir")
	if head != branch || gitDir == common || filepath.Base(filepath.Dir(top)) != worktreeDirName {
		return false, "worktree kept: " + top + " is not the worktree ct node made for this session (branch " + branch + ")"
	}
	status, err := git("-C", top, "status", "--porcelain")
	if err != nil {
		return false, "worktree kept: " + err.Error()
	}
	if status != "" {
		n := strings.Count(status, "\n") + 1
		return false, fmt.Sprintf("worktree kept at %s: %d uncommitted or untracked file(s); commit or remove them, then delete it with git worktree remove", top, n)
	}
	ahead, err := git("-C", top, "rev-list", "--count", "HEAD", "--not", "--exclude="+branch, "--branches", "--remotes")
	if err != nil {
		return false, "worktree kept: " + err.Error()
	}
	if ahead != "0" {
		return false, fmt.Sprintf("worktree kept at %s: %s commit(s) on %s are on no other branch or remote; push or merge them, then delete it with git worktree remove", top, ahead, branch)
	}
	repo := filepath.Dir(common)
	if _, err := git("-C", repo, "worktree", "remove", top); err != nil {
		return false, "worktree kept: " + err.Error()
	}
	if _, err := git("-C", repo, "branch", "-D", branch); err != nil {
		return true, "worktree removed; its branch " + branch + " stays: " + err.Error()
	}
	return true, "worktree " + top + " and branch " + branch + " removed (clean, nothing unpushed)"
}

// dropWorktree undoes addWorktree for a session that did not start (id ""
// when none was made); it is fresh, so nothing can be lost.
func (a *Agent) dropWorktree(id, dir string) {
	if id == "" {
		return
	}
	if _, note := a.cleanupWorktree(id, dir); note != "" {
		a.cfg.Log.Info("worktree of a session that did not start", "session", id, "note", note)
	}
}
