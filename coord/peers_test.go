package coord

import (
	"testing"

	"github.com/ct-dev/ct/db"
)

// Squatting: a user claims the name of a person whose account does not
// exist yet. Once the account exists the name is that person's: the
// squatter is refused (also under another case or namespace), the person
// gets the record with none of the squatter's groups or session, and the
// messages addressed to the name are theirs, not the squatter's.
func TestPeerNameSquatting(t *testing.T) {
	s, _ := newSvc(t)
	if _, err := s.Identify("vic", "dave", KindAI); err != nil {
		t.Fatal(err)
	}
	groups := []string{"ops"}
	if _, err := s.UpdatePeer("dave", PeerUpdate{Groups: &groups}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.CreateUser(db.User{Name: "dave", Role: "member"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Identify("vic", "dave", KindAI)
	kindIs(t, err, Forbidden)
	for _, name := range []string{"Dave", "dave/reviewer"} {
		_, err := s.Identify("vic", name, KindAI)
		kindIs(t, err, Forbidden)
	}
	p, err := s.Identify("dave", "dave", KindHuman)
	if err != nil {
		t.Fatal(err)
	}
	if p.Owner != "dave" || p.Kind != KindHuman || len(p.Groups) != 0 {
		t.Fatalf("after the hand-over: %+v", p)
	}
	if _, err := s.Send("alice", Message{To: "dave", Body: "for dave"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Messages(Viewer{Peer: "dave"}, MessageFilter{}); len(list) != 1 {
		t.Errorf("dave's inbox: %+v", list)
	}
	// An agent's own namespace works for its owner only.
	if _, err := s.Identify("dave", "dave/reviewer", KindAI); err != nil {
		t.Errorf("dave/reviewer for dave: %v", err)
	}
}
