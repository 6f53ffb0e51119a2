// Package ptywrap owns the workstation side of a session: it runs a program
// under a PTY, mirrors it to the local terminal exactly as if ct were not
// there, and streams its output to the hub through a bounded spool. The local
// program never waits on the hub. It must not import the hub's packages.
package ptywrap

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"runtime"
	"syscall"
	"time"

	"github.com/creack/pty"
	"github.com/ct-dev/ct/wire"
	"golang.org/x/term"
)

// Config is what one ct wrap needs.
type Config struct {
	Command string
	Args    []string
	Hub     string // http(s) URL of ct serve
	Token   string
	Name    string // machine name shown on the hub
	Spool   int    // bytes of unacknowledged output kept for the hub
	Version string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// Env is added to the program's environment.
	Env []string
	// Plugin, when set, extends the session (agent hooks, approvals).
	Plugin Plugin
	// FinalWait bounds how long, after the program exits, wrap waits for the
	// hub to acknowledge the last output (only while connected).
	FinalWait time.Duration
	// ShownArgs, when set, are the arguments the hub shows for the session
	// instead of Args: the person's own, without what ct adds (--settings).
	ShownArgs []string
	// Agent and Hooks are declared in session.start (see wire.SessionStart).
	Agent string
	Hooks bool
}

// ExitError carries the child's exit status for the caller to exit with.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// connectGrace is how long wrap waits for the first connection attempt before
// starting the program: long enough for a refused local connection to be
// reported up front, short enough that nobody notices.
const connectGrace = 300 * time.Millisecond

// finalDial bounds how long, after the program exits, wrap waits for a
// connection being made: a hub that just restarted answers well within it
// (even on a loaded machine), while one whose packets vanish would
// otherwise hold the shell prompt for all of FinalWait.
const finalDial = 2 * time.Second

// Run runs the program and returns its exit status (128+signal when killed).
func Run(ctx context.Context, cfg Config) (int, error) {
	path, err := exec.LookPath(cfg.Command)
	if err != nil {
		return 127, fmt.Errorf("%s: not found in PATH; install it or name the program to run, e.g. ct wrap -- bash", cfg.Command)
	}
	wsURL, err := WSURL(cfg.Hub)
	if err != nil {
		return 2, err
	}
	stdinFile, _ := cfg.Stdin.(*os.File)
	isTTY := stdinFile != nil && term.IsTerminal(int(stdinFile.Fd()))
	cols, rows := 80, 24
	if isTTY {
		if w, h, err := term.GetSize(int(stdinFile.Fd())); err == nil && w > 0 && h > 0 {
			cols, rows = w, h
		}
	}
	cwd, _ := os.Getwd()
	host, _ := os.Hostname()
	name := cfg.Name
	if name == "" {
		name = host
	}
	sid := newSessionID()
	sp := newSpool(cfg.Spool)
	inputs := make(chan []byte, 64)
	ptyResize := make(chan wire.Resize, 4)
	st := newStreamer(wsURL, cfg.Token, sid, sp, cfg.Plugin, inputs, ptyResize,
		wire.Hello{Node: name, Hostname: host, User: currentUser(), OS: runtime.GOOS, Version: cfg.Version},
		wire.SessionStart{Command: cfg.Command, Args: shownArgs(cfg), Cwd: cwd, Cols: cols, Rows: rows, StartedAt: time.Now().UTC(), Agent: cfg.Agent, Hooks: cfg.Hooks})
	if cfg.Plugin != nil {
		cfg.Plugin.Attach(st.sendUrgent)
		attachLog(cfg.Plugin, sp)
	}
	streamCtx, stopStream := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStream()
	go st.run(streamCtx)
	select {
	case <-st.attempted:
	case <-time.After(connectGrace):
	}
	told := false // the person already knows the hub is unreachable
	if ok, err := st.status(); !ok && err != nil {
		fmt.Fprintf(cfg.Stderr, "ct: hub %s unreachable (%s); running %s without it, retrying in the background\n", cfg.Hub, brief(err), cfg.Command)
		told = true
	}

	cmd := exec.Command(path, cfg.Args...)
	cmd.Env = append(append(os.Environ(), "CT_SESSION="+sid, "CT_HUB="+cfg.Hub), cfg.Env...)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return 126, fmt.Errorf("start %s under a PTY: %w", cfg.Command, err)
	}
	restoreTTY := func() {}
	if isTTY {
		old, err := term.MakeRaw(int(stdinFile.Fd()))
		if err == nil {
			restoreTTY = func() { _ = term.Restore(int(stdinFile.Fd()), old) }
			defer restoreTTY()
		}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGWINCH, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()

	// Local keyboard → program. With no terminal, EOF just ends local input:
	// the program stays up for input from the hub.
	if cfg.Stdin != nil {
		go copyInput(master, cfg.Stdin, cfg.Plugin, st.localTyping)
	}
	// Hub input and resize requests → program, off the network goroutine so a
	// program that does not read cannot stall acknowledgements.
	go func() {
		for {
			select {
			case b := <-inputs:
				_, _ = master.Write(b)
			case r := <-ptyResize:
				if isTTY {
					continue // the local terminal's size wins when there is one
				}
				if err := pty.Setsize(master, &pty.Winsize{Cols: uint16(r.Cols), Rows: uint16(r.Rows)}); err == nil {
					resized(sp, st, r.Cols, r.Rows)
				}
			case <-exited:
				return
			}
		}
	}()
	go func() {
		for s := range sigs {
			switch s {
			case syscall.SIGWINCH:
				if !isTTY {
					continue
				}
				if w, h, err := term.GetSize(int(stdinFile.Fd())); err == nil {
					_ = pty.Setsize(master, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
					resized(sp, st, w, h)
				}
			default:
				_ = cmd.Process.Signal(s) // without a terminal, pass signals on
			}
		}
	}()

	copyOutput(master, cfg.Stdout, sp, exited)
	<-exited
	_ = master.Close()
	restoreTTY() // before the exit messages: a raw terminal would staircase them
	code, sigName := exitStatus(cmd, waitErr)
	flushLog(cfg.Plugin)

	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: code, Signal: sigName, EndedAt: time.Now().UTC()})
	sp.add(end)
	finish(st, sp, cfg, told)
	stopStream()
	return code, nil
}

