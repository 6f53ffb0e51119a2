package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
)

// LinkTTL is how long a one-tap link works.
const LinkTTL = 10 * time.Minute

// Errors from Redeem; the HTTP layer maps them to 403 and 410.
var (
	ErrBadLink     = errors.New("this link is not valid (it was changed, or made by another hub)")
	ErrExpiredLink = errors.New("this link has expired; open the prompt to answer it")
	ErrUsedLink    = errors.New("this link was already used; open the prompt to see its answer")
)

// Link is what a one-tap link allows: one decision on one prompt, by one
// person, until it expires, once.
type Link struct {
	Prompt   string `json:"p"`
	Decision string `json:"d"` // allow | deny
	User     string `json:"u"` // the person it was sent to
	Expires  int64  `json:"e"` // unix seconds
	Nonce    string `json:"n"`
}

// linkPrefix separates one-tap links from anything else the secret might
// ever sign.
const linkPrefix = "ct-link-v1."

// Sign makes a link token for l, filling its expiry and nonce.
func (k Keys) Sign(prompt, decision, user string, now time.Time) string {
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	l := Link{Prompt: prompt, Decision: decision, User: user, Expires: now.Add(LinkTTL).Unix(), Nonce: hex.EncodeToString(nonce)}
	body, _ := json.Marshal(l)
	enc := base64.RawURLEncoding.EncodeToString(body)
	return enc + "." + base64.RawURLEncoding.EncodeToString(k.mac(enc))
}

func (k Keys) mac(enc string) []byte {
	m := hmac.New(sha256.New, k.LinkSecret)
	m.Write([]byte(linkPrefix + enc))
	return m.Sum(nil)
}

// Verify checks a token's signature and expiry without using it.
func (k Keys) Verify(token string, now time.Time) (Link, error) {
	var l Link
	enc, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return l, ErrBadLink
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac(enc)) {
		return l, ErrBadLink
	}
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || json.Unmarshal(body, &l) != nil || l.Prompt == "" || l.Nonce == "" ||
		(l.Decision != "allow" && l.Decision != "deny") {
		return l, ErrBadLink
	}
	if now.Unix() > l.Expires {
		return l, ErrExpiredLink
	}
	return l, nil
}

// Redeem verifies token and records its single use in the store. The use
// is recorded before the decision is attempted, so two taps racing each
// other cannot both act.
func (k Keys) Redeem(store *db.Store, token string, now time.Time) (Link, error) {
	l, err := k.Verify(token, now)
	if err != nil {
		return l, err
	}
	if err := store.UseLink(l.Nonce, time.Unix(l.Expires, 0)); err != nil {
		if errors.Is(err, db.ErrUsed) {
			return l, ErrUsedLink
		}
		return l, err
	}
	return l, nil
}
