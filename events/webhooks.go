package events

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/notify"
)

// Limits on what an admin saves as a webhook.
const (
	maxURL  = 2000
	maxName = 100
)

// PrivateHint is what a refused webhook address tells the admin.
const PrivateHint = "an admin may allow webhooks to private addresses and this host with ct serve --allow-private-webhooks"

// WebhookRequest is what an admin asks for: POST /api/v1/webhooks.
type WebhookRequest struct {
	Name  string   `json:"name"`
	URL   string   `json:"url"`
	Types []string `json:"types,omitempty"` // empty: every event type
}

// Webhooks manages outbound webhooks. Addresses are checked when saved
// (an IP address in the URL) and again at every dial (Dial), so a name
// that later resolves to a refused address is still refused.
type Webhooks struct {
	Store        *db.Store
	Dial         notify.DialPolicy
	AllowPrivate bool // --allow-private-webhooks
}

// Create saves a new webhook and returns it with its secret, which is
// shown this once.
func (w Webhooks) Create(by string, in WebhookRequest) (db.Webhook, error) {
	in.Name, in.URL = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL)
	if in.Name == "" {
		in.Name = "webhook"
	}
	if len(in.Name) > maxName {
		return db.Webhook{}, fmt.Errorf("a webhook's name is at most %d characters", maxName)
	}
	if err := w.checkURL(in.URL); err != nil {
		return db.Webhook{}, err
	}
	for _, t := range in.Types {
		if !slices.Contains(Types, t) {
			return db.Webhook{}, fmt.Errorf("types are some of %s (none: every type), not %q", strings.Join(Types, ", "), t)
		}
	}
	hook := db.Webhook{ID: randomHex(6), Name: in.Name, URL: in.URL, Types: in.Types, Secret: "whsec_" + randomHex(24),
		CreatedBy: by, CreatedAt: time.Now().UTC()}
	return hook, w.Store.PutWebhook(hook)
}

// checkURL says what is wrong with a webhook address, or nil.
func (w Webhooks) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || len(raw) > maxURL {
		return fmt.Errorf("the URL must be http:// or https:// with a host, at most %d characters, such as https://example.com/ct-events", maxURL)
	}
	if u.User != nil {
		return errors.New("put no credentials in the URL: verify deliveries with the signature instead")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := w.Dial.Check(ip, w.AllowPrivate, PrivateHint); err != nil {
			return err
		}
	}
	return nil
}

// List returns every webhook without its secret.
func (w Webhooks) List() ([]db.Webhook, error) {
	list, err := w.Store.Webhooks()
	for i := range list {
		list[i].Secret = ""
	}
	return list, err
}

// Delete removes webhook id and its queued deliveries.
func (w Webhooks) Delete(id string) error { return w.Store.DeleteWebhook(id) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
