package connect

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/connecttest"
	"github.com/ct-dev/ct/coord"
)

// fakeHub is the hub as the relay sees it: an inbox, a sent list and
// prompts, in memory. changed wakes the long polls.
type fakeHub struct {
	mu       sync.Mutex
	changed  chan struct{}
	inbox    []coord.Message
	read     map[string]bool
	sent     []coord.Message
	pending  []client.Prompt
	decided  []string
	decideFn func(id string) error
	joinErr  error // UpdatePeer's answer; ErrHubAway only once
	joins    int
}

func newFakeHub() *fakeHub {
	return &fakeHub{changed: make(chan struct{}), read: map[string]bool{}}
}

func (h *fakeHub) bump() { close(h.changed); h.changed = make(chan struct{}) }

func (h *fakeHub) UpdatePeer(ctx context.Context, u coord.PeerUpdate) (coord.Peer, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.bump()
	h.joins++
	if h.joinErr != nil {
		err := h.joinErr
		if errors.Is(err, client.ErrHubAway) {
			h.joinErr = nil // away once, then back
		}
		return coord.Peer{}, err
	}
	return coord.Peer{Name: "tg", Kind: *u.Kind, Channel: *u.Channel}, nil
}

func (h *fakeHub) ListMessages(ctx context.Context, f coord.MessageFilter, wait time.Duration) ([]coord.Message, error) {
	for {
		h.mu.Lock()
		var out []coord.Message
		for _, m := range h.inbox {
			if !h.read[m.ID] {
				out = append(out, m)
			}
		}
		ch := h.changed
		h.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (h *fakeHub) ReadMessage(ctx context.Context, id string) (coord.Message, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.bump()
	h.read[id] = true
	return coord.Message{ID: id}, nil
}

func (h *fakeHub) SendMessage(ctx context.Context, m coord.Message) (coord.Message, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.bump()
	h.sent = append(h.sent, m)
	return m, false, nil
}

func (h *fakeHub) Prompts(ctx context.Context, state, session string) ([]client.Prompt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if state == "pending" {
		return append([]client.Prompt(nil), h.pending...), nil
	}
	return nil, nil
}

func (h *fakeHub) DecidePrompt(ctx context.Context, id string, d client.Decision) (client.Prompt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.bump()
	if h.decideFn != nil {
		if err := h.decideFn(id); err != nil {
			return client.Prompt{}, err
		}
	}
	h.decided = append(h.decided, d.Decision+":"+id)
	by := "alice" // as the real hub: the token's maker, or the chat user via the connector
	if d.OnBehalfOf != "" {
		by = d.OnBehalfOf + " via tg"
	}
	return client.Prompt{ID: id, Tool: "Bash", DecidedBy: &by}, nil
}

// waitHub waits on the fake hub's changes for cond.
func (h *fakeHub) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		ok, ch := cond(), h.changed
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("fake hub: %s never happened", what)
		}
	}
}

const chat = -42

// testWriter sends the relay's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func startRelay(t *testing.T, h *fakeHub, opt Options) *connecttest.Telegram {
	t.Helper()
	f := connecttest.NewTelegram("7:tok", chat)
	t.Cleanup(f.Close)
	startRelayOn(t, h, f, opt)
	return f
}

