package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Telegram's limits (Bot API): a message's text is 1-4096 characters, a
// callback answer's at most 200, a button's data at most 64 bytes.
const (
	tgMaxText   = 4096
	tgMaxAnswer = 200
	tgMaxData   = 64
)

// tgPoll is how long one getUpdates call waits for an update: long enough
// to be cheap, short enough that a stopped bridge ends quickly.
const tgPoll = 25 * time.Second

// Telegram is a Chat over the Telegram Bot API: one bot, one chat.
type Telegram struct {
	base, token string
	chat        int64
	http        *http.Client
	offset      int64 // the next update_id to ask for; only Next touches it
	poll        time.Duration
}

// NewTelegram makes the bot token's client for the chat with id chat; base
// is the API's address (its documented default, or a test's fake).
func NewTelegram(base, token string, chat int64, hc *http.Client) *Telegram {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Telegram{base: strings.TrimRight(base, "/"), token: token, chat: chat, http: hc, poll: tgPoll}
}

// Name is "telegram".
func (t *Telegram) Name() string { return "telegram" }

// tgUser, tgChat, tgMessage, tgCallback and tgUpdate are the Bot API's
// User, Chat, Message, CallbackQuery and Update (the fields ct reads).
type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

type tgChat struct {
	ID int64 `json:"id"`
}

type tgMessage struct {
	MessageID int64      `json:"message_id"`
	From      *tgUser    `json:"from,omitempty"`
	Chat      tgChat     `json:"chat"`
	Text      string     `json:"text,omitempty"`
	ReplyTo   *tgMessage `json:"reply_to_message,omitempty"`
}

type tgCallback struct {
	ID      string     `json:"id"`
	From    tgUser     `json:"from"`
	Message *tgMessage `json:"message,omitempty"`
	Data    string     `json:"data,omitempty"`
}

type tgUpdate struct {
	UpdateID      int64       `json:"update_id"`
	Message       *tgMessage  `json:"message,omitempty"`
	CallbackQuery *tgCallback `json:"callback_query,omitempty"`
}

type tgButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type tgMarkup struct {
	InlineKeyboard [][]tgButton `json:"inline_keyboard"`
}

// call posts params as JSON to method and decodes the result into out. The
// bot token is in the URL path, so errors never quote the URL.
func (t *Telegram) call(ctx context.Context, timeout time.Duration, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/bot"+t.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram %s: the API address %q is not a URL; set CT_TELEGRAM_API to https://HOST", method, t.base)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error quotes the URL, and so the token
		}
		return fmt.Errorf("telegram %s: %v", method, err)
	}
	defer resp.Body.Close()
	// 8 MiB: 100 updates of 4096 characters each fit many times over.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("telegram %s: HTTP %d with a body that is not the Bot API's JSON; check CT_TELEGRAM_API", method, resp.StatusCode)
	}
	if !r.OK {
		if resp.StatusCode == http.StatusUnauthorized || r.ErrorCode == 401 {
			return fmt.Errorf("telegram %s: the bot token was refused (%s); set CT_TELEGRAM_TOKEN to the token BotFather gave", method, r.Description)
		}
		return &RetryError{Err: fmt.Errorf("telegram %s: %d %s", method, r.ErrorCode, r.Description), After: time.Duration(r.Parameters.RetryAfter) * time.Second}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Result, out)
}

// RetryError is a chat service's refusal that may pass: After, when set,
// is how long the service asked to wait.
type RetryError struct {
	Err   error
	After time.Duration
}

func (e *RetryError) Error() string { return e.Err.Error() }
func (e *RetryError) Unwrap() error { return e.Err }

// Check is getMe: it proves the bot token works before the relay starts.
func (t *Telegram) Check(ctx context.Context) error {
	return t.call(ctx, 10*time.Second, "getMe", map[string]any{}, nil)
}

