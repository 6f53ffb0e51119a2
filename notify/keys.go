package notify

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/ct-dev/ct/db"
)

// Settings keys in the store.
const (
	settingVAPIDPrivate = "notify.vapid_private"
	settingVAPIDPublic  = "notify.vapid_public"
	settingLinkSecret   = "notify.link_secret"
	settingVAPIDSubject = "notify.vapid_subject" // optional contact for push services
)

// Keys are the hub's notification secrets, made on first start and kept in
// the store so subscriptions and links survive restarts.
type Keys struct {
	VAPIDPublic  string // base64url; browsers subscribe with it
	VAPIDPrivate string
	LinkSecret   []byte // HMAC key for one-tap links
	Subject      string // VAPID "sub": a mailto: or https: contact
}

// LoadKeys reads the keys, creating any that are missing.
func LoadKeys(store *db.Store) (Keys, error) {
	k := Keys{VAPIDPublic: store.Setting(settingVAPIDPublic), VAPIDPrivate: store.Setting(settingVAPIDPrivate)}
	if k.VAPIDPublic == "" || k.VAPIDPrivate == "" {
		priv, pub, err := webpush.GenerateVAPIDKeys()
		if err != nil {
			return k, fmt.Errorf("generate VAPID keys: %w", err)
		}
		if err := store.SetSetting(settingVAPIDPrivate, priv); err != nil {
			return k, fmt.Errorf("store VAPID keys: %w", err)
		}
		if err := store.SetSetting(settingVAPIDPublic, pub); err != nil {
			return k, fmt.Errorf("store VAPID keys: %w", err)
		}
		k.VAPIDPublic, k.VAPIDPrivate = pub, priv
	}
	secret, err := base64.RawURLEncoding.DecodeString(store.Setting(settingLinkSecret))
	if err != nil || len(secret) < 32 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
		if err := store.SetSetting(settingLinkSecret, base64.RawURLEncoding.EncodeToString(secret)); err != nil {
			return k, fmt.Errorf("store the link secret: %w", err)
		}
	}
	k.LinkSecret = secret
	k.Subject = store.Setting(settingVAPIDSubject)
	if k.Subject == "" {
		k.Subject = "mailto:ct-hub@localhost"
	}
	return k, nil
}
