package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

// Hub is what the relay calls on the hub: *client.Client's methods, under
// the connector's API token.
type Hub interface {
	UpdatePeer(ctx context.Context, u coord.PeerUpdate) (coord.Peer, error)
	ListMessages(ctx context.Context, f coord.MessageFilter, wait time.Duration) ([]coord.Message, error)
	ReadMessage(ctx context.Context, id string) (coord.Message, error)
	SendMessage(ctx context.Context, m coord.Message) (coord.Message, bool, error)
	Prompts(ctx context.Context, state, session string) ([]client.Prompt, error)
	DecidePrompt(ctx context.Context, id string, d client.Decision) (client.Prompt, error)
}

// Options are a relay's settings.
type Options struct {
	To         string        // where chat messages go unless they say otherwise: a peer, @group or *
	Channel    string        // the peer's channel, shown on the Team page: "telegram:CHAT"
	Web        string        // the hub's address, for links to prompts
	Wait       time.Duration // one inbox long poll (the hub caps it at 60 s)
	PromptPoll time.Duration // how often pending approvals are listed
	// Approvers, when not empty, are the chat user ids whose button presses
	// count; anyone else in the chat is told so. Empty: anyone in the chat.
	Approvers []string
	Log       *slog.Logger
}

// maxRefs bounds the chat-message → hub-message map replies are threaded
// by: the last 1,000 relayed messages can be answered with a reply.
const maxRefs = 1000

// Relay joins the hub as a connector peer and relays both ways between its
// inbox and one chat. Its loops share only refs and prompts, under mu.
type Relay struct {
	hub  Hub
	chat Chat
	opt  Options
	peer string

	// mu guards refs, order, posted and deciding: the inbox loop, the chat loop
	// and the prompt loop all touch them.
	mu     sync.Mutex
	refs   map[string]coord.Message // chat ref -> the hub message it shows
	order  []string                 // refs, oldest first, to bound the map
	posted map[string]string        // pending prompt id -> chat ref of its buttons
	// shown are the prompts whose post the chat has been sent, from the
	// moment the post is sent (before its ref is back): a typed "allow ID"
	// can arrive in that gap, and the person saw the post.
	shown    map[string]bool
	deciding map[string]bool // prompt ids whose press is being answered
	backoff  func(int) time.Duration
}

// New makes a relay between hub and chat.
func New(hub Hub, chat Chat, opt Options) *Relay {
	if opt.To == "" {
		opt.To = "*"
	}
	if opt.Wait <= 0 {
		opt.Wait = 30 * time.Second
	}
	if opt.PromptPoll <= 0 {
		opt.PromptPoll = 2 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Relay{hub: hub, chat: chat, opt: opt, refs: map[string]coord.Message{}, posted: map[string]string{}, shown: map[string]bool{}, deciding: map[string]bool{}, backoff: backoff}
}

// Run checks the chat's credentials, joins the hub as a connector peer and
// relays until ctx ends (then it returns nil). A bad credential at start
// is an error that says which setting to fix.
func (r *Relay) Run(ctx context.Context) error {
	if err := r.chat.Check(ctx); err != nil {
		return err
	}
	p, err := r.join(ctx)
	if err != nil || ctx.Err() != nil {
		return err
	}
	r.peer = p.Name
	r.opt.Log.Info("connector joined", "peer", p.Name, "chat", r.chat.Name(), "channel", r.opt.Channel)
	var wg sync.WaitGroup
	// Three loops, each its own goroutine because each waits on its own
	// long poll or timer: the inbox, the chat and the approvals.
	for _, loop := range []func(context.Context) error{r.inboxLoop, r.chatLoop, r.promptLoop} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.forever(ctx, loop)
		}()
	}
	wg.Wait()
	return nil
}

// join says who the peer is (kind connector, its channel). A hub that is
// away is waited for (a bridge may start before its hub); a refusal (a bad
// or revoked token) ends the bridge with the hub's words.
func (r *Relay) join(ctx context.Context) (coord.Peer, error) {
	kind, status := coord.KindConnector, "relaying "+r.chat.Name()
	for fails := 1; ; fails++ {
		p, err := r.hub.UpdatePeer(ctx, coord.PeerUpdate{Kind: &kind, Channel: &r.opt.Channel, Status: &status})
		if err == nil || ctx.Err() != nil {
			return p, nil
		}
		if !errors.Is(err, client.ErrHubAway) {
			return p, fmt.Errorf("joining the hub as a connector peer: %w", err)
		}
		wait := r.backoff(fails)
		r.opt.Log.Warn("hub away; connector waits to join", "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return p, nil
		case <-time.After(wait):
		}
	}
}

