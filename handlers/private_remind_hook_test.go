package handlers

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

// A reminder and a webhook take "me" as their address: the hub stores
// the maker's own private space (private:USER, never what the body says),
// a webhook delivers into it, and nobody else lists the reminder's words
// or may aim either at another user's space.
func TestPrivateRemindersAndHooks(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("nina", auth.RoleMember)
	adminTok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	ninaTok, _ := f.token("nina", auth.KindAPI, auth.RoleMember, "")
	admin, nina := cred{bearer: adminTok}, cred{bearer: ninaTok}
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

	res := f.do("POST", "/api/v1/reminders", `{"to":"me","private":"nina","at":"`+at+`","body":"water the plants"}`, admin, nil)
	var rem struct{ ID, To, Private string }
	if err := json.Unmarshal([]byte(res.body), &rem); err != nil || res.status != 201 || rem.To != "private:admin" || rem.Private != "admin" {
		t.Fatalf("reminder to me = %d %s, want 201 into private:admin", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/reminders", "", admin, nil); !strings.Contains(res.body, "water the plants") {
		t.Fatalf("the maker does not list their private reminder: %s", res.body)
	}
	if res := f.do("GET", "/api/v1/reminders", "", nina, nil); strings.Contains(res.body, "water the plants") {
		t.Fatalf("another user lists a private reminder: %s", res.body)
	}
	if res := f.do("DELETE", "/api/v1/reminders/"+rem.ID, "", nina, nil); res.status != 404 {
		t.Fatalf("another user deletes a private reminder: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/reminders", `{"to":"private:admin","at":"`+at+`","body":"x"}`, nina, nil); res.status != 404 {
		t.Fatalf("a reminder into another user's space = %d %s, want 404", res.status, res.body)
	}

	res = f.do("POST", "/api/v1/hooks", `{"name":"ci","to":"me"}`, admin, nil)
	var hook struct {
		Hook struct{ To string }
		Path string
	}
	if err := json.Unmarshal([]byte(res.body), &hook); err != nil || res.status != 201 || hook.Hook.To != "private:admin" {
		t.Fatalf("webhook to me = %d %s, want 201 into private:admin", res.status, res.body)
	}
	if res := f.do("POST", hook.Path, `{"title":"build 7 failed"}`, cred{}, nil); res.status/100 != 2 {
		t.Fatalf("delivering = %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/messages?box=private", "", admin, nil); !strings.Contains(res.body, "build 7 failed") {
		t.Fatalf("the webhook's message is not in the maker's private space: %s", res.body)
	}
	if res := f.do("GET", "/api/v1/messages?box=all&q=build", "", nina, nil); strings.Contains(res.body, "build 7 failed") {
		t.Fatalf("another user sees the private webhook message: %s", res.body)
	}
	if res := f.do("POST", "/api/v1/hooks", `{"to":"private:admin"}`, nina, nil); res.status != 404 {
		t.Fatalf("a webhook into another user's space = %d %s, want 404", res.status, res.body)
	}
}

// The app bar's Inbox badge counts the person's own unread private notes
// (here one their API token's peer wrote to "me"), and nobody else's.
func TestInboxBadgeCountsPrivateNotes(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("nina", auth.RoleMember)
	tok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	if res := f.do("POST", "/api/v1/messages", `{"to":"me","subject":"todo","body":"call the bank"}`, cred{bearer: tok}, nil); res.status != 201 {
		t.Fatalf("private note = %d %s", res.status, res.body)
	}
	badge := func(user string) string {
		page := f.do("GET", "/inbox", "", cred{cookie: f.cookie(user, time.Hour)}, nil).body
		_, after, _ := strings.Cut(page, `<span class="nav-t">Inbox</span>`)
		if rest, ok := strings.CutPrefix(strings.TrimSpace(after), `<span class="nav-n" aria-label="`); ok {
			n, _, _ := strings.Cut(rest, " ")
			return n
		}
		return ""
	}
	if got := badge("admin"); got != "1" {
		t.Fatalf("admin's Inbox badge = %q, want 1 (the unread private note)", got)
	}
	if got := badge("nina"); got != "" {
		t.Fatalf("nina's Inbox badge = %q, want none", got)
	}
}
