package claudehook

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

// holdAnswers bounds how long, after a hub answer was handed to the hook,
// keys that would answer the dialog it answered are held back while that
// dialog is still on screen: the dialog takes the first answer it sees, and
// it must be the one the hub reported as the winner. Claude Code closes it
// within a few tenths of a second; if it has not after this long, it did not
// take the hook's answer, and the keyboard must work again.
const holdAnswers = time.Second

// Bridge serves the hook socket and decides, for each permission question,
// which answer wins: the hub's or the terminal's. It implements
// ptywrap.Plugin.
type Bridge struct {
	ln   net.Listener
	opts Options

	mu           sync.Mutex
	send         func(wire.Envelope) bool
	up           bool
	terminalOnly bool
	open         map[string]*question // unsettled questions
	settled      map[string]string    // recently settled id -> why (for late hub answers)
	holdUntil    time.Time
	held         *question           // answered from the hub; its dialog may still be on screen
	heldKey      string              // that dialog's options as drawn when the hub's answer won ("": not drawn yet)
	dlg          *dialogWatch        // what Claude Code draws: which dialog is on screen
	lastTerminal *question           // settled at the terminal; PostToolUse says it was allowed
	rules        map[string]string   // session rules: ruleKey -> who chose "allow for this session"
	addLog       func(wire.Envelope) // appends a sequenced event (transcript entries)
	tail         *Tailer             // follows the session's transcript JSONL once a hook names it
	agentFile    string              // where session.agent's credential goes for ct mcp ("": nowhere)
}

// question is one PermissionRequest hook waiting for an answer.
type question struct {
	id          string
	tool        string
	suggestions json.RawMessage
	input       json.RawMessage // the tool's input, for a session rule and updatedInput
	agentID     string          // the subagent that asks ("": the main thread)
	sig         string          // what its dialog shows of it (signature)
	asked       time.Time       // when the hook asked: Claude Code shows dialogs in this order
	reply       []byte          // the hook's stdout; nil = no decision
	done        chan struct{}   // closed once settled
}

// Listen opens the hook socket (mode 0600) at path, for Claude Code.
func Listen(path string) (*Bridge, error) { return ListenWith(path, Options{}) }

// ListenWith opens the hook socket (mode 0600) at path for the CLI opts names.
func ListenWith(path string, opts Options) (*Bridge, error) {
	ln, err := ListenSocket(path)
	if err != nil {
		return nil, err
	}
	b := &Bridge{ln: ln, opts: opts, open: map[string]*question{}, settled: map[string]string{}, dlg: newDialogWatch(), rules: map[string]string{}, agentFile: opts.AgentFile}
	go b.serve()
	return b, nil
}

// ListenSocket opens a hook socket (mode 0600) at path, replacing a stale
// one: what `ct hook` dials through CT_HOOK_SOCK (geminihook's too).
func ListenSocket(path string) (net.Listener, error) {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Close stops the socket and releases every waiting hook without a decision.
func (b *Bridge) Close() {
	b.ln.Close()
	b.settleAll("", "", nil)
	b.closeTranscript()
	b.dlg.close()
}

func (b *Bridge) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		go b.handle(c)
	}
}

func (b *Bridge) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReaderSize(c, 64<<10)
	line, err := ReadLine(r, MaxPayload+4096)
	if err != nil {
		return
	}
	var req request
	if json.Unmarshal(line, &req) != nil || req.Event == "" {
		return
	}
	b.followTranscript(req.Payload)
	if req.Event != "PermissionRequest" {
		b.record(req)
		return
	}
	q, ok := b.openQuestion(req.Payload)
	if !ok {
		return // no hub, or answers only at the terminal: Claude Code's dialog decides
	}
	// The hook closes its end if Claude Code kills it (its timeout).
	gone := make(chan struct{})
	go func() {
		_ = c.SetReadDeadline(time.Time{})
		_, _ = r.ReadByte()
		close(gone)
	}()
	select {
	case <-q.done:
		if q.reply != nil {
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
			_, _ = c.Write(append(q.reply, '\n'))
		}
	case <-gone:
		if b.settle(q.id, "hook-ended", nil) {
			b.notifyClosed(q.id, "agent", b.opts.name()+" stopped waiting (hook timeout or the session moved on)")
		}
	}
}

