package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

// ct bridge (issue 19 item 12) between two real hubs: a #ops message on A
// reaches B's inbox, an untagged one does not, a reply on B reaches its
// sender on A in the thread, nothing echoes back, and each hub lists the
// other's peers as remote.
func TestBridgeRelaysTaggedMessagesBetweenHubs(t *testing.T) {
	a := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := apiPeer(t, a, "alice"), apiPeer(t, b, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, c := range []*client.Client{alice, bob} { // both exist as peers before the bridge syncs
		if _, err := c.ListPeers(ctx); err != nil {
			t.Fatal(err)
		}
	}
	startBridge(t, a, b, "bridge")

	// Untagged first, then tagged: the bridge reads A in order, so when
	// the tagged one is on B the untagged one would be too if relayed.
	send := func(c *client.Client, m coord.Message) coord.Message {
		out, _, err := c.SendMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	send(alice, coord.Message{To: "*", Subject: "lunch at noon"})
	orig := send(alice, coord.Message{To: "*", Subject: "deploy at 5 #ops", Body: "rolling out v2"})
	bInbox := waitInbox(t, ctx, bob, func(m coord.Message) bool { return strings.Contains(m.Subject, "deploy at 5") })
	var relayed coord.Message
	for _, m := range bInbox {
		if strings.Contains(m.Subject, "lunch") {
			t.Fatalf("an untagged message crossed the bridge: %+v", m)
		}
		if strings.Contains(m.Subject, "deploy at 5") {
			relayed = m
		}
	}
	if relayed.From != "bridge" || relayed.Origin == nil || relayed.Origin.Hub != "hubA" || relayed.Origin.ID != orig.ID ||
		relayed.Origin.From != "alice" || relayed.Body != "rolling out v2" || !strings.HasPrefix(relayed.Subject, "[alice@hubA]") {
		t.Fatalf("relayed on B: %+v (origin %+v)", relayed, relayed.Origin)
	}

	// bob answers on B; the answer reaches alice on A, in her thread.
	send(bob, coord.Message{To: "bridge", Re: relayed.ID, Subject: "ack", Body: "ready on B"})
	aInbox := waitInbox(t, ctx, alice, func(m coord.Message) bool { return m.Body == "ready on B" })
	var fromBridge []coord.Message
	for _, m := range aInbox {
		if m.From == "bridge" {
			fromBridge = append(fromBridge, m)
		}
	}
	if len(fromBridge) != 1 || fromBridge[0].Re != orig.ID || fromBridge[0].To != "alice" || fromBridge[0].Origin.Hub != "hubB" {
		t.Fatalf("on A from the bridge: %+v; want only bob's reply, to alice, re %s (no echo of the relay)", fromBridge, orig.ID)
	}
	// B got the tagged message once: its own relay was not sent back to A and on again.
	var onB int
	for _, m := range peerInbox(t, ctx, bob) {
		if m.From == "bridge" {
			onB++
		}
	}
	if onB != 1 {
		t.Fatalf("B holds %d relayed messages, want 1", onB)
	}

	// Presence: each hub lists the other's peers as remote.
	remote := func(c *client.Client, name, hub string) bool {
		peers, err := c.ListPeers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range peers {
			if p.Name == name && p.Remote && p.Hub == hub {
				return true
			}
		}
		return false
	}
	waitUntil(t, func() bool { return remote(alice, "bob@hubB", "hubB") && remote(bob, "alice@hubA", "hubA") }, "remote peers listed")
	if remote(alice, "alice@hubB", "hubB") {
		t.Fatal("A's own peer came back to A as a remote of B")
	}
}

// startBridge runs ct bridge between a (hubA) and b (hubB) as peer name,
// relaying #ops, and waits until it has joined both.
func startBridge(t *testing.T, a, b *Hub, name string) {
	t.Helper()
	startBridgeAs(t, a, b, name, "admin")
}

// startBridgeAs is startBridge with the bridge's token on b of role bRole.
func startBridgeAs(t *testing.T, a, b *Hub, name, bRole string) {
	t.Helper()
	aTok := MintToken(t, a.URL, "admin", AdminPassword, map[string]string{"name": name, "kind": "api"})
	bTok := MintToken(t, b.URL, "admin", AdminPassword, map[string]string{"name": name, "kind": "api", "role": bRole})
	cmd := exec.Command(Binary(t), "bridge", "--a", a.URL, "--b", b.URL, "--a-name", "hubA", "--b-name", "hubB",
		"--tag", "ops", "--sync", "1s", "--peer", name)
	cmd.Env = append(cmd.Environ(), "CT_BRIDGE_A_TOKEN="+aTok, "CT_BRIDGE_B_TOKEN="+bTok)
	stderr := &SafeBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitUntil(t, func() bool { return strings.Contains(stderr.String(), "relaying #ops") }, "the bridge to start: "+stderr.String())
}

// Two bridges between the same hubs each relay a tagged message once, and
// neither relays the other's relay back (it carries an origin): no loop.
func TestBridgeTwoBridgesDoNotLoop(t *testing.T) {
	a := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := apiPeer(t, a, "alice"), apiPeer(t, b, "bob")
	startBridge(t, a, b, "bridge1")
	startBridge(t, a, b, "bridge2")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, _, err := alice.SendMessage(ctx, coord.Message{To: "*", Subject: "first #ops"}); err != nil {
		t.Fatal(err)
	}
	// A sentinel from B: each bridge reads B in order, so once both copies
	// of it are on A, any echo of "first" would be there before them.
	waitInbox(t, ctx, bob, func(m coord.Message) bool { return strings.Contains(m.Subject, "first") })
	if _, _, err := bob.SendMessage(ctx, coord.Message{To: "*", Subject: "sentinel #ops"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		n := 0
		for _, m := range peerInbox(t, ctx, alice) {
			if strings.Contains(m.Subject, "sentinel") {
				n++
			}
		}
		return n == 2
	}, "both bridges' copies of the sentinel on A")
	for _, m := range peerInbox(t, ctx, alice) {
		if strings.Contains(m.Subject, "first") {
			t.Fatalf("alice's own message came back to A: %+v", m)
		}
	}
	var onB int
	for _, m := range peerInbox(t, ctx, bob) {
		if strings.Contains(m.Subject, "first") {
			onB++
		}
	}
	if onB != 2 {
		t.Fatalf("B holds %d copies of the message, want 2 (one per bridge)", onB)
	}
}

// apiPeer is a client of h acting as the peer name, with an admin-made API token.
func apiPeer(t *testing.T, h *Hub, name string) *client.Client {
	t.Helper()
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": name, "kind": "api"})
	return client.New(client.Config{Hub: h.URL, Token: tok, Peer: name})
}

func peerInbox(t *testing.T, ctx context.Context, c *client.Client) []coord.Message {
	t.Helper()
	list, err := c.ListMessages(ctx, coord.MessageFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// waitInbox long-polls c's inbox until a message matches, then returns it all.
func waitInbox(t *testing.T, ctx context.Context, c *client.Client, ok func(coord.Message) bool) []coord.Message {
	t.Helper()
	after := "0"
	for ctx.Err() == nil {
		list, err := c.ListMessages(ctx, coord.MessageFilter{After: after}, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			after = m.ID
			if ok(m) {
				return peerInbox(t, ctx, c)
			}
		}
	}
	t.Fatal("the message never arrived")
	return nil
}

// waitUntil polls ok (every 50ms, up to 20s) for a state another process reaches.
func waitUntil(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
