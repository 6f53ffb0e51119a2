package hub

import (
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// agentCredential mints a new session's agent credential (an
// auth.KindAgent token owned by the machine token's maker, bound to the
// session) and returns the envelope that hands it to the wrap, which gives it
// to the agent's ct mcp. Only the hash is stored; the wrap gets the secret
// once, on the session's first connection. The HTTP layer lets it reach
// coordination routes only.
func (h *Hub) agentCredential(user, node, sid string) (wire.Envelope, error) {
	plain, id, hash := auth.NewToken(auth.KindAgent)
	tok := db.Token{ID: id, Hash: hash, Kind: auth.KindAgent, Name: "agent of session " + sid, User: user,
		Machine: node, Session: sid, CreatedAt: time.Now().UTC()}
	if err := h.store.PutToken(tok); err != nil {
		return wire.Envelope{}, err
	}
	e, _ := wire.New(wire.TypeSessionAgent, wire.SessionAgent{Token: plain})
	e.SessionID = sid
	return e, nil
}

// revokeAgentCredential ends a session's agent credential once its end is
// stored: a program that has exited has no agent left to act for it (and
// its ct mcp, or anything that read the credential, must not go on).
func (h *Hub) revokeAgentCredential(sid string) {
	ids, err := h.store.RevokeSessionTokens(sid, time.Now().UTC())
	if err != nil {
		h.log.Warn("revoke the ended session's agent credential", "session", sid, "error", err)
		return
	}
	for _, id := range ids {
		h.opts.Audit.Record("hub", "token.revoke", id+" (agent of ended session "+sid+")", "")
	}
}