// copyInput passes local keystrokes to the program, through the plugin's
// filter when there is one (it watches for answers to an open prompt).
// typed is told about each chunk (the hub shows "typing at the terminal").
func copyInput(master io.Writer, in io.Reader, p Plugin, typed func()) {
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			typed()
			out := buf[:n]
			if p != nil {
				out = p.LocalInput(out)
			}
			if len(out) > 0 {
				if _, werr := master.Write(out); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

func resized(sp *spool, st *streamer, cols, rows int) {
	e, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: cols, Rows: rows})
	sp.add(e)
	st.setSize(cols, rows)
}

// copyOutput mirrors PTY output to the local terminal and the spool until the
// PTY reports end of output. After the program exits it keeps draining, so
// the last bytes are never lost, until EIO or a quiet spell (a background
// child may hold the PTY open forever).
func copyOutput(master *os.File, out io.Writer, sp *spool, exited <-chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		select {
		case <-exited:
			if master.SetReadDeadline(time.Now().Add(500*time.Millisecond)) != nil {
				// Not pollable: a blocking read could hang on a leftover child.
				drainNow(master, buf, out, sp)
				return
			}
		default:
		}
		n, err := master.Read(buf)
		if n > 0 {
			_, _ = out.Write(buf[:n]) // local terminal first
			sp.addOutput(buf[:n])
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				select {
				case <-exited:
					return
				default:
					continue
				}
			}
			return // EIO: every process holding the PTY is gone
		}
	}
}

func drainNow(master *os.File, buf []byte, out io.Writer, sp *spool) {
	for {
		n, err := master.Read(buf)
		if n > 0 {
			_, _ = out.Write(buf[:n])
			sp.addOutput(buf[:n])
		}
		if err != nil || n == 0 {
			return
		}
	}
}

// finish waits for the hub to acknowledge everything while a connection is
// up or being made, then says on stderr what did not reach the hub. A wrap
// between attempts retries at once rather than after its backoff: a hub that
// just came back gets the session's end, and one that is still down refuses
// at once, so exit is not delayed. A hub that was never reached was already
// reported (told): one line is enough.
// finalMax bounds the whole final wait, however steadily the hub acks.
const finalMax = 2 * time.Minute

func finish(st *streamer, sp *spool, cfg Config, told bool) {
	wait := cfg.FinalWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	deadline := time.Now().Add(wait)
	hardStop := time.Now().Add(finalMax)
	st.retryNow()
	var dialing time.Time // when the wait for a connection being made began
	_, lastBytes := sp.pending()
	for time.Now().Before(deadline) {
		n, b := sp.pending()
		if n == 0 {
			break
		}
		if b < lastBytes && time.Now().Before(hardStop) {
			// The hub is still acknowledging: a slow hub is not a gone one.
			deadline = time.Now().Add(wait)
			lastBytes = b
		}
		if !st.working() {
			break
		}
		if ok, _ := st.status(); ok {
			dialing = time.Time{}
		} else if dialing.IsZero() {
			dialing = time.Now()
		} else if time.Since(dialing) > finalDial {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	events, bytes := sp.pending()
	lost := sp.droppedBytes()
	connected, lastErr := st.status()
	ever := st.everConnected()
	if ever && lost > 0 {
		fmt.Fprintf(cfg.Stderr, "ct: %d bytes of output were dropped while the hub was unreachable or not keeping up (spool limit %d bytes, --spool)\n", lost, sp.max)
	}
	if events > 0 && (ever || !told) {
		why := "it did not acknowledge in time"
		switch {
		case lastErr != nil:
			why = brief(lastErr)
		case !connected:
			why = "it did not answer"
		}
		fmt.Fprintf(cfg.Stderr, "ct: hub %s did not receive the last %d bytes of this session (%s)\n", cfg.Hub, bytes, why)
	}
}

func exitStatus(cmd *exec.Cmd, waitErr error) (int, string) {
	ps := cmd.ProcessState
	if ps == nil {
		return 1, ""
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal().String()
	}
	return ps.ExitCode(), ""
}

func newSessionID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%s", time.Now().Unix(), hex.EncodeToString(b))
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// shownArgs is what the hub lists as the program's arguments.
func shownArgs(cfg Config) []string {
	if cfg.ShownArgs != nil {
		return cfg.ShownArgs
	}
	return cfg.Args
}