// startRelayOn runs a relay between h and the fake f until the test ends.
func startRelayOn(t *testing.T, h *fakeHub, f *connecttest.Telegram, opt Options) {
	t.Helper()
	tg := NewTelegram(f.URL, f.Token, chat, nil)
	tg.poll = time.Second
	opt.PromptPoll = 20 * time.Millisecond
	opt.Log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(h, tg, opt).Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// "/to PEER text" picks the recipient; other messages go to Options.To.
func TestRelayChatToHub(t *testing.T) {
	h := newFakeHub()
	f := startRelay(t, h, Options{To: "@ops"})
	f.Say(1, "Ann", "/to bob can you look?", 0)
	f.Say(1, "Ann", "all good", 0)
	h.wait(t, "two messages sent", func() bool { return len(h.sent) == 2 })
	if h.sent[0].To != "bob" || h.sent[0].Body != "can you look?" || h.sent[1].To != "@ops" || h.sent[1].Body != "all good" {
		t.Fatalf("sent = %+v", h.sent)
	}
	if !strings.Contains(h.sent[0].Subject, "Ann on telegram") {
		t.Fatalf("subject = %q", h.sent[0].Subject)
	}
}

// Only the listed approvers' presses count; others are told and nothing
// is decided.
func TestRelayApprovers(t *testing.T) {
	h := newFakeHub()
	h.pending = []client.Prompt{{ID: "P1", Node: "box", Tool: "Bash", Input: []byte(`{"command":"make deploy"}`)}}
	f := startRelay(t, h, Options{Approvers: []string{"7"}})
	post := f.WaitSent(t, "the prompt", func(s connecttest.Sent) bool { return len(s.Buttons) == 2 })
	if !strings.Contains(post.Text, "make deploy") || !strings.Contains(post.Text, "box") {
		t.Fatalf("post = %q", post.Text)
	}
	f.Press(8, "Eve", post.MessageID, "ct:allow:P1")
	f.WaitAnswer(t, "a refusal", func(a string) bool { return strings.Contains(a, "not one of this connector's approvers") })
	f.Press(7, "Ann", post.MessageID, "ct:deny:P1")
	h.wait(t, "the approver's deny", func() bool { return len(h.decided) == 1 })
	if h.decided[0] != "deny:P1" {
		t.Fatalf("decided = %v", h.decided)
	}
}

// A refusal by the hub (the token's rights) reaches the presser in the
// hub's words, and the buttons stay.
func TestRelayHubRefusal(t *testing.T) {
	h := newFakeHub()
	h.pending = []client.Prompt{{ID: "P2", Tool: "Bash"}}
	h.decideFn = func(string) error { return &client.APIError{Status: 403, Msg: "viewers cannot answer prompts"} }
	f := startRelay(t, h, Options{})
	post := f.WaitSent(t, "the prompt", func(s connecttest.Sent) bool { return len(s.Buttons) == 2 })
	f.Press(1, "Ann", post.MessageID, "ct:allow:P2")
	f.WaitAnswer(t, "the hub's refusal", func(a string) bool { return a == "The hub refused: viewers cannot answer prompts" })
	if s := f.All()[0]; s.Edited || len(s.Buttons) != 2 {
		t.Fatalf("a refused press changed the post: %+v", s)
	}
}

// A prompt settled elsewhere loses its buttons; AskUserQuestion gets none.
func TestRelayPromptClosedElsewhere(t *testing.T) {
	h := newFakeHub()
	h.pending = []client.Prompt{{ID: "P3", Tool: "Bash"}, {ID: "P4", Tool: "AskUserQuestion"}}
	f := startRelay(t, h, Options{Web: "http://hub"})
	f.WaitSent(t, "the question without buttons", func(s connecttest.Sent) bool {
		return strings.Contains(s.Text, "AskUserQuestion") && len(s.Buttons) == 0 && strings.Contains(s.Text, "http://hub/p/P4")
	})
	post := f.WaitSent(t, "the prompt", func(s connecttest.Sent) bool { return len(s.Buttons) == 2 })
	h.mu.Lock()
	h.pending = nil
	h.mu.Unlock()
	f.WaitSent(t, "the post closed", func(s connecttest.Sent) bool {
		return s.MessageID == post.MessageID && s.Edited && len(s.Buttons) == 0 && strings.HasPrefix(s.Text, "Closed:")
	})
}

// Hub messages reach the chat once, marked read only after; a reply in the
// chat answers the sender in the message's thread.
func TestRelayInboxAndReply(t *testing.T) {
	h := newFakeHub()
	h.inbox = []coord.Message{{ID: "5", From: "carol", To: "tg", Priority: "P1", Type: "question", Body: "ship it?", RequiresResponse: true}}
	f := startRelay(t, h, Options{})
	got := f.WaitSent(t, "the message", func(s connecttest.Sent) bool { return strings.Contains(s.Text, "ship it?") })
	if !strings.Contains(got.Text, "carol → tg [P1] (question)") {
		t.Fatalf("text = %q", got.Text)
	}
	h.wait(t, "marked read", func() bool { return h.read["5"] })
	f.Say(1, "Ann", "yes", got.MessageID)
	h.wait(t, "the reply", func() bool { return len(h.sent) == 1 })
	if h.sent[0].To != "carol" || h.sent[0].Re != "5" {
		t.Fatalf("reply = %+v", h.sent[0])
	}
	if n := len(f.All()); n != 1 {
		t.Fatalf("%d chat posts, want 1 (the message once)", n)
	}
}

// Errors never quote the bot token (it is in the API's URL path), and a
// refused token says which setting to fix.
func TestTelegramErrorsHideToken(t *testing.T) {
	tg := NewTelegram("http://127.0.0.1:1", "99:secret-token", chat, nil)
	err := tg.Check(context.Background())
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v", err)
	}
	f := connecttest.NewTelegram("99:right", chat)
	defer f.Close()
	err = NewTelegram(f.URL, "99:wrong", chat, nil).Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "CT_TELEGRAM_TOKEN") || strings.Contains(err.Error(), "99:wrong") {
		t.Fatalf("err = %v", err)
	}
	var re *RetryError
	if errors.As(err, &re) {
		t.Fatalf("a refused token is not retryable: %v", err)
	}
}

