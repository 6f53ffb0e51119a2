package coord

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Remote peers are the peers of another hub, announced by a ct bridge
// that joins both: listed with Remote and Hub set, named NAME@HUB so they
// never collide with a local name, and dropped when the bridge stops
// announcing them (remoteTTL). They live in memory only: the bridge
// announces again after a hub restart.

// remoteTTL is how long an announcement holds: the bridge refreshes every
// few seconds, so a bridge that has been quiet this long has gone and its
// hub's peers are no longer reachable through it.
const remoteTTL = 2 * time.Minute

// MaxRemotePeers bounds one announcement: a bridge cannot make the hub
// hold an unbounded list.
const MaxRemotePeers = 500

// Origin is where a relayed message first came from: the hub (as the
// bridge names it), the message's id there and its sender. A bridge never
// relays a message that has an Origin again, so two bridges cannot loop.
type Origin struct {
	Hub  string `json:"hub"`
	ID   string `json:"id"`
	From string `json:"from"`
}

// remotePeers is the announced remote peers, by announcing bridge and hub.
type remotePeers struct {
	mu sync.Mutex // guards by
	by map[string]remoteSet
}

type remoteSet struct {
	peers []Peer
	at    time.Time
}

// SetRemotePeers replaces what bridge announced about hub's peers. Each
// comes out as NAME@HUB with Remote, Hub and Owner (the bridge) set.
func (s *Service) SetRemotePeers(bridge, hub string, peers []Peer) ([]Peer, error) {
	if !groupName().MatchString(hub) {
		return nil, errf(Invalid, "hub name %q: use letters, digits, '.', '_', ':' or '-' (ct bridge --a-name/--b-name)", hub)
	}
	if len(peers) > MaxRemotePeers {
		return nil, errf(TooLarge, "%d remote peers is too many; the limit is %d", len(peers), MaxRemotePeers)
	}
	now := s.clock.Now().UTC()
	out := make([]Peer, 0, len(peers))
	for _, p := range peers {
		if p.Remote {
			continue // another hub's remote peers: announce only what is local there
		}
		if !peerName().MatchString(p.Name) {
			return nil, errf(Invalid, "remote peer name %q is not a peer name", p.Name)
		}
		if len(p.Status) > 280 {
			p.Status = p.Status[:280]
		}
		out = append(out, Peer{Name: p.Name + "@" + hub, Kind: p.Kind, Owner: bridge, Status: p.Status, Model: p.Model,
			Online: p.Online, Remote: true, Hub: hub, Created: now, LastSeen: now})
	}
	s.remote.mu.Lock()
	if s.remote.by == nil {
		s.remote.by = map[string]remoteSet{}
	}
	key := bridge + "\x00" + hub
	old, had := s.remote.by[key]
	s.remote.by[key] = remoteSet{peers: out, at: now}
	s.remote.mu.Unlock()
	// A peer event only when what people see changed (not on every
	// refresh): the Team page reloads on it, wait_for_events callers hear it.
	if !had || now.Sub(old.at) > remoteTTL || !slices.EqualFunc(old.peers, out, sameRemote) {
		s.bus.Publish(Event{Type: "peer", At: now, By: bridge, Notice: "the peers of hub " + hub + " changed (through " + bridge + ")"})
	}
	return out, nil
}

// sameRemote reports whether an announced peer looks the same on the Team page.
func sameRemote(a, b Peer) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Status == b.Status && a.Model == b.Model && a.Online == b.Online
}

// RemotePeers lists the announced remote peers still fresh, by name.
func (s *Service) RemotePeers() []Peer {
	now := s.clock.Now()
	s.remote.mu.Lock()
	defer s.remote.mu.Unlock()
	var out []Peer
	for k, set := range s.remote.by {
		if now.Sub(set.at) > remoteTTL {
			delete(s.remote.by, k)
			continue
		}
		out = append(out, set.peers...)
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// isRemoteName reports whether to names a peer of another hub (NAME@HUB),
// not a local peer, a group (@g) or everyone.
func isRemoteName(to string) bool {
	i := strings.IndexByte(to, '@')
	return i > 0 && i < len(to)-1
}

// routeRemote checks that m.To (NAME@HUB) is a peer a connected ct bridge
// announced and sets m.Via to that bridge, so the bridge sees the message
// and carries it to HUB. With two bridges to HUB the first by name
// carries it: one copy, never two.
func (s *Service) routeRemote(m *Message) error {
	_, hub, _ := strings.Cut(m.To, "@")
	now := s.clock.Now()
	s.remote.mu.Lock()
	defer s.remote.mu.Unlock()
	var hubs, bridges []string
	known := false
	for k, set := range s.remote.by {
		if now.Sub(set.at) > remoteTTL {
			continue
		}
		bridge, h, _ := strings.Cut(k, "\x00")
		hubs = append(hubs, h)
		if h != hub {
			continue
		}
		bridges = append(bridges, bridge)
		known = known || slices.ContainsFunc(set.peers, func(p Peer) bool { return p.Name == m.To })
	}
	slices.Sort(hubs)
	slices.Sort(bridges)
	switch {
	case len(hubs) == 0:
		return errf(NotFound, "%q is a peer of another hub, but no ct bridge is connected to this hub: start one (ct bridge --help), or address a local peer", m.To)
	case len(bridges) == 0:
		return errf(NotFound, "no bridged hub is called %q; this hub's bridges reach %s (GET /api/v1/peers lists their peers as NAME@HUB)", hub, strings.Join(slices.Compact(hubs), ", "))
	case !known:
		return errf(NotFound, "hub %s has no peer %q as its bridge last announced; GET /api/v1/peers lists its peers as NAME@HUB", hub, m.To)
	}
	m.Via = bridges[0]
	return nil
}
