package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const bridgeUsage = `Usage: ct bridge --a URL --b URL --tag T [flags]

Joins two hubs as a peer (default name "bridge") and relays between them:
a message on one hub addressed to NAME@HUB (a peer of the other hub, as
listed there) is sent to NAME on that hub; a message that is broadcast
(to *), to a group, or to the bridge, and carries the tag #T in its
subject or body, is sent on the other hub (to the same group, or to
everyone). Each relay has an origin {hub, id, from}; a reply to a relayed
message goes back to its first sender, in its thread; a NAME@HUB message
the other hub refuses comes back to its sender as "Not delivered". A message that
already has an origin (relayed by any bridge) or that the bridge sent is
never relayed, so nothing echoes or loops. Each hub lists the other's
peers as NAME@HUB with remote: true. Each side needs an API token of a
member (ct token create --name bridge).`

// bridgeSide is one hub of the bridge.
type bridgeSide struct {
	name string // the hub's name as the other side shows it
	c    *client.Client
	last string // the id of the newest message seen
}

// bridgeConfig is ct bridge's settings.
type bridgeConfig struct {
	a, b         bridgeSide
	tag          *regexp.Regexp
	peer         string
	sync, wait   time.Duration
	stderr       io.Writer
	mu           sync.Mutex        // guards relayed: both sides' loops write it
	relayed      map[string]origin // "SIDE/ID" of a message the bridge sent -> where it came from
	relayedOrder []string          // insertion order, to bound relayed
}

// origin is a relayed message's first side, id and sender.
type origin struct {
	side     *bridgeSide
	id, from string
}

// maxRelayed bounds the reply map: replies to older relays are not routed back.
const maxRelayed = 10000

func runBridge(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bridge", bridgeUsage, stdout)
	aURL := fs.String("a", envOr(getenv, "CT_BRIDGE_A", ""), "the first hub's URL (env CT_BRIDGE_A)")
	bURL := fs.String("b", envOr(getenv, "CT_BRIDGE_B", ""), "the second hub's URL (env CT_BRIDGE_B)")
	aTok := fs.String("a-token", envOr(getenv, "CT_BRIDGE_A_TOKEN", ""), "an API token on the first hub (env CT_BRIDGE_A_TOKEN)")
	bTok := fs.String("b-token", envOr(getenv, "CT_BRIDGE_B_TOKEN", ""), "an API token on the second hub (env CT_BRIDGE_B_TOKEN)")
	aName := fs.String("a-name", envOr(getenv, "CT_BRIDGE_A_NAME", ""), "the first hub's name on the second (env CT_BRIDGE_A_NAME; default its host:port)")
	bName := fs.String("b-name", envOr(getenv, "CT_BRIDGE_B_NAME", ""), "the second hub's name on the first (env CT_BRIDGE_B_NAME; default its host:port)")
	tag := fs.String("tag", envOr(getenv, "CT_BRIDGE_TAG", ""), "relay messages tagged #TAG (env CT_BRIDGE_TAG)")
	peer := fs.String("peer", envOr(getenv, "CT_BRIDGE_PEER", "bridge"), "the bridge's peer name on both hubs (env CT_BRIDGE_PEER)")
	syncEvery := fs.Duration("sync", 15*time.Second, "how often each hub is told the other's peers (env CT_BRIDGE_SYNC)")
	if err := durationEnv(getenv, "CT_BRIDGE_SYNC", syncEvery, stderr); err != nil {
		return err
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *aURL == "" || *bURL == "" || *aTok == "" || *bTok == "" || !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`).MatchString(*tag) {
		fmt.Fprintln(stderr, "ct bridge: give --a URL --b URL, a token for each (--a-token, --b-token) and --tag (letters, digits, . _ -); see ct bridge --help")
		return errUsage
	}
	if *syncEvery < time.Second {
		fmt.Fprintln(stderr, "ct bridge: --sync must be at least 1s")
		return errUsage
	}
	cfg := &bridgeConfig{peer: *peer, sync: *syncEvery, wait: 30 * time.Second, stderr: stderr, relayed: map[string]origin{},
		tag: regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_])#` + regexp.QuoteMeta(*tag) + `($|[^A-Za-z0-9_.-])`)}
	side := func(u, tok, name string) bridgeSide {
		if name == "" {
			if pu, err := url.Parse(u); err == nil {
				name = pu.Host
			}
		}
		return bridgeSide{name: name, c: client.New(client.Config{Hub: u, Token: tok, Peer: *peer, Kind: coord.KindConnector})}
	}
	cfg.a, cfg.b = side(*aURL, *aTok, *aName), side(*bURL, *bTok, *bName)
	for _, s := range []*bridgeSide{&cfg.a, &cfg.b} {
		if err := s.start(ctx); err != nil {
			return fmt.Errorf("bridge: hub %s: %w (check its URL and token)", s.name, err)
		}
	}
	fmt.Fprintf(stderr, "ct bridge: relaying #%s between %s and %s as %s\n", *tag, cfg.a.name, cfg.b.name, *peer)
	var wg sync.WaitGroup
	// One relay loop per direction and one peer sync loop: each ends with ctx.
	for _, dir := range [][2]*bridgeSide{{&cfg.a, &cfg.b}, {&cfg.b, &cfg.a}} {
		wg.Add(1)
		go func() { defer wg.Done(); cfg.relayLoop(ctx, dir[0], dir[1]) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); cfg.syncLoop(ctx) }()
	wg.Wait()
	return nil
}

