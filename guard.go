package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
)

const guardUsage = `Usage:
  ct guard install [--force] [--strict] [--repo R]   add a git pre-commit hook that runs ct guard check
  ct guard check [--strict] [--repo R]               refuse the commit if a staged path is reserved by someone else

The hook asks the hub for reservations (ct reserve) held by other peers on
the staged paths and refuses the commit naming who holds them and why.
When the hub cannot be reached the commit goes through with a warning;
--strict refuses it instead. git commit --no-verify skips the hook.
The repository is named by --repo, else by its origin remote without the
scheme, user or .git (github.com/org/repo), else by its top directory's name.`

// guardHookMarker identifies a hook ct guard wrote, so install can tell
// its own hook (rewritten freely) from someone else's (kept unless --force).
const guardHookMarker = "# installed by ct guard install"

// guardTimeout bounds the hub check: a commit must not hang on a hub that
// does not answer; past it the hub counts as away.
const guardTimeout = 10 * time.Second

// runGuard handles ct guard install and ct guard check.
func runGuard(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "install" && args[0] != "check") {
		fmt.Fprintln(stderr, guardUsage)
		return errUsage
	}
	fs := newFlagSet("guard "+args[0], guardUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	repo := fs.String("repo", "", "the repository's name on the hub (default: from its origin remote)")
	strict := fs.Bool("strict", false, "refuse the commit when the hub cannot be reached")
	force := fs.Bool("force", false, "install: replace an existing pre-commit hook that is not ct guard's")
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fmt.Fprintln(stderr, guardUsage)
		return errUsage
	}
	if args[0] == "install" {
		return guardInstall(ctx, *repo, *strict, *force, stdout)
	}
	name := *repo
	if name == "" {
		if name, err = gitRepoName(ctx); err != nil {
			return err
		}
	}
	paths, err := stagedPaths(ctx)
	if err != nil || len(paths) == 0 {
		return err
	}
	away := func(why error) error {
		if *strict {
			return fmt.Errorf("ct guard: commit refused: cannot check reservations (%v) and --strict is set; retry when the hub is back, or commit with --no-verify", why)
		}
		fmt.Fprintf(stderr, "ct guard: warning: cannot check path reservations (%v); letting the commit through\n", why)
		return nil
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return away(err)
	}
	ctx, cancel := context.WithTimeout(ctx, guardTimeout)
	defer cancel()
	conflicts, err := c.CheckPaths(ctx, name, paths)
	if errors.Is(err, client.ErrHubAway) || errors.Is(err, context.DeadlineExceeded) {
		return away(err)
	}
	if err != nil {
		return fmt.Errorf("ct guard: checking reservations of %s: %w", name, err)
	}
	if len(conflicts) == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "ct guard: commit refused: %d staged path(s) of %s are reserved by someone else:\n", len(conflicts), name)
	for _, cf := range conflicts {
		r := cf.Reservation
		fmt.Fprintf(stderr, "  %s: reserved by %s until %s (%s, glob %s)%s\n", cf.Path, r.Holder,
			r.Until.Local().Format(time.RFC3339), r.ID, cf.Glob, reasonNote(r.Reason))
	}
	return errors.New("ct guard: ask the holder to release (ct reserve --release ID), unstage those paths, or wait for the reservation to expire")
}

func reasonNote(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

// guardInstall writes the pre-commit hook of the repository in the
// current directory, refusing to replace another hook unless force.
func guardInstall(ctx context.Context, repo string, strict, force bool, stdout io.Writer) error {
	dir, err := git(ctx, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the ct binary to call from the hook: %w", err)
	}
	cmd := "exec " + shellQuote(exe) + " guard check"
	if strict {
		cmd += " --strict"
	}
	if repo != "" {
		cmd += " --repo " + shellQuote(repo)
	}
	script := "#!/bin/sh\n" + guardHookMarker + " (ct guard --help)\n" + cmd + "\n"
	path := filepath.Join(dir, "pre-commit")
	old, err := os.ReadFile(path)
	switch {
	case err == nil && string(old) != script && !bytes.Contains(old, []byte(guardHookMarker)) && !force:
		return fmt.Errorf("%s already exists and is not ct guard's: add the line %q to it yourself, or run ct guard install --force to replace it", path, cmd)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o755); err != nil { // WriteFile keeps an existing file's mode
		return err
	}
	fmt.Fprintf(stdout, "installed %s\n", path)
	return nil
}

// shellQuote quotes s for sh: inside '...' only ' itself needs escaping.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// stagedPaths are the paths the commit being made adds, changes or removes.
func stagedPaths(ctx context.Context) ([]string, error) {
	out, err := git(ctx, "diff", "--cached", "--name-only", "-z")
	if err != nil {
		return nil, err
	}
	var paths []string
	for p := range strings.SplitSeq(out, "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// gitRepoName names the repository in the current directory as ct
// reserve and ct guard agree on: origin's URL normalised, else the top
// directory's name.
func gitRepoName(ctx context.Context) (string, error) {
	if u, err := git(ctx, "remote", "get-url", "origin"); err == nil && u != "" {
		return normaliseRemote(u), nil
	}
	top, err := git(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return filepath.Base(top), nil
}

// normaliseRemote turns https://user@host/org/repo.git and
// git@host:org/repo.git alike into host/org/repo.
func normaliseRemote(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	} else if h, p, ok := strings.Cut(u, ":"); ok && !strings.Contains(h, "/") {
		u = h + "/" + p // scp-like syntax
	}
	if at := strings.Index(u, "@"); at >= 0 && at < strings.Index(u+"/", "/") {
		u = u[at+1:]
	}
	return strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
}

// git runs git with args in the current directory and returns its
// trimmed output, or an error carrying what git said.
func git(ctx context.Context, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s (run ct guard inside a git repository)", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
