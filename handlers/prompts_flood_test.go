package handlers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// Finding 13: a wrap flooding prompt.open gets the ones beyond the cap
// denied, and an approvals page gets a few coalesced re-renders, not one
// per prompt.
func TestPromptFloodCappedAndCoalesced(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mach", auth.RoleMember, "box")
	mtok, _ := f.token("mach", auth.KindMachine, "", "box")
	tok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	w, err := f.dialWrap(mtok, "box", "sess-prompts-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	page, _ := sseEvents(t, f.ts.URL+"/events/approvals?v=appr", tok)
	firstOf(t, page, "approvals page")
	const sent, capN = 120, hub.DefaultMaxOpenPrompts
	for i := range sent {
		e, _ := wire.New(wire.TypePromptOpen, wire.PromptOpen{ID: fmt.Sprintf("w-%03d", i), Kind: "hook", Tool: "Bash", Input: []byte(fmt.Sprintf(`{"command":"cmd-%03d"}`, i))})
		e.SessionID = w.sid
		if err := w.write(e); err != nil {
			t.Fatal(err)
		}
	}
	denied := 0
	timeout := time.After(15 * time.Second)
	for denied < sent-capN {
		select {
		case e := <-w.got:
			var d wire.PromptDecide
			if e.Type == wire.TypePromptDecide && e.Decode(&d) == nil && d.Decision == wire.DecisionDeny && strings.Contains(d.Message, "too many open questions") {
				denied++
			}
		case <-timeout:
			t.Fatalf("the wrap was told %d denials; want %d (every prompt beyond %d)", denied, sent-capN, capN)
		}
	}
	open, err := f.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: w.sid})
	if err != nil || len(open) != capN {
		t.Fatalf("%d prompts stored open (%v); want %d", len(open), err, capN)
	}
	renders := 0
	last := fmt.Sprintf("cmd-%03d", capN-1)
	timeout = time.After(15 * time.Second)
	for {
		select {
		case ev := <-page:
			renders++
			if strings.Contains(ev, last) {
				t.Logf("approvals page: %d renders for %d prompt.open", renders, sent)
				if renders > 10 {
					t.Fatalf("the approvals page was re-rendered %d times for one burst; want a few (coalesced)", renders)
				}
				return
			}
		case <-timeout:
			t.Fatalf("the approvals page never showed %s (%d renders)", last, renders)
		}
	}
}
