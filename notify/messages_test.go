package notify

import (
	"encoding/json"
	"testing"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
)

// A P0 message reaches the person it names (and only them) as a push;
// other priorities do not.
func TestWebPushP0Message(t *testing.T) {
	w := newWorld(t)
	ps := newPushService(t)
	ann, bob := newDevice(t), newDevice(t)
	w.subscribe(t, "ann", ann.sub(ps.URL+"/ann"))
	w.subscribe(t, "bob", bob.sub(ps.URL+"/bob"))
	svc := coord.New(w.store, nil, w.n.log)
	for _, name := range []string{"ann", "bob"} {
		if _, err := svc.Identify(name, name, "human"); err != nil {
			t.Fatal(err)
		}
	}
	w.n.FollowMessages(svc.Bus())

	if _, err := svc.Send("bob", coord.Message{To: "ann", Priority: "P2", Subject: "lunch?", Body: "later"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send("bob", coord.Message{To: "ann", Priority: "P0", Subject: "prod is down", Body: "the deploy broke login"}); err != nil {
		t.Fatal(err)
	}
	got := ps.next(t)
	plain, err := ann.decrypt(got.body)
	if err != nil {
		t.Fatalf("not for ann: %v", err)
	}
	var pl Payload
	_ = json.Unmarshal(plain, &pl)
	if pl.Title != "P0 from bob: prod is down" || pl.Body != "the deploy broke login" {
		t.Errorf("payload = %+v", pl)
	}
	if _, err := w.store.UpdateNotifyPrefs("ann", func(p *db.NotifyPrefs) error { p.P0 = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send("bob", coord.Message{To: "ann", Priority: "P0", Subject: "again", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send("ann", coord.Message{To: "bob", Priority: "P0", Subject: "for bob", Body: "y"}); err != nil {
		t.Fatal(err)
	}
	got = ps.next(t)
	if _, err := bob.decrypt(got.body); err != nil {
		t.Fatalf("the second push is not bob's: %v", err)
	}
	w.n.Close()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.got) != 2 {
		t.Errorf("got %d pushes, want 2 (ann's P0 while she wanted them, bob's)", len(ps.got))
	}
}
