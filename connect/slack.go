package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// slackMaxText: Slack truncates a message's text past 40,000 characters;
// ct keeps well under it.
const slackMaxText = 39000

// Slack is a Chat over Slack's Web API: one bot token, one channel, read
// by polling conversations.history and, for threads with new replies,
// conversations.replies (a bridge needs no public address, so
// it cannot take Slack's interactive button calls: approvals are answered
// by typing "allow ID" or "deny ID" in the channel).
type Slack struct {
	base, token, channel string
	http                 *http.Client
	poll                 time.Duration
	self                 string            // the bot's own user id, from auth.test
	oldest               string            // the newest top-level ts seen; only Next touches it
	started              string            // when the bridge started: older replies are not relayed
	threads              map[string]string // thread ts -> the last reply read; only Next touches it

	// mu guards names: users.info answers, cached (Next and Post run in
	// different loops).
	mu    sync.Mutex
	names map[string]string
}

// NewSlack makes the bot token's client for channel (its id, C…); base is
// the Web API's address, poll how often the channel is read.
func NewSlack(base, token, channel string, poll time.Duration, hc *http.Client) *Slack {
	if hc == nil {
		hc = &http.Client{}
	}
	if poll <= 0 {
		poll = 3 * time.Second
	}
	return &Slack{base: strings.TrimRight(base, "/"), token: token, channel: channel, http: hc, poll: poll, names: map[string]string{}}
}

// Name is "slack".
func (s *Slack) Name() string { return "slack" }

