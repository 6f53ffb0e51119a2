// Package connecttest serves fakes of the chat services ct connect talks
// to (the Telegram Bot API), on 127.0.0.1, for connect's tests and the
// end-to-end tests. Only the documented endpoints and JSON ct uses.
package connecttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Sent is one message the bot sent or edited, as the fake keeps it.
type Sent struct {
	MessageID int64
	Text      string
	Buttons   []Button // the inline keyboard, flattened
	ReplyTo   int64
	Edited    bool
}

// Button is an inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// Telegram is a fake Bot API for one bot token and one chat.
type Telegram struct {
	URL   string // the base to give ct connect (CT_TELEGRAM_API)
	Token string
	Chat  int64

	srv *httptest.Server
	// mu guards everything below; changed is closed and replaced on every
	// change so waiters (getUpdates long polls, tests) wake without polling.
	mu      sync.Mutex
	changed chan struct{}
	updates []map[string]any
	nextUpd int64
	nextMsg int64
	sent    map[int64]*Sent
	order   []int64
	answers []string
	fails   int // sendMessage calls still to refuse with 429 (FailSends)
}

// FailSends makes the next n sendMessage calls fail as Telegram's flood
// control does (429, retry_after 1).
func (f *Telegram) FailSends(n int) {
	f.mu.Lock()
	f.fails = n
	f.mu.Unlock()
}

// NewTelegram starts the fake; Close stops it.
func NewTelegram(token string, chat int64) *Telegram {
	f := &Telegram{Token: token, Chat: chat, changed: make(chan struct{}), nextUpd: 1, nextMsg: 100, sent: map[int64]*Sent{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	return f
}

// Close stops the fake's server, cutting open long polls first (Close
// alone would wait for them).
func (f *Telegram) Close() {
	f.srv.CloseClientConnections()
	f.srv.Close()
}

func (f *Telegram) bump() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, result any) {
	reply(w, 200, map[string]any{"ok": true, "result": result})
}

func (f *Telegram) serve(w http.ResponseWriter, r *http.Request) {
	rest, found := strings.CutPrefix(r.URL.Path, "/bot"+f.Token+"/")
	if !found {
		reply(w, 401, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	var p map[string]any
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&p)
	switch rest {
	case "getMe":
		ok(w, map[string]any{"id": 1, "is_bot": true, "first_name": "ct", "username": "ct_bot"})
	case "getUpdates":
		f.getUpdates(w, r, p)
	case "sendMessage", "editMessageText":
		f.mu.Lock()
		fail := rest == "sendMessage" && f.fails > 0
		if fail {
			f.fails--
		}
		f.mu.Unlock()
		if fail {
			reply(w, 429, map[string]any{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": map[string]any{"retry_after": 1}})
			return
		}
		f.send(w, rest == "editMessageText", p)
	case "answerCallbackQuery":
		f.mu.Lock()
		f.answers = append(f.answers, str(p["text"]))
		f.bump()
		f.mu.Unlock()
		ok(w, true)
	default:
		reply(w, 404, map[string]any{"ok": false, "error_code": 404, "description": "Not Found: method not found"})
	}
}

// getUpdates answers with the updates at or after offset, waiting up to
// timeout seconds for one, as the Bot API's long poll does.
func (f *Telegram) getUpdates(w http.ResponseWriter, r *http.Request, p map[string]any) {
	offset := int64(num(p["offset"]))
	deadline := time.After(time.Duration(num(p["timeout"])) * time.Second)
	for {
		f.mu.Lock()
		var out []map[string]any
		for _, u := range f.updates {
			if int64(num(u["update_id"])) >= offset {
				out = append(out, u)
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if len(out) > 0 {
			ok(w, out)
			return
		}
		select {
		case <-ch:
		case <-deadline:
			ok(w, []any{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (f *Telegram) send(w http.ResponseWriter, edit bool, p map[string]any) {
	if int64(num(p["chat_id"])) != f.Chat {
		reply(w, 400, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"})
		return
	}
	text := str(p["text"])
	if text == "" || len([]rune(text)) > 4096 {
		reply(w, 400, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: message text is empty or too long"})
		return
	}
	var kb struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if m, err := json.Marshal(p["reply_markup"]); err == nil {
		_ = json.Unmarshal(m, &kb)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.bump()
	s := &Sent{Text: text}
	for _, row := range kb.InlineKeyboard {
		s.Buttons = append(s.Buttons, row...)
	}
	if edit {
		id := int64(num(p["message_id"]))
		if f.sent[id] == nil {
			reply(w, 400, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: message to edit not found"})
			return
		}
		s.MessageID, s.Edited, s.ReplyTo = id, true, f.sent[id].ReplyTo
		f.sent[id] = s
	} else {
		f.nextMsg++
		s.MessageID = f.nextMsg
		if rp, okp := p["reply_parameters"].(map[string]any); okp {
			s.ReplyTo = int64(num(rp["message_id"]))
		}
		f.sent[s.MessageID] = s
		f.order = append(f.order, s.MessageID)
	}
	ok(w, map[string]any{"message_id": s.MessageID, "chat": map[string]any{"id": f.Chat}, "text": text, "date": time.Now().Unix()})
}

// num is a JSON number (float64) or one the fake stored itself (int64).
func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	}
	return 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
