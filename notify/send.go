package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/ct-dev/ct/db"
)

// pushTTL is how long a push service keeps an undelivered notification: a
// prompt older than the one-tap links is not worth waking a phone for.
const pushTTL = 600

// Payload is what the service worker receives (static/sw.js reads it).
type Payload struct {
	Tag     string   `json:"tag"`
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	URL     string   `json:"url"`
	Closed  bool     `json:"closed,omitempty"`
	Actions []Action `json:"actions,omitempty"`
}

// Action is a notification button: the service worker POSTs to Link.
type Action struct {
	Action string `json:"action"` // allow | deny
	Title  string `json:"title"`
	Link   string `json:"link"` // /a/{token}
}

// send delivers msg to every channel of person who.
func (n *Notifier) send(who string, msg Message) { n.sendTo(who, msg, true) }

// sendPushOnly delivers msg to Web Push only (withdrawals: ntfy cannot).
func (n *Notifier) sendPushOnly(who string, msg Message) { n.sendTo(who, msg, false) }

func (n *Notifier) sendTo(who string, msg Message, ntfy bool) {
	prefs, err := n.store.NotifyPrefs(who)
	if err != nil {
		n.log.Warn("notify: read settings", "user", who, "error", err)
		return
	}
	pl := Payload{Tag: msg.Tag, Title: msg.Title, Body: msg.Body, URL: msg.URL, Closed: msg.Closed}
	if msg.PromptID != "" && !msg.Closed {
		now := n.now()
		pl.Actions = []Action{
			{Action: "allow", Title: "Approve", Link: "/a/" + n.keys.Sign(msg.PromptID, "allow", who, now)},
			{Action: "deny", Title: "Deny", Link: "/a/" + n.keys.Sign(msg.PromptID, "deny", who, now)},
		}
	}
	for _, sub := range prefs.Subs {
		n.deliver("web push of "+who, func(ctx context.Context) error { return n.webPush(ctx, who, sub, pl) })
	}
	if ntfy && prefs.NtfyURL != "" {
		n.deliver("ntfy of "+who, func(ctx context.Context) error { return n.ntfy(ctx, prefs, pl) })
	}
}

func (n *Notifier) webPush(ctx context.Context, who string, sub db.PushSub, pl Payload) error {
	if msg := n.dial.CheckPushEndpoint(sub.Endpoint); msg != "" {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, msg)
	}
	body, err := json.Marshal(pl)
	if err != nil {
		return err
	}
	urgency := webpush.UrgencyHigh
	if pl.Closed {
		urgency = webpush.UrgencyNormal
	}
	resp, err := webpush.SendNotificationWithContext(ctx, body, &webpush.Subscription{
		Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh},
	}, &webpush.Options{
		HTTPClient: n.push, Subscriber: n.keys.Subject, TTL: pushTTL, Urgency: urgency,
		// Topic: the push service replaces an undelivered message with the same topic.
		Topic:           pl.Tag,
		VAPIDPublicKey:  n.keys.VAPIDPublic,
		VAPIDPrivateKey: n.keys.VAPIDPrivate,
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		// The browser unsubscribed or the subscription expired: forget it.
		_, _ = n.store.UpdateNotifyPrefs(who, func(p *db.NotifyPrefs) error {
			p.Subs = removeSub(p.Subs, sub.Endpoint)
			return nil
		})
		return fmt.Errorf("push service says the subscription is gone (%d); removed it", resp.StatusCode)
	case resp.StatusCode >= 300:
		return fmt.Errorf("push service answered %s", resp.Status)
	}
	return nil
}

func removeSub(subs []db.PushSub, endpoint string) []db.PushSub {
	out := subs[:0:0]
	for _, s := range subs {
		if s.Endpoint != endpoint {
			out = append(out, s)
		}
	}
	return out
}

// ntfy publishes pl to the person's topic with ntfy's headers: Title,
// Click and http Actions that POST the one-tap links.
func (n *Notifier) ntfy(ctx context.Context, prefs db.NotifyPrefs, pl Payload) error {
	base := strings.TrimRight(prefs.BaseURL, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, prefs.NtfyURL, strings.NewReader(pl.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Title", headerText(pl.Title))
	req.Header.Set("Click", base+pl.URL)
	req.Header.Set("Tags", "robot")
	if len(pl.Actions) > 0 {
		req.Header.Set("Priority", "high")
		var acts []string
		for _, a := range pl.Actions {
			acts = append(acts, fmt.Sprintf("http, %s, %s, method=POST, clear=true", a.Title, base+a.Link))
		}
		req.Header.Set("Actions", strings.Join(acts, "; "))
	}
	if prefs.NtfyToken != "" {
		req.Header.Set("Authorization", "Bearer "+prefs.NtfyToken)
	}
	resp, err := n.ntfyC.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("ntfy answered %s", resp.Status)
	}
	return nil
}

// headerText keeps header values ASCII (ntfy decodes RFC 2047 words).
func headerText(s string) string {
	for _, r := range s {
		if r >= 0x80 || r < 0x20 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