// call posts form params to method with the bot token as Bearer and
// decodes the answer into out; {"ok":false} and 429 are errors.
func (s *Slack) call(ctx context.Context, method string, params url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/"+method, strings.NewReader(params.Encode()))
	if err != nil {
		return fmt.Errorf("slack %s: the API address %q is not a URL; set CT_SLACK_API to https://HOST/api", method, s.base)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("slack %s: %v", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &RetryError{Err: fmt.Errorf("slack %s: rate limited", method), After: time.Duration(max(secs, 1)) * time.Second}
	}
	// 8 MiB: a page of 100 messages is far smaller.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	var r struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("slack %s: HTTP %d with a body that is not the Web API's JSON; check CT_SLACK_API", method, resp.StatusCode)
	}
	if !r.OK {
		if slices.Contains([]string{"invalid_auth", "not_authed", "account_inactive", "token_revoked"}, r.Error) {
			return fmt.Errorf("slack %s: the bot token was refused (%s); set CT_SLACK_TOKEN to the app's bot token (xoxb-…)", method, r.Error)
		}
		if r.Error == "channel_not_found" || r.Error == "not_in_channel" {
			return fmt.Errorf("slack %s: %s; set CT_SLACK_CHANNEL to the channel's id (C…) and invite the app to it", method, r.Error)
		}
		return &RetryError{Err: fmt.Errorf("slack %s: %s", method, r.Error)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Check is auth.test; it also learns the bot's own user id, so its own
// posts are not read back as chat messages.
func (s *Slack) Check(ctx context.Context) error {
	var r struct {
		UserID string `json:"user_id"`
	}
	if err := s.call(ctx, "auth.test", url.Values{}, &r); err != nil {
		return err
	}
	s.self = r.UserID
	// Start at now: the channel's history before the bridge is not relayed.
	now := time.Now()
	s.oldest = fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
	s.started = s.oldest
	return nil
}

// Post is chat.postMessage; buttons become the commands to type.
func (s *Slack) Post(ctx context.Context, p Post) (string, error) {
	text := p.Text
	if len(p.Buttons) > 0 {
		var cmds []string
		for _, b := range p.Buttons {
			cmds = append(cmds, "`"+pressCommand(b.Data)+"`")
		}
		text += "\nAnswer here: " + strings.Join(cmds, " or ")
	}
	v := url.Values{"channel": {s.channel}, "text": {clip(text, slackMaxText)}}
	if p.ReplyTo != "" {
		v.Set("thread_ts", p.ReplyTo)
	}
	var r struct {
		TS string `json:"ts"`
	}
	if err := s.call(ctx, "chat.postMessage", v, &r); err != nil {
		return "", err
	}
	return r.TS, nil
}

// Edit is chat.update with new text.
func (s *Slack) Edit(ctx context.Context, ref, text string) error {
	return s.call(ctx, "chat.update", url.Values{"channel": {s.channel}, "ts": {ref}, "text": {clip(text, slackMaxText)}}, nil)
}

// Answer posts text in the thread of the command that asked (Slack has no
// toast for a typed command).
func (s *Slack) Answer(ctx context.Context, press Incoming, text string) error {
	_, err := s.Post(ctx, Post{Text: text, ReplyTo: press.PressID})
	return err
}

type slackMessage struct {
	Type     string `json:"type"`
	Subtype  string `json:"subtype"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	// LatestReply is set on a thread's parent in conversations.history:
	// the ts of its newest reply (replies themselves are not in history).
	LatestReply string `json:"latest_reply"`
}

// Next waits one poll interval, then reads what is new in the channel:
// top-level messages after the last one seen, and the replies in each
// thread whose parent is among the newest 100 and whose latest_reply is
// past what was read of it (conversations.replies, only for those, so a
// quiet channel costs one call a poll). Bots' and the app's own messages
// and edits or joins (subtypes) are dropped. Nothing is kept as read
// unless every call of the poll worked, so a failure loses nothing.
func (s *Slack) Next(ctx context.Context) ([]Incoming, error) {
	select {
	case <-ctx.Done():
		return nil, nil
	case <-time.After(s.poll):
	}
	// No "oldest": the parents of older threads must be seen to learn of
	// their new replies; top-level messages are filtered by ts below.
	var r struct {
		Messages []slackMessage `json:"messages"`
	}
	if err := s.call(ctx, "conversations.history", url.Values{"channel": {s.channel}, "limit": {"100"}}, &r); err != nil {
		return nil, err
	}
	var out []Incoming
	oldest, marks := s.oldest, map[string]string{}
	for _, m := range slices.Backward(r.Messages) {
		if tsAfter(m.TS, oldest) { // a new top-level message, before its replies
			oldest = m.TS
			if in, ok := s.incoming(ctx, m, ""); ok {
				out = append(out, in)
			}
		}
		if m.LatestReply != "" {
			mark := firstOf(s.threads[m.TS], s.started)
			if tsAfter(m.LatestReply, mark) {
				ins, last, err := s.replies(ctx, m.TS, mark)
				if err != nil {
					return nil, err
				}
				out, mark = append(out, ins...), last
			}
			marks[m.TS] = mark
		}
	}
	// Only the threads still in the window are kept: the map is bounded
	// by history's 100.
	s.oldest, s.threads = oldest, marks
	return out, nil
}

// replies reads thread's replies after mark (conversations.replies gives
// the parent first, then the replies oldest first) and returns them with
// the ts of the last one read. 200 a call: more wait for the next poll,
// since latest_reply is still past the mark.
func (s *Slack) replies(ctx context.Context, thread, mark string) ([]Incoming, string, error) {
	var r struct {
		Messages []slackMessage `json:"messages"`
	}
	if err := s.call(ctx, "conversations.replies", url.Values{"channel": {s.channel}, "ts": {thread}, "oldest": {mark}, "limit": {"200"}}, &r); err != nil {
		return nil, mark, err
	}
	var out []Incoming
	for _, m := range r.Messages {
		if m.TS == thread || !tsAfter(m.TS, mark) {
			continue
		}
		mark = m.TS
		if m.Subtype == "thread_broadcast" { // "also send to channel": still a reply
			m.Subtype = ""
		}
		if in, ok := s.incoming(ctx, m, thread); ok {
			out = append(out, in)
		}
	}
	return out, mark, nil
}

// incoming is a person's message as the relay takes it, or false for what
// is not one. A reply (thread set) answers the thread's parent, and its
// Ref and PressID are the parent too: Slack answers in a thread, never to
// one reply.
func (s *Slack) incoming(ctx context.Context, m slackMessage, thread string) (Incoming, bool) {
	if m.Type != "message" || m.Subtype != "" || m.BotID != "" || m.User == "" || m.User == s.self || m.Text == "" {
		return Incoming{}, false
	}
	in := Incoming{Ref: m.TS, UserID: m.User, From: s.name(ctx, m.User), Text: m.Text, PressID: m.TS}
	if thread != "" {
		in.Ref, in.ReplyTo, in.PressID = thread, thread, thread
	}
	return in, true
}

// tsAfter compares two Slack timestamps ("1700000000.000100") exactly:
// seconds, then the fraction (a float64 would round the microseconds).
func tsAfter(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	x, _ := strconv.ParseInt(as, 10, 64)
	y, _ := strconv.ParseInt(bs, 10, 64)
	if x != y {
		return x > y
	}
	return fmt.Sprintf("%-9s", af) > fmt.Sprintf("%-9s", bf)
}

// name is a Slack user's display name (users.info, cached), or their id
// when Slack cannot say.
func (s *Slack) name(ctx context.Context, id string) string {
	s.mu.Lock()
	n, ok := s.names[id]
	s.mu.Unlock()
	if ok {
		return n
	}
	var r struct {
		User struct {
			Name     string `json:"name"`
			RealName string `json:"real_name"`
		} `json:"user"`
	}
	n = id
	if err := s.call(ctx, "users.info", url.Values{"user": {id}}, &r); err == nil {
		n = firstOf(r.User.RealName, r.User.Name, id)
	}
	s.mu.Lock()
	if len(s.names) < 10000 { // bounded: a channel's people, not the world
		s.names[id] = n
	}
	s.mu.Unlock()
	return n
}

// firstOf is the first non-empty string.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
