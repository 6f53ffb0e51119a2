package connecttest

import (
	"testing"
	"time"
)

func user(id int64, name string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": name}
}

// Say puts a chat message from user id (named name) in the updates;
// replyTo, when not 0, is the bot's message it answers. It returns the
// new message's id.
func (f *Telegram) Say(id int64, name, text string, replyTo int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextMsg++
	m := map[string]any{"message_id": f.nextMsg, "from": user(id, name), "chat": map[string]any{"id": f.Chat, "type": "group"}, "date": time.Now().Unix(), "text": text}
	if replyTo != 0 {
		m["reply_to_message"] = map[string]any{"message_id": replyTo, "chat": map[string]any{"id": f.Chat}, "date": 0}
	}
	f.push(map[string]any{"message": m})
	return f.nextMsg
}

// Press puts a press of a button with data on the bot's message msg, by
// user id, in the updates (a callback_query).
func (f *Telegram) Press(id int64, name string, msg int64, data string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.push(map[string]any{"callback_query": map[string]any{"id": "cb" + time.Now().Format("150405.000000000"), "from": user(id, name),
		"message": map[string]any{"message_id": msg, "chat": map[string]any{"id": f.Chat}, "date": 0}, "chat_instance": "1", "data": data}})
}

// push adds an update; f.mu is held.
func (f *Telegram) push(u map[string]any) {
	u["update_id"] = f.nextUpd
	f.nextUpd++
	f.updates = append(f.updates, u)
	f.bump()
}

// WaitSent waits (on the fake's changes, up to 20 s) for a message the bot
// sent or edited that cond accepts, and returns it.
func (f *Telegram) WaitSent(t testing.TB, what string, cond func(Sent) bool) Sent {
	t.Helper()
	var hit Sent
	if !waitChange(&f.mu, &f.changed, func() bool {
		for _, id := range f.order {
			if s := *f.sent[id]; cond(s) {
				hit = s
				return true
			}
		}
		return false
	}) {
		t.Fatalf("fake Telegram: no sent message %s; sent: %+v", what, f.All())
	}
	return hit
}

// WaitAnswer waits for a callback answer whose text cond accepts.
func (f *Telegram) WaitAnswer(t testing.TB, what string, cond func(string) bool) string {
	t.Helper()
	var hit string
	var got []string
	if !waitChange(&f.mu, &f.changed, func() bool {
		got = append(got[:0], f.answers...)
		for _, a := range f.answers {
			if cond(a) {
				hit = a
				return true
			}
		}
		return false
	}) {
		t.Fatalf("fake Telegram: no callback answer %s; answers: %q", what, got)
	}
	return hit
}

// All is every message the bot sent, as it stands now, oldest first.
func (f *Telegram) All() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Sent, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, *f.sent[id])
	}
	return out
}
