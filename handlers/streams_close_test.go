package handlers

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

// Finding 8: when an admin cuts a person's grants, their open session page
// is ended with its whole cleanup: no ghost watcher, no ghost presence.
func TestRightsCutCleansUpStream(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-ghost-1", "box")
	f.addUser("vic", auth.RoleViewer, "box")
	tok, _ := f.token("vic", auth.KindAPI, auth.RoleViewer, "")
	ev, _ := sseEvents(t, f.ts.URL+"/events/s/sess-ghost-1?v=ghost", tok)
	firstOf(t, ev, "vic's session page")
	waitFor(t, "the page counted as a watcher", func() bool { return f.hub.Watchers("sess-ghost-1") == 1 })
	if n := len(f.hub.Viewers("sess-ghost-1")); n != 1 {
		t.Fatalf("viewers before: %d", n)
	}
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/admin/users/vic", form("role", "viewer", "grants", "box, other"), admin, nil); res.status != 303 {
		t.Fatalf("edit grants: %d %.200s", res.status, res.body)
	}
	endOf(t, ev, "vic's page after the grant edit")
	if n := f.hub.Watchers("sess-ghost-1"); n != 0 {
		t.Fatalf("after the stream was dropped the session still has %d watchers (a ghost stream)", n)
	}
	if n := len(f.hub.Viewers("sess-ghost-1")); n != 0 {
		t.Fatalf("after the stream was dropped the session still shows %d viewers", n)
	}
	if total, _ := f.srv.live.count(); total != 0 {
		t.Fatalf("%d stream slots still held", total)
	}
}

// waitFor polls cond (state the hub reaches asynchronously) for a bounded time.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Issue 13, finding 4: a page that reconnects with the same stream key while
// its old connection is stuck (a phone that switched networks) is served at
// once; the stuck connection is replaced.
func TestReconnectReplacesStuckStream(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mach", auth.RoleMember, "box")
	mtok, _ := f.token("mach", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-stuck-1", 80, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	tok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	reader, _ := sseEvents(t, f.ts.URL+"/events/s/sess-stuck-1?v=other", tok)
	f.stuckClient("/events/s/sess-stuck-1?v=phone", tok)
	const marker = "FLOOD-DONE-134"
	floodScreen(w, 200, 1200, marker)
	waitEvent(t, reader, marker) // the flood went out: the phone's old connection is stuck by now
	got := make(chan string, 1)
	go func() {
		ev, _ := sseEvents(t, f.ts.URL+"/events/s/sess-stuck-1?v=phone", tok)
		got <- firstOf(t, ev, "the reconnected phone")
	}()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the reconnect with the same stream key got nothing while the old connection was stuck")
	}
}

// Finding 10: one person's parallel opens stop at the per-user cap (the
// count and the reservation are one step), and another person still gets a
// stream.
func TestStreamCapPerUser(t *testing.T) {
	const perUser = 8
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) { d.MaxStreamsPerUser = perUser }})
	f.addUser("greedy", auth.RoleViewer)
	f.addUser("other", auth.RoleViewer)
	gtok, _ := f.token("greedy", auth.KindAPI, auth.RoleViewer, "")
	otok, _ := f.token("other", auth.KindAPI, auth.RoleViewer, "")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 3 * perUser {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/events/lobby?v=g" + string(rune('a'+i%26)) + strings.Repeat("x", i/26+1)
			if i%2 == 1 {
				path = "/api/v1/events"
			}
			_, resp := sseEvents(t, f.ts.URL+path, gtok)
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[200] != perUser || codes[429] != 2*perUser {
		t.Fatalf("parallel opens by one person: %v; want %d opened and the rest 429", codes, perUser)
	}
	ev, resp := sseEvents(t, f.ts.URL+"/events/lobby?v=someoneelse", otok)
	if resp.StatusCode != 200 {
		t.Fatalf("another person's stream: %d", resp.StatusCode)
	}
	firstOf(t, ev, "another person's lobby")
}
