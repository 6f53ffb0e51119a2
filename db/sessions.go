package db

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// Session statuses.
const (
	StatusLive    = "live"
	StatusOffline = "offline"
	StatusEnded   = "ended"
)

// Session is one program run under a PTY, as the hub knows it.
type Session struct {
	ID           string    `json:"id"`
	Node         string    `json:"node"`
	Command      string    `json:"command"`
	Args         []string  `json:"args,omitempty"`
	Cwd          string    `json:"cwd"`
	Cols         int       `json:"cols"`
	Rows         int       `json:"rows"`
	Status       string    `json:"status"`
	ExitCode     *int      `json:"exit_code,omitempty"`
	Signal       string    `json:"signal,omitempty"`
	StartedAt    time.Time `json:"started_at"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	LastActivity time.Time `json:"last_activity,omitzero"`
	LastSeq      uint64    `json:"last_seq"`                // highest durable event seq
	OutputBytes  int64     `json:"output_bytes"`            // bytes of pty.output stored
	DroppedBytes int64     `json:"dropped_bytes"`           // bytes the wrap's spool discarded
	TerminalOnly bool      `json:"terminal_only,omitempty"` // prompts answered only at the terminal
	// ResumeHash is the SHA-256 (hex) of the wrap's reconnect secret, set
	// by its first session.start: only the same secret may resume it.
	ResumeHash string `json:"resume_hash,omitempty"`
	// LogTrimmed: retention emptied the event log; the record stays.
	LogTrimmed bool `json:"log_trimmed,omitempty"`
	// LogBytes is the bytes of the frames the log holds now, kept with the
	// log in the same transactions once LogSized (records from before it
	// are sized by the first pass of --max-session-log, logcap.go).
	LogBytes int64 `json:"log_bytes,omitempty"`
	LogSized bool  `json:"log_sized,omitempty"`
	// TrimmedBefore is the first seq --max-session-log kept: events before
	// it were removed to bound the log (0: nothing removed). LastSeq, the
	// durable mark, never moves back.
	TrimmedBefore uint64 `json:"trimmed_before,omitempty"`
	// Agent and Hooks are the wrap's declaration in session.start: the
	// adapter it runs the program under (wire.AgentClaude, wire.AgentPlain)
	// and whether ct's hooks are live (then the hub applies no screen rules).
	// Records and wraps from before the declaration have neither; every read
	// fills them in by legacyDeclaration.
	Agent string `json:"agent,omitempty"`
	Hooks bool   `json:"hooks,omitempty"`
	// ByNode: ct node started it (see wire.SessionStart.ByNode).
	ByNode bool `json:"by_node,omitempty"`
	// Tags are the wrap's labels for the session (ct wrap --tag), as
	// declared in its latest session.start; approval rules match them.
	Tags []string `json:"tags,omitempty"`
	// EndReason says why a session ended without its program's own end
	// reaching the hub ("the node lost it"); empty when the program ended.
	EndReason string `json:"end_reason,omitempty"`
	// Tokens is the agent's model usage, summed as its transcript's usage
	// entries are stored (tokens_usage.go); nil until the first.
	Tokens *TokenUsage `json:"tokens,omitempty"`
	// Number is the session's short number on this hub (#42): given once
	// from a counter in the file, never reused (session_title.go).
	Number uint64 `json:"number,omitempty"`
	// Title names the session for people (Name falls back to the command
	// line); TitleBy says who set it: a person's name, TitleByWrap or
	// TitleByPrompt. A person's title is never replaced automatically.
	Title   string `json:"title,omitempty"`
	TitleBy string `json:"title_by,omitempty"`
	// Archived sessions are left out of the lobby and listed under
	// Archived (session_life.go); a wrap that comes back live restores it.
	Archived   bool      `json:"archived,omitempty"`
	ArchivedBy string    `json:"archived_by,omitempty"`
	ArchivedAt time.Time `json:"archived_at,omitzero"`
	// AgentSession is the agent's own id for its conversation (Claude's and
	// Codex's session_id, from their latest SessionStart hook): what ct
	// node resumes or forks (claude --resume ID, codex resume ID).
	AgentSession string `json:"agent_session,omitempty"`
	// Worktree is the branch of the git worktree ct node made for it (as
	// its session.start declared); WorktreeNote is what became of the
	// worktree when it was archived (removed, or kept and why).
	Worktree     string `json:"worktree,omitempty"`
	WorktreeNote string `json:"worktree_note,omitempty"`
}

// legacyDeclaration fills in Agent and Hooks for a session whose wrap did
// not declare them (Agent ""), from its command name as ct guessed before
// wraps declared it: claude is Claude Code, and claude or codex reported
// questions through hooks. This is the one place that guess survives. It
// runs at read, not as a schema migration, because a wrap of an older ct
// version can still connect after the hub is upgraded and send no
// declaration; a migration would fix only the records already stored.
func legacyDeclaration(ss Session) Session {
	if ss.Agent != "" {
		return ss
	}
	ss.Agent = wire.AgentPlain
	if strings.TrimSuffix(filepath.Base(ss.Command), ".exe") == "claude" {
		ss.Agent = wire.AgentClaude
	}
	base := ss.Command[strings.LastIndexByte(ss.Command, '/')+1:]
	ss.Hooks = base == "claude" || base == "codex"
	return ss
}

// UpsertSession stores the wrap's view of a session's metadata. Fields the
// hub owns (seq, counters, end state) are kept from the stored record.
func (s *Store) UpsertSession(in Session) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, in.ID)
		if err == ErrNotFound {
			cur = in
			cur.LogBytes, cur.LogSized, cur.TrimmedBefore = 0, true, 0 // an empty log, counted from here
			if cur.Number, err = nextSessionNumber(tx); err != nil {
				return err
			}
			if cur.Title = CleanTitle(in.Title); cur.Title != "" {
				cur.TitleBy = TitleByWrap
			}
		} else if err != nil {
			return err
		} else {
			cur.Node, cur.Command, cur.Args, cur.Cwd = in.Node, in.Command, in.Args, in.Cwd
			cur.Cols, cur.Rows, cur.StartedAt = in.Cols, in.Rows, in.StartedAt
			cur.Agent, cur.Hooks, cur.ByNode, cur.Tags, cur.Worktree = in.Agent, in.Hooks, in.ByNode, in.Tags, in.Worktree
			if cur.ResumeHash == "" {
				cur.ResumeHash = in.ResumeHash // a session from before reconnect secrets: the first one binds it
			}
			if cur.Status != StatusEnded {
				cur.Status = in.Status
			}
			if cur.Status == StatusLive { // its wrap came back: it is no longer put away
				cur.Archived, cur.ArchivedBy, cur.ArchivedAt = false, "", time.Time{}
			}
			if t := CleanTitle(in.Title); cur.Title == "" && t != "" {
				cur.Title, cur.TitleBy = t, TitleByWrap
			}
		}
		out = legacyDeclaration(cur)
		return putSession(tx, cur)
	})
	return out, err
}

// EndLost ends a session whose program's end can never arrive (its node
// restarted without it), with reason; an ended session is left as it is.
// It reports whether it ended the session.
func (s *Store) EndLost(id, reason string, now time.Time) (bool, error) {
	ended := false
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil || cur.Status == StatusEnded {
			return err
		}
		cur.Status, cur.EndedAt, cur.EndReason = StatusEnded, now, reason
		ended = true
		return putSession(tx, cur)
	})
	return ended, err
}

// SetSessionStatus changes a session's status unless it has ended.
func (s *Store) SetSessionStatus(id, status string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		if cur.Status == StatusEnded || cur.Status == status {
			return nil
		}
		cur.Status = status
		return putSession(tx, cur)
	})
}

// MarkAllOffline sets every live session offline; the hub calls it at start,
// since no wrap is connected yet.
func (s *Store) MarkAllOffline() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		var live []Session
		err := tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			ss, err := decodeSession(v)
			if err != nil {
				return err
			}
			if ss.Status == StatusLive {
				live = append(live, ss)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Written after the scan: bbolt forbids changing a bucket inside its ForEach.
		for _, ss := range live {
			ss.Status = StatusOffline
			if err := putSession(tx, ss); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetSession returns one session or ErrNotFound.
func (s *Store) GetSession(id string) (Session, error) {
	var out Session
	err := s.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = getSession(tx, id)
		return err
	})
	return out, err
}

// Sessions lists every session, newest first.
func (s *Store) Sessions() ([]Session, error) {
	var out []Session
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			ss, err := decodeSession(v)
			if err != nil {
				return err
			}
			out = append(out, ss)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	return out, err
}

func getSession(tx *bolt.Tx, id string) (Session, error) {
	v := tx.Bucket(bucketSessions).Get([]byte(id))
	if v == nil {
		return Session{}, ErrNotFound
	}
	ss, err := decodeSession(v)
	if err != nil {
		return ss, fmt.Errorf("session %s: %w", id, err)
	}
	return ss, nil
}

// decodeSession reads a stored session, its declaration filled in.
func decodeSession(v []byte) (Session, error) {
	var ss Session
	if err := json.Unmarshal(v, &ss); err != nil {
		return ss, fmt.Errorf("decode session: %w", err)
	}
	return legacyDeclaration(ss), nil
}

func putSession(tx *bolt.Tx, ss Session) error {
	b, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	return tx.Bucket(bucketSessions).Put([]byte(ss.ID), b)
}