// Post is sendMessage, with an inline keyboard for the buttons (one row).
func (t *Telegram) Post(ctx context.Context, p Post) (string, error) {
	params := map[string]any{"chat_id": t.chat, "text": clip(p.Text, tgMaxText)}
	if len(p.Buttons) > 0 {
		row := make([]tgButton, 0, len(p.Buttons))
		for _, b := range p.Buttons {
			if len(b.Data) > tgMaxData {
				return "", fmt.Errorf("telegram: button data %q is over %d bytes", b.Data, tgMaxData)
			}
			row = append(row, tgButton{Text: b.Label, CallbackData: b.Data})
		}
		params["reply_markup"] = tgMarkup{InlineKeyboard: [][]tgButton{row}}
	}
	if id, err := strconv.ParseInt(p.ReplyTo, 10, 64); err == nil {
		params["reply_parameters"] = map[string]any{"message_id": id, "allow_sending_without_reply": true}
	}
	var m tgMessage
	if err := t.call(ctx, 10*time.Second, "sendMessage", params, &m); err != nil {
		return "", err
	}
	return strconv.FormatInt(m.MessageID, 10), nil
}

// Edit is editMessageText without reply_markup, which drops the buttons.
func (t *Telegram) Edit(ctx context.Context, ref, text string) error {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: message reference %q is not a message id", ref)
	}
	return t.call(ctx, 10*time.Second, "editMessageText", map[string]any{"chat_id": t.chat, "message_id": id, "text": clip(text, tgMaxText)}, nil)
}

// Answer is answerCallbackQuery: the presser sees text as an alert. A
// typed "allow ID" has no callback: the answer is a reply to it.
func (t *Telegram) Answer(ctx context.Context, press Incoming, text string) error {
	if press.PressID == "" {
		_, err := t.Post(ctx, Post{Text: text, ReplyTo: press.Ref})
		return err
	}
	return t.call(ctx, 10*time.Second, "answerCallbackQuery", map[string]any{"callback_query_id": press.PressID, "text": clip(text, tgMaxAnswer), "show_alert": true}, nil)
}

// Next is one getUpdates long poll from the last offset. Updates from other
// chats (a bot can be added anywhere) and from bots are dropped here, so
// the relay only ever sees the configured chat.
func (t *Telegram) Next(ctx context.Context) ([]Incoming, error) {
	params := map[string]any{"offset": t.offset, "timeout": int(t.poll / time.Second), "allowed_updates": []string{"message", "callback_query"}}
	var ups []tgUpdate
	// The HTTP deadline is the long poll's plus slack for the answer.
	if err := t.call(ctx, t.poll+10*time.Second, "getUpdates", params, &ups); err != nil {
		return nil, err
	}
	var out []Incoming
	for _, u := range ups {
		t.offset = max(t.offset, u.UpdateID+1)
		if in, ok := t.incoming(u); ok {
			out = append(out, in)
		}
	}
	return out, nil
}

// incoming turns an update of the configured chat into an Incoming.
func (t *Telegram) incoming(u tgUpdate) (Incoming, bool) {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.ID != t.chat || m.From == nil || m.From.IsBot || m.Text == "" {
			return Incoming{}, false
		}
		in := Incoming{Ref: strconv.FormatInt(m.MessageID, 10), UserID: strconv.FormatInt(m.From.ID, 10), From: tgName(*m.From), Text: m.Text}
		if m.ReplyTo != nil {
			in.ReplyTo = strconv.FormatInt(m.ReplyTo.MessageID, 10)
		}
		return in, true
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.Message == nil || q.Message.Chat.ID != t.chat || q.Data == "" {
			return Incoming{}, false
		}
		return Incoming{Ref: strconv.FormatInt(q.Message.MessageID, 10), UserID: strconv.FormatInt(q.From.ID, 10), From: tgName(q.From), Press: q.Data, PressID: q.ID}, true
	}
	return Incoming{}, false
}

// tgName is how a Telegram user is named in the hub: "First Last (@user)".
func tgName(u tgUser) string {
	n := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if u.Username != "" {
		n += " (@" + u.Username + ")"
	}
	return n
}

// clip cuts s to at most n characters (runes), ending with "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
