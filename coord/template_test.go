package coord

import (
	"testing"
)

// A template applies once: its keys, skills, welcome and default
// priorities; a second apply (any template) changes nothing; the
// priorities hold after a restart.
func TestApplyTemplateOnce(t *testing.T) {
	dir := t.TempDir()
	s, st := open(t, dir, NewFakeClock(t0))
	for _, name := range TemplateNames() {
		if _, err := LoadTemplate(name); err != nil {
			t.Fatalf("embedded template %s: %v", name, err)
		}
	}
	if _, err := s.ApplyTemplate("nope"); KindOf(err) != Invalid {
		t.Fatalf("unknown template: %v", err)
	}
	if _, err := s.Identify("u-alice", "alice", KindAI); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ApplyTemplate("ops-incident"); !ok || err != nil {
		t.Fatalf("first apply: %v %v", ok, err)
	}
	if ok, err := s.ApplyTemplate("dev-team"); ok || err != nil {
		t.Fatalf("second apply: %v %v, want a no-op", ok, err)
	}
	if k, err := s.Skill("incident-runbook", 0); err != nil || k.SharedBy != "ct" {
		t.Fatalf("template skill: %+v %v", k, err)
	}
	if _, err := s.Skill("team-workflow", 0); err == nil {
		t.Fatal("the second template's skill was shared")
	}
	inbox, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{})
	if len(inbox) != 1 || inbox[0].Subject != "Welcome (ops-incident)" {
		t.Fatalf("welcome: %+v", inbox)
	}
	m, err := s.Send("alice", Message{To: "*", Type: "blocker", Subject: "db down"})
	if err != nil || m.Priority != "P0" {
		t.Fatalf("a blocker under ops-incident: %q %v, want P0", m.Priority, err)
	}
	st.Close()
	s2, st2 := open(t, dir, NewFakeClock(t0))
	defer st2.Close()
	if m, _ := s2.Send("alice", Message{To: "*", Type: "question", Subject: "who?"}); m.Priority != "P1" {
		t.Fatalf("after a restart a question is %q, want the template's P1", m.Priority)
	}
	if m, _ := s2.Send("alice", Message{To: "*", Type: "question", Priority: "P3", Subject: "later"}); m.Priority != "P3" {
		t.Fatalf("an explicit priority was overridden: %q", m.Priority)
	}
}
