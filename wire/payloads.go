package wire

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Hello is node.hello's payload: the workstation introducing itself.
type Hello struct {
	Node     string `json:"node"`     // machine name (--name, default hostname)
	Hostname string `json:"hostname"` // os.Hostname
	User     string `json:"user"`     // OS user running ct
	OS       string `json:"os"`       // runtime.GOOS
	Version  string `json:"version"`  // ct version of the sender
}

// SessionStart is session.start's payload. The wrap sends it on every
// (re)connect; the hub treats it as an upsert. Agent and Hooks are the
// workstation's declaration of how it runs the program: the hub turns screen
// rules on or off from Hooks and never guesses from Command. A wrap older than
// the declaration sends neither (Agent ""); db.Session says what that means.
type SessionStart struct {
	Command   string    `json:"command"`
	Args      []string  `json:"args,omitempty"`
	Cwd       string    `json:"cwd"`
	Cols      int       `json:"cols"`
	Rows      int       `json:"rows"`
	StartedAt time.Time `json:"started_at"`
	Agent     string    `json:"agent,omitempty"` // the adapter it runs under: AgentClaude | AgentCodex | AgentPlain
	Hooks     bool      `json:"hooks,omitempty"` // ct's hooks are live: injected, and --no-hooks not set
	// Resume is the session's reconnect secret, made by the wrap and held
	// only in its memory: the hub refuses a session.start for a known
	// session id without it, so no other holder of a machine token can take
	// the session over.
	Resume string `json:"resume,omitempty"`
	// ByNode: ct node started the session (it then reports the sessions it
	// still runs, so the hub can end the ones a restarted node lost).
	ByNode bool `json:"by_node,omitempty"`
	// Worktree is the branch of the git worktree ct node made for this
	// session (ct/<session id>); its Cwd is in that worktree. Archiving the
	// session asks the node to remove it when clean (node.cleanup).
	Worktree string `json:"worktree,omitempty"`
	// Title is the session's title as ct wrap --title set it ("": none;
	// the hub then takes Claude's first prompt).
	Title string `json:"title,omitempty"`
	// Tags are the session's labels (ct wrap --tag), which approval rules
	// match; the hub refuses more than MaxTags or a tag that is not 1 to
	// MaxTagLen letters, digits, '.', '_', '-' or ':'.
	Tags []string `json:"tags,omitempty"`
	// Shares names the directories the wrap shares with the hub's peers
	// (ct wrap --share-dir), each by its root name; empty: it shares none.
	Shares []string `json:"shares,omitempty"`
	// Commands are the slash commands the agent takes (its built-ins and
	// the custom command files the wrap found), for the composer's menu;
	// bounded by CleanCommands.
	Commands []SlashCommand `json:"commands,omitempty"`

	// ShareApprove: the workstation asks that each read of a shared file
	// by another peer be approved by its person first (ct wrap
	// --share-approve); the hub holds the read as a prompt until then.
	ShareApprove bool `json:"share_approve,omitempty"`
}

// Bounds on session tags.
const (
	MaxTags   = 16
	MaxTagLen = 64
)

// Agent names a session.start may declare (package agent has their adapters).
const (
	AgentClaude = "claude" // Claude Code
	AgentCodex  = "codex"  // OpenAI Codex CLI
	AgentPlain  = "plain"  // any other program: the hub's screen rules
	AgentGemini = "gemini" // Gemini CLI
)

// SessionAck is session.ack's payload: where the hub's durable log ends.
type SessionAck struct {
	Seq uint64 `json:"seq"`
}

// SessionEnd is session.end's payload.
type SessionEnd struct {
	ExitCode int       `json:"exit_code"`
	Signal   string    `json:"signal,omitempty"`
	EndedAt  time.Time `json:"ended_at"`
}

// Resize is pty.resize's payload.
type Resize struct {
	Cols int `json:"cols"`
	Rows int `json:"rows"`
}

// Dropped is pty.dropped's payload: the wrap's spool overflowed while the hub
// was away and the oldest output was discarded.
type Dropped struct {
	Bytes  int64 `json:"bytes"`
	Frames int   `json:"frames"`
	// Reason is empty for the wrap's spool overflow; the hub sets it when
	// it keeps only the size of output it refused (see IngestRefused).
	Reason string `json:"reason,omitempty"`
}

// Error is error's payload.
type Error struct {
	Message string `json:"message"`
}

// PromptOpen is prompt.open's payload: an agent asking to use a tool.
type PromptOpen struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"` // "hook" (agent hook) or "screen" (a screen rule matched)
	Tool        string          `json:"tool"`
	Input       json.RawMessage `json:"input,omitempty"`
	Suggestions json.RawMessage `json:"suggestions,omitempty"`
	Mode        string          `json:"mode,omitempty"` // the agent's permission mode
	Cwd         string          `json:"cwd,omitempty"`
	Agent       string          `json:"agent,omitempty"` // e.g. "claude"
	// AgentID and AgentType name the subagent that asks (Claude Code's
	// agent_id and agent_type; both "" for the main thread). Only that
	// agent's own events may settle the question.
	AgentID   string `json:"agent_id,omitempty"`
	AgentType string `json:"agent_type,omitempty"`
	// Change is what a Write or Edit would do to the file as it is on the
	// workstation when the question was asked (nil: not a file tool, or the
	// file could not be read there).
	Change *FileChange `json:"change,omitempty"`
	// AskedAt is when the agent asked, by the workstation's clock.
	AskedAt time.Time `json:"asked_at,omitzero"`
	// RuleBy is set when the wrap already allowed the question by a
	// session rule: this person chose "allow for this session" for the same
	// request earlier in the session. The hub records it as allowed and
	// asks nobody.
	RuleBy string `json:"rule_by,omitempty"`
}

