package e2e

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeFirstCommand is the first ```sh block of README.md: the one command a
// newcomer copies.
func readmeFirstCommand(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)\n```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no ```sh block")
	}
	cmd := strings.TrimSpace(string(m[1]))
	if strings.Contains(cmd, "\n") {
		t.Fatalf("README's first command is more than one line:\n%s", cmd)
	}
	return cmd
}

// copyWorkTree copies the repository's files (tracked and new, as on disk)
// into dir: a fresh clone with this change in it.
func copyWorkTree(t *testing.T, dir string) {
	t.Helper()
	root := RepoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z").Output()
	if err != nil {
		t.Skipf("not a git work tree (%v): the first-run test copies the repository's files", err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			continue // deleted in the work tree
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 15 items 14-16: README's first command, run exactly as written by
// sh in a fresh copy of the repository with a fresh HOME, builds ct, starts
// the hub, logs the workstation in and runs "your shell" (a fake one) under
// ct wrap; the session shows on the hub, ct msg works inside it with no
// token or hub given, and when the shell exits the hub stops too.
func TestReadmeFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ct from a copy of the repository")
	}
	command := readmeFirstCommand(t)
	clone, home := t.TempDir(), t.TempDir()
	copyWorkTree(t, clone)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	hubURL := "http://" + addr

	// The fake shell: says it runs, uses a coordination command as a person
	// would, then waits (bounded) for the test to let it exit.
	shell := filepath.Join(home, "fake-shell")
	script := "#!/bin/sh\necho fake-shell-up\n./ct msg ls > msgls.out 2>&1; echo \"rc=$?\" >> msgls.out\n" +
		"i=0; while [ ! -e go-on ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\nexit 3\n"
	if err := os.WriteFile(shell, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	gomod, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = clone
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "SHELL=" + shell, "TERM=dumb",
		"CT_ADDR=" + addr, // the README's command as written; only the port differs, through ct up's env twin
		"GOCACHE=" + strings.TrimSpace(string(gocache)), "GOMODCACHE=" + strings.TrimSpace(string(gomod)), "GOFLAGS=-mod=mod", "GOPROXY=off"}
	out := &SafeBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done, exited := make(chan error, 1), make(chan struct{})
	// Waits for the command, so a README command that fails is seen at once.
	go func() { err := cmd.Wait(); close(exited); done <- err }()
	defer func() {
		_ = cmd.Process.Kill()
	}()

	pwRE := regexp.MustCompile(`log in as admin with the password (\S+)`)
	WaitFor(t, 3*time.Minute, "ct up to start the hub and the shell", func() bool {
		select {
		case <-exited:
			t.Fatalf("the README's command %q ended before the shell ran:\n%s", command, out.String())
		default:
		}
		return pwRE.MatchString(out.String()) && strings.Contains(out.String(), "fake-shell-up")
	})
	password := pwRE.FindStringSubmatch(out.String())[1]
	tokens.Store(hubURL, MintToken(t, hubURL, "admin", password, map[string]string{"name": "firstrun-test", "kind": "api"}))
	s := SessionFor(t, hubURL, mustHostname(t))
	if s.Status != "live" || !strings.Contains(s.Command, "fake-shell") {
		t.Errorf("session %+v: want the fake shell, live", s)
	}
	WaitFor(t, 30*time.Second, "ct msg ls inside the session", func() bool {
		b, _ := os.ReadFile(filepath.Join(clone, "msgls.out"))
		return strings.Contains(string(b), "rc=")
	})
	if b, _ := os.ReadFile(filepath.Join(clone, "msgls.out")); !strings.Contains(string(b), "no messages") || !strings.Contains(string(b), "rc=0") {
		t.Errorf("ct msg ls after ct up (ct login's API token): %s", b)
	}
	var creds struct {
		Hubs map[string]struct {
			APIToken string `json:"api_token"`
		} `json:"hubs"`
	}
	b, _ := os.ReadFile(filepath.Join(home, ".config", "ct", "credentials.json"))
	if json.Unmarshal(b, &creds) != nil || !strings.HasPrefix(creds.Hubs[hubURL].APIToken, "cta_") {
		t.Errorf("credentials.json after ct up: %s", bytes.ReplaceAll(b, []byte(password), []byte("…")))
	}

	if err := os.WriteFile(filepath.Join(clone, "go-on"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Errorf("README command ended with %v; want the shell's exit status 3\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("ct up did not end with the shell:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "hub stopped") {
		t.Errorf("ct up did not say the hub stopped:\n%s", out.String())
	}
	if resp, err := http.Get(hubURL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the hub still answers after ct up ended")
	}
}

func mustHostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
