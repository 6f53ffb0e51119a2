package ptywrap

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"github.com/ct-dev/ct/wire"
)

// HeadlessConfig is what one session with no local terminal needs (the
// sessions ct node starts). It streams to the hub exactly as Run does: same
// spool, same streamer, one WebSocket per session.
type HeadlessConfig struct {
	Command   string // program name or path
	Args      []string
	ShownArgs []string // what the hub shows instead of Args (nil: Args)
	Dir       string   // working directory
	Hub       string
	Token     string
	Name      string // machine name
	Spool     int
	Version   string
	Env       []string
	Plugin    Plugin
	Cols      int // initial size; 0: 80x24
	Rows      int
	// Input is typed into the program once it has started (a first prompt
	// for programs that take none as an argument).
	Input []byte
	// Agent and Hooks are declared in session.start (see wire.SessionStart).
	Agent string
	Hooks bool
}

// Headless is one running session without a local terminal. Terminals can
// attach to it (Mirror, Write, Resize) and detach; it runs until the program
// exits, whether or not the hub or any terminal is there.
type Headless struct {
	ID      string
	Command string
	Dir     string
	Started time.Time

	cmd    *exec.Cmd
	master *os.File
	sp     *spool
	st     *streamer
	plugin Plugin
	done   chan struct{} // closed when the program has exited and its output is drained
	flushd chan struct{} // closed when the hub has everything, or the stream was stopped
	code   int

	mu       sync.Mutex
	mirrors  map[chan []byte]struct{}
	tail     []byte // the last mirrorTail bytes of output, for a terminal that attaches
	attached int    // attached terminals: while > 0 their size wins over the hub's
}

// mirrorTail is how much recent output a newly attached terminal gets: enough
// for a shell's last screens; full-screen programs redraw on the resize that
// attaching sends.
const mirrorTail = 64 << 10

// mirrorQueue bounds output chunks waiting for one attached terminal; a
// terminal that falls that far behind is detached rather than slowing the
// session.
const mirrorQueue = 256

// StartHeadless starts cfg's program under a PTY with no local terminal and
// streams it to the hub until it exits and the hub has acknowledged its end,
// or ctx ends (the node is stopping).
func StartHeadless(ctx context.Context, cfg HeadlessConfig) (*Headless, error) {
	path, err := exec.LookPath(cfg.Command)
	if err != nil {
		return nil, fmt.Errorf("%s: not found in PATH on this machine", cfg.Command)
	}
	wsURL, err := WSURL(cfg.Hub)
	if err != nil {
		return nil, err
	}
	cols, rows := cfg.Cols, cfg.Rows
	if cols <= 0 || rows <= 0 {
		cols, rows = 80, 24
	}
	host, _ := os.Hostname()
	name := cfg.Name
	if name == "" {
		name = host
	}
	shown := cfg.ShownArgs
	if shown == nil {
		shown = cfg.Args
	}
	h := &Headless{
		ID: newSessionID(), Command: cfg.Command, Dir: cfg.Dir, Started: time.Now().UTC(),
		sp: newSpool(cfg.Spool), plugin: cfg.Plugin, done: make(chan struct{}), flushd: make(chan struct{}),
		mirrors: map[chan []byte]struct{}{},
	}
	inputs := make(chan []byte, 64)
	ptyResize := make(chan wire.Resize, 4)
	h.st = newStreamer(wsURL, cfg.Token, h.ID, h.sp, cfg.Plugin, inputs, ptyResize,
		wire.Hello{Node: name, Hostname: host, User: currentUser(), OS: runtime.GOOS, Version: cfg.Version},
		wire.SessionStart{Command: cfg.Command, Args: shown, Cwd: cfg.Dir, Cols: cols, Rows: rows, StartedAt: h.Started, Agent: cfg.Agent, Hooks: cfg.Hooks})
	if cfg.Plugin != nil {
		cfg.Plugin.Attach(h.st.sendUrgent)
		attachLog(cfg.Plugin, h.sp) // Claude Code's transcript, as under ct wrap
	}

	cmd := exec.Command(path, cfg.Args...)
	cmd.Dir = cfg.Dir
	cmd.Env = append(append(os.Environ(), "CT_SESSION="+h.ID, "CT_HUB="+cfg.Hub), cfg.Env...)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, fmt.Errorf("start %s under a PTY: %w", cfg.Command, err)
	}
	h.cmd, h.master = cmd, master

	// The stream outlives the program until the hub has its end; it stops
	// early only when ctx ends (the node itself is going away).
	streamCtx, stopStream := context.WithCancel(ctx)
	go h.st.run(streamCtx)

	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	// Hub input and resize requests → program, off the network goroutine so a
	// program that does not read cannot stall acknowledgements.
	go func() {
		for {
			select {
			case b := <-inputs:
				_, _ = master.Write(b)
			case r := <-ptyResize:
				h.mu.Lock()
				local := h.attached > 0
				h.mu.Unlock()
				if !local { // an attached terminal's size wins, as a wrap's does
					h.setSize(r.Cols, r.Rows)
				}
			case <-exited:
				return
			}
		}
	}()
	if len(cfg.Input) > 0 {
		_, _ = master.Write(cfg.Input)
	}
	go func() {
		copyOutput(master, mirrorWriter{h}, h.sp, exited)
		<-exited
		_ = master.Close()
		flushLog(cfg.Plugin)
		code, sigName := exitStatus(cmd, waitErr)
		end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: code, Signal: sigName, EndedAt: time.Now().UTC()})
		h.sp.add(end)
		h.mu.Lock()
		h.code = code
		for c := range h.mirrors {
			close(c)
			delete(h.mirrors, c)
		}
		h.mu.Unlock()
		close(h.done)
		h.st.retryNow() // between attempts: try at once, so the end is not a backoff late
		h.flush(streamCtx)
		stopStream()
		close(h.flushd)
	}()
	return h, nil
}

