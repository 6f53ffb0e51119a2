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
// becomes a message from peer Owner to To. Only the secret's hash is kept.
type Hook struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Owner      string    `json:"owner"`
	To         string    `json:"to"`
	Type       string    `json:"type,omitempty"`
	Priority   string    `json:"priority,omitempty"`
	SecretHash string    `json:"secret_hash"`
	CreatedAt  time.Time `json:"created_at"`
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
	secret := randomHex(24) // 192 bits: unguessable, so the URL is the credential
	h.ID, h.Owner, h.Type, h.Priority = randomHex(6), owner, probe.Type, probe.Priority
	h.SecretHash, h.CreatedAt = hashSecret(secret), s.clock.Now().UTC()
	err := s.store.CoordUpdate(func(tx db.CoordTx) error { return tx.Put(bHooks, []byte(h.ID), h) })
	return h, secret, err
}

// Hooks lists webhooks (secrets are never kept, only hashes).
func (s *Service) Hooks() ([]Hook, error) {
	var out []Hook
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bHooks, false, func(_, v []byte) (bool, error) {
			var h Hook
			err := json.Unmarshal(v, &h)
			out = append(out, h)
			return err == nil, err
		})
	})
	return out, err
}

// DeliverHook turns body (JSON) posted to hook id with secret into a
// message. A wrong id or secret is NotFound, never telling which.
func (s *Service) DeliverHook(id, secret string, body []byte) (Message, error) {
	var h Hook
	err := s.store.CoordView(func(tx db.CoordTx) error { return tx.Get(bHooks, []byte(id), &h) })
	if err != nil || subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(h.SecretHash)) != 1 {
		return Message{}, errf(NotFound, "no such webhook")
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