// MaxChangeDiff bounds FileChange.Diff; a longer diff is cut and says so.
const MaxChangeDiff = 64 << 10

// FileChange is a file tool's effect, computed on the workstation the way
// Claude Code applies it: Edit's replace_all changes every occurrence, a
// Write onto an existing file overwrites it.
type FileChange struct {
	Label string `json:"label"` // as Claude Code says it: "Create file", "Overwrite file", "Edit file"
	Diff  string `json:"diff"`  // a unified diff of the whole file, before -> after
}

// PromptSync is prompt.sync's payload: after each (re)connect the wrap says
// which of its questions are still open, so the hub closes the others (a
// connection the hub never saw drop leaves them pending otherwise).
type PromptSync struct {
	Open []string `json:"open"`
}

// Decision values.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// PromptDecide is prompt.decide's payload. Ref names this one attempt (the
// hub's claim on the prompt); the wrap echoes it in its prompt.result.
type PromptDecide struct {
	ID       string `json:"id"`
	Ref      string `json:"ref,omitempty"`
	Decision string `json:"decision"`          // allow | deny
	Message  string `json:"message,omitempty"` // to the agent, with deny
	Scope    string `json:"scope,omitempty"`   // once | session
	By       string `json:"by"`
	// Answers are AskUserQuestion's answers, question text -> chosen
	// label(s) (several joined with ", ") or free text; the wrap puts them
	// in the tool input it returns, as Claude Code's own dialog does.
	Answers map[string]string `json:"answers,omitempty"`
	// PlanMode is, for ExitPlanMode, the permission mode to go on in
	// ("default": approve each edit); "" keeps Claude Code's default.
	PlanMode string `json:"plan_mode,omitempty"`
}

// PromptResult is prompt.result's payload: Accepted is false when the
// question had already been settled (at the terminal, or the hook ended).
// When Accepted, Ref, Decision, Scope, Message and By say what the wrap
// applied: the hub records exactly that, not what it meant to send.
type PromptResult struct {
	ID       string            `json:"id"`
	Accepted bool              `json:"accepted"`
	Reason   string            `json:"reason,omitempty"`
	Ref      string            `json:"ref,omitempty"`
	Decision string            `json:"decision,omitempty"`
	Scope    string            `json:"scope,omitempty"`
	Message  string            `json:"message,omitempty"`
	By       string            `json:"by,omitempty"`
	Answers  map[string]string `json:"answers,omitempty"`
	PlanMode string            `json:"plan_mode,omitempty"`
	// Invalid marks a refusal of the answer itself (it does not fit the
	// question): the question is still open. Any other refusal means the
	// question is gone from the workstation, and the hub closes it.
	Invalid bool `json:"invalid,omitempty"`
}

// PromptClosed is prompt.closed's payload.
type PromptClosed struct {
	ID     string `json:"id"`
	By     string `json:"by"`               // terminal | agent | hook-ended
	Detail string `json:"detail,omitempty"` // e.g. "allowed at the terminal"
}

// HookEvent is hook.event's payload: an agent hook's name and its JSON input.
type HookEvent struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// SessionAgent is session.agent's payload: the session's own credential
// (an auth.KindAgent token) for the wrapped agent's ct mcp. It can
// coordinate only: never answer prompts, type into sessions or stream.
type SessionAgent struct {
	Token string `json:"token"`
}

// SessionSettings is session.settings' payload.
type SessionSettings struct {
	TerminalOnly bool `json:"terminal_only"` // answer prompts only at the terminal
}

// SessionStop is session.stop's payload: a person asked to end the
// program. The wrap sends it SIGTERM at once and SIGKILL if it has not
// exited after GraceMS (the wrap keeps the timer, so a hub that goes away
// meanwhile cannot leave the program half-stopped).
type SessionStop struct {
	GraceMS int64  `json:"grace_ms"`
	By      string `json:"by,omitempty"` // who asked, for the wrap's own log
}

// SessionTail is session.tail's payload: sent by ct flush when it delivers
// what a wrap kept after its program ended while the hub was away, so the
// hub can say "ended on the workstation" until the session's end arrives.
type SessionTail struct {
	Bytes   int64     `json:"bytes"`    // output still to arrive
	SavedAt time.Time `json:"saved_at"` // when the wrap kept it
}

// CheckTags says what is wrong with a session's tags (nil: nothing); both
// ct wrap (its --tag flags) and the hub (session.start) call it.
func CheckTags(tags []string) error {
	if len(tags) > MaxTags {
		return fmt.Errorf("%d tags; give at most %d", len(tags), MaxTags)
	}
	for _, t := range tags {
		if t == "" || len(t) > MaxTagLen || strings.IndexFunc(t, notTagRune) >= 0 {
			return fmt.Errorf("tag %q: use 1 to %d letters, digits, '.', '_', '-' or ':'", t, MaxTagLen)
		}
	}
	return nil
}

func notTagRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == ':')
}