// ReadLine reads one newline-ended line of at most max bytes from r; a
// longer one is an error (the hook socket's and ct appserver's framing).
func ReadLine(r *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > max {
			return nil, errors.New("hook request too large")
		}
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

// permissionRequest is the part of Claude Code's PermissionRequest payload ct reads.
type permissionRequest struct {
	ToolName    string          `json:"tool_name"`
	ToolInput   json.RawMessage `json:"tool_input"`
	Suggestions json.RawMessage `json:"permission_suggestions"`
	Mode        string          `json:"permission_mode"`
	Cwd         string          `json:"cwd"`
	AgentID     string          `json:"agent_id"`   // set when a subagent asks
	AgentType   string          `json:"agent_type"` // e.g. "general-purpose"
}

func (b *Bridge) openQuestion(payload json.RawMessage) (*question, bool) {
	var pr permissionRequest
	if json.Unmarshal(payload, &pr) != nil || pr.ToolName == "" {
		return nil, false
	}
	asked := time.Now().UTC()
	q := &question{id: newID(), tool: pr.ToolName, suggestions: pr.Suggestions, input: pr.ToolInput,
		agentID: pr.AgentID, sig: signature(pr.ToolName, pr.ToolInput), asked: asked, done: make(chan struct{})}
	change := fileChange(pr.ToolName, pr.ToolInput, pr.Cwd) // read here, where the file is
	b.mu.Lock()
	if !b.up || b.terminalOnly || b.send == nil {
		b.mu.Unlock()
		return nil, false
	}
	ruleBy, ruled := b.rules[ruleKey(q.tool, q.input)]
	if !ruled {
		b.open[q.id] = q
	}
	send := b.send
	b.mu.Unlock()
	e, _ := wire.New(wire.TypePromptOpen, wire.PromptOpen{
		ID: q.id, Kind: "hook", Tool: pr.ToolName, Input: pr.ToolInput, Suggestions: pr.Suggestions,
		Mode: pr.Mode, Cwd: pr.Cwd, Agent: b.opts.agent(), AgentID: pr.AgentID, AgentType: pr.AgentType,
		Change: change, AskedAt: asked, RuleBy: ruleBy,
	})
	if ruled {
		// A session rule answers at once; the hub only records it. If the
		// record cannot be sent, Claude Code's dialog asks instead.
		if !send(e) {
			return nil, false
		}
		q.reply, _ = decisionJSON(wire.PromptDecide{Decision: wire.DecisionAllow}, q)
		close(q.done)
		return q, true
	}
	if !b.opts.KeyReleases {
		b.dlg.watch(true) // Claude Code draws its dialog while the hook waits
	}
	if !send(e) {
		b.settle(q.id, "unsent", nil)
		return nil, false
	}
	return q, true
}

// settle closes question id with reply (nil: no decision) unless it is
// already settled; it reports whether this call settled it.
func (b *Bridge) settle(id, why string, reply []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.settleLocked(id, why, reply)
}

func (b *Bridge) settleLocked(id, why string, reply []byte) bool {
	q, ok := b.open[id]
	if !ok {
		return false
	}
	delete(b.open, id)
	q.reply = reply
	close(q.done)
	if len(b.settled) > 256 {
		b.settled = map[string]string{} // only recent ones matter for late answers
	}
	b.settled[id] = why
	b.dlg.watch(len(b.open) > 0 || b.held != nil)
	return true
}

// settleAll releases every open question; with by set, the hub is told.
func (b *Bridge) settleAll(by, detail string, last **question) []string {
	return b.settleWhere(func(*question) bool { return true }, by, detail, last)
}

// settleWhere releases the open questions that match; with by set, the hub
// is told.
func (b *Bridge) settleWhere(match func(*question) bool, by, detail string, last **question) []string {
	b.mu.Lock()
	var ids []string
	for id, q := range b.open {
		if !match(q) {
			continue
		}
		if last != nil {
			*last = q
		}
		b.settleLocked(id, by, nil)
		ids = append(ids, id)
	}
	b.mu.Unlock()
	if by != "" {
		for _, id := range ids {
			b.notifyClosed(id, by, detail)
		}
	}
	return ids
}

func (b *Bridge) notifyClosed(id, by, detail string) {
	b.mu.Lock()
	send := b.send
	b.mu.Unlock()
	if send == nil {
		return
	}
	e, _ := wire.New(wire.TypePromptClosed, wire.PromptClosed{ID: id, By: by, Detail: detail})
	send(e)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
