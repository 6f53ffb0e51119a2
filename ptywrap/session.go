package ptywrap

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ct-dev/ct/wire"
	"github.com/ct-dev/ct/wsdial"
)

// session is one program under a PTY and its stream to the hub: the core
// that Run and StartHeadless share. What else the PTY serves is an end: the
// local terminal under Run, attached terminals under StartHeadless.
type session struct {
	id      string
	name    string // this machine's name, for the program's CT_NAME
	command string // the program as named, for errors
	hub     string // the hub's URL, for the program's CT_HUB
	cols    int    // the PTY's size at start
	rows    int
	sp      *spool
	st      *streamer
	plugin  Plugin
	inputs  *inputQueue           // hub input waiting for the program
	resize  chan wire.Resize      // hub resize requests waiting for the PTY
	stop    chan wire.SessionStop // a stop asked on the hub (stop.go)

	cmd     *exec.Cmd
	master  ptyFile
	exited  chan struct{} // closed when the program has exited (output may still be draining)
	waitErr error         // waitProgram's result, once exited is closed
	localAt atomic.Int64  // unix ns of the last key typed at the workstation
}

// localWins is how long after a key typed at the workstation its own
// terminal's size wins over a fit asked for on the hub.
const localWins = 5 * time.Second

// An end is what a session's PTY serves besides the hub.
type end interface {
	// Write receives every chunk of output before the spool does.
	io.Writer
	// sizeWins reports whether the end's own size overrides the hub's
	// resize requests right now (a terminal at the workstation is there).
	sizeWins() bool
}

// sessionSpec is what openSession needs: where the hub is, who this
// machine is, and the session as the hub shows it.
type sessionSpec struct {
	hub, token, name, version string
	spool                     int
	plugin                    Plugin
	start                     wire.SessionStart
	files                     Files  // nil: shares nothing
	id                        string // "": a new session id
}

// openSession prepares the spool and the streamer, and hands the plugin
// its ways to the hub; nothing runs yet.
func openSession(spec sessionSpec) (*session, error) {
	wsURL, err := WSURL(spec.hub)
	if err != nil {
		return nil, err
	}
	// Hub input and resizes are queued (up to maxQueuedInput bytes, 4
	// sizes) so the connection never waits on the program; see newStreamer.
	s := &session{
		id: or(spec.id, NewSessionID()), name: spec.name, command: spec.start.Command, hub: spec.hub, cols: spec.start.Cols, rows: spec.start.Rows,
		sp: newSpool(spec.spool), plugin: spec.plugin,
		inputs: newInputQueue(), resize: make(chan wire.Resize, 4), exited: make(chan struct{}),
		stop: make(chan wire.SessionStop, 1),
	}
	// The reconnect secret binds the session id to this process: the hub
	// refuses a session.start for it without the same secret. It lives
	// only in this process's memory, never in the program's environment.
	spec.start.Resume = newResumeSecret()
	if spec.files != nil {
		spec.start.Shares = spec.files.Names()
		if a, ok := spec.files.(ApprovedFiles); ok {
			spec.start.ShareApprove = a.NeedsApproval()
		}
	}
	s.st = newStreamer(wsURL, spec.token, s.id, s.sp, spec.plugin, s.inputs, s.resize, wsdial.Hello(spec.name, spec.version), spec.start)
	s.st.files = spec.files
	s.st.onStop = s.askStop
	if spec.plugin != nil {
		spec.plugin.Attach(s.st.sendUrgent)
		attachLog(spec.plugin, s.sp) // Claude Code's transcript, under ct wrap and ct node alike
		screenSize(spec.plugin, s.cols, s.rows)
		if tp, ok := spec.plugin.(TypingPlugin); ok {
			tp.SetTyper(s.typer)
		}
	}
	return s, nil
}

// spawn starts the program under a PTY in dir, with env added to ct's own
// environment, and serves the hub's input and resizes to it, asking e
// whose size wins.
func (s *session) spawn(path string, args []string, dir string, env []string, e end) error {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(append(ChildEnv(os.Environ()), "CT_SESSION="+s.id, "CT_HUB="+s.hub), env...)
	if s.name != "" { // ct mcp inside registers under the wrap's machine name
		cmd.Env = append(cmd.Env, "CT_NAME="+s.name)
	}
	master, err := startPTY(cmd, s.cols, s.rows)
	if err != nil {
		return fmt.Errorf("start %s under a PTY: %w", s.command, err)
	}
	s.cmd, s.master = cmd, master
	// Wait in its own goroutine: output is drained after the exit (wait).
	go func() { s.waitErr = waitProgram(cmd); close(s.exited) }()
	go s.serveHub(e)
	return nil
}

