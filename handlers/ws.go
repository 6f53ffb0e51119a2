package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// wsTransport adapts a WebSocket to hub.Transport: one binary message per
// envelope.
type wsTransport struct {
	c        *websocket.Conn
	lastRead *atomic.Int64 // unix nanos of the last frame read: proof of life
	// buf holds the last frame read and is reused for the next (issue 17.2:
	// reading each 64 KiB output frame into a fresh, repeatedly grown slice
	// was a tenth of the hub's CPU in a flood). Read's envelope aliases it
	// until the next Read, as hub.Transport allows; one reader per socket.
	buf *[]byte
}

// keepFrameBuf is the largest read buffer a socket keeps between frames:
// an output frame (64 KiB) fits; a rare 2 MiB one is not held for the
// connection's life.
const keepFrameBuf = 256 << 10

func (t wsTransport) Read(ctx context.Context) (wire.Envelope, error) {
	typ, r, err := t.c.Reader(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	if typ != websocket.MessageBinary {
		return wire.Envelope{}, errors.New("text message on the wrap socket; ct wrap sends binary frames")
	}
	b, err := readFrame(r, (*t.buf)[:0]) // the read limit (wire.MaxFrame) bounds it
	if err != nil {
		return wire.Envelope{}, err
	}
	if cap(b) <= keepFrameBuf {
		*t.buf = b
	} else {
		*t.buf = nil
	}
	t.lastRead.Store(time.Now().UnixNano())
	return wire.Unmarshal(b)
}

// readFrame appends all of r to b, growing it only when full.
func readFrame(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow: append's own doubling
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func (t wsTransport) Write(ctx context.Context, e wire.Envelope) error {
	b, err := wire.Marshal(e)
	if err != nil {
		return err
	}
	return t.c.Write(ctx, websocket.MessageBinary, b)
}

func (t wsTransport) closeGoingAway() { _ = t.c.Close(websocket.StatusGoingAway, "hub shutting down") }

// handleWrapSocket is ct wrap's one outbound connection to the hub.
func (s *Server) handleWrapSocket(w http.ResponseWriter, r *http.Request) {
	s.serveMachineSocket(w, r, "wrap", "ct wrap needs a machine token: run ct login --hub URL on the workstation, or pass --token", s.hub.ServeWrap)
}

// serveMachineSocket is the one accept path for a machine's WebSocket (ct
// wrap's /ws/wrap, ct node's /ws/node): it refuses any token but a
// machine's (needMachine says what to do), accepts with coder/websocket's
// defaults, bounds frames, registers the socket to be closed first at
// shutdown, heartbeats it and runs serve on it until the connection ends.
func (s *Server) serveMachineSocket(w http.ResponseWriter, r *http.Request, what, needMachine string, serve func(context.Context, hub.Transport, hub.WrapAuth) error) {
	// The token was checked before the upgrade (requireAuth); only machine
	// tokens publish sessions or start them, and only as their machine.
	p := principal(r)
	if p.Kind != auth.KindMachine {
		s.refuse(w, r, http.StatusForbidden, needMachine, "")
		return
	}
	// A machine token is worth what its maker may still do: one who lost
	// the grant for the machine (or was disabled: refused earlier) no
	// longer lets it publish.
	if maker := (auth.Principal{User: p.User, Role: p.Role, Grants: p.Grants, Kind: auth.KindSession}); !maker.CanDrive(p.Machine) {
		s.refuse(w, r, http.StatusForbidden, "The person who made this machine token ("+p.User+") may no longer drive machine "+p.Machine+": ask an admin to grant it again, or make a new token as someone who may.", "")
		return
	}
	c, err := websocket.Accept(w, r, nil) // nil options: same-origin check on for browsers
	if err != nil {
		return // Accept has answered the request
	}
	c.SetReadLimit(wire.MaxFrame)
	t := wsTransport{c: c, lastRead: new(atomic.Int64), buf: new([]byte)}
	t.lastRead.Store(time.Now().UnixNano())
	if !s.sockets.add(t) {
		_ = c.Close(websocket.StatusGoingAway, "hub shutting down")
		return
	}
	defer s.sockets.remove(t)
	// Registered by credential: revoking the token, disabling its maker or
	// cutting their grant for the machine ends the connection.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// Cancelling is enough: the read under ctx fails and closes the socket.
	reg := s.live.openSocket(p, cancel)
	defer s.live.close(reg)
	beat, stopBeat := context.WithCancel(ctx)
	defer stopBeat()
	go heartbeat(beat, c, t.lastRead) // a machine that vanishes shows offline
	err = serve(ctx, t, hub.WrapAuth{TokenID: p.TokenID, Machine: p.Machine, User: p.User})
	s.closeMachineSocket(r, c, what, err)
}

// closeMachineSocket ends a machine's socket as serve's error says: a
// normal close for a goodbye or a hub shutting down, nothing for a peer
// already gone, and the reason for anything else (a refusal, a protocol
// error), which is also logged.
func (s *Server) closeMachineSocket(r *http.Request, c *websocket.Conn, what string, err error) {
	status := websocket.CloseStatus(err)
	switch {
	case err == nil, status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway || errors.Is(err, context.Canceled):
		_ = c.Close(websocket.StatusNormalClosure, "")
	case status != -1, errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The peer closed or went away; nothing to send back.
		s.log.Debug(what+" connection ended", "error", err)
	default:
		s.log.Warn(what+" connection ended", "error", err, "remote", r.RemoteAddr)
		reason := err.Error()
		if len(reason) > 120 {
			reason = reason[:120]
		}
		_ = c.Close(websocket.StatusPolicyViolation, reason)
	}
}

// A wrap that vanishes without closing its socket (a laptop put to sleep, a
// network that silently drops) would look connected until TCP gives up,
// which can take many minutes; its sessions would show live all that time.
// The hub pings each wrap every heartbeatEvery and drops a connection whose
// pong has not come within heartbeatWait: the session shows offline, and the
// wrap reconnects and resends when it is back, so a machine that drops shows
// offline within heartbeatEvery+heartbeatWait (under 10 s). The wait allows
// for pongs being read by the loop that a busy store can briefly hold up.
const (
	heartbeatEvery = 4 * time.Second
	heartbeatWait  = 5 * time.Second
)

// heartbeat pings c until ctx ends and closes c when a ping goes unanswered.
func heartbeat(ctx context.Context, c *websocket.Conn, lastRead *atomic.Int64) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		pctx, cancel := context.WithTimeout(ctx, heartbeatWait)
		err := c.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A pong can be stuck behind frames the hub has not read yet (a
			// busy store): frames arriving are proof enough that it lives.
			if time.Since(time.Unix(0, lastRead.Load())) < heartbeatEvery+heartbeatWait {
				continue
			}
			_ = c.CloseNow() // the read loop ends, and the session goes offline
			return
		}
	}
}
