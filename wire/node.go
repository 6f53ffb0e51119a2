package wire

// The node protocol: ct node's one control connection (/ws/node). Sessions a
// node starts do not use it; each has its own wrap connection (/ws/wrap).
const (
	TypeNodeRegister = "node.register" // node → hub: who it is and what it allows (first frame)
	TypeNodeReady    = "node.ready"    // hub → node: registration accepted
	TypeNodeSpawn    = "node.spawn"    // hub → node: a person asks for a new session
	TypeNodeSpawned  = "node.spawned"  // node → hub: the answer to one node.spawn
	TypeNodeCleanup  = "node.cleanup"  // hub → node: a session was archived; remove its worktree if clean
	TypeNodeCleaned  = "node.cleaned"  // node → hub: the answer to one node.cleanup
)

// NodeRegister is node.register's payload. Allow and Roots are what the node
// itself enforces; the hub only shows them (and offers them in forms).
type NodeRegister struct {
	Hello
	Allow []string `json:"allow"` // commands the node will start
	Roots []string `json:"roots"` // directories sessions may start in (and below)
	// Sessions are the ids of the sessions this node still runs; with
	// ReportsSessions set, the hub ends the node's other sessions (the node
	// restarted and lost them). A node from before the field reports none
	// and the hub ends nothing.
	Sessions        []string `json:"sessions,omitempty"`
	ReportsSessions bool     `json:"reports_sessions,omitempty"`
}

// NodeSpawn is node.spawn's payload.
type NodeSpawn struct {
	Request string `json:"request"` // the hub's id for matching the answer
	Command string `json:"command"` // one program name from the node's allow-list
	Cwd     string `json:"cwd,omitempty"`
	Prompt  string `json:"prompt,omitempty"` // first prompt (claude: an argument; others: typed)
	By      string `json:"by,omitempty"`     // who asked, for the node's log
	// Protocol is how the node drives the agent: "" its terminal UI under
	// the PTY; ProtocolAppServer (codex only) Codex's JSON-RPC app-server,
	// with no screen parsing.
	Protocol string `json:"protocol,omitempty"`
	// Resume is a past session of the agent (claude, codex) to continue:
	// its own session id, never a flag or a path (CheckAgentSessionID).
	// Fork starts a new session from it instead of continuing it.
	Resume string `json:"resume,omitempty"`
	Fork   bool   `json:"fork,omitempty"`
	// Worktree: run in a new git worktree of Cwd's repository, on a new
	// branch ct/<session id> (nodeagent/worktree.go).
	Worktree bool `json:"worktree,omitempty"`
}

// NodeCleanup is node.cleanup's payload: the archived session and its
// working directory as it declared it. The node checks for itself that
// Dir is the worktree it made for that session.
type NodeCleanup struct {
	Request   string `json:"request"`
	SessionID string `json:"session_id"`
	Dir       string `json:"dir"`
}

// NodeCleaned is node.cleaned's payload: whether the worktree was removed,
// and Note, a sentence for the person (why it was kept, or what went).
type NodeCleaned struct {
	Request string `json:"request"`
	Removed bool   `json:"removed"`
	Note    string `json:"note"`
}

// ProtocolAppServer is NodeSpawn.Protocol for a Codex session run through
// `codex app-server`.
const ProtocolAppServer = "app-server"

// NodeSpawned is node.spawned's payload: the new session, or the node's
// reason for refusing.
type NodeSpawned struct {
	Request   string `json:"request"`
	SessionID string `json:"session_id,omitempty"`
	Refused   string `json:"refused,omitempty"`
}
