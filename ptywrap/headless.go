package ptywrap

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

// HeadlessConfig is what one session with no local terminal needs (the
// sessions ct node starts). It streams to the hub exactly as Run does: same
// spool, same streamer, one WebSocket per session.
type HeadlessConfig struct {
	Command   string // program name or path
	Args      []string
	ShownArgs []string // what the hub shows instead of Args (nil: Args)
	// Shown is the program the hub shows instead of Command ("": Command):
	// ct node runs `ct appserver` for a Codex app-server session, and the
	// hub shows codex.
	Shown   string
	Dir     string // working directory
	Hub     string
	Token   string
	Name    string // machine name
	Spool   int
	Version string
	Env     []string
	Plugin  Plugin
	Cols    int // initial size; 0: 80x24
	Rows    int
	// Input is typed into the program once it has started (a first prompt
	// for programs that take none as an argument).
	Input []byte
	// Agent and Hooks are declared in session.start (see wire.SessionStart).
	Agent string
	Hooks bool
	// Files, when set, answers peers' requests for shared directories
	// (ct node --share-dir); nil shares nothing.
	Files Files
	// ID is the session's id ("": a new one); ct node picks it first
	// when the session's worktree is named after it.
	ID string
	// Worktree is declared in session.start (wire.SessionStart.Worktree).
	Worktree string
	// Commands are the agent's slash commands (wire.SessionStart.Commands).
	Commands []wire.SlashCommand
}

// Headless is one running session without a local terminal. Terminals can
// attach to it (Mirror, Write, Resize) and detach; it runs until the program
// exits, whether or not the hub or any terminal is there.
type Headless struct {
	ID      string
	Command string
	Dir     string
	Started time.Time

	s      *session
	done   chan struct{} // closed when the program has exited and its output is drained
	flushd chan struct{} // closed when the hub has everything, or the stream was stopped
	code   int

	mu       sync.Mutex
	mirrors  map[chan []byte]struct{}
	tail     []byte // the last mirrorTail bytes of output, for a terminal that attaches
	attached int    // attached terminals: while > 0 their size wins over the hub's
}

// StartHeadless starts cfg's program under a PTY with no local terminal and
// streams it to the hub until it exits and the hub has acknowledged its end,
// or ctx ends (the node is stopping). It is the session core with attached
// terminals as its end.
func StartHeadless(ctx context.Context, cfg HeadlessConfig) (*Headless, error) {
	path, err := exec.LookPath(cfg.Command)
	if err != nil {
		return nil, fmt.Errorf("%s: not found in PATH on this machine", cfg.Command)
	}
	cols, rows := cfg.Cols, cfg.Rows
	if cols <= 0 || rows <= 0 {
		cols, rows = 80, 24
	}
	shown := cfg.ShownArgs
	if shown == nil {
		shown = cfg.Args
	}
	shownCmd := cfg.Shown
	if shownCmd == "" {
		shownCmd = cfg.Command
	}
	started := time.Now().UTC()
	s, err := openSession(sessionSpec{
		hub: cfg.Hub, token: cfg.Token, name: cfg.Name, version: cfg.Version, spool: cfg.Spool, plugin: cfg.Plugin,
		start: wire.SessionStart{Command: shownCmd, Args: shown, Cwd: cfg.Dir, Cols: cols, Rows: rows, StartedAt: started, Agent: cfg.Agent, Hooks: cfg.Hooks, ByNode: true, Worktree: cfg.Worktree, Commands: cfg.Commands},
		files: cfg.Files, id: cfg.ID,
	})
	if err != nil {
		return nil, err
	}
	h := &Headless{
		ID: s.id, Command: shownCmd, Dir: cfg.Dir, Started: started,
		s: s, done: make(chan struct{}), flushd: make(chan struct{}),
		mirrors: map[chan []byte]struct{}{},
	}
	if err := s.spawn(path, cfg.Args, cfg.Dir, cfg.Env, mirrorWriter{h}); err != nil {
		return nil, err
	}
	// The stream outlives the program until the hub has its end; it stops
	// early only when ctx ends (the node itself is going away).
	streamCtx, stopStream := context.WithCancel(ctx)
	go s.st.run(streamCtx)
	if len(cfg.Input) > 0 {
		_, _ = s.master.Write(cfg.Input)
	}
	go h.run(streamCtx, stopStream)
	return h, nil
}

// run drains the program's output to the attached terminals, then detaches
// them and waits for the hub to have the whole session.
func (h *Headless) run(streamCtx context.Context, stopStream func()) {
	code := h.s.wait(mirrorWriter{h})
	h.mu.Lock()
	h.code = code
	for c := range h.mirrors {
		close(c)
		delete(h.mirrors, c)
	}
	h.mu.Unlock()
	close(h.done)
	h.s.st.retryNow() // between attempts: try at once, so the end is not a backoff late
	h.flush(streamCtx)
	stopStream()
	close(h.flushd)
}

// flush waits until the hub has acknowledged everything, polling because the
// spool has no "drained" signal; a session's end waits on a hub that is down
// for as long as the node runs.
func (h *Headless) flush(ctx context.Context) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if n, _ := h.s.sp.pending(); n == 0 {
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
	ok, _ := h.s.st.firstAttempt(d)
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
func (h *Headless) Hangup() { h.s.signal(hangupSignal()) }

// Write types p into the program from an attached terminal, through the
// plugin's filter, and tells the hub someone is typing at the workstation.
func (h *Headless) Write(p []byte) (int, error) {
	if err := h.s.typed(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Resize sets the PTY's size from an attached terminal.
func (h *Headless) Resize(cols, rows int) {
	if cols > 0 && rows > 0 {
		h.s.setSize(cols, rows)
	}
}
