package events

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// Headers of a webhook delivery (docs/api.md, "Outbound webhooks").
const (
	HeaderSignature = "X-Ct-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	HeaderTimestamp = "X-Ct-Timestamp" // unix seconds when this attempt was signed
	HeaderEvent     = "X-Ct-Event"     // the event type
	HeaderDelivery  = "X-Ct-Delivery"  // the delivery id: the same on every retry
)

// MaxSkew is how old a signed timestamp a receiver should accept; Verify
// refuses older (or later) ones, so a captured request cannot be replayed
// after it.
const MaxSkew = 5 * time.Minute

// Sign returns the signature header value for body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery as a receiver should: the signature matches
// (compared in constant time) and the timestamp is within MaxSkew of now.
func Verify(secret, signature, timestamp string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("the " + HeaderTimestamp + " header is not unix seconds")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return errors.New("the timestamp is more than 5 minutes from now: a replay, or a clock to fix")
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return errors.New("the signature does not match: wrong secret, or the body was changed")
	}
	return nil
}
