package coord

import (
	"testing"
	"time"
)

// A bridge's announcement lists the other hub's peers as NAME@HUB, skips
// what that hub itself only knows as remote, is bounded, and lapses when
// the bridge stops announcing.
func TestRemotePeersAnnounceAndLapse(t *testing.T) {
	s, clock := newSvc(t)
	out, err := s.SetRemotePeers("bridge", "hubB", []Peer{{Name: "bob", Kind: KindAI, Online: true}, {Name: "x@hubA", Remote: true}})
	if err != nil || len(out) != 1 || out[0].Name != "bob@hubB" || !out[0].Remote || out[0].Hub != "hubB" || out[0].Owner != "bridge" {
		t.Fatalf("announce: %+v %v", out, err)
	}
	if _, err := s.SetRemotePeers("bridge", "bad hub", nil); KindOf(err) != Invalid {
		t.Fatalf("a bad hub name: %v", err)
	}
	if _, err := s.SetRemotePeers("bridge", "hubB", make([]Peer, MaxRemotePeers+1)); KindOf(err) != TooLarge {
		t.Fatalf("too many: %v", err)
	}
	if got := s.RemotePeers(); len(got) != 1 {
		t.Fatalf("listed %+v", got)
	}
	clock.Advance(remoteTTL + time.Second)
	if got := s.RemotePeers(); len(got) != 0 {
		t.Fatalf("after the bridge went quiet: %+v", got)
	}
}
