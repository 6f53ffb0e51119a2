package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/platform"
)

// upStartFor bounds how long ct up waits for its hub to answer /healthz:
// a new store opens in well under a second; longer means it will not start.
const upStartFor = 20 * time.Second

// upStopFor bounds the hub's graceful stop once the wrapped program has
// ended (its own shutdown timeout is shorter); then it is killed.
const upStopFor = 15 * time.Second

// upPasswordFile, in the store directory, keeps the admin password ct up
// generated on the first start, so later runs can show it again.
const upPasswordFile = "up-admin-password"

func runUp(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("up", `Usage: ct up [--addr 127.0.0.1:7200] [--data ./ct-data] [--] [COMMAND [ARGS...]]

A first try in one terminal: runs the hub (ct serve, in the background, its
log in DATA/serve.log), logs this workstation in as admin (ct login), then
runs COMMAND (default: your $SHELL) under ct wrap here. When the program
ends (type exit, or Ctrl-D) the hub stops too; Ctrl-C before that, or
SIGTERM, stops both.

On the first start the admin password is CT_ADMIN_PASSWORD, or a generated
one kept in DATA/`+upPasswordFile+` (mode 0600) and printed on every run.
For a hub that stays up, run ct serve in one terminal and ct login, then
ct wrap, in another.`, stdout)
	addr := fs.String("addr", envOr(getenv, "CT_ADDR", "127.0.0.1:7200"), "address the hub listens on (env CT_ADDR)")
	data := fs.String("data", envOr(getenv, "CT_DATA", "./ct-data"), "the hub's store directory (env CT_DATA)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	command := fs.Args()
	if len(command) == 0 {
		command = []string{envOr(getenv, "SHELL", "sh")}
	}
	hubURL, err := upHubURL(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "ct up: %v\n", err)
		return errUsage
	}
	password, known, err := upPassword(getenv, *data)
	if err != nil {
		return err
	}
	hub, err := startUpHub(ctx, getenv, *addr, *data, hubURL, password, stderr)
	if err != nil {
		return err
	}
	defer hub.stop(stderr)
	if known {
		fmt.Fprintf(stderr, "ct up: open %s and log in as admin with the password %s\n", hubURL, password)
	}
	if saved, ok := client.SavedCredentials(getenv, hubURL); !ok || saved.APIToken == "" {
		loginEnv := getenv
		if known {
			loginEnv = func(k string) string {
				switch k {
				case "CT_USER":
					return "admin"
				case "CT_PASSWORD":
					return password
				}
				return getenv(k)
			}
		}
		if err := runLogin(ctx, []string{"--hub", hubURL}, loginEnv, stdin, stderr, stderr); err != nil {
			return fmt.Errorf("log in to the hub ct up started: %w", err)
		}
	}
	fmt.Fprintf(stderr, "ct up: running %s under ct wrap; exit it to stop the hub too\n", strings.Join(command, " "))
	return runWrap(ctx, append([]string{"--hub", hubURL, "--"}, command...), getenv, stdin, stdout, stderr)
}

// upHubURL is the URL the hub listening on addr is reached at from here.
func upHubURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: give host:port, e.g. 127.0.0.1:7200", addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// upPassword is the admin password for the hub's first start: CT_ADMIN_PASSWORD,
// else the one kept from an earlier ct up, else (for a store that does not
// exist yet) a new one, kept. known is false for a store made some other
// way: its admin's password is not ct up's to know, and ct login asks.
func upPassword(getenv func(string) string, data string) (pw string, known bool, err error) {
	if pw = getenv("CT_ADMIN_PASSWORD"); pw != "" {
		return pw, true, nil
	}
	file := filepath.Join(data, upPasswordFile)
	if b, err := os.ReadFile(file); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), true, nil
	}
	if _, err := os.Stat(data); err == nil {
		return "", false, nil
	}
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return "", false, err
	}
	pw = base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", false, fmt.Errorf("create the store directory %s: %w", data, err)
	}
	if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("keep the admin password in %s: %w", file, err)
	}
	return pw, true, nil
}

// upHub is the ct serve process ct up runs.
type upHub struct {
	cmd  *exec.Cmd
	done chan error // the process's exit, once
	log  *os.File
}

// startUpHub starts ct serve as a child in its own session (so only ct up
// stops it, in order, after the wrapped program) and waits for /healthz.
func startUpHub(ctx context.Context, getenv func(string) string, addr, data, hubURL, password string, stderr io.Writer) (*upHub, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find ct's own binary to run ct serve: %w", err)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("create the store directory %s: %w", data, err)
	}
	logPath := filepath.Join(data, "serve.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the hub's log %s: %w", logPath, err)
	}
	cmd := exec.Command(self, "serve", "--addr", addr, "--data", data)
	cmd.Env = append(os.Environ(), "CT_ADMIN_PASSWORD="+password)
	cmd.Stdout, cmd.Stderr = logf, logf
	platform.Detach(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start ct serve: %w", err)
	}
	h := &upHub{cmd: cmd, done: make(chan error, 1), log: logf}
	// Waits for the hub's exit, so a hub that dies at start is noticed at once.
	go func() { h.done <- cmd.Wait() }()
	fmt.Fprintf(stderr, "ct up: hub at %s (store %s, log %s)\n", hubURL, data, logPath)
	if err := h.waitHealthy(ctx, hubURL, logPath); err != nil {
		h.stop(io.Discard)
		return nil, err
	}
	return h, nil
}

// waitHealthy polls /healthz until it answers 200, the hub exits, or
// upStartFor passes.
func (h *upHub) waitHealthy(ctx context.Context, hubURL, logPath string) error {
	deadline := time.Now().Add(upStartFor)
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	for time.Now().Before(deadline) {
		if resp, err := hc.Get(hubURL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-h.done:
			h.done <- err // stop reads it again
			return fmt.Errorf("ct serve stopped at start (%v); the reason is at the end of %s (a port in use? try --addr 127.0.0.1:7201)", err, logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // poll interval: a start takes a few of these
		}
	}
	return fmt.Errorf("the hub did not answer %s/healthz within %s; see %s", hubURL, upStartFor, logPath)
}

// stop asks the hub to shut down (SIGINT, as Ctrl-C would), waits up to
// upStopFor, then kills it.
func (h *upHub) stop(stderr io.Writer) {
	defer h.log.Close()
	if err := h.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = h.cmd.Process.Kill() // Windows has no SIGINT for another process
	}
	select {
	case <-h.done:
	case <-time.After(upStopFor):
		_ = h.cmd.Process.Kill()
		<-h.done
	}
	fmt.Fprintln(stderr, "ct up: hub stopped")
}
