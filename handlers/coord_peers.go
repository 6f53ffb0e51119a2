package handlers

import (
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
)

// Peers are listed to everyone on the hub (so anyone can message them), but
// where an agent runs is what grants protect: a peer on a machine the
// caller may not see is listed without its machine, directory, session
// and channel.

// peerSessionNode returns the machine of session id, or "" if unknown.
type peerSessionNode func(id string) string

// redactPeer hides p's whereabouts from who unless who may see them.
func redactPeer(who auth.Principal, p coord.Peer, nodeOf peerSessionNode) coord.Peer {
	if p.Machine == "" && p.Session == "" {
		return p
	}
	visible := p.Machine == "" || who.CanSee(p.Machine)
	if visible && p.Session != "" {
		n := nodeOf(p.Session)
		visible = n != "" && who.CanSee(n)
	}
	if !visible {
		p.Machine, p.Cwd, p.Session, p.Channel = "", "", "", ""
		p.NotifyPrompt, p.Stats = false, nil
	}
	return p
}

// sessionNode is the peerSessionNode over the store.
func (s *Server) sessionNode(id string) string {
	ss, err := s.store.GetSession(id)
	if err != nil {
		return ""
	}
	return ss.Node
}

// redactEvent applies redactPeer to a coordination event's peer.
func (s *Server) redactEvent(who auth.Principal, e coord.Event) coord.Event {
	if e.Peer != nil {
		p := redactPeer(who, *e.Peer, s.sessionNode)
		e.Peer = &p
	}
	return e
}
