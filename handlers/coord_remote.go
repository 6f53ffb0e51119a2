package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/coord"
)

// remotePeersIn is PUT /api/v1/peers/remote's body: what a ct bridge
// says about the other hub's peers.
type remotePeersIn struct {
	Hub   string       `json:"hub"`
	Peers []coord.Peer `json:"peers"`
}

// handleAPIRemotePeers is PUT /api/v1/peers/remote {hub, peers}: the
// caller (a ct bridge) replaces its list of hub's peers, shown in GET
// /api/v1/peers as NAME@HUB with remote: true for two minutes unless
// announced again. Members and admins only: it changes what everyone sees.
func (s *Server) handleAPIRemotePeers(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var in remotePeersIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.coord.SetRemotePeers(peer.Name, in.Hub, in.Peers)
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
