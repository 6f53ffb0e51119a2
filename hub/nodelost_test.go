package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Issue 13, finding 6: after a node was killed its sessions stayed offline
// with no end for ever, even when the node registered again. A node now
// names the sessions it still runs; the hub ends the node's other sessions
// ("the node lost it") and leaves the rest, and plain wraps, alone.
func TestRestartedNodeEndsTheSessionsItLost(t *testing.T) {
	th := newTestHub(t)
	now := time.Now().UTC()
	for _, s := range []db.Session{
		{ID: "lost", Node: "box", Command: "bash", Status: db.StatusOffline, ByNode: true, StartedAt: now},
		{ID: "kept", Node: "box", Command: "bash", Status: db.StatusOffline, ByNode: true, StartedAt: now},
		{ID: "wrap", Node: "box", Command: "bash", Status: db.StatusOffline, StartedAt: now},
		{ID: "other", Node: "elsewhere", Command: "bash", Status: db.StatusOffline, ByNode: true, StartedAt: now},
	} {
		if _, err := th.store.UpsertSession(s); err != nil {
			t.Fatal(err)
		}
	}
	tr, done := th.serveNode("box")
	reg := envelope(t, wire.TypeNodeRegister, wire.NodeRegister{Hello: wire.Hello{Node: "box"}, Sessions: []string{"kept"}, ReportsSessions: true})
	tr.toHub <- reg
	tr.recv(t, wire.TypeNodeReady)
	want := map[string]string{"lost": db.StatusEnded, "kept": db.StatusOffline, "wrap": db.StatusOffline, "other": db.StatusOffline}
	for id, status := range want {
		ss, err := th.store.GetSession(id)
		if err != nil || ss.Status != status {
			t.Errorf("session %s: %s (%v), want %s", id, ss.Status, err, status)
		}
		if id == "lost" && ss.EndReason != "the node lost it" {
			t.Errorf("lost session's reason %q", ss.EndReason)
		}
	}
	finish(t, tr, done)
}
