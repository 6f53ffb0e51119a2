package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"text/tabwriter"

	"github.com/ct-dev/ct/nodeagent"
	"github.com/ct-dev/ct/platform"
	"golang.org/x/term"
)

// detachKey is Ctrl-] (as telnet's escape): it leaves the session running.
const detachKey = 0x1d

func runAttach(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("attach", `Usage: ct attach [--socket PATH] [SESSION]

Attaches this terminal to a session that ct node started on this machine:
its screen, your keyboard, your terminal's size. Ctrl-] detaches; the session
keeps running. With no SESSION, lists the node's sessions.`, stdout)
	socket := fs.String("socket", envOr(getenv, "CT_NODE_SOCKET", nodeagent.DefaultSocket(getenv)), "the node's unix socket (env CT_NODE_SOCKET)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	c, err := dialNode(*socket)
	if err != nil {
		return err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	if fs.NArg() == 0 {
		return listNodeSessions(c, br, stdout)
	}
	return attachSession(ctx, c, br, fs.Arg(0), stdin, stdout, stderr)
}

// dialNode connects to the node's socket after checking it is this
// user's, and that the other end is too.
func dialNode(socket string) (net.Conn, error) {
	if _, err := os.Lstat(socket); err != nil {
		return nil, fmt.Errorf("no ct node is listening on %s (start ct node on this machine, or pass --socket): %w", socket, err)
	}
	if err := nodeagent.CheckSocket(socket); err != nil {
		return nil, fmt.Errorf("ct attach: %w", err)
	}
	c, err := net.Dial("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("no ct node is listening on %s (start ct node on this machine, or pass --socket): %w", socket, err)
	}
	if err := nodeagent.CheckPeer(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("ct attach: %w", err)
	}
	return c, nil
}

// attachSession mirrors session id to this terminal until Ctrl-], the
// session's end, or ctx's end.
func attachSession(ctx context.Context, c net.Conn, br *bufio.Reader, id string, stdin io.Reader, stdout, stderr io.Writer) error {
	in, _ := stdin.(*os.File)
	isTTY := in != nil && term.IsTerminal(int(in.Fd()))
	cols, rows := 0, 0
	if isTTY {
		cols, rows, _ = term.GetSize(int(in.Fd()))
	}
	if err := askNode(c, br, nodeagent.AttachRequest{Session: id, Cols: cols, Rows: rows}, nil); err != nil {
		return err
	}
	restore := func() {}
	if isTTY {
		if old, err := term.MakeRaw(int(in.Fd())); err == nil {
			vt := platform.EnableVT(os.Stdout) // Windows consoles draw escape sequences only when asked
			restore = func() { vt(); _ = term.Restore(int(in.Fd()), old) }
		}
	}
	defer restore()
	fmt.Fprintf(stderr, "ct: attached to %s; Ctrl-] detaches\r\n", id)

	var resized <-chan struct{} // nil without a terminal: never ready
	if isTTY {
		var stopResize func()
		resized, stopResize = platform.WatchResize(in)
		defer stopResize()
	}
	// Frames are written by one goroutine at a time: keys and resizes share
	// the connection, so they go through one channel.
	frames := make(chan [2][]byte, 16)
	detached := make(chan struct{})
	go readKeys(stdin, frames, detached)
	go writeFrames(c, in, frames, resized, detached)
	ended := make(chan struct{})
	go func() { _, _ = io.Copy(stdout, br); close(ended) }()
	select {
	case <-detached:
		// Let the keys typed before Ctrl-] go out before closing.
		for len(frames) > 0 {
			f := <-frames
			_ = nodeagent.WriteFrame(c, f[0][0], f[1])
		}
		restore()
		fmt.Fprintf(stderr, "\r\nct: detached; the session keeps running (ct attach %s)\n", id)
		return nil
	case <-ended:
		restore()
		fmt.Fprintf(stderr, "\r\nct: the session ended\n")
		return nil
	case <-ctx.Done():
		return nil
	}
}

// readKeys turns local keystrokes into input frames until Ctrl-] (which
// closes detached) or the end of local input.
func readKeys(stdin io.Reader, frames chan<- [2][]byte, detached chan struct{}) {
	buf := make([]byte, 4096)
	for {
		n, err := stdin.Read(buf)
		if i := bytes.IndexByte(buf[:n], detachKey); i >= 0 {
			if i > 0 {
				frames <- [2][]byte{{nodeagent.FrameInput}, append([]byte(nil), buf[:i]...)}
			}
			close(detached)
			return
		}
		if n > 0 {
			frames <- [2][]byte{{nodeagent.FrameInput}, append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			return // no more local input; output is still mirrored
		}
	}
}

// writeFrames is the one writer of the connection: keys, and the
// terminal's size when it changes.
func writeFrames(c net.Conn, in *os.File, frames <-chan [2][]byte, resized <-chan struct{}, detached <-chan struct{}) {
	for {
		select {
		case f := <-frames:
			if nodeagent.WriteFrame(c, f[0][0], f[1]) != nil {
				return
			}
		case <-resized:
			if w, h, err := term.GetSize(int(in.Fd())); err == nil {
				_ = nodeagent.WriteFrame(c, nodeagent.FrameResize, nodeagent.ResizeFrame(w, h))
			}
		case <-detached:
			return
		}
	}
}

// askNode sends one request line and reads the reply; into, when set, gets it.
func askNode(c net.Conn, br *bufio.Reader, req nodeagent.AttachRequest, into *nodeagent.AttachReply) error {
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return err
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("the node closed the connection: %w", err)
	}
	var r nodeagent.AttachReply
	if err := json.Unmarshal(line, &r); err != nil {
		return fmt.Errorf("the node answered %q", line)
	}
	if r.Error != "" {
		return errors.New(r.Error)
	}
	if into != nil {
		*into = r
	}
	return nil
}

func listNodeSessions(c net.Conn, br *bufio.Reader, stdout io.Writer) error {
	var r nodeagent.AttachReply
	if err := askNode(c, br, nodeagent.AttachRequest{List: true}, &r); err != nil {
		return err
	}
	if len(r.Sessions) == 0 {
		fmt.Fprintln(stdout, "no sessions on this node")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tCOMMAND\tCWD\tSTARTED")
	for _, s := range r.Sessions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.Command, s.Cwd, s.Started.Local().Format("15:04:05"))
	}
	return tw.Flush()
}
