package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

// Addressing across ct bridge (issue 19 item 12): alice on A writes to
// bob@hubB (no tag) and bob gets it once on B from the bridge with its
// origin; bob's reply to alice@hubA lands in alice's thread; a fresh
// message from bob to alice@hubA reaches her too; nothing is relayed
// twice or echoed; and the refusals say what to do (no bridge yet, a hub
// no bridge reaches, a peer that hub does not have).
func TestBridgeAddressesRemotePeersBothWays(t *testing.T) {
	a := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := apiPeer(t, a, "alice"), apiPeer(t, b, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, c := range []*client.Client{alice, bob} {
		if _, err := c.ListPeers(ctx); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(c *client.Client, to, want string) {
		t.Helper()
		_, _, err := c.SendMessage(ctx, coord.Message{To: to, Body: "x"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("send to %s: %v; want an error saying %q", to, err, want)
		}
	}
	refused(alice, "bob@hubB", "no ct bridge is connected")

	startBridge(t, a, b, "bridge")
	waitUntil(t, func() bool { return hasPeer(t, ctx, alice, "bob@hubB") && hasPeer(t, ctx, bob, "alice@hubA") }, "remote peers listed")
	refused(alice, "bob@hubX", "reach hubB")
	refused(alice, "zed@hubB", "no peer")

	send := func(c *client.Client, m coord.Message) coord.Message {
		t.Helper()
		out, _, err := c.SendMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	orig := send(alice, coord.Message{To: "bob@hubB", Subject: "review please", Body: "the parser change"})
	if orig.Via != "bridge" {
		t.Fatalf("sent on A: %+v; want via the bridge", orig)
	}
	var relayed coord.Message
	for _, m := range waitInbox(t, ctx, bob, func(m coord.Message) bool { return m.Body == "the parser change" }) {
		if m.Body == "the parser change" {
			relayed = m
		}
	}
	if relayed.To != "bob" || relayed.From != "bridge" || relayed.Origin == nil || relayed.Origin.Hub != "hubA" ||
		relayed.Origin.ID != orig.ID || relayed.Origin.From != "alice" || !strings.HasPrefix(relayed.Subject, "[alice@hubA]") {
		t.Fatalf("on B: %+v (origin %+v)", relayed, relayed.Origin)
	}

	// bob answers alice@hubA in the thread: it reaches alice, re her message.
	send(bob, coord.Message{To: "alice@hubA", Re: relayed.ID, Body: "looks good"})
	reply := lastFrom(waitInbox(t, ctx, alice, func(m coord.Message) bool { return m.Body == "looks good" }), "looks good")
	if reply.To != "alice" || reply.Re != orig.ID || reply.Origin == nil || reply.Origin.From != "bob" {
		t.Fatalf("the reply on A: %+v; want to alice, re %s, from bob on hubB", reply, orig.ID)
	}
	// A new message from B to alice@hubA (no thread, no tag).
	send(bob, coord.Message{To: "alice@hubA", Subject: "lunch?", Body: "at noon"})
	fresh := lastFrom(waitInbox(t, ctx, alice, func(m coord.Message) bool { return m.Body == "at noon" }), "at noon")
	if fresh.To != "alice" || fresh.Re != "" || !strings.HasPrefix(fresh.Subject, "[bob@hubB]") {
		t.Fatalf("bob's message on A: %+v", fresh)
	}
	// A sentinel from A, after everything: once it is on B, any echo of
	// what B sent (or a second copy of alice's) would be there before it.
	send(alice, coord.Message{To: "bob@hubB", Body: "sentinel"})
	waitInbox(t, ctx, bob, func(m coord.Message) bool { return m.Body == "sentinel" })
	onB, err := bob.ListMessages(ctx, coord.MessageFilter{Box: "all"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range onB {
		count[m.Body]++
	}
	if count["the parser change"] != 1 || count["looks good"] != 1 || count["at noon"] != 1 || count["sentinel"] != 1 {
		t.Fatalf("B holds %v; want each once (bob's own two, the relays once, no echo)", count)
	}
	var fromBridge int
	for _, m := range peerInbox(t, ctx, alice) {
		if m.From == "bridge" {
			fromBridge++
		}
	}
	if fromBridge != 2 {
		t.Fatalf("A's alice holds %d messages from the bridge, want 2 (bob's reply and his message)", fromBridge)
	}
}

func hasPeer(t *testing.T, ctx context.Context, c *client.Client, name string) bool {
	t.Helper()
	peers, err := c.ListPeers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		if p.Name == name {
			return true
		}
	}
	return false
}

// lastFrom is the last message in list with body.
func lastFrom(list []coord.Message, body string) coord.Message {
	var out coord.Message
	for _, m := range list {
		if m.Body == body {
			out = m
		}
	}
	return out
}

// A message to bob@hubB that hubB refuses (here the bridge's token there
// is a viewer's, which may not send) comes back to its sender on A as
// "Not delivered", in the thread, with hubB's reason.
func TestBridgeBouncesWhatTheOtherHubRefuses(t *testing.T) {
	a := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := apiPeer(t, a, "alice"), apiPeer(t, b, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := bob.ListPeers(ctx); err != nil {
		t.Fatal(err)
	}
	startBridgeAs(t, a, b, "bridge", "viewer")
	waitUntil(t, func() bool { return hasPeer(t, ctx, alice, "bob@hubB") }, "bob@hubB listed on A")
	orig, _, err := alice.SendMessage(ctx, coord.Message{To: "bob@hubB", Subject: "review please", Body: "x"})
	if err != nil {
		t.Fatal(err)
	}
	var bounce coord.Message
	for _, m := range waitInbox(t, ctx, alice, func(m coord.Message) bool { return m.From == "bridge" }) {
		if m.From == "bridge" {
			bounce = m
		}
	}
	if bounce.To != "alice" || bounce.Re != orig.ID || bounce.Subject != "Not delivered: review please" ||
		!strings.Contains(bounce.Body, "did not reach hub hubB") || bounce.Origin == nil {
		t.Fatalf("the bounce on A: %+v", bounce)
	}
}