// serveHub passes hub input and resize requests to the program, off the
// network goroutine so a program that does not read cannot stall acks.
func (s *session) serveHub(e end) {
	for {
		select {
		case <-s.inputs.wake:
			for _, b := range s.inputs.take() {
				_, _ = s.master.Write(b)
			}
		case r := <-s.resize:
			// A fit from the hub (the wheel holder's screen) applies unless
			// someone typed at the workstation's own terminal just now.
			if !e.sizeWins() || time.Since(time.Unix(0, s.localAt.Load())) > localWins {
				s.setSize(r.Cols, r.Rows)
			}
		case m := <-s.stop:
			go s.terminate(m) // its own goroutine: input and resizes keep flowing meanwhile
		case <-s.exited:
			return
		}
	}
}

// setSize resizes the PTY and tells the hub, now and on every reconnect.
func (s *session) setSize(cols, rows int) {
	if err := s.master.Resize(cols, rows); err == nil {
		screenSize(s.plugin, cols, rows)
		e, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: cols, Rows: rows})
		s.sp.add(e)
		s.st.setSize(cols, rows)
	}
}

// typed passes keystrokes from a terminal at the workstation to the
// program: the hub hears that someone is typing (not what), and the
// plugin's filter sees them first (it watches for answers to a prompt).
func (s *session) typed(p []byte) error {
	if !TerminalReply(p) { // the terminal answering a query is nobody typing
		s.st.localTyping()
		s.localAt.Store(time.Now().UnixNano())
	}
	if s.plugin != nil {
		p = s.plugin.LocalInput(p)
	}
	if len(p) > 0 {
		if _, err := s.master.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// signal passes sig on to the program.
func (s *session) signal(sig os.Signal) {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// wait mirrors output to e and the spool until the program has exited and
// its output is drained (drain before close: closing the PTY at exit would
// lose the last bytes), closes the PTY, lets a LogPlugin append its last
// events, logs session.end and returns the exit status.
func (s *session) wait(e io.Writer) int {
	copyOutput(s.master, screenOutput(e, s.plugin), s.sp, s.exited)
	<-s.exited
	_ = s.master.Close()
	s.st.attach.remove() // the program that was told the paths is gone
	flushLog(s.plugin)
	code, sigName := exitStatus(s.cmd, s.waitErr)
	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: code, Signal: sigName, EndedAt: time.Now().UTC()})
	s.sp.add(end)
	return code
}

// copyOutput mirrors PTY output to out and the spool until the PTY reports
// end of output. After the program exits it keeps draining, so the last
// bytes are never lost, until EIO or a quiet spell (a background child may
// hold the PTY open forever).
func copyOutput(master ptyFile, out io.Writer, sp *spool, exited <-chan struct{}) {
	buf := make([]byte, 32<<10)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// The read under way when the program exits is bounded too: a
		// silent background child holding the PTY would keep it waiting.
		select {
		case <-exited:
			_ = master.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		case <-stop:
		}
	}()
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
			_, _ = out.Write(buf[:n]) // the terminal first
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

func drainNow(master ptyFile, buf []byte, out io.Writer, sp *spool) {
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

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// NewSessionID makes a session id: the start time and 8 random bytes.
func NewSessionID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%s", time.Now().Unix(), hex.EncodeToString(b))
}

// newStreamer builds the one streamer shape every session uses: hub input
// and resize requests are queued without blocking the connection (a program
// that does not read must not stall acks); inputs nil drops input.
func newStreamer(wsURL, token, sid string, sp *spool, p Plugin, inputs *inputQueue, resize chan<- wire.Resize, hello wire.Hello, start wire.SessionStart) *streamer {
	return &streamer{
		wsURL: wsURL, token: token, sessionID: sid, sp: sp,
		hello: hello, start: start,
		attempted: make(chan struct{}),
		kick:      make(chan struct{}, 1),
		plugin:    p,
		urgent:    make(chan wire.Envelope, urgentQueue),
		fileSlots: make(chan struct{}, fileReaders),
		attach:    newAttachSink(),
		onInput: func(b []byte) {
			if inputs != nil {
				_ = inputs.push(b) // full: the program has not read 1 MiB of input; refused rather than stall acks
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
