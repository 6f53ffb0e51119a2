package coord

import (
	"net/url"
	"strconv"
)

// The coordination API's request shapes that are not records themselves.
// The hub's handlers decode into these and the client package encodes
// them, so the two ends cannot drift. (Records the API takes as they are —
// Message, Todo, TodoUpdate, Reminder, PeerUpdate — live beside their
// service code.)

// LockRequest is POST /api/v1/locks: acquire, or renew when already held.
type LockRequest struct {
	Name   string `json:"name"`
	TTL    string `json:"ttl"` // a Go duration: "10m"; empty or "0s" means DefaultTTL
	Reason string `json:"reason"`
}

// Values encodes f as the query of GET /api/v1/messages (wait, the
// long-poll, is the handler's own parameter). Zero fields are left out.
func (f MessageFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"box": f.Box, "re": f.Re, "q": f.Query, "after": f.After} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Unread {
		v.Set("unread", "1")
	}
	if f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// MessageFilterFrom decodes the query of GET /api/v1/messages; it is the
// inverse of Values (unread also takes "true").
func MessageFilterFrom(q url.Values) MessageFilter {
	limit, _ := strconv.Atoi(q.Get("limit"))
	return MessageFilter{Box: q.Get("box"), Unread: q.Get("unread") == "1" || q.Get("unread") == "true",
		Re: q.Get("re"), Query: q.Get("q"), After: q.Get("after"), Limit: limit}
}
