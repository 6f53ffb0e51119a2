package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/mcpproxy"
	"github.com/go-chi/chi/v5"
)

// The MCP proxy (mcpproxy/, docs/api.md "MCP proxy"): a peer's ct mcp
// registers an MCP server it runs (POST /api/v1/mcp/servers) and
// long-polls for calls to it (GET /api/v1/mcp/host/calls); any peer lists
// the live servers and calls an allowed tool (POST /api/v1/mcp/calls), the
// hub holding that request until the host posts the result. Every
// registration and call is audited with its caller, host and outcome.

func (s *Server) handleAPIMCPServers(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, s.mcpProxy.Servers())
	return nil
}

func (s *Server) handleAPIMCPRegister(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var reg mcpproxy.Registration
	if err := readJSON(w, r, &reg); err != nil {
		return err
	}
	srv, err := s.mcpProxy.Register(peer.Name, reg)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "mcp.register", srv.Name+" by "+peer.Name+" tools "+strconv.Itoa(len(srv.Tools)))
	writeJSON(w, http.StatusCreated, srv)
	return nil
}

func (s *Server) handleAPIMCPUnregister(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	name := chi.URLParam(r, "server")
	if err := s.mcpProxy.Unregister(peer.Name, name); err != nil {
		return coordErr(err)
	}
	s.audit(r, "mcp.unregister", name+" by "+peer.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAPIMCPCall routes one tool call to the server's host and answers
// with its result (or the reason there is none), within the call timeout.
func (s *Server) handleAPIMCPCall(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req mcpproxy.CallRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	subject := req.Server + "." + req.Tool + " by " + peer.Name + " " + strconv.Itoa(len(req.Args)) + " bytes"
	res, err := s.mcpProxy.Route(r.Context(), peer.Name, req)
	switch {
	case err != nil:
		s.audit(r, "mcp.call", subject+" (refused: "+err.Error()+")")
		return coordErr(err)
	case res.Error != "":
		s.audit(r, "mcp.call", subject+" (failed: "+res.Error+")")
	default:
		s.audit(r, "mcp.call", subject+" -> "+strconv.Itoa(len(res.Result))+" bytes")
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// handleAPIMCPPoll is GET /api/v1/mcp/host/calls?wait=30: the calls for
// the caller's servers, waiting up to wait seconds (at most maxWait), and
// the servers the hub has it hosting.
func (s *Server) handleAPIMCPPoll(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	wait := 30 * time.Second
	if v := r.URL.Query().Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "wait is a number of seconds from 0 to 60, such as 30")
		}
		wait = min(time.Duration(n)*time.Second, maxWait)
	}
	ans, err := s.mcpProxy.Poll(r.Context(), peer.Name, wait)
	if err != nil {
		return nil // the host left (its connection closed); nobody reads the answer
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

func (s *Server) handleAPIMCPResult(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var res mcpproxy.Result
	if err := readJSON(w, r, &res); err != nil {
		return err
	}
	if err := s.mcpProxy.Deliver(peer.Name, chi.URLParam(r, "call"), res); err != nil {
		return coordErr(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
