package db

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// MaxTitle is the most runes a session title keeps.
const MaxTitle = 100

// Where a session's title came from (Session.TitleBy holds a person's name
// when one set it on the session page).
const (
	TitleByWrap   = "ct wrap --title" // the wrap declared it in session.start
	TitleByPrompt = "first prompt"    // the agent's first prompt (UserPromptSubmit)
)

// keyNumbered marks (in meta) that every session has a Number: sessions
// stored before numbers existed were numbered once, in start order.
var keyNumbered = []byte("sessions_numbered")

// CleanTitle makes s a one-line title: the first non-blank line, control
// characters dropped, spaces collapsed, cut to MaxTitle runes ("…" marks a
// cut). It returns "" when nothing printable is left.
func CleanTitle(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return ' '
			}
			return r
		}, line)
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) > MaxTitle {
			line = string([]rune(line)[:MaxTitle-1]) + "…"
		}
		return line
	}
	return ""
}

// Name is what a person calls the session: its title, else its command
// line (cut to 120 bytes).
func (ss Session) Name() string {
	if ss.Title != "" {
		return ss.Title
	}
	return ss.CommandLine()
}

// Label is the session's short number and name: "#42 fix the login test".
func (ss Session) Label() string {
	if ss.Number == 0 {
		return ss.Name()
	}
	return "#" + strconv.FormatUint(ss.Number, 10) + " " + ss.Name()
}

// CommandLine is the command and its arguments as one line, cut to 120 bytes.
func (ss Session) CommandLine() string {
	out := ss.Command
	for _, a := range ss.Args {
		out += " " + a
	}
	if len(out) > 120 {
		out = strings.ToValidUTF8(out[:117], "") + "..."
	}
	return out
}

// SetSessionTitle sets a session's title as person by chose it on the
// session page (title already cleaned by CleanTitle; "" clears it, and the
// session is named by its command again).
func (s *Store) SetSessionTitle(id, title, by string) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		cur.Title, cur.TitleBy = title, by
		if title == "" {
			cur.TitleBy = ""
		}
		out = cur
		return putSession(tx, cur)
	})
	return out, err
}

// AutoTitle gives a session a title from by (TitleByPrompt) unless it has
// one; it reports whether it set it.
func (s *Store) AutoTitle(id, title, by string) (bool, error) {
	set := false
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil || cur.Title != "" || title == "" {
			return err
		}
		cur.Title, cur.TitleBy, set = title, by, true
		return putSession(tx, cur)
	})
	return set, err
}

// SetAgentSession records the agent's own session id for a session (its
// latest SessionStart names it; /clear and a fork give a new one).
func (s *Store) SetAgentSession(id, agentSession string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil || cur.AgentSession == agentSession {
			return err
		}
		cur.AgentSession = agentSession
		return putSession(tx, cur)
	})
}

// SetWorktreeNote records what became of a session's worktree on archive.
func (s *Store) SetWorktreeNote(id, note string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		cur.WorktreeNote = note
		return putSession(tx, cur)
	})
}

// nextSessionNumber is the hub's next short session number: the sessions
// bucket's own sequence, which bbolt keeps in the file and never gives
// twice, so a number is never reused (not even after retention deletes
// the session).
func nextSessionNumber(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(bucketSessions).NextSequence()
}

// ensureSessionNumbers numbers, once, the sessions stored before sessions
// had numbers, oldest first (derived data: no schema change).
func (s *Store) ensureSessionNumbers() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyNumbered) != nil {
			return nil
		}
		var all []Session
		err := tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			ss, err := decodeSession(v)
			if err == nil && ss.Number == 0 {
				all = append(all, ss)
			}
			return err
		})
		if err != nil {
			return err
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].StartedAt.Before(all[j].StartedAt) })
		// Written after the scan: bbolt forbids changing a bucket inside its ForEach.
		for _, ss := range all {
			if ss.Number, err = nextSessionNumber(tx); err != nil {
				return err
			}
			if err := putSession(tx, ss); err != nil {
				return err
			}
		}
		return meta.Put(keyNumbered, []byte("1"))
	})
}
