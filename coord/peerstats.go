package coord

import (
	"cmp"
	"slices"

	"github.com/ct-dev/ct/wire"
)

// PeerStats is an agent peer's model usage, taken from its ct session's
// sums (the hub counts them from the agent's transcript; the agent is not
// asked). Computed when listed, never stored with the peer.
type PeerStats struct {
	Model   string `json:"model,omitempty"`
	Context int64  `json:"context"`          // tokens in its context at its last model call
	Window  int64  `json:"window,omitempty"` // its model's context window, 0 when ct does not know it
	// Free is Window less Context, absent when the window is unknown.
	Free   *int64 `json:"free,omitempty"`
	Input  int64  `json:"input"`
	Output int64  `json:"output"`
	Calls  int    `json:"calls"`
}

// Peer sort orders for ListPeers.
const (
	SortName     = "name"
	SortHeadroom = "headroom"
)

// withStats fills in the stats of every peer that runs in a ct session the
// agent has reported usage for.
func (s *Service) withStats(peers []Peer) {
	for i := range peers {
		if peers[i].Session == "" {
			continue
		}
		ss, err := s.store.GetSession(peers[i].Session)
		if err != nil || ss.Tokens == nil || ss.Tokens.Calls == 0 {
			continue
		}
		t := ss.Tokens
		st := &PeerStats{Model: t.Model, Context: t.Context, Input: t.Input, Output: t.Output, Calls: t.Calls,
			Window: wire.ContextWindow(t.Model, t.Window)}
		if st.Window > 0 {
			free := max(0, st.Window-st.Context)
			st.Free = &free
		}
		peers[i].Stats = st
	}
}

// SortPeers orders peers in place: by name, or by headroom (most free
// context first; then peers whose window is unknown, least context used
// first; then peers with no usage), ties by name.
func SortPeers(peers []Peer, by string) {
	slices.SortStableFunc(peers, func(a, b Peer) int {
		if by == SortHeadroom {
			if c := cmp.Compare(headroomRank(a), headroomRank(b)); c != 0 {
				return c
			}
			if c := headroomKey(a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// headroomRank groups peers: 0 a known free context, 1 usage but an unknown
// window, 2 no usage.
func headroomRank(p Peer) int {
	switch {
	case p.Stats == nil:
		return 2
	case p.Stats.Free == nil:
		return 1
	}
	return 0
}

// headroomKey compares two peers of one rank: more free context, or less
// context used, first.
func headroomKey(a, b Peer) int {
	if a.Stats == nil || b.Stats == nil {
		return 0
	}
	if a.Stats.Free != nil && b.Stats.Free != nil {
		return cmp.Compare(*b.Stats.Free, *a.Stats.Free)
	}
	return cmp.Compare(a.Stats.Context, b.Stats.Context)
}
