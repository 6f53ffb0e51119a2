package notify

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// A one-tap link works once, only until it expires, only as signed: a
// changed prompt id, decision or signature, or another hub's secret, is
// refused.
func TestLinkSingleUseAndTamper(t *testing.T) {
	w := newWorld(t)
	k := w.n.Keys()
	now := time.Now()
	tok := k.Sign("prompt-1", "allow", "ann", now)

	l, err := k.Redeem(w.store, tok, now)
	if err != nil || l.Prompt != "prompt-1" || l.Decision != "allow" || l.User != "ann" {
		t.Fatalf("first use = %+v, %v", l, err)
	}
	if _, err := k.Redeem(w.store, tok, now); !errors.Is(err, ErrUsedLink) {
		t.Fatalf("replay = %v, want ErrUsedLink", err)
	}

	fresh := k.Sign("prompt-1", "allow", "ann", now)
	if _, err := k.Redeem(w.store, fresh, now.Add(LinkTTL+time.Second)); !errors.Is(err, ErrExpiredLink) {
		t.Errorf("after %s = %v, want ErrExpiredLink", LinkTTL, err)
	}

	// Rewrite the signed body to name another prompt, or the other decision.
	enc, sig, _ := strings.Cut(k.Sign("prompt-1", "deny", "ann", now), ".")
	body, _ := base64.RawURLEncoding.DecodeString(enc)
	for field, val := range map[string]string{"p": "prompt-2", "d": "allow", "u": "admin"} {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		m[field] = val
		b, _ := json.Marshal(m)
		forged := base64.RawURLEncoding.EncodeToString(b) + "." + sig
		if _, err := k.Redeem(w.store, forged, now); !errors.Is(err, ErrBadLink) {
			t.Errorf("link with %s=%s = %v, want ErrBadLink", field, val, err)
		}
	}
	other := k
	other.LinkSecret = []byte("another hub's secret, 32 bytes!!")
	if _, err := k.Redeem(w.store, other.Sign("prompt-1", "allow", "ann", now), now); !errors.Is(err, ErrBadLink) {
		t.Errorf("another hub's link = %v, want ErrBadLink", err)
	}
	for _, junk := range []string{"", ".", "abc", "abc.def", strings.Repeat("a", 2000)} {
		if _, err := k.Redeem(w.store, junk, now); !errors.Is(err, ErrBadLink) {
			t.Errorf("junk %.20q = %v, want ErrBadLink", junk, err)
		}
	}
}

// Keys survive a restart: subscriptions and links made before still work.
func TestKeysPersist(t *testing.T) {
	w := newWorld(t)
	again, err := LoadKeys(w.store)
	if err != nil {
		t.Fatal(err)
	}
	k := w.n.Keys()
	if again.VAPIDPublic != k.VAPIDPublic || again.VAPIDPrivate != k.VAPIDPrivate || string(again.LinkSecret) != string(k.LinkSecret) {
		t.Error("LoadKeys made new keys over stored ones")
	}
	if _, err := again.Verify(k.Sign("p", "deny", "ann", time.Now()), time.Now()); err != nil {
		t.Errorf("a link from before the restart: %v", err)
	}
}
