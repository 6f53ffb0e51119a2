package nodeagent

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ct-dev/ct/platform"
)

// The attach protocol, over the node's unix socket (mode 0600 in a 0700
// directory: only the node's own user can connect):
//
//	client → node: one JSON line, AttachRequest
//	node → client: one JSON line, AttachReply
//	then node → client: the session's raw output, until it ends or detaches
//	and  client → node: frames of [kind byte][uint32 length][data]
//	     kind 'i': keystrokes; kind 'r': resize, data = cols, rows (uint16 each)
//
// The node closes the connection when the session ends.

// AttachRequest is the first line a client sends.
type AttachRequest struct {
	Session string `json:"session,omitempty"`
	Cols    int    `json:"cols,omitempty"`
	Rows    int    `json:"rows,omitempty"`
	List    bool   `json:"list,omitempty"` // list the sessions instead of attaching
}

// AttachReply is the node's answer line.
type AttachReply struct {
	Error    string        `json:"error,omitempty"`
	Command  string        `json:"command,omitempty"`
	Sessions []SessionInfo `json:"sessions,omitempty"`
}

// Frame kinds from client to node.
const (
	FrameInput  = 'i'
	FrameResize = 'r'
)

// maxFrame bounds one client frame (a paste larger than this is split).
const maxFrame = 64 << 10

// WriteFrame writes one client frame.
func WriteFrame(w io.Writer, kind byte, data []byte) error {
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), maxFrame)
		hdr := [5]byte{kind}
		binary.BigEndian.PutUint32(hdr[1:], uint32(n))
		if _, err := w.Write(append(hdr[:], data[:n]...)); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// ResizeFrame encodes a size for a FrameResize.
func ResizeFrame(cols, rows int) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint16(b, uint16(cols))
	binary.BigEndian.PutUint16(b[2:], uint16(rows))
	return b
}

func readFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("attach frame of %d bytes is over the %d limit", n, maxFrame)
	}
	if _, err := io.ReadFull(r, buf[:n]); err != nil {
		return 0, nil, err
	}
	return hdr[0], buf[:n], nil
}

// RuntimeDir is the private directory for the node's socket:
// $XDG_RUNTIME_DIR/ct, else <tmp>/ct-<uid>.
func RuntimeDir(getenv func(string) string) string {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "ct")
	}
	return filepath.Join(os.TempDir(), "ct-"+strconv.Itoa(os.Getuid()))
}

// DefaultSocket is where ct node listens and ct attach connects by default.
func DefaultSocket(getenv func(string) string) string {
	return filepath.Join(RuntimeDir(getenv), "node.sock")
}

// listenAttach makes the socket's directory private (0700, owned by this
// user, not a symlink: sockcheck.go), replaces a stale socket and listens
// with mode 0600.
func listenAttach(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("attach socket directory: %w", err)
	}
	if err := platform.RestrictDir(dir); err != nil { // Windows: the socket's only guard is its directory's ACL
		return nil, err
	}
	if err := checkSocketDir(dir, true); err != nil {
		return nil, err
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("another ct node is already listening on %s; stop it or pass --socket", path)
	}
	_ = os.Remove(path) // stale: its node is gone
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("attach socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func (a *Agent) serveAttach(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		go a.attach(c)
	}
}

// attach serves one ct attach connection.
func (a *Agent) attach(c net.Conn) {
	defer c.Close()
	if err := CheckPeer(c); err != nil {
		a.cfg.Log.Warn("attach refused", "error", err)
		return
	}
	br := bufio.NewReader(c)
	line, err := br.ReadBytes('\n')
	if err != nil || len(line) > 4096 {
		return
	}
	var req AttachRequest
	reply := func(r AttachReply) bool {
		b, _ := json.Marshal(r)
		_, err := c.Write(append(b, '\n'))
		return err == nil
	}
	if err := json.Unmarshal(line, &req); err != nil {
		reply(AttachReply{Error: "bad attach request: " + err.Error()})
		return
	}
	if req.List {
		reply(AttachReply{Sessions: a.list()})
		return
	}
	h, err := a.session(req.Session)
	if err != nil {
		reply(AttachReply{Error: err.Error()})
		return
	}
	tail, out, detach := h.Attach()
	defer detach()
	if !reply(AttachReply{Command: h.Command}) {
		return
	}
	h.Resize(req.Cols, req.Rows)
	// Keystrokes and resizes from the terminal, until it detaches.
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		buf := make([]byte, maxFrame)
		for {
			kind, data, err := readFrame(br, buf)
			if err != nil {
				return
			}
			switch kind {
			case FrameInput:
				_, _ = h.Write(data)
			case FrameResize:
				if len(data) == 4 {
					h.Resize(int(binary.BigEndian.Uint16(data)), int(binary.BigEndian.Uint16(data[2:])))
				}
			}
		}
	}()
	if _, err := c.Write(tail); err != nil {
		return
	}
	for {
		select {
		case b, ok := <-out:
			if !ok {
				return // the session ended (or this terminal fell too far behind)
			}
			if _, err := c.Write(b); err != nil {
				return
			}
		case <-gone:
			return
		}
	}
}
