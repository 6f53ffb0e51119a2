package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HubProc is a running ct serve. It is e2e.StartHub's shape without a
// testing.TB, so the load command can use it, and with the process id, which
// the benchmarks need for /proc and perf.
type HubProc struct {
	URL   string
	Data  string
	Cmd   *exec.Cmd
	Token string // an admin API token, minted at start

	mu     sync.Mutex
	stderr strings.Builder
	done   chan struct{}
}

var urlRE = regexp.MustCompile(`url=(http://\S+)`)

// AdminPassword is the admin password benchmark hubs start with.
const AdminPassword = "ct-bench-admin-password"

// StartHub runs bin serve on 127.0.0.1 (any port) with its store in data,
// waits until /healthz answers and mints an admin API token.
func StartHub(bin, data string, extra ...string) (*HubProc, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)
	h := &HubProc{Data: data, Cmd: exec.Command(bin, args...), done: make(chan struct{})}
	h.Cmd.Env = append(os.Environ(), "CT_ADMIN_PASSWORD="+AdminPassword)
	pr, pw := io.Pipe()
	h.Cmd.Stderr = pw
	if err := h.Cmd.Start(); err != nil {
		return nil, err
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			h.mu.Lock()
			h.stderr.WriteString(sc.Text() + "\n")
			h.mu.Unlock()
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr) // a line too long for the scanner must not block the hub
	}()
	go func() { _ = h.Cmd.Wait(); pw.Close(); close(h.done) }()
	select {
	case h.URL = <-urlc:
	case <-h.done:
		return nil, fmt.Errorf("ct serve exited at start:\n%s", h.Stderr())
	case <-time.After(20 * time.Second):
		h.Kill()
		return nil, fmt.Errorf("ct serve did not report its address:\n%s", h.Stderr())
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(h.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			h.Kill()
			return nil, errors.New("ct serve never answered /healthz")
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	tok, err := mintToken(http.DefaultClient, h.URL, func(r *http.Request) { r.SetBasicAuth("admin", AdminPassword) },
		map[string]string{"name": "bench-admin", "kind": "api"})
	if err != nil {
		h.Kill()
		return nil, err
	}
	h.Token = tok
	return h, nil
}

// MachineToken mints a machine token for ct wrap --name machine.
func (h *HubProc) MachineToken(machine string) (string, error) {
	return mintToken(h.Client(), h.URL, func(*http.Request) {}, map[string]string{"name": machine, "kind": "machine", "machine": machine})
}

func mintToken(client *http.Client, hubURL string, auth func(*http.Request), req map[string]string) (string, error) {
	b, _ := json.Marshal(req)
	r, err := http.NewRequest(http.MethodPost, hubURL+"/api/v1/tokens", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	auth(r)
	r.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(r)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Token, Error string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusCreated || out.Token == "" {
		return "", fmt.Errorf("mint token %v: %s %s", req, resp.Status, out.Error)
	}
	return out.Token, nil
}

// Client returns an HTTP client that sends the hub's admin token. It has no
// overall timeout, so it also serves SSE streams.
func (h *HubProc) Client() *http.Client {
	return &http.Client{Transport: bearer{token: h.Token, next: http.DefaultTransport}}
}

// bearer adds an Authorization header to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// Pid is the hub's process id.
func (h *HubProc) Pid() int { return h.Cmd.Process.Pid }

// Stderr returns the hub's log so far.
func (h *HubProc) Stderr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stderr.String()
}

// Kill sends SIGKILL and waits for the process to go. Safe to call twice.
func (h *HubProc) Kill() {
	_ = h.Cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
}

// Done is closed when the hub has exited.
func (h *HubProc) Done() <-chan struct{} { return h.done }

// TempHub starts a hub on a fresh store under the system temp directory,
// with extra serve flags; stop kills it and removes the store.
func TempHub(bin string, extra ...string) (h *HubProc, stop func(), err error) {
	dir, err := os.MkdirTemp("", "ct-bench-hub-")
	if err != nil {
		return nil, nil, err
	}
	h, err = StartHub(bin, dir, extra...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return h, func() { h.Kill(); os.RemoveAll(dir) }, nil
}