// start identifies the bridge on the hub and remembers its newest message,
// so history from before the bridge started is not relayed.
func (s *bridgeSide) start(ctx context.Context) error {
	list, err := s.c.ListMessages(ctx, coord.MessageFilter{Limit: 1}, 0)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		s.last = list[len(list)-1].ID
	} else {
		s.last = "0"
	}
	return nil
}

// relayLoop long-polls from's inbox and relays what qualifies to to.
func (b *bridgeConfig) relayLoop(ctx context.Context, from, to *bridgeSide) {
	for ctx.Err() == nil {
		list, err := from.c.ListMessages(ctx, coord.MessageFilter{After: from.last, Limit: 100}, b.wait)
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(b.stderr, "ct bridge: reading %s: %v; retrying in 2s\n", from.name, err)
				// A pause before retrying an unreachable hub, ended early by ctx.
				select {
				case <-ctx.Done():
				case <-time.After(2 * time.Second):
				}
			}
			continue
		}
		for _, m := range list {
			from.last = m.ID
			b.relay(ctx, from, to, m)
		}
	}
}

// relay sends m on to when it is a tagged message or a reply to a relay.
func (b *bridgeConfig) relay(ctx context.Context, from, to *bridgeSide, m coord.Message) {
	if m.From == b.peer || m.Origin != nil {
		return // our own relays, or another bridge's: never again (no echo, no loop)
	}
	out := coord.Message{Priority: m.Priority, Type: m.Type, Body: m.Body, Context: m.Context, Artifacts: m.Artifacts,
		RequiresResponse: m.RequiresResponse, Deadline: m.Deadline, Origin: &coord.Origin{Hub: from.name, ID: m.ID, From: m.From}}
	out.Subject = trimSubject("[" + m.From + "@" + from.name + "] " + m.Subject)
	b.mu.Lock()
	parent, isReply := b.relayed[from.name+"/"+m.Re]
	b.mu.Unlock()
	switch {
	case m.Re != "" && isReply && parent.side == to:
		out.To, out.Re = parent.from, parent.id // back to the first sender, in its thread
	case m.Via == b.peer && strings.HasSuffix(m.To, "@"+to.name):
		out.To = strings.TrimSuffix(m.To, "@"+to.name) // bob@hubB on A is bob on B
	case b.tag.MatchString(m.Subject) || b.tag.MatchString(m.Body):
		out.To = m.To
		if m.To == b.peer {
			out.To = "*"
		}
	default:
		return
	}
	sent, _, err := to.c.SendMessage(ctx, out)
	if err != nil {
		fmt.Fprintf(b.stderr, "ct bridge: relaying %s message %s to %s: %v\n", from.name, m.ID, to.name, err)
		if m.Via == b.peer {
			b.bounce(ctx, from, to, m, err)
		}
		return
	}
	b.remember(to.name+"/"+sent.ID, origin{side: from, id: m.ID, from: m.From})
}

// bounce tells the sender of m, addressed to NAME@HUB, that the other hub
// refused it (the peer left since the last announcement, a limit): in its
// thread, with an origin so no bridge relays the notice on.
func (b *bridgeConfig) bounce(ctx context.Context, from, to *bridgeSide, m coord.Message, why error) {
	notice := coord.Message{To: m.From, Re: m.ID, Priority: m.Priority, Subject: trimSubject("Not delivered: " + m.Subject),
		Body:   fmt.Sprintf("Your message #%s to %s did not reach hub %s: %v", m.ID, m.To, to.name, why),
		Origin: &coord.Origin{Hub: to.name, ID: m.ID, From: b.peer}}
	if _, _, err := from.c.SendMessage(ctx, notice); err != nil {
		fmt.Fprintf(b.stderr, "ct bridge: telling %s on %s that message %s was not delivered: %v\n", m.From, from.name, m.ID, err)
	}
}

func (b *bridgeConfig) remember(key string, o origin) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.relayed[key] = o
	b.relayedOrder = append(b.relayedOrder, key)
	if len(b.relayedOrder) > maxRelayed {
		delete(b.relayed, b.relayedOrder[0])
		b.relayedOrder = b.relayedOrder[1:]
	}
}

func trimSubject(s string) string {
	if len(s) <= coord.MaxSubject {
		return s
	}
	return s[:coord.MaxSubject-3] + "..."
}

// syncLoop tells each hub the other's local peers, now and every b.sync.
func (b *bridgeConfig) syncLoop(ctx context.Context) {
	t := time.NewTicker(b.sync) // well inside the hub's 2-minute hold of an announcement
	defer t.Stop()
	for {
		for _, dir := range [][2]*bridgeSide{{&b.a, &b.b}, {&b.b, &b.a}} {
			if err := b.announce(ctx, dir[0], dir[1]); err != nil && ctx.Err() == nil {
				fmt.Fprintf(b.stderr, "ct bridge: telling %s the peers of %s: %v\n", dir[1].name, dir[0].name, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *bridgeConfig) announce(ctx context.Context, from, to *bridgeSide) error {
	peers, err := from.c.ListPeers(ctx)
	if err != nil {
		return err
	}
	local := peers[:0]
	for _, p := range peers {
		if !p.Remote && p.Name != b.peer && !strings.Contains(p.Name, "@") {
			local = append(local, coord.Peer{Name: p.Name, Kind: p.Kind, Status: p.Status, Model: p.Model, Online: p.Online})
		}
	}
	return to.c.SetRemotePeers(ctx, from.name, local)
}
