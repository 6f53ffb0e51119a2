package handlers

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The Team page (/team): every peer with what it says about itself and its
// usage, then who messaged whom in the last day; a peer's own page
// (/team/p/NAME) with its sessions, messages, locks and todos. Both reload
// their live part over the viewer's /api/v1/events stream.

// teamPeriod is how far back the "who messaged whom" counts go.
const teamPeriod = 24 * time.Hour

// peerMessages is how many of a peer's recent messages its page shows.
const peerMessages = 20

func (s *Server) handleTeamShow(w http.ResponseWriter, r *http.Request) error {
	t, err := s.teamModel(r)
	if err != nil {
		return err
	}
	return render(w, r, views.TeamPage(t))
}

func (s *Server) handleTeamList(w http.ResponseWriter, r *http.Request) error {
	t, err := s.teamModel(r)
	if err != nil {
		return err
	}
	return render(w, r, views.TeamList(t))
}

// teamModel is every peer (online first, then by name), whereabouts
// redacted to what the viewer may see, and the day's message counts among
// the messages the viewer may see.
func (s *Server) teamModel(r *http.Request) (views.Team, error) {
	_, v, err := s.peerOf(r)
	if err != nil {
		return views.Team{}, coordErr(err)
	}
	t := views.Team{Me: v.Peer, Period: "24 h"}
	peers, err := s.teamPeers()
	if err != nil {
		return t, err
	}
	slices.SortStableFunc(peers, func(a, b coord.Peer) int {
		if a.Online != b.Online {
			if a.Online {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, p := range peers {
		t.Peers = append(t.Peers, teamPeer(redactPeer(principal(r), p, s.sessionNode)))
	}
	edges, err := s.coord.Traffic(v, s.coord.Now().Add(-teamPeriod))
	if err != nil {
		return t, err
	}
	for _, e := range edges {
		t.Traffic = append(t.Traffic, views.TeamEdge{From: e.From, To: e.To, Count: e.Count, Percent: e.Count * 100 / edges[0].Count})
	}
	return t, nil
}

// teamPeers is this hub's peers, then the other hubs' that a ct bridge
// announces (NAME@HUB, remote): they are messaged by that name too.
func (s *Server) teamPeers() ([]coord.Peer, error) {
	peers, err := s.coord.Peers()
	if err != nil {
		return nil, err
	}
	return append(peers, s.coord.RemotePeers()...), nil
}

// teamPeer is p (already redacted) as the Team page shows it.
func teamPeer(p coord.Peer) views.TeamPeer {
	tp := views.TeamPeer{Name: p.Name, Kind: p.Kind, Owner: p.Owner, Model: p.Model, Machine: p.Machine, Cwd: p.Cwd,
		Status: p.Status, Session: p.Session, Groups: p.Groups, Online: p.Online, LastSeen: p.LastSeen}
	if p.Remote {
		tp.Hub = p.Hub
	}
	if st := p.Stats; st != nil {
		if tp.Model == "" {
			tp.Model = st.Model
		}
		tp.Usage = "context " + short(st.Context)
		if st.Free != nil {
			tp.Usage = fmt.Sprintf("context %s of %s, %s free", short(st.Context), short(st.Window), short(*st.Free))
		}
		tp.Usage += " · " + short(st.Input) + " in · " + short(st.Output) + " out"
	}
	return tp
}

// handleTeamPeerShow is one peer's page (?part=1: its live part only).
func (s *Server) handleTeamPeerShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.peerDetail(r, chi.URLParam(r, "*"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("part") != "" {
		return render(w, r, views.PeerBody(d))
	}
	return render(w, r, views.PeerPage(d))
}

// peerDetail is the peer called name with, for a person, their own
// agents; the sessions they run in; and their messages, locks and todos.
func (s *Server) peerDetail(r *http.Request, name string) (views.PeerDetail, error) {
	_, v, err := s.peerOf(r)
	if err != nil {
		return views.PeerDetail{}, coordErr(err)
	}
	peers, err := s.teamPeers()
	if err != nil {
		return views.PeerDetail{}, err
	}
	var d views.PeerDetail
	i := slices.IndexFunc(peers, func(p coord.Peer) bool { return p.Name == name })
	if i < 0 {
		return d, errorf(http.StatusNotFound, fmt.Sprintf("No peer is called %q. The Team page lists every peer.", name))
	}
	me := redactPeer(principal(r), peers[i], s.sessionNode)
	d.Peer = teamPeer(me)
	d.Sessions = s.peerSessions(me)
	for _, p := range peers {
		if me.Kind == coord.KindHuman && !me.Remote && p.Kind != coord.KindHuman && p.Owner == me.Owner {
			p = redactPeer(principal(r), p, s.sessionNode)
			d.Agents = append(d.Agents, teamPeer(p))
			d.Sessions = append(d.Sessions, s.peerSessions(p)...)
		}
	}
	return d, s.peerWork(&d, v, name)
}

// peerSessions is the ct session p runs in, when the viewer may see it
// (redactPeer has emptied Session otherwise).
func (s *Server) peerSessions(p coord.Peer) []views.PeerSession {
	if p.Session == "" {
		return nil
	}
	ss, err := s.store.GetSession(p.Session)
	if err != nil {
		return nil
	}
	return []views.PeerSession{{ID: ss.ID, Title: ss.Label(), Status: ss.Status, Node: ss.Node, By: p.Name}}
}

// peerWork fills in name's recent messages the viewer may see (newest
// first), the locks it holds and the todos assigned to or made by it.
func (s *Server) peerWork(d *views.PeerDetail, v coord.Viewer, name string) error {
	msgs, err := s.coord.Messages(v, coord.MessageFilter{Box: "hub", Limit: 1000})
	if err != nil {
		return err
	}
	md, now := newMarkdown(), s.coord.Now()
	for _, m := range slices.Backward(msgs) {
		if (m.From == name || m.To == name) && len(d.Messages) < peerMessages {
			d.Messages = append(d.Messages, msgRow(md, m, v, now))
		}
	}
	locks, err := s.coord.Locks()
	if err != nil {
		return err
	}
	for _, l := range locks {
		if l.Holder == name {
			d.Locks = append(d.Locks, views.CoordLock{Name: l.Name, Holder: l.Holder, Reason: l.Reason, Until: l.Until})
		}
	}
	todos, err := s.coord.Todos("")
	if err != nil {
		return err
	}
	for _, t := range todos {
		if t.Assignee == name || t.CreatedBy == name {
			d.Todos = append(d.Todos, views.CoordTodo{ID: t.ID, Title: t.Title, Assignee: t.Assignee, State: t.State, CreatedBy: t.CreatedBy})
		}
	}
	return nil
}
