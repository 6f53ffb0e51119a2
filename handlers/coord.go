package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
)

// The coordination REST API (docs/api.md): messages, locks, todos,
// reminders, peers and webhooks. Every handler acts as the caller's peer
// (peerOf), so who sent, who holds and who did comes from the login or
// token, never from the request body.

// maxCoordJSON bounds a coordination request: a 100 KB body may double
// when escaped as JSON, and the rest of a message is small.
const maxCoordJSON = 512 << 10

// PeerHeader lets one API token act as several peers of the same user
// (one per agent session): X-CT-Peer: NAME. A name is bound to the user
// that first used it.
const PeerHeader = "X-CT-Peer"

// tokenNames caches API token id -> token name: the default peer name of
// a token, looked up once rather than on every call.
type tokenNames struct {
	mu sync.Mutex
	m  map[string]string
}

func (t *tokenNames) get(s *Server, id string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.m[id]; ok {
		return n
	}
	tok, err := s.store.GetToken(id)
	if err != nil {
		return ""
	}
	if t.m == nil {
		t.m = map[string]string{}
	}
	t.m[id] = tok.Name
	return tok.Name
}

// peerOf identifies the caller as a coordination peer: X-CT-Peer if set,
// else the API token's name, else the logged-in user's name.
func (s *Server) peerOf(r *http.Request) (coord.Peer, coord.Viewer, error) {
	p := principal(r)
	name, kind := p.User, coord.KindHuman
	if p.Kind == auth.KindAPI {
		kind = coord.KindConnector
		if n := s.tokenNames.get(s, p.TokenID); n != "" {
			name = n
		}
	}
	if p.Kind == auth.KindAgent {
		name, kind = "agent-"+p.TokenID, coord.KindAI // never its owner's own name by default
	}
	if h := strings.TrimSpace(r.Header.Get(PeerHeader)); h != "" {
		name = h
		if p.Kind == auth.KindAPI {
			kind = coord.KindAI
		}
	}
	if k := r.Header.Get("X-CT-Peer-Kind"); k != "" {
		kind = k
	}
	peer, err := s.coord.Identify(p.User, name, kind)
	if err != nil {
		return coord.Peer{}, coord.Viewer{}, err
	}
	return peer, coord.Viewer{Peer: peer.Name, Groups: peer.Groups, Admin: p.IsAdmin(), Owner: peer.Owner}, nil
}

// canWrite: viewers read the coordination record; members and admins change it.
func canWrite(r *http.Request) error {
	if auth.RoleRank(principal(r).Role) < auth.RoleRank(auth.RoleMember) {
		return errorf(http.StatusForbidden, "viewers can read messages, locks and todos but not change them; ask an admin for the member role")
	}
	return nil
}

// coordErrRetry is coordErr that also sets Retry-After on a rate error.
func coordErrRetry(w http.ResponseWriter, err error) error {
	var ce *coord.Error
	if errors.As(err, &ce) && ce.Kind == coord.TooMany {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(ce.RetryAfter.Seconds()))))
	}
	return coordErr(err)
}

// coordErr maps coord's errors to statuses with their own message.
func coordErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *coord.Error
	if !errors.As(err, &ce) {
		return err
	}
	status := map[coord.Kind]int{coord.Invalid: http.StatusBadRequest, coord.NotFound: http.StatusNotFound,
		coord.Conflict: http.StatusConflict, coord.Forbidden: http.StatusForbidden, coord.TooLarge: http.StatusRequestEntityTooLarge,
		coord.TooMany: http.StatusTooManyRequests}[ce.Kind]
	if status == 0 {
		status = http.StatusBadRequest
	}
	return errorf(status, ce.Msg)
}

// readJSON decodes a bounded JSON body into v, refusing unknown fields so
// a typo is an error rather than a silently ignored setting.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCoordJSON)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errorf(http.StatusRequestEntityTooLarge, "the request is larger than 512 KB; a message body is limited to 100 KB")
		}
		return errorf(http.StatusBadRequest, "the request body is not the JSON this endpoint takes: "+err.Error()+"; see docs/api.md")
	}
	return nil
}

func (s *Server) handleAPIPeersList(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	by := r.URL.Query().Get("sort")
	if by != "" && by != coord.SortName && by != coord.SortHeadroom {
		return errorf(http.StatusBadRequest, fmt.Sprintf("sort must be %q or %q (most free context first), not %.40q", coord.SortName, coord.SortHeadroom, by))
	}
	peers, err := s.coord.Peers()
	if err != nil {
		return err
	}
	if peers == nil {
		peers = []coord.Peer{}
	}
	for i := range peers {
		peers[i] = redactPeer(principal(r), peers[i], s.sessionNode)
	}
	peers = append(peers, s.coord.RemotePeers()...) // other hubs', by ct bridge (remote: true)
	coord.SortPeers(peers, by)
	writeJSON(w, http.StatusOK, peers)
	return nil
}

func (s *Server) handleAPIPeerMe(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, peer)
	return nil
}

func (s *Server) handleAPIPeerUpdate(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var u coord.PeerUpdate
	if err := readJSON(w, r, &u); err != nil {
		return err
	}
	if err := s.checkPeerSession(r, u); err != nil {
		return err
	}
	p, err := s.coord.UpdatePeer(peer.Name, u)
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
