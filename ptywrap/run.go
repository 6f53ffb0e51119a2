// Package ptywrap owns the workstation side of a session: it runs a program
// under a PTY, mirrors it to the local terminal exactly as if ct were not
// there, and streams its output to the hub through a bounded spool. The local
// program never waits on the hub. One session core (session.go) serves two
// ends: the local terminal (Run, ct wrap) and attached terminals
// (StartHeadless, ct node). It must not import the hub's packages.
package ptywrap

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/ct-dev/ct/wire"
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
	// Tags label the session on the hub (ct wrap --tag); approval rules match them.
	Tags []string
	// TailDir, when set, is where output the hub did not acknowledge before
	// the wrap exits is kept (see tail.go); OnTailKept is then told the
	// file's path, to start its delivery. Empty: the tail is reported lost.
	TailDir    string
	OnTailKept func(path string)
	// Title is the session's title on the hub (ct wrap --title).
	Title string
	// Files, when set, answers peers' requests for the directories it
	// shares (ct wrap --share-dir); nil shares nothing.
	Files Files
	// Commands are the agent's slash commands, declared in session.start
	// (wire.SessionStart.Commands).
	Commands []wire.SlashCommand
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

// finalMax bounds the whole final wait, however steadily the hub acks.
const finalMax = 2 * time.Minute

// Run runs the program and returns its exit status (128+signal when killed).
// It is the session core with the local terminal as its end.
func Run(ctx context.Context, cfg Config) (int, error) {
	path, err := exec.LookPath(cfg.Command)
	if err != nil {
		return 127, fmt.Errorf("%s: not found in PATH; install it or name the program to run, e.g. ct wrap -- bash", cfg.Command)
	}
	out, closeOut := localOutput(cfg.Stdout)
	defer closeOut()
	t := newTerminal(cfg.Stdin, out)
	cols, rows := t.size(80, 24)
	cwd, _ := os.Getwd()
	s, err := openSession(sessionSpec{
		hub: cfg.Hub, token: cfg.Token, name: cfg.Name, version: cfg.Version, spool: cfg.Spool, plugin: cfg.Plugin,
		start: wire.SessionStart{Command: cfg.Command, Args: shownArgs(cfg), Cwd: cwd, Cols: cols, Rows: rows, StartedAt: time.Now().UTC(), Agent: cfg.Agent, Hooks: cfg.Hooks, Title: cfg.Title, Tags: cfg.Tags, Commands: cfg.Commands},
		files: cfg.Files,
	})
	if err != nil {
		return 2, err
	}
	// The stream outlives ctx: after the program exits it still gets the
	// final wait (finish) to deliver the session's end.
	streamCtx, stopStream := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStream()
	go s.st.run(streamCtx)
	told := false // the person already knows the hub is unreachable
	if ok, err := s.st.firstAttempt(connectGrace); !ok && err != nil {
		fmt.Fprintf(cfg.Stderr, "ct: hub %s unreachable (%s); running %s without it, retrying in the background\n", cfg.Hub, brief(err), cfg.Command)
		told = true
	}

	if err := s.spawn(path, cfg.Args, "", cfg.Env, t); err != nil {
		return 126, err
	}
	restoreTTY := t.makeRaw()
	defer restoreTTY()
	defer t.forwardSignals(s)()
	// Local keyboard → program. With no terminal, EOF just ends local input:
	// the program stays up for input from the hub.
	if cfg.Stdin != nil {
		go copyInput(s, localInput(cfg.Stdin, t.tty))
	}
	code := s.wait(t)
	restoreTTY() // before the exit messages: a raw terminal would staircase them
	finish(s.st, s.sp, cfg, told)
	stopStream()
	return code, nil
}

// finish waits for the hub to acknowledge everything while a connection is
// up or being made, then says on stderr what did not reach the hub. A wrap
// between attempts retries at once rather than after its backoff: a hub that
// just came back gets the session's end, and one that is still down refuses
// at once, so exit is not delayed. A hub that was never reached was already
// reported (told): one line is enough.
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
	report(st, sp, cfg, told)
}

// report says on stderr what of the session did not reach the hub.
func report(st *streamer, sp *spool, cfg Config, told bool) {
	events, bytes := sp.pending()
	lost := sp.droppedBytes()
	connected, lastErr := st.status()
	ever := st.everConnected()
	st.mu.Lock()
	refused := st.refusedMsg
	st.mu.Unlock()
	if refused != "" {
		fmt.Fprintf(cfg.Stderr, "ct: %s\n", refused)
	}
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
		if path, err := keepTail(st, sp, cfg); ever && err == nil && path != "" {
			fmt.Fprintf(cfg.Stderr, "ct: hub %s did not receive the last %d bytes of this session yet (%s); kept in %s and sent when the hub is back (ct flush)\n", cfg.Hub, bytes, why, path)
			return
		} else if err != nil {
			fmt.Fprintf(cfg.Stderr, "ct: cannot keep the session's undelivered output: %v\n", err)
		}
		fmt.Fprintf(cfg.Stderr, "ct: hub %s did not receive the last %d bytes of this session (%s)\n", cfg.Hub, bytes, why)
	}
}

// keepTail saves what the hub did not acknowledge, for a session the hub
// knows (it connected once: a hub that was never reached has no session to
// add it to), and hands the file to OnTailKept.
func keepTail(st *streamer, sp *spool, cfg Config) (string, error) {
	if cfg.TailDir == "" || !st.everConnected() {
		return "", nil
	}
	hello, start := st.identity()
	path, err := saveTail(cfg.TailDir, tailHeader{Hub: cfg.Hub, Session: st.sessionID, Hello: hello, Start: start, SavedAt: time.Now().UTC()}, sp)
	if err != nil {
		return "", err
	}
	if cfg.OnTailKept != nil {
		cfg.OnTailKept(path)
	}
	return path, nil
}

// shownArgs is what the hub lists as the program's arguments.
func shownArgs(cfg Config) []string {
	if cfg.ShownArgs != nil {
		return cfg.ShownArgs
	}
	return cfg.Args
}