// Updates from another chat and from bots are dropped.
func TestTelegramOtherChatsIgnored(t *testing.T) {
	tg := NewTelegram("http://x", "t", chat, nil)
	other := tgUpdate{UpdateID: 1, Message: &tgMessage{MessageID: 1, From: &tgUser{ID: 1}, Chat: tgChat{ID: chat + 1}, Text: "hi"}}
	bot := tgUpdate{UpdateID: 2, Message: &tgMessage{MessageID: 2, From: &tgUser{ID: 2, IsBot: true}, Chat: tgChat{ID: chat}, Text: "hi"}}
	press := tgUpdate{UpdateID: 3, CallbackQuery: &tgCallback{ID: "c", Data: "ct:allow:X", Message: &tgMessage{Chat: tgChat{ID: chat + 1}}}}
	for _, u := range []tgUpdate{other, bot, press} {
		if in, ok := tg.incoming(u); ok {
			t.Fatalf("update %d taken: %+v", u.UpdateID, in)
		}
	}
	if _, ok := tg.incoming(tgUpdate{Message: &tgMessage{MessageID: 9, From: &tgUser{ID: 3, FirstName: "A"}, Chat: tgChat{ID: chat}, Text: "ok"}}); !ok {
		t.Fatal("the chat's own message was dropped")
	}
	_ = strconv.Itoa
}

// A message the chat refused (flood control) stays unread on the hub and
// is posted once the chat takes it, exactly once.
func TestRelayInboxChatDown(t *testing.T) {
	h := newFakeHub()
	h.inbox = []coord.Message{{ID: "9", From: "carol", To: "tg", Body: "are you there?"}}
	f := connecttest.NewTelegram("7:tok", chat)
	t.Cleanup(f.Close)
	f.FailSends(1)
	startRelayOn(t, h, f, Options{})
	f.WaitSent(t, "the message after the refusal", func(s connecttest.Sent) bool { return strings.Contains(s.Text, "are you there?") })
	h.wait(t, "marked read", func() bool { return h.read["9"] })
	if n := len(f.All()); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
}

// A hub away at start is waited for; a refused token ends the bridge with
// the hub's words.
func TestRelayJoin(t *testing.T) {
	h := newFakeHub()
	h.joinErr = client.ErrHubAway
	f := connecttest.NewTelegram("7:tok", chat)
	t.Cleanup(f.Close)
	r := New(h, NewTelegram(f.URL, f.Token, chat, nil), Options{})
	r.backoff = func(int) time.Duration { return time.Millisecond }
	p, err := r.join(context.Background())
	if err != nil || p.Kind != coord.KindConnector || h.joins != 2 {
		t.Fatalf("join after the hub came back: %+v %v (%d tries)", p, err, h.joins)
	}
	h.joinErr = &client.APIError{Status: 401, Msg: "the token was revoked"}
	if err := New(h, NewTelegram(f.URL, f.Token, chat, nil), Options{}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "the token was revoked") {
		t.Fatalf("refused token: %v", err)
	}
}

// "allow ID" typed in Telegram is a press: decided, answered with a reply
// to the typed message, and the prompt's post edited.
func TestRelayTypedPress(t *testing.T) {
	h := newFakeHub()
	h.pending = []client.Prompt{{ID: "P5", Tool: "Bash"}}
	f := startRelay(t, h, Options{})
	post := f.WaitSent(t, "the prompt", func(s connecttest.Sent) bool { return len(s.Buttons) == 2 })
	f.Say(3, "Lee", "deny everything", 0) // not a prompt shown: a message
	typed := f.Say(3, "Lee", "Allow P5", 0)
	f.WaitSent(t, "the answer as a reply", func(s connecttest.Sent) bool { return s.ReplyTo == typed && s.Text == "Allowed" })
	f.WaitSent(t, "the post edited", func(s connecttest.Sent) bool {
		return s.MessageID == post.MessageID && s.Edited && strings.Contains(s.Text, "Allowed by Lee")
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.decided) != 1 || h.decided[0] != "allow:P5" || len(h.sent) != 1 || h.sent[0].Body != "deny everything" {
		t.Fatalf("decided %v, sent %+v", h.decided, h.sent)
	}
}
