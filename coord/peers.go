package coord

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

const bPeers = "coord_peers"

// Peer kinds.
const (
	KindHuman     = "human"
	KindAI        = "ai"
	KindConnector = "connector"
)

// onlineWindow is how long after its last request a peer without a live
// subscription still counts as online: agents poll every few seconds to a
// minute, so two minutes of quiet means it has gone.
const onlineWindow = 2 * time.Minute

// Peer is a party on the hub: a person, an agent session or a connector.
type Peer struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Owner   string   `json:"owner"` // the hub user whose login or token acts as this peer
	Machine string   `json:"machine,omitempty"`
	Cwd     string   `json:"cwd,omitempty"`
	Model   string   `json:"model,omitempty"`
	Channel string   `json:"channel,omitempty"`
	Groups  []string `json:"groups,omitempty"`  // without the leading @
	Status  string   `json:"status,omitempty"`  // one line it sets about itself
	Session string   `json:"session,omitempty"` // the ct session an agent runs in
	// NotifyPrompt: the agent opted in to a short notice typed into its
	// session's prompt when a message arrives while it waits for input.
	NotifyPrompt bool      `json:"notify_prompt,omitempty"`
	Created      time.Time `json:"created"`
	LastSeen     time.Time `json:"last_seen"`
	Online       bool      `json:"online"` // computed when listed, not stored
	// Stats is the agent's model usage from its session (peerstats.go),
	// computed when listed, not stored.
	Stats *PeerStats `json:"stats,omitempty"`
	// Remote: a peer of another hub, announced by a ct bridge (Owner);
	// Hub names that hub. Never stored (remote.go).
	Remote bool   `json:"remote,omitempty"`
	Hub    string `json:"hub,omitempty"`
}

// peerName is a flat name (a person's user name, or a legacy agent name)
// or OWNER/NAME, an agent or connector namespaced under its owner.
var peerName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._:-]{0,63})?$`)
})

// groupName is a group without its @: never namespaced.
var groupName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`) })

// checkPeerOwner refuses owner taking name when the name is not theirs: a
// person's user name (existing now or created later, compared without case
// so "Bob" cannot pose as bob) belongs to that person only, and OWNER/NAME
// belongs to OWNER only. It reports whether name is owner's own user name.
func (s *Service) checkPeerOwner(owner, name string) (self bool, err error) {
	if prefix, _, ok := strings.Cut(name, "/"); ok {
		if prefix != owner {
			return false, errf(Forbidden, "peer name %q is namespaced under user %s; name your agents %s/NAME", name, prefix, owner)
		}
		return false, nil
	}
	user := strings.ToLower(name)
	if user == owner {
		return true, nil
	}
	if _, err := s.store.GetUser(user); err == nil {
		return false, errf(Forbidden, "peer name %q is user %s's own name, reserved for them; name your agents %s/NAME", name, user, owner)
	}
	return false, nil
}

// seen remembers, in memory, when each peer last made a request, so a
// busy agent does not cost a write per call.
type seen struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (s *seen) touch(name string, t time.Time) {
	s.mu.Lock()
	s.at[name] = t
	s.mu.Unlock()
}

func (s *seen) get(name string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at[name]
}

// Identify returns the peer called name acting for owner, creating it the
// first time (kind applies only then). A name held by another user is
// refused: peer names are unique on the hub. A person's own user name is
// theirs even if an agent took it before the account existed: the person
// wins, the record is handed over (reset to a human peer with no groups or
// session) and the former holder is refused from then on.
func (s *Service) Identify(owner, name, kind string) (Peer, error) {
	if !peerName().MatchString(name) {
		return Peer{}, errf(Invalid, "peer name %q: use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit, or OWNER/NAME for an agent", name)
	}
	if reservedPeerName(name) {
		return Peer{}, errf(Invalid, "peer name %q is kept for private spaces (\"me\" is each caller's own); choose another name", name)
	}
	self, err := s.checkPeerOwner(owner, name)
	if err != nil {
		return Peer{}, err
	}
	now := s.clock.Now().UTC()
	var p Peer
	created, handedOver := false, ""
	err = s.store.CoordUpdate(func(tx db.CoordTx) error {
		err := tx.Get(bPeers, []byte(name), &p)
		switch {
		case err == nil && p.Owner != owner && self:
			handedOver = p.Owner
			p = Peer{Name: name, Kind: KindHuman, Owner: owner, Created: now}
		case err == nil && p.Owner != owner:
			return errf(Conflict, "peer name %q is taken by user %s; choose another name", name, p.Owner)
		case err == nil:
			if now.Sub(p.LastSeen) < time.Minute {
				return nil // recent enough: skip the write
			}
		default:
			if kind == "" {
				kind = KindConnector
			}
			if kind != KindHuman && kind != KindAI && kind != KindConnector {
				return errf(Invalid, "peer kind %q is not human, ai or connector", kind)
			}
			p = Peer{Name: name, Kind: kind, Owner: owner, Created: now}
			created = true
		}
		p.LastSeen = now
		return tx.Put(bPeers, []byte(name), p)
	})
	if err != nil {
		return Peer{}, err
	}
	s.seen.touch(name, now)
	p.Online = true
	switch {
	case created:
		s.bus.Publish(Event{Type: "peer", At: now, Peer: &p, Notice: name + " joined"})
	case handedOver != "":
		s.log.Warn("peer name handed to its user", "peer", name, "former_owner", handedOver)
		s.bus.Publish(Event{Type: "peer", At: now, Peer: &p, Notice: name + " is now the person " + owner + " (was held by " + handedOver + ")"})
	}
	return p, nil
}

