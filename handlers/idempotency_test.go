package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

// inbox returns the messages peer reviewer (mona) has.
func inbox(t *testing.T, f *authFixture, token string) []coord.Message {
	t.Helper()
	res := f.do("GET", "/api/v1/messages", "", cred{bearer: token}, map[string]string{PeerHeader: "reviewer"})
	var list []coord.Message
	if res.status != 200 || json.Unmarshal([]byte(res.body), &list) != nil {
		t.Fatalf("inbox: %d %s", res.status, res.body)
	}
	return list
}

// A change sent twice with one Idempotency-Key is applied once: the repeat
// gets the first answer (same id); the same key with another body is
// refused; a todo and its update behave the same.
func TestIdempotentChanges(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mona", auth.RoleMember)
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	inbox(t, f, mona) // the peer exists
	h := map[string]string{PeerHeader: "builder", IdempotencyHeader: "k-1"}
	c := cred{bearer: admin}
	const msg = `{"to":"reviewer","body":"please look"}`
	first := f.do("POST", "/api/v1/messages", msg, c, h)
	again := f.do("POST", "/api/v1/messages", msg, c, h)
	if first.status != 201 || again.status != 201 || first.body != again.body || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("repeat: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	if n := len(inbox(t, f, mona)); n != 1 {
		t.Fatalf("%d messages stored after a repeated send, want 1", n)
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"reviewer","body":"other"}`, c, h); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, other body: %d %s", res.status, res.body)
	}
	// Another key is another change.
	h[IdempotencyHeader] = "k-2"
	if res := f.do("POST", "/api/v1/messages", msg, c, h); res.status != 201 || res.body == first.body {
		t.Fatalf("new key: %d %s", res.status, res.body)
	}
	h[IdempotencyHeader] = "k-todo"
	t1 := f.do("POST", "/api/v1/todos", `{"title":"ship it"}`, c, h)
	t2 := f.do("POST", "/api/v1/todos", `{"title":"ship it"}`, c, h)
	if t1.status != 201 || t1.body != t2.body {
		t.Fatalf("todo repeat: %s / %s", t1.body, t2.body)
	}
	if res := f.do("GET", "/api/v1/todos", "", c, map[string]string{PeerHeader: "builder"}); strings.Count(res.body, "ship it") != 1 {
		t.Fatalf("todos after a repeated add: %s", res.body)
	}
}

// The case that delivered twice: the hub takes a message but its answer
// never reaches ct (the call times out), so the change is queued and sent
// again later. With the outbox's idempotency key the hub spots the repeat:
// exactly one message exists.
func TestTimedOutSendDeliveredOnce(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mona", auth.RoleMember)
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	inbox(t, f, mona)
	var stalled atomic.Bool
	// In front of the hub: the first send is applied, then its answer is
	// held until the client gives up (a hub frozen after the commit).
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/api/v1/messages" && stalled.CompareAndSwap(false, true) {
			f.srv.ServeHTTP(httptest.NewRecorder(), r)
			<-r.Context().Done()
			return
		}
		f.srv.ServeHTTP(w, r)
	}))
	defer front.Close()
	ob, err := client.OpenOutbox(filepath.Join(t.TempDir(), "outbox", "q.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cl := client.New(client.Config{Hub: front.URL, Token: admin, Peer: "builder", Outbox: ob, Timeout: 500 * time.Millisecond})
	ctx := context.Background()
	if _, queued, err := cl.SendMessage(ctx, coord.Message{To: "reviewer", Body: "exactly once"}); err != nil || !queued {
		t.Fatalf("send against a frozen hub: queued %v, %v", queued, err)
	}
	if n := len(inbox(t, f, mona)); n != 1 {
		t.Fatalf("the hub holds %d messages after the timed-out send, want 1 (it took it)", n)
	}
	if err := cl.Flush(ctx); err != nil || cl.Queued() != 0 {
		t.Fatalf("flush: %v (%d left)", err, cl.Queued())
	}
	if list := inbox(t, f, mona); len(list) != 1 || list[0].Body != "exactly once" {
		t.Fatalf("after the outbox resent: %d messages %+v, want 1", len(list), list)
	}
}
