// Package e2e holds end-to-end tests that run real ct serve and ct wrap
// processes on 127.0.0.1, and the harness they share (this file), which the
// browser and benchmark tests use too.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ct once per test process (CGO off, as shipped) and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ct-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ct")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = RepoRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository")
	}
	return filepath.Dir(filepath.Dir(file))
}

// SafeBuffer is a bytes.Buffer safe for a process writer and a test reader.
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Bytes returns a copy of everything written so far.
func (s *SafeBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// AdminPassword is the admin password every test hub starts with
// (CT_ADMIN_PASSWORD).
const AdminPassword = "ct-e2e-admin-password"

// tokens maps a hub URL to an admin API token for it, so Get, PostJSON and
// StartWrap authenticate without every test passing credentials around.
var tokens sync.Map

func tokenFor(url string) string {
	var tok string
	tokens.Range(func(k, v any) bool {
		if strings.HasPrefix(url, k.(string)) {
			tok = v.(string)
			return false
		}
		return true
	})
	return tok
}

// Hub is a running ct serve.
type Hub struct {
	Token  string // an admin API token for this hub
	URL    string
	Addr   string
	Data   string
	Stderr *SafeBuffer
	cmd    *exec.Cmd
	done   chan struct{}
}

var listenRE = regexp.MustCompile(`url=(http://\S+)`)

// StartHub runs ct serve on addr ("127.0.0.1:0" for any port) with its store
// in data, and waits until /healthz answers.
func StartHub(t testing.TB, data, addr string, extra ...string) *Hub {
	t.Helper()
	args := append([]string{"serve", "--addr", addr, "--data", data}, extra...)
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), "CT_ADMIN_PASSWORD="+AdminPassword)
	h := &Hub{Data: data, Stderr: &SafeBuffer{}, cmd: cmd, done: make(chan struct{})}
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			h.Stderr.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
	}()
	go func() { _ = cmd.Wait(); pw.Close(); close(h.done) }()
	t.Cleanup(func() { h.Kill() })
	select {
	case h.URL = <-urlc:
	case <-h.done:
		t.Fatalf("ct serve exited at start:\n%s", h.Stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("ct serve did not report its address:\n%s", h.Stderr.String())
	}
	h.Addr = strings.TrimPrefix(h.URL, "http://")
	WaitFor(t, 10*time.Second, "hub /healthz", func() bool {
		resp, err := http.Get(h.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	h.Token = MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "e2e-admin", "kind": "api"})
	tokens.Store(h.URL, h.Token)
	return h
}

// MintToken creates a token on a running hub with a person's name and
// password (HTTP Basic, as ct token create does) and returns it.
func MintToken(t testing.TB, hubURL, user, password string, req map[string]string) string {
	t.Helper()
	b, _ := json.Marshal(req)
	r, _ := http.NewRequest("POST", hubURL+"/api/v1/tokens", bytes.NewReader(b))
	r.SetBasicAuth(user, password)
	r.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	defer resp.Body.Close()
	var out struct{ Token, Error string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusCreated || out.Token == "" {
		t.Fatalf("mint token %v: %d %s", req, resp.StatusCode, out.Error)
	}
	return out.Token
}

// MachineToken creates a machine token for machine on a running hub.
func MachineToken(t testing.TB, hubURL, machine string) string {
	t.Helper()
	return MintToken(t, hubURL, "admin", AdminPassword, map[string]string{"name": machine, "kind": "machine", "machine": machine})
}

// Kill sends SIGKILL and waits for the process to go.
func (h *Hub) Kill() {
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
}

// Stop sends SIGTERM and waits up to 15 s for a clean exit.
func (h *Hub) Stop(t testing.TB) {
	t.Helper()
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("ct serve did not stop on SIGTERM:\n%s", h.Stderr.String())
	}
}

// WaitFor polls cond every 20 ms until it holds or timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// APISession is a session as GET /api/v1/sessions returns it.
type APISession struct {
	ID       string `json:"id"`
	Node     string `json:"node"`
	Command  string `json:"command"`
	Cwd      string `json:"cwd"`
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code"`
	Bytes    int64  `json:"output_bytes"`
	Dropped  int64  `json:"dropped_bytes"`
	Agent    string `json:"agent"`
	Hooks    bool   `json:"hooks"`
}

// Sessions lists the hub's sessions (nil on any error).
func Sessions(hubURL string) []APISession {
	resp, err := authGet(hubURL + "/api/v1/sessions")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out []APISession
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return nil
	}
	return out
}

// SessionFor waits until the hub lists a session whose node is name.
func SessionFor(t testing.TB, hubURL, node string) APISession {
	t.Helper()
	var found APISession
	WaitFor(t, 15*time.Second, "session of node "+node+" on the hub", func() bool {
		for _, s := range Sessions(hubURL) {
			if s.Node == node {
				found = s
				return true
			}
		}
		return false
	})
	return found
}

// Get returns the body of a GET (empty on error).
func Get(url string) string {
	resp, err := authGet(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// PostJSON posts v and returns the status code and body.
func PostJSON(url string, v any) (int, string) {
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if tok := tokenFor(url); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// authGet is http.Get with the test hub's admin token.
func authGet(url string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if tok := tokenFor(url); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return http.DefaultClient.Do(req)
}
