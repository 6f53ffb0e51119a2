package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

func logEntry(t *testing.T, store *db.Store, sid string, seq uint64, kind, text string) wire.TranscriptEntry {
	t.Helper()
	en := wire.TranscriptEntry{Kind: kind, Text: text, TS: time.Now().UTC()}
	e, err := wire.New(wire.TypeTranscriptEntry, en)
	if err != nil {
		t.Fatal(err)
	}
	e.SessionID, e.Seq = sid, seq
	if _, err := store.AppendEvents([]wire.Envelope{e}); err != nil {
		t.Fatal(err)
	}
	return en
}

// sseReader reads a stream's data lines, joined per event.
type sseReader struct {
	t  *testing.T
	ch <-chan string
}

func openStream(t *testing.T, url, token string) *sseReader {
	t.Helper()
	ch, resp := sseEvents(t, url, token)
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %v", resp.Status)
	}
	return &sseReader{t: t, ch: ch}
}

// next returns the next event holding the transcript list or an append.
func (r *sseReader) next() string {
	r.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-r.ch:
			if strings.Contains(ev, "tx-list") {
				return ev
			}
		case <-timeout:
			r.t.Fatal("no transcript event on the stream")
		}
	}
}

// A page gets the whole list when its stream connects, then only entries it
// has not got: a redelivered one is not appended twice.
func TestTranscriptStreamNoGapNoOverlap(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-tx1", "box")
	if _, err := f.store.UpsertSession(db.Session{ID: "sess-tx1", Node: "box", Command: "claude", Cols: 80, Rows: 24, Status: "offline"}); err != nil {
		t.Fatal(err)
	}
	logEntry(t, f.store, "sess-tx1", 1, wire.EntryUser, "first prompt")
	en2 := logEntry(t, f.store, "sess-tx1", 2, wire.EntryAssistant, "first *reply*")
	tok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	r := openStream(t, f.ts.URL+"/events/s/sess-tx1?v=k1", tok)

	full := r.next()
	if !strings.Contains(full, `id="tx-list"`) || !strings.Contains(full, "first prompt") || !strings.Contains(full, "<em>reply</em>") {
		t.Fatalf("first transcript event is not the whole list:\n%s", full)
	}
	f.srv.render.TranscriptAdded("sess-tx1", 2, en2) // already in the list
	en3 := logEntry(t, f.store, "sess-tx1", 3, wire.EntryUser, "second prompt")
	f.srv.render.TranscriptAdded("sess-tx1", 3, en3)
	next := r.next()
	if !strings.Contains(next, "beforeend:#tx-list") || !strings.Contains(next, `id="tx-3"`) || strings.Contains(next, "tx-2") {
		t.Fatalf("want only entry 3 appended, got:\n%s", next)
	}
}

func TestTranscriptAPIVisibility(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-tx2", "box")
	logEntry(t, f.store, "sess-tx2", 1, wire.EntryUser, "hello")
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	if res := f.do("GET", "/api/v1/sessions/sess-tx2/transcript", "", cred{bearer: admin}, nil); res.status != 200 || !strings.Contains(res.body, `"kind":"user"`) {
		t.Fatalf("admin: %d %s", res.status, res.body)
	}
	f.addUser("mallory", auth.RoleMember, "other-box")
	tok, _ := f.token("mallory", auth.KindAPI, auth.RoleMember, "")
	if res := f.do("GET", "/api/v1/sessions/sess-tx2/transcript", "", cred{bearer: tok}, nil); res.status != 404 {
		t.Fatalf("a member without the machine: %d %s", res.status, res.body)
	}
}
