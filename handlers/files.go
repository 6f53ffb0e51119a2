package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// Shared files (issue 19 item 3): GET /api/v1/files?peer=P&path=X lists a
// directory another peer's ct wrap shares (--share-dir), GET
// /api/v1/files/content?peer=P&path=X returns one file's bytes. The hub
// routes each to the sharing wrap, which reads its own disk and applies the
// path rules (package fileshare); the hub only checks the caller may see
// that session's machine, and audits every request, refused ones too.

// filesListing is GET /api/v1/files's answer.
type filesListing struct {
	Peer      string           `json:"peer"`
	Session   string           `json:"session"`
	Path      string           `json:"path"`
	Entries   []wire.FileEntry `json:"entries"`
	Truncated bool             `json:"truncated,omitempty"`
}

// sharingPeer is one entry of GET /api/v1/files without a peer: a peer
// whose session shares directories now.
type sharingPeer struct {
	Peer    string   `json:"peer"`
	Session string   `json:"session"`
	Machine string   `json:"machine"`
	Roots   []string `json:"roots"`
}

// sharingPeers lists the peers whose live session shares directories and
// whose machine the caller may see.
func (s *Server) sharingPeers(r *http.Request) ([]sharingPeer, error) {
	peers, err := s.coord.Peers()
	if err != nil {
		return nil, err
	}
	out := []sharingPeer{}
	for _, p := range peers {
		if p.Session == "" {
			continue
		}
		roots, err := s.hub.Shares(p.Session)
		if err != nil {
			continue
		}
		if ss, err := s.visibleSession(principal(r), p.Session, false); err == nil {
			out = append(out, sharingPeer{Peer: p.Name, Session: ss.ID, Machine: ss.Node, Roots: roots})
		}
	}
	return out, nil
}

// fileTarget is the session whose wrap shares a peer's files.
func (s *Server) fileTarget(r *http.Request) (peer string, ss db.Session, err error) {
	if _, _, err := s.peerOf(r); err != nil {
		return "", ss, coordErr(err)
	}
	peer = r.URL.Query().Get("peer")
	if peer == "" || len(peer) > 200 {
		return "", ss, errorf(http.StatusBadRequest, "peer is required: a peer's name from list_peers (or a session id)")
	}
	id := peer
	p, err := s.coord.GetPeer(peer)
	switch {
	case err == nil && p.Session == "":
		return "", ss, errorf(http.StatusNotFound, fmt.Sprintf("peer %s runs in no ct session, so it shares no files: only a ct wrap started with --share-dir shares files", peer))
	case err == nil:
		id = p.Session
	case !isNotFound(err):
		return "", ss, coordErr(err)
	}
	ss, err = s.visibleSession(principal(r), id, false)
	if errors.Is(err, errHidden) {
		return "", ss, errorf(http.StatusNotFound, fmt.Sprintf("no peer or session %q that you may see; list_peers names them", peer))
	}
	return peer, ss, err
}

func isNotFound(err error) bool {
	var ce *coord.Error
	return errors.As(err, &ce) && ce.Kind == coord.NotFound
}

func (s *Server) handleAPIFilesList(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Get("peer") == "" {
		if _, _, err := s.peerOf(r); err != nil {
			return coordErr(err)
		}
		list, err := s.sharingPeers(r)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, list)
		return nil
	}
	peer, ss, err := s.fileTarget(r)
	if err != nil {
		return err
	}
	path := r.URL.Query().Get("path")
	l, err := s.hub.ListFiles(r.Context(), ss.ID, path, principal(r).User)
	s.auditFiles(r, "files.list", peer, ss.ID, path, err, "")
	if err != nil {
		return fileErr(peer, err)
	}
	writeJSON(w, http.StatusOK, filesListing{Peer: peer, Session: ss.ID, Path: path, Entries: l.Entries, Truncated: l.Truncated})
	return nil
}

func (s *Server) handleAPIFileGet(w http.ResponseWriter, r *http.Request) error {
	peer, ss, err := s.fileTarget(r)
	if err != nil {
		return err
	}
	path := r.URL.Query().Get("path")
	if path == "" {
		return errorf(http.StatusBadRequest, "path is required: a file under one of the peer's shared roots, e.g. src/README.md (list_peer_files shows them)")
	}
	b, err := s.approvedRead(r, ss.ID, path)
	s.auditFiles(r, "files.get", peer, ss.ID, path, err, strconv.Itoa(len(b))+" bytes")
	if err != nil {
		return fileErr(peer, err)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// approvedRead reads path from session sid's shares, first waiting for
// its person's approval when the wrap asks for it (--share-approve), for
// every reader but the session's own agent.
func (s *Server) approvedRead(r *http.Request, sid, path string) ([]byte, error) {
	p := principal(r)
	if p.Session != sid {
		by := p.User
		if p.Session != "" {
			by += "'s agent (session " + p.Session + ")"
		}
		if err := s.hub.ApproveFileRead(r.Context(), sid, path, by); err != nil {
			return nil, err
		}
	}
	return s.hub.GetFile(r.Context(), sid, path, p.User)
}

// auditFiles records one shared-files request and how it ended.
func (s *Server) auditFiles(r *http.Request, action, peer, sid, path string, err error, done string) {
	subject := fmt.Sprintf("%s (session %s) %q", peer, sid, path)
	if p := principal(r); p.Session != "" {
		subject += " by the agent of session " + p.Session
	}
	switch {
	case err != nil:
		subject += " (refused: " + err.Error() + ")"
	case done != "":
		subject += " " + done
	}
	s.audit(r, action, subject)
}

// fileErr maps the hub's and the workstation's refusals to statuses.
func fileErr(peer string, err error) error {
	var fe *hub.FileError
	switch {
	case errors.As(err, &fe):
		status := map[string]int{wire.ReasonNotFound: http.StatusNotFound, wire.ReasonRefused: http.StatusForbidden,
			wire.ReasonTooLarge: http.StatusRequestEntityTooLarge, wire.ReasonNoShares: http.StatusNotFound}[fe.Reason]
		if status == 0 { // the workstation could not read it (not the hub's fault: no 5xx, which clients take for a hub away)
			status = http.StatusUnprocessableEntity
		}
		return errorf(status, fe.Msg)
	case errors.Is(err, hub.ErrNoShares):
		return errorf(http.StatusNotFound, "peer "+peer+" shares no files: its person can start ct wrap with --share-dir DIR")
	case errors.Is(err, hub.ErrOffline):
		return errorf(http.StatusConflict, "peer "+peer+" is offline: its ct wrap is not connected to the hub; ask again once it is back")
	case errors.Is(err, hub.ErrBusy):
		return err
	}
	return errorf(http.StatusConflict, err.Error()) // the workstation did not answer in time
}