// flush waits until the hub has acknowledged everything, polling because the
// spool has no "drained" signal; a session's end waits on a hub that is down
// for as long as the node runs.
func (h *Headless) flush(ctx context.Context) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if n, _ := h.sp.pending(); n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// WaitConnected waits up to d for the first connection attempt to the hub to
// end and reports whether the session is connected.
func (h *Headless) WaitConnected(d time.Duration) bool {
	select {
	case <-h.st.attempted:
	case <-time.After(d):
	}
	ok, _ := h.st.status()
	return ok
}

// Done is closed when the program has exited.
func (h *Headless) Done() <-chan struct{} { return h.done }

// Flushed is closed after Done once the hub has acknowledged the whole
// session (or the stream was stopped with the context given at start).
func (h *Headless) Flushed() <-chan struct{} { return h.flushd }

// ExitCode is the program's exit status, once Done is closed.
func (h *Headless) ExitCode() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.code
}

// Hangup ends the program as a closed terminal would (SIGHUP).
func (h *Headless) Hangup() {
	if h.cmd != nil && h.cmd.Process != nil {
		_ = h.cmd.Process.Signal(syscall.SIGHUP)
	}
}

// Write types p into the program from an attached terminal, through the
// plugin's filter, and tells the hub someone is typing at the workstation.
func (h *Headless) Write(p []byte) (int, error) {
	h.st.localTyping()
	out := p
	if h.plugin != nil {
		out = h.plugin.LocalInput(out)
	}
	if len(out) > 0 {
		if _, err := h.master.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Resize sets the PTY's size from an attached terminal.
func (h *Headless) Resize(cols, rows int) {
	if cols > 0 && rows > 0 {
		h.setSize(cols, rows)
	}
}

func (h *Headless) setSize(cols, rows int) {
	if err := pty.Setsize(h.master, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err == nil {
		resized(h.sp, h.st, cols, rows)
	}
}

// Attach subscribes a terminal to the output: it returns the recent output,
// a channel of what follows (closed when the program exits or the terminal
// falls too far behind) and the function that detaches it.
func (h *Headless) Attach() (tail []byte, out <-chan []byte, detach func()) {
	c := make(chan []byte, mirrorQueue)
	h.mu.Lock()
	tail = append([]byte(nil), h.tail...)
	select {
	case <-h.done:
		close(c)
	default:
		h.mirrors[c] = struct{}{}
		h.attached++
	}
	h.mu.Unlock()
	var once sync.Once
	return tail, c, func() {
		once.Do(func() {
			h.mu.Lock()
			if _, ok := h.mirrors[c]; ok {
				delete(h.mirrors, c)
				close(c)
			}
			h.attached--
			if h.attached < 0 {
				h.attached = 0
			}
			h.mu.Unlock()
		})
	}
}

// mirrorWriter fans PTY output out to attached terminals without ever
// blocking the session: a terminal whose queue is full is cut off.
type mirrorWriter struct{ h *Headless }

func (m mirrorWriter) Write(p []byte) (int, error) {
	h := m.h
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tail = append(h.tail, p...)
	if over := len(h.tail) - mirrorTail; over > 0 {
		h.tail = append(h.tail[:0], h.tail[over:]...)
	}
	for c := range h.mirrors {
		select {
		case c <- append([]byte(nil), p...):
		default:
			delete(h.mirrors, c)
			close(c)
		}
	}
	return len(p), nil
}

// newStreamer builds the one streamer shape Run and StartHeadless share:
// hub input and resize requests go to the given channels without blocking
// the connection (a program that does not read must not stall acks).
func newStreamer(wsURL, token, sid string, sp *spool, p Plugin, inputs chan<- []byte, resize chan<- wire.Resize, hello wire.Hello, start wire.SessionStart) *streamer {
	return &streamer{
		wsURL: wsURL, token: token, sessionID: sid, sp: sp,
		hello: hello, start: start,
		attempted: make(chan struct{}),
		kick:      make(chan struct{}, 1),
		plugin:    p,
		urgent:    make(chan wire.Envelope, urgentQueue),
		onInput: func(b []byte) {
			select {
			case inputs <- b:
			default: // the program is not reading its input; drop rather than stall acks
			}
		},
		onResize: func(c, r int) {
			select {
			case resize <- wire.Resize{Cols: c, Rows: r}:
			default:
			}
		},
	}
}