// forever runs step until ctx ends, waiting longer after each failure in a
// row (1 s doubling to 30 s, or what the service asked) so an outage of the
// hub or the chat is neither a busy loop nor the end of the bridge.
func (r *Relay) forever(ctx context.Context, step func(context.Context) error) {
	fails := 0
	for ctx.Err() == nil {
		err := step(ctx)
		if err == nil || ctx.Err() != nil {
			fails = 0
			continue
		}
		fails++
		wait := r.backoff(fails)
		var re *RetryError
		if errors.As(err, &re) && re.After > 0 {
			wait = re.After
		}
		r.opt.Log.Warn("connector step failed; retrying", "chat", r.chat.Name(), "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

func backoff(fails int) time.Duration {
	return min(time.Second<<min(fails-1, 5), 30*time.Second)
}

// remember maps a chat ref to the hub message it shows, forgetting the
// oldest beyond maxRefs.
func (r *Relay) remember(ref string, m coord.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refs[ref] = m
	r.order = append(r.order, ref)
	if len(r.order) > maxRefs {
		delete(r.refs, r.order[0])
		r.order = r.order[1:]
	}
}

func (r *Relay) lookup(ref string) (coord.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.refs[ref]
	return m, ok
}

// inboxLoop follows the peer's unread messages with long polls. A message
// is marked read on the hub only after the chat took it, so a bridge that
// stops or a chat that is down loses nothing: the next poll (or start)
// relays what is still unread. last (ids are increasing numbers) keeps a
// message whose mark failed from being posted twice.
func (r *Relay) inboxLoop(ctx context.Context) error {
	var last uint64
	for ctx.Err() == nil {
		list, err := r.hub.ListMessages(ctx, coord.MessageFilter{Unread: true, Limit: 100}, r.opt.Wait)
		if err != nil {
			return err
		}
		for _, m := range list {
			id, _ := strconv.ParseUint(m.ID, 10, 64)
			if id > last {
				ref, err := r.chat.Post(ctx, Post{Text: chatText(m)})
				if err != nil {
					return err
				}
				r.remember(ref, m)
				last = id
			}
			if _, err := r.hub.ReadMessage(ctx, m.ID); err != nil {
				return fmt.Errorf("marking relayed message %s read: %w", m.ID, err)
			}
		}
	}
	return nil
}

// chatText is a hub message as the chat shows it (plain text, no markup a
// service could refuse to parse).
func chatText(m coord.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s", m.From, m.To)
	if m.Priority != "" && m.Priority != "P2" {
		fmt.Fprintf(&b, " [%s]", m.Priority)
	}
	if m.Type != "" && m.Type != "note" {
		fmt.Fprintf(&b, " (%s)", m.Type)
	}
	if m.RequiresResponse {
		b.WriteString(" · needs an answer: reply to this message")
	}
	if m.Subject != "" {
		b.WriteString("\n" + m.Subject)
	}
	if m.Body != "" {
		b.WriteString("\n\n" + m.Body)
	}
	return b.String()
}

// chatLoop takes one batch of what happened in the chat: messages go to
// the hub, presses answer prompts.
func (r *Relay) chatLoop(ctx context.Context) error {
	ins, err := r.chat.Next(ctx)
	if err != nil {
		return err
	}
	for _, in := range ins {
		// Typed "allow ID" is a press only for a prompt the chat was
		// shown; "deny everything" stays a message.
		if data, ok := typedPress(in.Text); ok && in.Press == "" && r.wasShown(data[strings.LastIndex(data, ":")+1:]) {
			in.Press = data
		}
		if in.Press != "" {
			r.press(ctx, in)
			continue
		}
		if err := r.relayToHub(ctx, in); err != nil {
			r.opt.Log.Warn("chat message not relayed", "chat", r.chat.Name(), "error", err)
			_, _ = r.chat.Post(ctx, Post{Text: "ct could not relay this: " + err.Error(), ReplyTo: in.Ref})
		}
	}
	return nil
}

// relayToHub sends one chat message to the hub as the connector peer. A
// reply to a relayed message answers its sender in its thread (a reply to
// a chat message relayed before goes on in that one's hub thread, to its
// addressee); "/to PEER
// text" or "to PEER: text" picks the recipient (Slack keeps a leading "/"
// for its own commands); anything else goes to Options.To. The chat
// user is named in the subject, since the hub's sender is the connector.
func (r *Relay) relayToHub(ctx context.Context, in Incoming) error {
	m := coord.Message{To: r.opt.To, Subject: fmt.Sprintf("%s on %s", in.From, r.chat.Name()), Body: in.Text}
	if orig, ok := r.lookup(in.ReplyTo); in.ReplyTo != "" && ok {
		m.To, m.Re = orig.From, orig.ID
		if orig.From == r.peer { // a chat message this relay sent: the thread goes on to its addressee
			m.To = orig.To
		}
	} else if to, body, ok := addressed(in.Text); ok {
		m.To, m.Body = to, body
	}
	if len(m.Subject) > coord.MaxSubject {
		m.Subject = clip(m.Subject, coord.MaxSubject/4) // runes: at most 4 bytes each
	}
	sent, queued, err := r.hub.SendMessage(ctx, m)
	if err == nil && queued {
		r.opt.Log.Info("hub away: chat message queued in the outbox", "to", m.To)
	}
	if err == nil && !queued && sent.ID != "" && in.Ref != in.ReplyTo {
		// Replies to this chat message (a Slack thread under it) go on in
		// the hub thread it starts.
		if sent.From == "" {
			sent.From = r.peer
		}
		r.remember(in.Ref, sent)
	}
	return err
}

// addressed reads "/to PEER text" or "to PEER: text".
func addressed(text string) (to, body string, ok bool) {
	if rest, found := strings.CutPrefix(text, "/to "); found {
		to, body, _ = strings.Cut(strings.TrimSpace(rest), " ")
		return to, strings.TrimSpace(body), to != ""
	}
	if rest, found := strings.CutPrefix(text, "to "); found {
		to, body, found = strings.Cut(rest, ":")
		if found && to != "" && !strings.ContainsAny(to, " \t\n") {
			return to, strings.TrimSpace(body), true
		}
	}
	return "", "", false
}
