package appserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"
)

// maxPrompt bounds one typed line (a prompt), as ct node bounds a first
// prompt.
const maxPrompt = 32 << 10

// Config is one `ct appserver` run.
type Config struct {
	Codex      string // the codex executable
	Cwd        string // the thread's working directory
	Prompt     string // a first prompt ("": wait for one)
	Transcript string // the file entries are appended to ("": none)
	Version    string // ct's version, for initialize's clientInfo
	Stdin      io.Reader
	Stdout     io.Writer
	Getenv     func(string) string // CT_HOOK_SOCK names the session's hook socket
}

// runner is one run's state. The event loop (loop) owns turn and queue;
// approvals run beside it and meet it only through asks and the output.
type runner struct {
	cfg    Config
	c      *conn
	thread string
	out    *screen
	log    *entryLog

	turn   string   // the turn running ("": none)
	queue  []string // prompts typed while a turn runs, started in order after it
	asks   chan ask // approvals that ask at this terminal
	asking *ask     // the one being asked now
	ended  chan struct{}

	filesMu sync.Mutex
	files   map[string][]string // fileChange item id -> its paths, for its approval
}

// Run starts `codex app-server`, opens a thread in cfg.Cwd and serves the
// conversation until the server exits or cfg.Stdin ends (the session was
// hung up). It returns the server's error, if any.
func Run(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.Codex, "app-server")
	cmd.Dir = cfg.Cwd
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errs := &tailBuffer{max: 4 << 10}
	cmd.Stderr = errs
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s app-server: %w (is Codex 0.171 or later installed?)", cfg.Codex, err)
	}
	r := &runner{cfg: cfg, c: newConn(stdin), out: &screen{w: cfg.Stdout}, asks: make(chan ask), ended: make(chan struct{}), files: map[string][]string{}}
	r.log, err = openEntryLog(cfg.Transcript)
	if err != nil {
		_ = cmd.Process.Kill()
		return err
	}
	defer r.log.close()
	// Messages from the server are queued (1024) so the reader never waits
	// on the screen; responses bypass the queue (conn.call).
	in := make(chan message, 1024)
	go func() { _ = r.c.readLoop(stdout, in) }()
	if err := r.start(); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("%w\n%s", err, strings.TrimSpace(errs.String()))
	}
	lines := make(chan string)
	go readLines(cfg.Stdin, lines)
	// Ctrl-C on the PTY interrupts the running turn instead of ending the
	// session; one pending signal is enough.
	intr := make(chan os.Signal, 1)
	signal.Notify(intr, os.Interrupt)
	defer signal.Stop(intr)
	r.loop(in, lines, intr)
	_ = stdin.Close() // the server ends when its input does
	close(r.ended)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-time.After(3 * time.Second): // a server that does not end on EOF is stopped
		cancel()
		err = <-waited
	}
	if err != nil && !errors.Is(ctx.Err(), context.Canceled) {
		if s := strings.TrimSpace(errs.String()); s != "" {
			return fmt.Errorf("codex app-server: %w\n%s", err, s)
		}
		return fmt.Errorf("codex app-server: %w", err)
	}
	return nil
}

// start is the handshake: initialize, initialized, thread/start, and the
// first prompt's turn.
func (r *runner) start() error {
	if err := r.c.call("initialize", map[string]any{"clientInfo": map[string]string{"name": "ct", "title": "ct", "version": r.cfg.Version}}, nil); err != nil {
		return fmt.Errorf("codex app-server did not initialize: %w", err)
	}
	if err := r.c.notify("initialized", nil); err != nil {
		return err
	}
	var started struct {
		Thread struct {
			ID string `json:"id"`
		} `json:"thread"`
	}
	params := map[string]any{"cwd": r.cfg.Cwd, "approvalPolicy": "on-request", "sandbox": "workspace-write"}
	if err := r.c.call("thread/start", params, &started); err != nil {
		return fmt.Errorf("codex app-server did not start a thread: %w", err)
	}
	r.thread = started.Thread.ID
	r.hookEvent("SessionStart", map[string]any{"source": "startup"})
	r.out.printf("Codex (app-server) in %s\nType a prompt and press Enter.\n\n", r.cfg.Cwd)
	if p := strings.TrimSpace(r.cfg.Prompt); p != "" {
		r.out.printf("› %s\n", p)
		r.prompt(p)
	}
	return nil
}

// loop handles the server's messages, typed lines and approvals that ask
// here, until the server or the terminal goes away.
func (r *runner) loop(in <-chan message, lines <-chan string, intr <-chan os.Signal) {
	for {
		select {
		case <-intr:
			r.interrupt()
		case m, ok := <-in:
			if !ok {
				r.out.printf("\ncodex app-server has exited.\n")
				return
			}
			r.handle(m)
		case line, ok := <-lines:
			if !ok {
				return
			}
			r.typed(line)
		case a := <-r.asks:
			r.asking = &a
			r.out.printf("%s\nAllow? [y] yes  [a] yes, for this session  [n] no: ", a.text)
		}
	}
}

