package coord

import (
	"strings"
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

// A message to NAME@HUB is taken only when a connected bridge announced
// that peer, and is then carried by that bridge (the first by name when
// two reach the hub): the bridge sees it in its inbox, others do not, and
// a sender cannot pick the bridge itself. Each refusal names the fix.
func TestSendToRemotePeerRoutesThroughItsBridge(t *testing.T) {
	s, clock := newSvc(t)
	_, err := s.Send("alice", Message{To: "bob@hubB", Subject: "hi"})
	kindIs(t, err, NotFound)
	if !strings.Contains(err.Error(), "no ct bridge is connected") {
		t.Fatalf("no bridge: %v", err)
	}
	for _, b := range []string{"bridge2", "bridge1"} {
		if _, err := s.SetRemotePeers(b, "hubB", []Peer{{Name: "bob"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Send("alice", Message{To: "bob@hubC", Body: "x"}); KindOf(err) != NotFound || !strings.Contains(err.Error(), "reach hubB") {
		t.Fatalf("unknown hub: %v", err)
	}
	if _, err := s.Send("alice", Message{To: "zed@hubB", Body: "x"}); KindOf(err) != NotFound || !strings.Contains(err.Error(), "no peer") {
		t.Fatalf("unknown remote peer: %v", err)
	}
	m, err := s.Send("alice", Message{To: "bob@hubB", Subject: "hi", Via: "carol"})
	if err != nil || m.Via != "bridge1" {
		t.Fatalf("sent %+v %v; want via bridge1", m, err)
	}
	inbox := func(peer string) int {
		list, err := s.Messages(Viewer{Peer: peer}, MessageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	if inbox("bridge1") != 1 || inbox("bridge2") != 0 || inbox("carol") != 0 {
		t.Fatalf("inboxes: bridge1 %d bridge2 %d carol %d; want 1 0 0", inbox("bridge1"), inbox("bridge2"), inbox("carol"))
	}
	clock.Advance(remoteTTL + time.Second)
	if _, err := s.Send("alice", Message{To: "bob@hubB", Body: "x"}); KindOf(err) != NotFound {
		t.Fatalf("after the bridges went quiet: %v", err)
	}
}

// An announcement publishes a peer event when what it lists changes, and
// not when a bridge merely refreshes the same list.
func TestRemotePeersAnnounceChangesOnly(t *testing.T) {
	s, _ := newSvc(t)
	sub := s.Bus().Subscribe("alice", nil, false)
	defer s.Bus().Unsubscribe(sub)
	announce := func(peers ...Peer) {
		if _, err := s.SetRemotePeers("bridge", "hubB", peers); err != nil {
			t.Fatal(err)
		}
	}
	peerEvents := func() (n int) {
		for {
			select {
			case e := <-sub.C:
				if e.Type == "peer" && strings.Contains(e.Notice, "hub hubB") {
					n++
				}
			default:
				return n
			}
		}
	}
	announce(Peer{Name: "bob", Online: true})
	announce(Peer{Name: "bob", Online: true})
	if n := peerEvents(); n != 1 {
		t.Fatalf("%d peer events for one announcement and its refresh, want 1", n)
	}
	announce(Peer{Name: "bob", Online: false})
	announce(Peer{Name: "bob"}, Peer{Name: "carol"})
	if n := peerEvents(); n != 2 {
		t.Fatalf("%d peer events for two changes, want 2", n)
	}
}
