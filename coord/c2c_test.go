package coord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// c2cQuestion is a C2C message as an agent writes it: every field of the
// protocol, its own id and a from that is not who sends it.
const c2cQuestion = `{
  "id": "msg-2026-03-02-001", "timestamp": "2026-03-02T07:59:00Z",
  "from": "claude-frontend", "to": "bob", "priority": "P1", "type": "blocker",
  "subject": "API returns 500 on /users", "body": "Blocks the login page.",
  "context": {"session": "s-42", "file": "api/users.go", "line": 88, "error": "nil pointer dereference"},
  "requires_response": true, "deadline": "2026-03-02T09:00:00Z"
}`

func decode(t *testing.T, s string) Message {
	t.Helper()
	var m Message
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestC2CMessageKeptWithClaimsApart(t *testing.T) {
	s, _ := newSvc(t)
	q, err := s.Send("alice", decode(t, c2cQuestion))
	if err != nil {
		t.Fatal(err)
	}
	if q.ID == "msg-2026-03-02-001" || q.OriginID != "msg-2026-03-02-001" {
		t.Fatalf("id %q origin_id %q: the hub numbers messages and keeps the sender's id apart", q.ID, q.OriginID)
	}
	if q.From != "alice" || q.ClaimedFrom != "claude-frontend" {
		t.Fatalf("from %q claimed_from %q: want the caller, the claim kept apart", q.From, q.ClaimedFrom)
	}
	if q.Timestamp == nil || !q.Timestamp.Equal(time.Date(2026, 3, 2, 7, 59, 0, 0, time.UTC)) || !q.TS.Equal(t0) {
		t.Fatalf("timestamp %v ts %v", q.Timestamp, q.TS)
	}
	if q.Context == nil || q.Context.Session != "s-42" || q.Context.Line != 88 || q.Type != "blocker" {
		t.Fatalf("context %+v type %s", q.Context, q.Type)
	}
	same, err := s.Send("alice", Message{From: "alice", To: "bob", Body: "x"})
	if err != nil || same.ClaimedFrom != "" {
		t.Fatalf("a from that matches the caller is no claim: %+v %v", same, err)
	}
	reply := decode(t, `{"id": "msg-2026-03-02-002", "from": "claude-backend", "to": "alice", "type": "blocker-resolved",
	  "body": "Fixed.", "citation": "msg-2026-03-02-001", "solution": "Check the **nil** user before use.",
	  "commit": "a1b2c3d", "artifacts": ["api/users.go"], "test_results": {"passed": 41, "failed": 0}}`)
	a, err := s.Send("bob", reply)
	if err != nil {
		t.Fatal(err)
	}
	if a.CitedID != q.ID || a.Commit != "a1b2c3d" || string(a.TestResults) != `{"passed":41,"failed":0}` || a.Type != "blocker-resolved" {
		t.Fatalf("reply = %+v", a)
	}
	got, _ := s.Message(Viewer{Peer: "alice"}, q.ID, false)
	if got.Receipts["bob"].AckedAt.IsZero() {
		t.Fatal("a reply that cites the question does not count as its answer")
	}
	byHubID, err := s.Send("bob", Message{To: "alice", Body: "see", Citation: q.ID})
	if err != nil || byHubID.CitedID != q.ID {
		t.Fatalf("cite by the hub's id: %+v %v", byHubID, err)
	}
	for q, want := range map[string]string{"a1b2c3d": a.ID, "nil pointer": q.ID, "claude-frontend": q.ID, `"passed":41`: a.ID} {
		found, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{Box: "all", Query: q})
		if len(found) != 1 || found[0].ID != want {
			t.Errorf("q=%s found %d messages, want #%s", q, len(found), want)
		}
	}
}

// A citation the sender may not see, or that names nothing, is kept as
// given and resolves to nothing: it must not reveal another's message.
func TestC2CCitationOnlyToWhatTheSenderSees(t *testing.T) {
	s, _ := newSvc(t)
	private, _ := s.Send("alice", Message{ID: "secret-1", To: "bob", Body: "between us"})
	for _, cite := range []string{private.ID, "secret-1", "nothing-like-it"} {
		m, err := s.Send("carol", Message{To: "alice", Body: "re", Citation: cite})
		if err != nil || m.CitedID != "" || m.Citation != cite {
			t.Errorf("carol cites %q: cited_id %q citation %q %v", cite, m.CitedID, m.Citation, err)
		}
	}
}

func TestC2CFieldLimits(t *testing.T) {
	s, _ := newSvc(t)
	long := func(n int) string { return strings.Repeat("x", n) }
	for name, m := range map[string]Message{
		"id":           {ID: long(MaxOriginID + 1)},
		"from":         {From: long(MaxClaimedFrom + 1)},
		"citation":     {Citation: long(MaxCitation + 1)},
		"commit":       {Commit: long(MaxCommit + 1)},
		"solution":     {Solution: long(MaxSolution + 1)},
		"test_results": {TestResults: json.RawMessage(`"` + long(MaxTestResults) + `"`)},
		"artifact":     {Artifacts: []string{long(MaxArtifactLen + 1)}},
		"file":         {Context: &MsgContext{File: long(MaxContextFile + 1)}},
		"error":        {Context: &MsgContext{Error: long(MaxContextErr + 1)}},
		"line":         {Context: &MsgContext{Line: -1}},
		"control":      {ID: "a\nb"},
		"secret":       {Solution: "use ghp_" + strings.Repeat("a", 36)},
	} {
		m.To, m.Body = "bob", "x"
		if _, err := s.Send("alice", m); KindOf(err) != Invalid && KindOf(err) != TooLarge {
			t.Errorf("%s over its limit: %v", name, err)
		}
	}
	if got, _ := s.Messages(Viewer{Peer: "bob"}, MessageFilter{}); len(got) != 0 {
		t.Fatalf("refused messages were stored: %d", len(got))
	}
}

// The audit line outlives the message: who, to whom, what, and the
// sender's own claims, with a long subject cut.
func TestAuditLineKeepsTheGist(t *testing.T) {
	m := Message{ID: "7", From: "alice", To: "bob", Priority: "P1", Type: "question", Subject: strings.Repeat("s", 130),
		OriginID: "msg-1", ClaimedFrom: "claude-x"}
	got := AuditLine(m)
	want := `7 alice -> bob [P1 question] "` + strings.Repeat("s", 120) + `..." id="msg-1" claimed_from="claude-x"`
	if got != want {
		t.Fatalf("audit line\n got %s\nwant %s", got, want)
	}
}