// typed is a line typed on the PTY: the answer to a question asked here,
// or a prompt (queued while a turn runs).
func (r *runner) typed(line string) {
	line = strings.TrimSpace(line)
	if r.asking != nil {
		a := r.asking
		r.asking = nil
		a.answer <- terminalDecision(line)
		return
	}
	if line == "" {
		return
	}
	if r.turn != "" {
		r.queue = append(r.queue, line)
		r.out.printf("(queued until this turn ends)\n")
		return
	}
	r.prompt(line)
}

// interrupt stops the running turn (Ctrl-C); a question asked here is
// declined with it.
func (r *runner) interrupt() {
	if r.asking != nil {
		r.asking.answer <- decline
		r.asking = nil
	}
	if r.turn == "" {
		r.out.printf("\n(no turn is running; hang the session up to end it)\n")
		return
	}
	r.out.printf("\n(interrupting)\n")
	if err := r.c.call("turn/interrupt", map[string]string{"threadId": r.thread, "turnId": r.turn}, nil); err != nil {
		r.out.printf("! %v\n", err)
	}
}

// prompt starts a turn with text.
func (r *runner) prompt(text string) {
	var res struct {
		Turn struct {
			ID string `json:"id"`
		} `json:"turn"`
	}
	r.hookEvent("UserPromptSubmit", map[string]any{"prompt": text})
	err := r.c.call("turn/start", map[string]any{"threadId": r.thread, "input": []map[string]string{{"type": "text", "text": text}}}, &res)
	if err != nil {
		r.out.printf("! %v\n", err)
		return
	}
	r.turn = res.Turn.ID
}

// handle is one notification or server request.
func (r *runner) handle(m message) {
	if m.ID != nil {
		r.request(m)
		return
	}
	var p struct {
		Item  item                `json:"item"`
		Turn  struct{ ID string } `json:"turn"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		WillRetry bool `json:"willRetry"`
	}
	_ = json.Unmarshal(m.Params, &p)
	now := time.Now().UTC()
	switch m.Method {
	case "turn/started":
		r.turn = p.Turn.ID
	case "turn/completed":
		r.turn = ""
		r.hookEvent("Stop", map[string]any{})
		if len(r.queue) > 0 {
			next := r.queue[0]
			r.queue = r.queue[1:]
			r.prompt(next)
		}
	case "item/started":
		r.started(p.Item, now)
	case "item/completed":
		r.completed(p.Item, now)
	case "error":
		if !p.WillRetry && p.Error.Message != "" {
			r.out.printf("! %s\n", p.Error.Message)
			r.log.add(errorEntry(p.Error.Message, now))
		}
	}
}

func (r *runner) started(it item, now time.Time) {
	switch it.Type {
	case "commandExecution":
		r.out.printf("$ %s\n", shown(it.Command))
	case "fileChange":
		r.filesMu.Lock()
		r.files[it.ID] = it.paths()
		r.filesMu.Unlock()
		r.out.printf("✎ %s\n", strings.Join(it.paths(), ", "))
	}
	r.log.add(startedEntries(it, now)...)
}

func (r *runner) completed(it item, now time.Time) {
	switch it.Type {
	case "agentMessage":
		r.out.printf("\n%s\n\n", strings.TrimSpace(it.Text))
	case "commandExecution":
		if o := strings.TrimRight(it.Output, "\n"); o != "" {
			r.out.printf("%s\n", lastLines(o, 20))
		}
		switch {
		case it.Status != "" && it.Status != "completed":
			r.out.printf("(%s)\n", it.Status)
		case it.ExitCode != nil && *it.ExitCode != 0:
			r.out.printf("(exit %d)\n", *it.ExitCode)
		}
	case "fileChange":
		r.filesMu.Lock()
		delete(r.files, it.ID)
		r.filesMu.Unlock()
	}
	r.log.add(completedEntries(it, now)...)
}

// readLines sends each line of r (the PTY in cooked mode) to lines, cut at
// maxPrompt, and closes lines when r ends.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxPrompt+1)
	for sc.Scan() {
		lines <- sc.Text()
	}
}

// lastLines keeps the last n lines of s, saying how many were left out.
func lastLines(s string, n int) string {
	ls := strings.Split(s, "\n")
	if len(ls) <= n {
		return s
	}
	return fmt.Sprintf("… (%d lines above)\n%s", len(ls)-n, strings.Join(ls[len(ls)-n:], "\n"))
}

// screen is the PTY's output, shared by the loop and approvals.
type screen struct {
	mu sync.Mutex // one message is printed whole
	w  io.Writer
}

func (s *screen) printf(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format, a...)
}

// tailBuffer keeps the last max bytes written: the server's stderr, for an
// error that says why it stopped.
type tailBuffer struct {
	mu  sync.Mutex // exec copies stderr from its own goroutine
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
