package coord

import "testing"

// The Team page lists every key in key order with its newest value and a
// short history, newest first, cut to what it asked for.
func TestStatesListsKeysWithShortHistory(t *testing.T) {
	s, _ := newSvc(t)
	if list, err := s.States(3); err != nil || len(list) != 0 {
		t.Fatalf("no keys yet: %v %v", list, err)
	}
	for _, v := range []string{"red", "amber", "green", "blue", "green"} {
		if _, err := s.SetState("alice", "build", v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetState("bob", "api/schema", "v2"); err != nil {
		t.Fatal(err)
	}
	list, err := s.States(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "api/schema" || list[1].Key != "build" {
		t.Fatalf("keys %+v, want api/schema then build", list)
	}
	b := list[1]
	if b.Value != "green" || b.By != "alice" || b.Version != 5 || len(b.History) != 3 ||
		b.History[0].Value != "blue" || b.History[2].Value != "amber" {
		t.Fatalf("build = %+v, want green v5 with blue, green, amber before it", b)
	}
	if list[0].By != "bob" || len(list[0].History) != 0 {
		t.Fatalf("api/schema = %+v", list[0])
	}
}
