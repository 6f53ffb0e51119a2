package coord

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
)

// Limits on a message, checked before anything is written.
const (
	MaxBody      = 100 << 10 // 100 KB of markdown
	MaxSubject   = 200
	MaxArtifacts = 50
)

// Priorities and types a message may have.
var (
	Priorities   = []string{"P0", "P1", "P2", "P3"}
	MessageTypes = []string{"question", "blocker", "status-update", "deploy-ready", "blocker-resolved", "note"}
)

const bMessages = "coord_messages"

// MsgContext points at where a message is about.
type MsgContext struct {
	Session string `json:"session,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Receipt is one recipient's state of a message.
type Receipt struct {
	ReadAt  time.Time `json:"read_at,omitzero"`
	AckedAt time.Time `json:"acked_at,omitzero"`
}

// Message is one message between peers. To is a peer name, "@group" or "*".
type Message struct {
	ID               string      `json:"id"`
	TS               time.Time   `json:"ts"`
	From             string      `json:"from"`
	To               string      `json:"to"`
	Priority         string      `json:"priority"`
	Type             string      `json:"type"`
	Subject          string      `json:"subject"`
	Body             string      `json:"body"`
	Context          *MsgContext `json:"context,omitempty"`
	Re               string      `json:"re,omitempty"`
	RequiresResponse bool        `json:"requires_response,omitempty"`
	Deadline         *time.Time  `json:"deadline,omitempty"`
	Artifacts        []string    `json:"artifacts,omitempty"`
	// The C2C protocol's fields (c2c.go): what a sender says of itself is
	// kept beside what the hub knows, never in its place.
	OriginID    string             `json:"origin_id,omitempty"`    // the "id" the sender gave; ID is the hub's
	Timestamp   *time.Time         `json:"timestamp,omitempty"`    // when the sender says it wrote it; TS is when the hub took it
	ClaimedFrom string             `json:"claimed_from,omitempty"` // the "from" a sender gave when it is not who they are
	Citation    string             `json:"citation,omitempty"`     // the id of a message this one cites, as given
	CitedID     string             `json:"cited_id,omitempty"`     // the hub's id of that message, when it resolved
	Solution    string             `json:"solution,omitempty"`     // reply fields: what fixed it (markdown)
	Commit      string             `json:"commit,omitempty"`       // the commit that did
	TestResults json.RawMessage    `json:"test_results,omitempty"` // any JSON: a summary string or a structured report
	EscalatedAt time.Time          `json:"escalated_at,omitzero"`  // its deadline passed unanswered and both sides were told (deadlines.go)
	Late        bool               `json:"late,omitempty"`         // a reminder that fired after its time (hub was down)
	Source      string             `json:"source,omitempty"`       // "reminder:ID", "hook:ID" when not sent by a peer directly
	Receipts    map[string]Receipt `json:"receipts,omitempty"`
	// Origin: relayed by a ct bridge from another hub (remote.go); the
	// bridge's own claim, shown beside From (which is the bridge).
	Origin *Origin `json:"origin,omitempty"`
	// Via: the ct bridge that carries a message addressed to NAME@HUB to
	// that hub (remote.go). Set by the hub, never by the sender.
	Via string `json:"via,omitempty"`
}

// validate checks m's fields and fills defaults; it writes nothing.
func (m *Message) validate() error {
	m.To = strings.TrimSpace(m.To)
	if m.To == "" {
		return errf(Invalid, "a message needs a recipient: to is a peer name, @group or * (everyone)")
	}
	if m.Priority == "" {
		m.Priority = "P2"
	}
	m.Priority = strings.ToUpper(m.Priority)
	if !slices.Contains(Priorities, m.Priority) {
		return errf(Invalid, "priority %q is not one of P0, P1, P2, P3", m.Priority)
	}
	if m.Type == "" {
		m.Type = "note"
	}
	if !slices.Contains(MessageTypes, m.Type) {
		return errf(Invalid, "type %q is not one of %s", m.Type, strings.Join(MessageTypes, ", "))
	}
	if strings.TrimSpace(m.Subject) == "" && strings.TrimSpace(m.Body) == "" {
		return errf(Invalid, "a message needs a subject or a body")
	}
	if len(m.Subject) > MaxSubject {
		return errf(Invalid, "the subject is %d characters; keep it to %d and put the rest in the body", len(m.Subject), MaxSubject)
	}
	if len(m.Body) > MaxBody {
		return errf(TooLarge, "the body is %d KB; the limit is 100 KB: attach large content as an artifact (a path or link) instead", (len(m.Body)+1023)/1024)
	}
	if len(m.Artifacts) > MaxArtifacts {
		return errf(Invalid, "%d artifacts is too many; the limit is %d", len(m.Artifacts), MaxArtifacts)
	}
	if o := m.Origin; o != nil && (len(o.Hub) > 64 || len(o.ID) > 64 || len(o.From) > 130) {
		return errf(Invalid, "origin is {hub, id, from} of at most 64, 64 and 130 characters")
	}
	if err := m.validateC2C(); err != nil {
		return err
	}
	fields := map[string]string{"subject": m.Subject, "body": m.Body, "artifacts": strings.Join(m.Artifacts, "\n"),
		"solution": m.Solution, "test_results": string(m.TestResults), "commit": m.Commit}
	if m.Context != nil {
		fields["context"] = m.Context.Error + "\n" + m.Context.File + "\n" + m.Context.Session
	}
	for _, f := range []string{"subject", "body", "context", "artifacts", "solution", "test_results", "commit"} {
		if err := checkSecrets(f, fields[f]); err != nil {
			return err
		}
	}
	return nil
}

// Send validates m, stores it from sender and pushes it to online recipients.
func (s *Service) Send(from string, m Message) (Message, error) {
	m.fromWire(from)
	if m.Priority == "" {
		m.Priority = s.defaultPriority(m.Type) // the hub template's, else P2 (validate)
	}
	if err := m.validate(); err != nil {
		return Message{}, err
	}
	if err := s.checkRate(from); err != nil {
		return Message{}, err
	}
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		return s.sendTx(tx, &m)
	})
	if err != nil {
		return Message{}, err
	}
	s.clearTyping(from, m.To)
	s.bus.Publish(Event{Type: "message", At: m.TS, Message: &m})
	return m, nil
}

// sendTx stores m (already validated) in tx: recipient and thread checks, id, time.
func (s *Service) sendTx(tx db.CoordTx, m *Message) error {
	if isRemoteName(m.To) {
		if err := s.routeRemote(m); err != nil {
			return err
		}
	} else if m.To != "*" && !strings.HasPrefix(m.To, "@") {
		var p Peer
		if err := tx.Get(bPeers, []byte(m.To), &p); err != nil {
			return errf(NotFound, "no peer named %q; list peers with GET /api/v1/peers (or ct msg send --to @group / '*')", m.To)
		}
	}
	m.TS = s.clock.Now().UTC()
	answers := m.Re
	if m.Re != "" {
		if _, err := getMessage(tx, m.Re); err != nil {
			return errf(NotFound, "re: no message %q to answer", m.Re)
		}
	}
	if err := resolveCitation(tx, m); err != nil {
		return err
	}
	if answers == "" {
		answers = m.CitedID // a C2C reply names its question by citation
	}
	if answers != "" {
		parent, err := getMessage(tx, answers)
		if err != nil {
			return err
		}
		if err := answeredBy(tx, parent, m.From, m.TS); err != nil {
			return err
		}
	}
	n, err := tx.NextSeq(bMessages)
	if err != nil {
		return err
	}
	m.ID = strconv.FormatUint(n, 10)
	if err := tx.Put(bMessages, db.SeqKey(n), m); err != nil {
		return err
	}
	return indexDeadline(tx, m)
}

// answeredBy settles a message that asks for an answer when one of its
// recipients replies to it: the reply counts as that recipient's
// acknowledgement, so "needs answer" goes away without a separate ack.
func answeredBy(tx db.CoordTx, parent Message, from string, now time.Time) error {
	if !parent.RequiresResponse || parent.From == from || from == HubSender || !parent.Receipts[from].AckedAt.IsZero() {
		return nil
	}
	var p Peer
	_ = tx.Get(bPeers, []byte(from), &p) // no peer record: no groups
	if !addressedTo(&parent, from, p.Groups) {
		return nil
	}
	r := parent.Receipts[from]
	if r.ReadAt.IsZero() {
		r.ReadAt = now
	}
	r.AckedAt = now
	if parent.Receipts == nil {
		parent.Receipts = map[string]Receipt{}
	}
	parent.Receipts[from] = r
	k, err := msgKey(parent.ID)
	if err != nil {
		return err
	}
	return tx.Put(bMessages, k, parent)
}

func msgKey(id string) ([]byte, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, errf(NotFound, "no message %q (ids are numbers)", id)
	}
	return db.SeqKey(n), nil
}

func getMessage(tx db.CoordTx, id string) (Message, error) {
	var m Message
	k, err := msgKey(id)
	if err != nil {
		return m, err
	}
	if err := tx.Get(bMessages, k, &m); err != nil {
		return m, errf(NotFound, "no message %q", id)
	}
	return m, nil
}

// Viewer is who is asking: a peer and its groups; Admin sees every message.
type Viewer struct {
	Peer   string
	Groups []string
	Admin  bool
}

func (v Viewer) canSee(m *Message) bool {
	return v.Admin || m.From == v.Peer || addressedTo(m, v.Peer, v.Groups)
}

// MessageFilter narrows a listing.
type MessageFilter struct {
	Box    string // inbox (default: to me), sent, all (both), hub (all an admin may see)
	Unread bool   // only messages v has not read (inbox)
	Re     string // only replies to this message (a thread), and the message itself
	Query  string // case-insensitive substring of any text field (searchText)
	After  string // only ids greater than this, the oldest first (for polling)
	Limit  int    // at most N (the newest N without After); 0 means 100
}

// Messages lists what v may see matching f, oldest first.
func (s *Service) Messages(v Viewer, f MessageFilter) ([]Message, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var after uint64
	if f.After != "" {
		after, _ = strconv.ParseUint(f.After, 10, 64)
	}
	q := strings.ToLower(f.Query)
	var out []Message
	keep := func(_, val []byte) (bool, error) {
		var m Message
		if err := json.Unmarshal(val, &m); err != nil {
			return false, err
		}
		if v.canSee(&m) && matches(&m, v, f, q) {
			out = append(out, m)
		}
		return len(out) < limit, nil
	}
	err := s.store.CoordView(func(tx db.CoordTx) error {
		if f.After != "" {
			// Polling: the oldest first after the last one seen, so a
			// poller that pages with after= never skips any.
			return tx.EachFrom(bMessages, db.SeqKey(after+1), keep)
		}
		return tx.Each(bMessages, true, keep) // the newest N
	})
	if f.After == "" {
		slices.Reverse(out)
	}
	return out, err
}

func matches(m *Message, v Viewer, f MessageFilter, q string) bool {
	mine := addressedTo(m, v.Peer, v.Groups)
	switch f.Box {
	case "", "inbox":
		if !mine || (m.From == v.Peer && m.To != v.Peer) {
			return false
		}
	case "sent":
		if m.From != v.Peer {
			return false
		}
	case "all":
		if !mine && m.From != v.Peer {
			return false
		}
	case "hub": // every message the viewer may see: for admins, the whole hub
	default:
		return false
	}
	if f.Unread && (!mine || !m.Receipts[v.Peer].ReadAt.IsZero()) {
		return false
	}
	if f.Re != "" && m.Re != f.Re && m.ID != f.Re {
		return false
	}
	if q != "" && !strings.Contains(strings.ToLower(m.searchText()), q) {
		return false
	}
	return true
}

// Message returns one message v may see; read marks it read for v.
func (s *Service) Message(v Viewer, id string, read bool) (Message, error) {
	return s.receipt(v, id, read, false)
}

// Ack marks message id read and acknowledged by v (a recipient).
func (s *Service) Ack(v Viewer, id string) (Message, error) {
	return s.receipt(v, id, true, true)
}

func (s *Service) receipt(v Viewer, id string, read, ack bool) (Message, error) {
	var m Message
	changed := false
	update := func(tx db.CoordTx) error {
		var err error
		if m, err = getMessage(tx, id); err != nil {
			return err
		}
		if !v.canSee(&m) {
			return errf(NotFound, "no message %q", id)
		}
		if !read && !ack {
			return nil
		}
		if !addressedTo(&m, v.Peer, v.Groups) {
			if ack {
				return errf(Forbidden, "message %s is not addressed to %s, so %s cannot acknowledge it", id, v.Peer, v.Peer)
			}
			return nil
		}
		r := m.Receipts[v.Peer]
		now := s.clock.Now().UTC()
		if r.ReadAt.IsZero() {
			r.ReadAt = now
		}
		if ack && r.AckedAt.IsZero() {
			r.AckedAt = now
		}
		if r == m.Receipts[v.Peer] {
			return nil
		}
		if m.Receipts == nil {
			m.Receipts = map[string]Receipt{}
		}
		m.Receipts[v.Peer] = r
		changed = true
		k, _ := msgKey(id)
		return tx.Put(bMessages, k, m)
	}
	var err error
	if read || ack {
		err = s.store.CoordUpdate(update)
	} else {
		err = s.store.CoordView(update)
	}
	if err == nil && changed {
		// The sender's open inbox shows "read" without a reload.
		s.bus.Publish(Event{Type: "receipt", At: s.clock.Now().UTC(), Message: &m})
	}
	return m, err
}
