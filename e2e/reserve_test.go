package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gitRepo is a real git repository in a temp dir whose commits run as
// peer (its hooks call ct with the peer's token).
type gitRepo struct {
	dir string
	env []string
}

func newGitRepo(t *testing.T, p *coordPeer) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	g := &gitRepo{dir: t.TempDir(), env: append(os.Environ(), "CT_HUB="+*p.hubURL, "CT_TOKEN="+p.token, "XDG_CONFIG_HOME="+p.home, "CT_PEER=",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@example.invalid",
		"GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@example.invalid")}
	g.must(t, "git", "init", "-q", "-b", "main")
	g.must(t, "git", "remote", "add", "origin", "git@example.invalid:team/proj.git")
	g.write(t, "README.md", "hello\n")
	g.must(t, "git", "add", ".")
	g.must(t, "git", "commit", "-q", "-m", "initial")
	return g
}

func (g *gitRepo) run(t *testing.T, env []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = g.dir, append(append([]string(nil), g.env...), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (g *gitRepo) must(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := g.run(t, nil, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (g *gitRepo) write(t *testing.T, path, text string) {
	t.Helper()
	full := filepath.Join(g.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The pre-commit guard in a real repository: bob's commit touching a path
// alice reserved is refused naming alice and her reason, a commit beside
// it goes through, and bob's commit is allowed once alice releases. With
// the hub unreachable the commit goes through with a warning, unless
// --strict.
func TestGuardRefusesCommitOnReservedPath(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob")
	bob.must(t, "locks") // bob joins
	g := newGitRepo(t, bob)
	ct := Binary(t)

	// An existing hook that is not ct guard's is kept unless --force.
	g.write(t, ".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
	if out, err := g.run(t, nil, ct, "guard", "install"); err == nil || !strings.Contains(out, "--force") {
		t.Fatalf("install over another hook: %v\n%s", err, out)
	}
	g.must(t, ct, "guard", "install", "--force")
	g.must(t, ct, "guard", "install") // its own hook: rewritten freely

	// alice reserves db/** of the same repository, named from its remote.
	aliceRepo := &gitRepo{dir: g.dir, env: append(os.Environ(), "CT_HUB="+h.URL, "CT_TOKEN="+alice.token, "XDG_CONFIG_HOME="+alice.home, "CT_PEER=")}
	out := aliceRepo.must(t, ct, "reserve", "db/**", "--reason", "migrating the schema", "--ttl", "1h")
	if !strings.Contains(out, "in example.invalid/team/proj as r") {
		t.Fatalf("reserve: %s", out)
	}
	id := regexp.MustCompile(`as (r\d+)`).FindStringSubmatch(out)[1]
	if out := bob.must(t, "reserve", "--list", "--repo", "example.invalid/team/proj"); !strings.Contains(out, id) || !strings.Contains(out, "alice") {
		t.Fatalf("list does not show the holder: %s", out)
	}

	g.write(t, "docs/notes.md", "free\n")
	g.must(t, "git", "add", "docs/notes.md")
	g.must(t, "git", "commit", "-q", "-m", "unreserved path")

	g.write(t, "db/schema.sql", "create table t (id int);\n")
	g.must(t, "git", "add", "db/schema.sql")
	out, err := g.run(t, nil, "git", "commit", "-q", "-m", "touch the schema")
	if err == nil || !strings.Contains(out, "db/schema.sql: reserved by alice") || !strings.Contains(out, "migrating the schema") {
		t.Fatalf("commit on a reserved path: err %v\n%s", err, out)
	}
	if strings.Contains(g.must(t, "git", "log", "--oneline"), "touch the schema") {
		t.Fatal("the refused commit was made")
	}

	// Offline: let through with a warning; --strict refuses.
	away := []string{"CT_HUB=http://" + closedAddr(t)}
	if out, err := g.run(t, away, ct, "guard", "check", "--strict"); err == nil || !strings.Contains(out, "--strict") {
		t.Fatalf("strict check with the hub away: %v\n%s", err, out)
	}
	if out, err := g.run(t, away, ct, "guard", "check"); err != nil || !strings.Contains(out, "letting the commit through") {
		t.Fatalf("check with the hub away: %v\n%s", err, out)
	}

	aliceRepo.must(t, ct, "reserve", "--release", id)
	g.must(t, "git", "commit", "-q", "-m", "touch the schema")
	if !strings.Contains(g.must(t, "git", "log", "--oneline"), "touch the schema") {
		t.Fatal("the commit after release is missing")
	}
}
