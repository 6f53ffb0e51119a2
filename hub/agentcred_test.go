package hub

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/wire"
)

// A new session's first connection gets its agent credential (an agent
// token bound to the session, owned by the machine token's maker); a
// reconnect gets none.
func TestNewSessionGetsAgentCredential(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-agentcred"
	tr, done := connectAgent(t, th, sid)
	var a wire.SessionAgent
	if err := tr.recv(t, wire.TypeSessionAgent).Decode(&a); err != nil {
		t.Fatal(err)
	}
	kind, id, _, ok := auth.ParseToken(a.Token)
	if !ok || kind != auth.KindAgent {
		t.Fatalf("credential %q is not an agent token", a.Token)
	}
	tok, err := th.store.GetToken(id)
	if err != nil || tok.Kind != auth.KindAgent || tok.Session != sid || tok.User != "ann" || strings.Contains(tok.Hash, a.Token) {
		t.Fatalf("stored token %+v, %v", tok, err)
	}
	finish(t, tr, done)
	tr2, done2 := connectAgent(t, th, sid)
	tr2.toHub <- output(1, "x")
	for e := tr2.recv(t, ""); e.Type != wire.TypeAck; e = tr2.recv(t, "") {
		if e.Type == wire.TypeSessionAgent {
			t.Fatal("a reconnect was sent a second agent credential")
		}
	}
	finish(t, tr2, done2)
}

// Issue 12, finding 2: an agent credential outlived its session; once the
// session's end is stored, the credential is revoked.
func TestAgentCredentialRevokedWhenSessionEnds(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-agentend"
	tr, done := connectAgent(t, th, sid)
	var a wire.SessionAgent
	if err := tr.recv(t, wire.TypeSessionAgent).Decode(&a); err != nil {
		t.Fatal(err)
	}
	_, id, _, _ := auth.ParseToken(a.Token)
	if tok, _ := th.store.GetToken(id); tok.Revoked {
		t.Fatal("revoked while the session runs")
	}
	end := envelope(t, wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 0, EndedAt: time.Now().UTC()})
	end.Seq = 1
	tr.toHub <- end
	th.waitAck(t, tr, sid, 1)
	if tok, _ := th.store.GetToken(id); !tok.Revoked {
		t.Fatal("the ended session's agent credential still works")
	}
	finish(t, tr, done)
}

// connectAgent plays a wrap made with ann's machine token starting sid.
func connectAgent(t *testing.T, th *testHub, sid string) (*fakeTransport, <-chan error) {
	t.Helper()
	tr, done := th.serveAuth(WrapAuth{TokenID: "m1", User: "ann"})
	tr.toHub <- envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box"})
	start := envelope(t, wire.TypeSessionStart, wire.SessionStart{Command: "claude", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Resume: "r"})
	start.SessionID = sid
	tr.toHub <- start
	if e := tr.recv(t, ""); e.Type != wire.TypeSessionAck {
		t.Fatalf("first answer %s", e.Type)
	}
	return tr, done
}
