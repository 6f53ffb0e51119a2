package connecttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// SlackMessage is one message in the fake channel.
type SlackMessage struct {
	TS, ThreadTS, User, BotID, Text string
	Edited                          bool
}

// Slack is a fake Slack Web API for one bot token and one channel: the
// methods ct connect slack calls, form-encoded, with Bearer auth.
type Slack struct {
	URL, Token, Channel string
	BotUser             string // the app's user id (auth.test's user_id)

	srv *httptest.Server
	// mu guards msgs, names, clock and changed (closed and replaced on
	// every change so waiters wake without polling).
	mu      sync.Mutex
	changed chan struct{}
	msgs    []SlackMessage // oldest first
	names   map[string]string
	clock   int64 // the last ts handed out, in microseconds
}

// NewSlack starts the fake; Close stops it.
func NewSlack(token, channel string) *Slack {
	f := &Slack{Token: token, Channel: channel, BotUser: "UBOT", changed: make(chan struct{}), names: map[string]string{}, clock: time.Now().UnixMicro()}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL + "/api"
	return f
}

// Close stops the fake's server.
func (f *Slack) Close() {
	f.srv.CloseClientConnections()
	f.srv.Close()
}

// ts hands out increasing timestamps; f.mu is held.
func (f *Slack) ts() string {
	f.clock = max(f.clock+1, time.Now().UnixMicro())
	return fmt.Sprintf("%d.%06d", f.clock/1e6, f.clock%1e6)
}

func (f *Slack) bump() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Slack) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	answer := func(v map[string]any) { _ = json.NewEncoder(w).Encode(v) }
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		answer(map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	_ = r.ParseForm()
	if ch := r.PostForm.Get("channel"); ch != "" && ch != f.Channel {
		answer(map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/auth.test":
		answer(map[string]any{"ok": true, "user_id": f.BotUser, "bot_id": "BBOT"})
	case "/api/users.info":
		answer(map[string]any{"ok": true, "user": map[string]any{"id": r.PostForm.Get("user"), "name": "u", "real_name": f.names[r.PostForm.Get("user")]}})
	case "/api/chat.postMessage":
		m := SlackMessage{TS: f.ts(), ThreadTS: r.PostForm.Get("thread_ts"), User: f.BotUser, BotID: "BBOT", Text: r.PostForm.Get("text")}
		f.msgs = append(f.msgs, m)
		f.bump()
		answer(map[string]any{"ok": true, "channel": f.Channel, "ts": m.TS})
	case "/api/chat.update":
		i := slices.IndexFunc(f.msgs, func(m SlackMessage) bool { return m.TS == r.PostForm.Get("ts") })
		if i < 0 {
			answer(map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		f.msgs[i].Text, f.msgs[i].Edited = r.PostForm.Get("text"), true
		f.bump()
		answer(map[string]any{"ok": true, "channel": f.Channel, "ts": f.msgs[i].TS})
	case "/api/conversations.history":
		f.history(r.PostForm.Get("oldest"), answer)
	case "/api/conversations.replies":
		f.replies(r.PostForm.Get("ts"), r.PostForm.Get("oldest"), answer)
	default:
		answer(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// history is the channel's top-level messages after oldest, newest first;
// thread replies are not in it (as in Slack), but a thread's parent says
// reply_count and latest_reply. f.mu is held.
func (f *Slack) history(oldest string, answer func(map[string]any)) {
	var out []map[string]any
	for _, m := range slices.Backward(f.msgs) {
		if m.TS <= oldest || (m.ThreadTS != "" && m.ThreadTS != m.TS) {
			continue
		}
		v := f.wire(m)
		if n, latest := f.thread(m.TS); n > 0 {
			v["thread_ts"], v["reply_count"], v["latest_reply"] = m.TS, n, latest
		}
		out = append(out, v)
	}
	answer(map[string]any{"ok": true, "messages": out, "has_more": false})
}

// replies is conversations.replies: the parent, then its replies after
// oldest, oldest first. f.mu is held.
func (f *Slack) replies(ts, oldest string, answer func(map[string]any)) {
	var out []map[string]any
	for _, m := range f.msgs {
		if m.TS == ts || (m.ThreadTS == ts && m.TS > oldest) {
			out = append(out, f.wire(m))
		}
	}
	if len(out) == 0 {
		answer(map[string]any{"ok": false, "error": "thread_not_found"})
		return
	}
	answer(map[string]any{"ok": true, "messages": out, "has_more": false})
}

// thread counts ts's replies and gives the newest one's ts. f.mu is held.
func (f *Slack) thread(ts string) (n int, latest string) {
	for _, m := range f.msgs {
		if m.ThreadTS == ts && m.TS != ts {
			n, latest = n+1, m.TS
		}
	}
	return n, latest
}

// wire is m as the Web API shows it.
func (f *Slack) wire(m SlackMessage) map[string]any {
	v := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User}
	if m.BotID != "" {
		v["bot_id"] = m.BotID
	}
	if m.ThreadTS != "" {
		v["thread_ts"] = m.ThreadTS
	}
	return v
}

// Say posts text in the channel as user (shown as name) and returns its ts.
func (f *Slack) Say(user, name, text string) string {
	return f.Reply(user, name, "", text)
}

// Reply posts text as user (shown as name) in the thread of the message
// thread (a ts; "" posts in the channel) and returns its ts.
func (f *Slack) Reply(user, name, thread, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[user] = name
	m := SlackMessage{TS: f.ts(), ThreadTS: thread, User: user, Text: text}
	f.msgs = append(f.msgs, m)
	f.bump()
	return m.TS
}

// WaitSent waits (on the fake's changes, up to 20 s) for a message of the
// app that cond accepts.
func (f *Slack) WaitSent(t testing.TB, what string, cond func(SlackMessage) bool) SlackMessage {
	t.Helper()
	var hit SlackMessage
	var all []SlackMessage
	if !waitChange(&f.mu, &f.changed, func() bool {
		all = slices.Clone(f.msgs)
		for _, m := range f.msgs {
			if m.User == f.BotUser && cond(m) {
				hit = m
				return true
			}
		}
		return false
	}) {
		t.Fatalf("fake Slack: no message %s; channel: %+v", what, all)
	}
	return hit
}
