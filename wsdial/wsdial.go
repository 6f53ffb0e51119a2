// Package wsdial owns the workstation's outbound WebSocket to the hub, for
// ct wrap's session streams and ct node's control connection alike: the
// endpoint URL, the dial with the machine token, the first frames and the
// hub's answer, envelope framing, and the reconnect loop with its backoff.
// It knows nothing of what flows after the handshake, and must not import
// the hub's packages (hub, handlers, db).
package wsdial

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"runtime"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// URL turns a hub URL (http or https) into the WebSocket endpoint at path
// ("/ws/wrap", "/ws/node").
func URL(hub, path string) (string, error) {
	u, err := url.Parse(strings.TrimRight(hub, "/"))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("hub URL %q is not a URL like http://127.0.0.1:7200", hub)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("hub URL %q must start with http:// or https://", hub)
	}
	u.Path += path
	return u.String(), nil
}

// Hello is what this machine says about itself on every connection: name
// (the hostname when empty), host, user, OS and ct's version.
func Hello(name, version string) wire.Hello {
	host, _ := os.Hostname()
	if name == "" {
		name = host
	}
	return wire.Hello{Node: name, Hostname: host, User: currentUser(), OS: runtime.GOOS, Version: version}
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// Handshake is how one kind of connection opens: the frames sent first and
// the type of the hub's answer.
type Handshake struct {
	Send []wire.Envelope
	Want string // the answer's type; a wire error instead means a refusal
	What string // what the hub refuses, in errors: "session", "node"
	Into any    // when set, the answer's payload is decoded into it
}

// dialTimeout bounds one connection attempt: a hub whose packets vanish
// must not hold the reconnect loop for the kernel's TCP timeout.
const dialTimeout = 10 * time.Second

// Dial connects to url with the machine token, sends hs.Send and reads the
// hub's answer. Errors say what to do where the person can act (a token the
// hub refuses).
func Dial(ctx context.Context, url, token string, hs Handshake) (*Conn, wire.Envelope, error) {
	dialCtx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	hdr := http.Header{}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	ws, resp, err := websocket.Dial(dialCtx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, wire.Envelope{}, refusal(resp, err)
	}
	ws.SetReadLimit(wire.MaxFrame)
	c := &Conn{ws: ws}
	ans, err := c.handshake(ctx, hs)
	if err != nil {
		ws.CloseNow()
		return nil, wire.Envelope{}, err
	}
	return c, ans, nil
}

// refusal turns a failed upgrade into an error: the hub's own words when it
// answered with an HTTP error, the dialer's otherwise.
func refusal(resp *http.Response, err error) error {
	if resp == nil || resp.StatusCode < 400 {
		return err
	}
	why := ""
	if resp.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		why = strings.TrimSpace(string(b))
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		why += " (run ct login --hub URL on this machine, or pass --token / CT_TOKEN)"
	}
	return fmt.Errorf("hub refused the connection: %s: %s", resp.Status, why)
}

func (c *Conn) handshake(ctx context.Context, hs Handshake) (wire.Envelope, error) {
	for _, e := range hs.Send {
		if err := c.Write(ctx, e); err != nil {
			return wire.Envelope{}, err
		}
	}
	ans, err := c.Read(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	if ans.Type == wire.TypeError {
		var m wire.Error
		_ = ans.Decode(&m)
		return wire.Envelope{}, fmt.Errorf("hub refused the %s: %s", hs.What, m.Message)
	}
	if ans.Type != hs.Want || (hs.Into != nil && ans.Decode(hs.Into) != nil) {
		return wire.Envelope{}, fmt.Errorf("hub answered %s instead of %s", ans.Type, hs.Want)
	}
	return ans, nil
}
