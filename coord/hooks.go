package coord

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/ct-dev/ct/db"
)

const bHooks = "coord_hooks"

// Hook is an inbound webhook: POST /hooks/{id}/{secret} with any JSON body
// becomes a message from peer Owner to To. Only the secret's hash is kept,
// and it is never listed. A hook works only while the user who made it is
// enabled and (when made with an API token) that token is not revoked.
type Hook struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Owner      string    `json:"owner"`              // the peer its messages come from
	User       string    `json:"user,omitempty"`     // the hub user who made it
	TokenID    string    `json:"token_id,omitempty"` // the API token it was made with, if any
	To         string    `json:"to"`
	Type       string    `json:"type,omitempty"`
	Priority   string    `json:"priority,omitempty"`
	SecretHash string    `json:"secret_hash,omitempty"` // stored; cleared in everything returned
	CreatedAt  time.Time `json:"created_at"`
	RotatedAt  time.Time `json:"rotated_at,omitzero"`
}

func hashSecret(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AddHook makes a webhook for owner delivering to h.To; it returns the
// hook and its secret, shown this once.
func (s *Service) AddHook(owner string, h Hook) (Hook, string, error) {
	if h.Name == "" {
		h.Name = "webhook"
	}
	probe := Message{To: h.To, Type: h.Type, Priority: h.Priority, Subject: h.Name}
	if err := probe.validate(); err != nil {
		return Hook{}, "", err
	}
	// "me" is the maker's private space, fixed now (private:USER), so a
	// delivery goes there whoever the peer acts for later; another user's
	// space is refused here rather than at every delivery.
	priv, err := privateOwner(h.To, h.User)
	if err != nil {
		return Hook{}, "", err
	}
	if priv != "" {
		h.To = PrivateAddress(priv)
	}
	secret := randomHex(24) // 192 bits: unguessable, so the URL is the credential
	h.ID, h.Owner, h.Type, h.Priority = randomHex(6), owner, probe.Type, probe.Priority
	h.SecretHash, h.CreatedAt = hashSecret(secret), s.clock.Now().UTC()
	err = s.store.CoordUpdate(func(tx db.CoordTx) error { return tx.Put(bHooks, []byte(h.ID), h) })
	h.SecretHash = ""
	return h, secret, err
}

// Hooks lists the webhooks user made, or every one for an admin, without
// their secrets' hashes.
func (s *Service) Hooks(user string, admin bool) ([]Hook, error) {
	var out []Hook
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bHooks, false, func(_, v []byte) (bool, error) {
			var h Hook
			if err := json.Unmarshal(v, &h); err != nil {
				return false, err
			}
			if admin || s.hookUser(tx, h) == user {
				h.SecretHash = ""
				out = append(out, h)
			}
			return true, nil
		})
	})
	return out, err
}

// hookUser is the hub user behind h: recorded since hooks record it, else
// (older hooks) the owner of its peer.
func (s *Service) hookUser(tx db.CoordTx, h Hook) string {
	if h.User != "" {
		return h.User
	}
	var p Peer
	if tx.Get(bPeers, []byte(h.Owner), &p) != nil {
		return ""
	}
	return p.Owner
}

// changeHook applies fn to hook id after checking user made it (or admin).
func (s *Service) changeHook(user, id string, admin bool, fn func(tx db.CoordTx, h *Hook) error) error {
	return s.store.CoordUpdate(func(tx db.CoordTx) error {
		var h Hook
		if tx.Get(bHooks, []byte(id), &h) != nil {
			return errf(NotFound, "no webhook %q; list yours with GET /api/v1/hooks", id)
		}
		if !admin && s.hookUser(tx, h) != user {
			return errf(NotFound, "no webhook %q; list yours with GET /api/v1/hooks", id)
		}
		return fn(tx, &h)
	})
}

// DeleteHook removes webhook id; only the user who made it or an admin may.
func (s *Service) DeleteHook(user, id string, admin bool) error {
	return s.changeHook(user, id, admin, func(tx db.CoordTx, _ *Hook) error { return tx.Delete(bHooks, []byte(id)) })
}

// RotateHook gives webhook id a new secret (the old URL stops working at
// once) and returns the hook and the secret, shown this once.
func (s *Service) RotateHook(user, id string, admin bool) (Hook, string, error) {
	secret := randomHex(24)
	var out Hook
	err := s.changeHook(user, id, admin, func(tx db.CoordTx, h *Hook) error {
		h.SecretHash, h.RotatedAt = hashSecret(secret), s.clock.Now().UTC()
		out = *h
		return tx.Put(bHooks, []byte(id), *h)
	})
	out.SecretHash = ""
	return out, secret, err
}

// hookLive says why h may not deliver now (its user disabled or gone, its
// token revoked), or nil.
func (s *Service) hookLive(h Hook, user string) error {
	u, err := s.store.GetUser(user)
	if user == "" || err != nil || u.Disabled {
		return errf(Forbidden, "webhook %s belongs to a user who is disabled or gone; an admin can re-enable them, or make a new webhook", h.ID)
	}
	if h.TokenID != "" {
		if t, err := s.store.GetToken(h.TokenID); err != nil || t.Revoked {
			return errf(Forbidden, "webhook %s was made with an API token that is revoked; make a new webhook", h.ID)
		}
	}
	return nil
}

// DeliverHook turns body (JSON) posted to hook id with secret into a
// message. A wrong id or secret is NotFound, never telling which.
func (s *Service) DeliverHook(id, secret string, body []byte) (Message, error) {
	var h Hook
	var user string
	err := s.store.CoordView(func(tx db.CoordTx) error {
		if err := tx.Get(bHooks, []byte(id), &h); err != nil {
			return err
		}
		user = s.hookUser(tx, h)
		return nil
	})
	if err != nil || subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(h.SecretHash)) != 1 {
		return Message{}, errf(NotFound, "no such webhook")
	}
	if err := s.hookLive(h, user); err != nil {
		return Message{}, err
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		var anyv any
		if json.Unmarshal(body, &anyv) != nil {
			return Message{}, errf(Invalid, "the body is not JSON: %v", err)
		}
	}
	subject := h.Name
	for _, k := range []string{"subject", "title", "summary", "text"} {
		if s, ok := v[k].(string); ok && s != "" {
			subject = h.Name + ": " + s
			break
		}
	}
	if len(subject) > MaxSubject {
		subject = subject[:MaxSubject]
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Write(body)
	}
	m := Message{To: h.To, Type: h.Type, Priority: h.Priority, Subject: subject,
		Body: "```json\n" + pretty.String() + "\n```", Source: "hook:" + h.ID}
	return s.Send(h.Owner, m)
}
