package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// healthTimeout is how long ct healthcheck waits for /healthz: well inside
// Docker's default HEALTHCHECK timeout, long enough for a busy hub.
const healthTimeout = 3 * time.Second

func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", `Usage: ct healthcheck [--hub URL]

Asks a hub's /healthz and exits 0 when it answers 200 within 3 s, 1 (with
the reason) otherwise. Docker's HEALTHCHECK runs it, since the image has no
curl. --hub (or --addr) takes a URL or ct serve's own listen address (CT_ADDR), so the
same environment works for both: 0.0.0.0:7200 is checked at 127.0.0.1:7200.`, stdout)
	addr := fs.String("addr", envOr(getenv, "CT_ADDR", "http://127.0.0.1:7200"), "hub URL or listen address (env CT_ADDR)")
	// --hub, as every other workstation command names it; --addr stays for
	// Docker HEALTHCHECK lines already written.
	fs.StringVar(addr, "hub", *addr, "the same as --addr")
	timeout := fs.Duration("timeout", healthTimeout, "how long to wait for the answer")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	u, err := healthURL(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "ct healthcheck: %v\n", err)
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	// No proxy: a container's HTTP_PROXY must not route a local check away.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("hub at %s is not healthy: no answer within %s", u, *timeout)
		}
		return fmt.Errorf("hub at %s is not healthy: %v", u, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("hub at %s is not healthy: it answered %s %q", u, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(stdout, "ok: %s\n", u)
	return nil
}

// healthURL turns a hub URL or a listen address into the /healthz URL. A
// wildcard listen host (0.0.0.0, ::, empty) means "this machine".
func healthURL(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if !strings.Contains(addr, "://") {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("--addr %q: give a URL (http://127.0.0.1:7200) or host:port", addr)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		addr = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("--addr %q: give a URL (http://127.0.0.1:7200) or host:port", addr)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/healthz"
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// unwrapURLError drops net/url's "Get URL:" prefix; the URL is said already.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
