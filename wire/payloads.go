package wire

import "time"

// Hello is node.hello's payload: the workstation introducing itself.
type Hello struct {
	Node     string `json:"node"`     // machine name (--name, default hostname)
	Hostname string `json:"hostname"` // os.Hostname
	User     string `json:"user"`     // OS user running ct
	OS       string `json:"os"`       // runtime.GOOS
	Version  string `json:"version"`  // ct version of the sender
}

// SessionStart is session.start's payload. The wrap sends it on every
// (re)connect; the hub treats it as an upsert.
type SessionStart struct {
	Command   string    `json:"command"`
	Args      []string  `json:"args,omitempty"`
	Cwd       string    `json:"cwd"`
	Cols      int       `json:"cols"`
	Rows      int       `json:"rows"`
	StartedAt time.Time `json:"started_at"`
}

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
}

// Error is error's payload.
type Error struct {
	Message string `json:"message"`
}