// PeerUpdate is what a peer may say about itself; nil fields stay as they are.
type PeerUpdate struct {
	Kind    *string   `json:"kind"`
	Machine *string   `json:"machine"`
	Cwd     *string   `json:"cwd"`
	Model   *string   `json:"model"`
	Channel *string   `json:"channel"`
	Groups  *[]string `json:"groups"`
	Status  *string   `json:"status"`
	// Session and NotifyPrompt: the handler checks the caller may drive the session.
	Session      *string `json:"session"`
	NotifyPrompt *bool   `json:"notify_prompt"`
}

// UpdatePeer applies u to peer name (which its owner has identified as).
func (s *Service) UpdatePeer(name string, u PeerUpdate) (Peer, error) {
	var p Peer
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		if err := tx.Get(bPeers, []byte(name), &p); err != nil {
			return errf(NotFound, "no peer %q", name)
		}
		if u.Kind != nil {
			if k := *u.Kind; k != KindHuman && k != KindAI && k != KindConnector {
				return errf(Invalid, "peer kind %q is not human, ai or connector", k)
			}
			p.Kind = *u.Kind
		}
		for dst, src := range map[*string]*string{&p.Machine: u.Machine, &p.Cwd: u.Cwd, &p.Model: u.Model, &p.Channel: u.Channel, &p.Status: u.Status, &p.Session: u.Session} {
			if src != nil {
				*dst = strings.TrimSpace(*src)
			}
		}
		if u.NotifyPrompt != nil {
			p.NotifyPrompt = *u.NotifyPrompt
		}
		if len(p.Status) > 280 {
			return errf(Invalid, "a status is one line of at most 280 characters")
		}
		if u.Groups != nil {
			p.Groups = nil
			for _, g := range *u.Groups {
				g = strings.TrimPrefix(strings.TrimSpace(g), "@")
				if !groupName().MatchString(g) {
					return errf(Invalid, "group %q: use letters, digits, '.', '_', ':' or '-'", g)
				}
				if !slices.Contains(p.Groups, g) {
					p.Groups = append(p.Groups, g)
				}
			}
		}
		p.LastSeen = s.clock.Now().UTC()
		return tx.Put(bPeers, []byte(name), p)
	})
	if err != nil {
		return Peer{}, err
	}
	p.Online = s.online(p.Name)
	notice := ""
	if u.Status != nil {
		notice = p.Name + ": " + p.Status
	}
	s.bus.Publish(Event{Type: "peer", At: p.LastSeen, Peer: &p, Notice: notice})
	return p, nil
}

// GetPeer returns one peer.
func (s *Service) GetPeer(name string) (Peer, error) {
	var p Peer
	err := s.store.CoordView(func(tx db.CoordTx) error { return tx.Get(bPeers, []byte(name), &p) })
	if err != nil {
		return p, errf(NotFound, "no peer %q", name)
	}
	p.Online = s.online(name)
	return p, nil
}

// Peers lists every peer by name, with its online state.
func (s *Service) Peers() ([]Peer, error) {
	var out []Peer
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bPeers, false, func(_, v []byte) (bool, error) {
			var p Peer
			if err := json.Unmarshal(v, &p); err != nil {
				return false, err
			}
			out = append(out, p)
			return true, nil
		})
	})
	for i := range out {
		out[i].Online = s.online(out[i].Name)
	}
	s.withStats(out)
	return out, err
}

func (s *Service) online(name string) bool {
	return s.bus.Online(name) || s.clock.Now().Sub(s.seen.get(name)) < onlineWindow
}
