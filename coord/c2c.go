package coord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ct-dev/ct/db"
)

// The C2C message format: agents that speak it send their JSON as it is
// (id, timestamp, from, to, priority, type, subject, body, context,
// citation, requires_response, deadline and the reply fields solution,
// commit, artifacts, test_results). What the sender claims about itself
// is kept beside what the hub knows, never in its place: "id" becomes
// OriginID (the hub numbers every message itself), "timestamp" stays the
// sender's Timestamp (TS is the hub's clock), and a "from" that is not the
// authenticated caller is kept only as ClaimedFrom.

// Limits on the C2C fields, checked with the others before anything is
// written; each is far above what a real message needs.
const (
	MaxOriginID    = 128      // a sender's message id (uuid, "msg-2026-…")
	MaxClaimedFrom = 128      // a sender's own name for itself
	MaxCitation    = 128      // an id, the hub's or a sender's
	MaxSolution    = 32 << 10 // 32 KB of markdown; the body is for the long form
	MaxCommit      = 100      // a hash, or a ref such as origin/fix-42
	MaxTestResults = 16 << 10 // 16 KB of JSON: a summary, not the log
	MaxContextFile = 1024     // a path
	MaxContextErr  = 8 << 10  // an error message, perhaps with a stack
	MaxSessionID   = 128
	MaxArtifactLen = 1024 // a path or a link
)

// fromWire takes a message as a sender wrote it, for sender: the fields
// only the hub sets are cleared and the sender's own claims moved aside.
func (m *Message) fromWire(sender string) {
	if m.ID != "" {
		m.OriginID = m.ID
	}
	m.ID = ""
	m.ClaimedFrom = ""
	if claimed := strings.TrimSpace(m.From); claimed != "" && claimed != sender {
		m.ClaimedFrom = claimed
	}
	m.From = sender
	m.Receipts, m.CitedID, m.EscalatedAt, m.Via = nil, "", time.Time{}, ""
}

// validateC2C bounds the C2C fields; a field over its limit is refused
// with what to do, never cut.
func (m *Message) validateC2C() error {
	for _, f := range []struct {
		name, v string
		max     int
		hint    string
	}{
		{"id", m.OriginID, MaxOriginID, "use a short unique id"},
		{"from", m.ClaimedFrom, MaxClaimedFrom, "the hub records who you are; leave from out"},
		{"citation", m.Citation, MaxCitation, "cite a message by its id"},
		{"commit", m.Commit, MaxCommit, "give the commit's hash"},
	} {
		if len(f.v) > f.max {
			return errf(Invalid, "%s is %d characters; the limit is %d: %s", f.name, len(f.v), f.max, f.hint)
		}
		if strings.ContainsFunc(f.v, unicode.IsControl) {
			return errf(Invalid, "%s has control characters; send it as one plain line", f.name)
		}
	}
	if len(m.Solution) > MaxSolution {
		return errf(TooLarge, "the solution is %d KB; the limit is 32 KB: put the long form in the body", (len(m.Solution)+1023)/1024)
	}
	if len(m.TestResults) > MaxTestResults {
		return errf(TooLarge, "test_results is %d KB of JSON; the limit is 16 KB: send a summary (passed, failed, the failing names) and attach the full report as an artifact", (len(m.TestResults)+1023)/1024)
	}
	if len(m.TestResults) > 0 {
		var b bytes.Buffer // stored compact, as the store writes it: what Send returns is what a reader gets
		if err := json.Compact(&b, m.TestResults); err != nil {
			return errf(Invalid, "test_results is not JSON: %v", err)
		}
		m.TestResults = b.Bytes()
	}
	if string(m.TestResults) == "null" {
		m.TestResults = nil
	}
	for _, a := range m.Artifacts {
		if len(a) > MaxArtifactLen {
			return errf(Invalid, "an artifact is %d characters; the limit is %d: give a path or a link", len(a), MaxArtifactLen)
		}
	}
	if c := m.Context; c != nil {
		switch {
		case len(c.File) > MaxContextFile:
			return errf(Invalid, "context.file is %d characters; the limit is %d", len(c.File), MaxContextFile)
		case len(c.Error) > MaxContextErr:
			return errf(Invalid, "context.error is %d KB; the limit is 8 KB: quote the first lines and put the rest in the body", (len(c.Error)+1023)/1024)
		case len(c.Session) > MaxSessionID:
			return errf(Invalid, "context.session is %d characters; the limit is %d", len(c.Session), MaxSessionID)
		case c.Line < 0:
			return errf(Invalid, "context.line is %d; lines count from 1", c.Line)
		}
	}
	return nil
}

// resolveCitation sets m.CitedID to the hub's id of the message m cites:
// by the hub's id, else by the id its sender gave (the newest such one the
// sender may see). A citation that resolves to nothing is kept as given,
// with no CitedID: the cited message may be older than the hub's
// retention, or from outside it, and that must not stop the reply.
func resolveCitation(tx db.CoordTx, m *Message) error {
	m.Citation = strings.TrimSpace(m.Citation)
	if m.Citation == "" {
		return nil
	}
	var p Peer
	_ = tx.Get(bPeers, []byte(m.From), &p) // no peer record: no groups
	v := Viewer{Peer: m.From, Groups: p.Groups}
	if _, err := strconv.ParseUint(m.Citation, 10, 64); err == nil {
		if c, err := getMessage(tx, m.Citation); err == nil && v.canSee(&c) {
			m.CitedID = c.ID
			return nil
		}
	}
	return tx.Each(bMessages, true, func(_, val []byte) (bool, error) {
		var c Message
		if err := json.Unmarshal(val, &c); err != nil {
			return false, err
		}
		if c.OriginID == m.Citation && v.canSee(&c) {
			m.CitedID = c.ID
			return false, nil
		}
		return true, nil
	})
}

// searchText is every text field of m that a q= search looks in.
func (m *Message) searchText() string {
	parts := []string{m.Subject, m.Body, m.From, m.To, m.Type, m.OriginID, m.ClaimedFrom, m.Citation,
		m.Solution, m.Commit, string(m.TestResults), strings.Join(m.Artifacts, "\n")}
	if c := m.Context; c != nil {
		parts = append(parts, c.Session, c.File, c.Error)
	}
	return strings.Join(parts, "\n")
}

// AuditLine is what the audit log keeps of a sent message, so the record
// outlives the message's retention: its id, who sent it to whom, its
// priority and type, its subject (cut at 120 bytes), and the sender's own
// claims (its id for the message, a differing "from").
func AuditLine(m Message) string {
	subj := m.Subject
	if len(subj) > 120 {
		subj = subj[:120] + "..."
	}
	line := fmt.Sprintf("%s %s -> %s [%s %s] %q", m.ID, m.From, m.To, m.Priority, m.Type, subj)
	if m.OriginID != "" {
		line += " id=" + strconv.Quote(m.OriginID)
	}
	if m.ClaimedFrom != "" {
		line += " claimed_from=" + strconv.Quote(m.ClaimedFrom)
	}
	return line
}
