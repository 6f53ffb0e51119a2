package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
)

// A requires_response message whose deadline passed unanswered shows in
// "needs attention" for its sender as well as its addressee, however many
// messages came after it, until it is answered.
func TestEscalatedDeadlineInBothSidesAttention(t *testing.T) {
	clock := coord.NewFakeClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	var svc *coord.Service
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) {
		svc = coord.New(d.Store, clock, d.Log)
		d.Coord = svc
	}})
	f.addUser("mona", auth.RoleMember)
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	builder := cred{bearer: admin}
	reviewer := cred{bearer: mona}
	hb, hr := map[string]string{PeerHeader: "builder"}, map[string]string{PeerHeader: "reviewer"}
	f.do("GET", "/api/v1/peers/me", "", reviewer, hr)
	res := f.do("POST", "/api/v1/messages", `{"id":"c2c-9","to":"reviewer","subject":"merge window?","body":"x",
	  "requires_response":true,"deadline":"2026-03-02T09:00:00Z"}`, builder, hb)
	if res.status != 201 {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	for range panelMessages + 1 { // push it out of the panel's recent messages
		f.do("POST", "/api/v1/messages", `{"to":"reviewer","body":"noise"}`, builder, hb)
	}
	attention := func(c cred, h map[string]string) string {
		t.Helper()
		body := f.do("GET", "/coord/panel", "", c, h).body
		i := strings.Index(body, `id="coord-attention"`)
		if i < 0 {
			return ""
		}
		return body[i:min(len(body), i+3000)]
	}
	if a := attention(builder, hb); strings.Contains(a, "merge window?") {
		t.Fatalf("in attention before its deadline: %s", a)
	}
	clock.Advance(61 * time.Minute)
	if esc, err := svc.EscalateDue(); err != nil || len(esc) != 1 {
		t.Fatalf("escalate: %+v %v", esc, err)
	}
	for who, c := range map[string]cred{"builder": builder, "reviewer": reviewer} {
		h := map[string]string{PeerHeader: who}
		if a := attention(c, h); !strings.Contains(a, "merge window?") || !strings.Contains(a, "overdue") {
			t.Errorf("%s's needs attention lacks the overdue message: %.600s", who, a)
		}
	}
	// The sender's thread holds the hub's notice, but its reply form never
	// goes to the hub (no peer has that name).
	page := f.do("GET", "/inbox?re=1", "", builder, hb).body
	if !strings.Contains(page, coord.HubSender+" → builder") || strings.Contains(page, `name="to" value="`+coord.HubSender+`"`) {
		i := strings.Index(page, `id="inbox-list"`)
		t.Errorf("the sender's thread: %s", page[max(i, 0):])
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"builder","body":"yes, at 3","citation":"c2c-9"}`, reviewer, hr); res.status != 201 || !strings.Contains(res.body, `"cited_id":"1"`) {
		t.Fatalf("answer by citation: %d %s", res.status, res.body)
	}
	if a := attention(builder, hb); strings.Contains(a, "merge window?") {
		t.Fatalf("still in attention once answered: %.600s", a)
	}
}
