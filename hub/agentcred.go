package hub

import (
	"context"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// sendAgentCredential mints a new session's agent credential (an
// auth.KindAgent token owned by the machine token's maker, bound to the
// session) and hands it to the wrap, which gives it to the agent's ct mcp.
// Only the hash is stored; the wrap gets the secret once, on the session's
// first connection. The HTTP layer lets it reach coordination routes only.
func (h *Hub) sendAgentCredential(ctx context.Context, t Transport, user, node, sid string) error {
	plain, id, hash := auth.NewToken(auth.KindAgent)
	tok := db.Token{ID: id, Hash: hash, Kind: auth.KindAgent, Name: "agent of session " + sid, User: user,
		Machine: node, Session: sid, CreatedAt: time.Now().UTC()}
	if err := h.store.PutToken(tok); err != nil {
		return err
	}
	e, _ := wire.New(wire.TypeSessionAgent, wire.SessionAgent{Token: plain})
	e.SessionID = sid
	return t.Write(ctx, e)
}
