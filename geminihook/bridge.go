package geminihook

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"sync"
	"time"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/wire"
)

// dialogWait bounds how long, after a hub allow released the hook, the
// bridge waits for Gemini's dialog before it refuses the answer (the hub
// waits 5 s for the result): Gemini draws it within a second here.
const dialogWait = 3 * time.Second

// Bridge serves the hook socket and answers Gemini's questions from the
// hub; it implements ptywrap.Plugin, ptywrap.ScreenPlugin and
// ptywrap.TypingPlugin.
type Bridge struct {
	ln    net.Listener
	tools askingTools

	// mu guards everything below: hook connections, the hub's envelopes,
	// the output path and the keyboard path all run on their own goroutines.
	mu      sync.Mutex
	send    func(wire.Envelope) bool
	typeIn  func([]byte) bool
	up      bool
	open    map[string]*question // hooks waiting for the hub
	allowed *allowed             // a hub allow waiting for Gemini's dialog
	scr     *screen.Screen       // what Gemini draws, to check its dialog
	addLog  func(wire.Envelope)  // the session's log, for transcript entries
	tail    *claudehook.Tailer   // follows Gemini's chat recording once a hook names it
}

// question is one BeforeTool hook waiting for an answer.
type question struct {
	id      string
	tool    string        // Gemini's name for the tool
	command string        // the shell command ("": another tool)
	reply   []byte        // the hook's stdout; nil = no decision
	done    chan struct{} // closed once settled
}

// allowed is a hub allow whose keys wait for Gemini's dialog.
type allowed struct {
	q      *question
	keys   string // what answers the dialog: Allow once, or Allow for this session
	result wire.PromptResult
	timer  *time.Timer
}

// Listen opens the hook socket (mode 0600) at path; args are Gemini's
// arguments (an approval mode there decides which tools ask).
func Listen(path string, args []string) (*Bridge, error) {
	ln, err := claudehook.ListenSocket(path)
	if err != nil {
		return nil, err
	}
	b := &Bridge{ln: ln, tools: asking(args), open: map[string]*question{}, scr: screen.New(80, 24)}
	go b.serve()
	return b, nil
}

// Close stops the socket and releases every waiting hook without a decision.
func (b *Bridge) Close() {
	b.ln.Close()
	b.settleAll("", "")
	b.closeTranscript()
	b.mu.Lock()
	b.scr.Close()
	b.mu.Unlock()
}

func (b *Bridge) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		go b.handle(c) // one hook at a time per connection; a waiting one must not block others
	}
}

// request is what `ct hook` sends (claudehook.RunHook's line).
type request struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

func (b *Bridge) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second)) // ct hook writes its line at once
	// A line longer than the limit ends at EOF, unread: ct hook never
	// sends one (it drops payloads over claudehook.MaxPayload).
	r := bufio.NewReaderSize(io.LimitReader(c, claudehook.MaxPayload+4096), 64<<10)
	line, err := r.ReadBytes('\n')
	var req request
	if err != nil || json.Unmarshal(line, &req) != nil || req.Event == "" {
		return
	}
	b.followTranscript(req.Payload)
	if req.Event != "BeforeTool" {
		b.record(req)
		return
	}
	q, ok := b.openQuestion(req.Payload)
	if !ok {
		return // no hub, or a tool that does not ask: Gemini goes on
	}
	// The hook closes its end if Gemini kills it (its timeout).
	gone := make(chan struct{})
	go func() { _ = c.SetReadDeadline(time.Time{}); _, _ = r.ReadByte(); close(gone) }()
	select {
	case <-q.done:
		if q.reply != nil {
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			_, _ = c.Write(append(q.reply, '\n'))
		}
	case <-gone:
		if b.settle(q.id, nil) {
			b.notifyClosed(q.id, "agent", "Gemini stopped waiting (hook timeout)")
		}
	}
}

// beforeTool is the part of Gemini's BeforeTool payload ct reads.
type beforeTool struct {
	ToolName  string          `json:"tool_name"`
	ToolInput json.RawMessage `json:"tool_input"`
	Cwd       string          `json:"cwd"`
}

func (b *Bridge) openQuestion(payload json.RawMessage) (*question, bool) {
	var bt beforeTool
	if json.Unmarshal(payload, &bt) != nil {
		return nil, false
	}
	tool, input, command := hubTool(bt.ToolName, bt.ToolInput)
	q := &question{id: newID(), tool: bt.ToolName, command: command, done: make(chan struct{})}
	b.mu.Lock()
	if !b.up || b.send == nil || !b.tools.asksFor(bt.ToolName, command) {
		b.mu.Unlock()
		return nil, false
	}
	b.open[q.id] = q
	send := b.send
	b.mu.Unlock()
	e, _ := wire.New(wire.TypePromptOpen, wire.PromptOpen{
		ID: q.id, Kind: "hook", Tool: tool, Input: input, Cwd: bt.Cwd, Agent: wire.AgentGemini, AskedAt: time.Now().UTC(),
	})
	if !send(e) {
		b.settle(q.id, nil)
		return nil, false
	}
	return q, true
}

// settle closes question id with reply (nil: no decision) unless it is
// already settled; it reports whether this call settled it.
func (b *Bridge) settle(id string, reply []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.settleLocked(id, reply)
}

func (b *Bridge) settleLocked(id string, reply []byte) bool {
	q, ok := b.open[id]
	if !ok {
		return false
	}
	delete(b.open, id)
	q.reply = reply
	close(q.done)
	return true
}

// settleAll releases every waiting hook with no decision; with by set, the
// hub is told.
func (b *Bridge) settleAll(by, detail string) {
	b.mu.Lock()
	var ids []string
	for id := range b.open {
		b.settleLocked(id, nil)
		ids = append(ids, id)
	}
	b.mu.Unlock()
	if by != "" {
		for _, id := range ids {
			b.notifyClosed(id, by, detail)
		}
	}
}

func (b *Bridge) notifyClosed(id, by, detail string) {
	b.mu.Lock()
	send := b.send
	b.mu.Unlock()
	if send != nil {
		e, _ := wire.New(wire.TypePromptClosed, wire.PromptClosed{ID: id, By: by, Detail: detail})
		send(e)
	}
}

// record forwards a hook event to the hub; once Gemini runs a tool or
// ends its turn, no hook is waiting any more.
func (b *Bridge) record(req request) {
	b.mu.Lock()
	send := b.send
	b.mu.Unlock()
	if send != nil {
		e, _ := wire.New(wire.TypeHookEvent, wire.HookEvent{Event: req.Event, Payload: req.Payload})
		send(e)
	}
	if req.Event == "AfterAgent" || req.Event == "SessionEnd" {
		b.settleAll("agent", "Gemini went on without an answer from ct")
	}
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
