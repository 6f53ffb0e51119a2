package coord

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/db"
)

// Listing and searching messages: what a viewer may see, by box.

// MessageFilter narrows a listing.
type MessageFilter struct {
	Box    string // inbox (default: to me, never private), sent, all (both), hub (all an admin may see), private (my private space)
	Unread bool   // only messages v has not read (inbox)
	Re     string // only replies to this message (a thread), and the message itself
	Query  string // case-insensitive substring of any text field (searchText)
	After  string // only ids greater than this, the oldest first (for polling)
	Limit  int    // at most N (the newest N without After); 0 means 100
}

// Messages lists what v may see matching f, oldest first.
func (s *Service) Messages(v Viewer, f MessageFilter) ([]Message, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var after uint64
	if f.After != "" {
		after, _ = strconv.ParseUint(f.After, 10, 64)
	}
	q := strings.ToLower(f.Query)
	var out []Message
	keep := func(_, val []byte) (bool, error) {
		var m Message
		if err := json.Unmarshal(val, &m); err != nil {
			return false, err
		}
		if v.canSee(&m) && matches(&m, v, f, q) {
			out = append(out, m)
		}
		return len(out) < limit, nil
	}
	err := s.store.CoordView(func(tx db.CoordTx) error {
		if f.After != "" {
			// Polling: the oldest first after the last one seen, so a
			// poller that pages with after= never skips any.
			return tx.EachFrom(bMessages, db.SeqKey(after+1), keep)
		}
		return tx.Each(bMessages, true, keep) // the newest N
	})
	if f.After == "" {
		slices.Reverse(out)
	}
	return out, err
}

// Unread counts what waits for v, up to limit, in one scan: unread
// messages in its inbox and the unread notes in its own private space
// (not the ones it wrote), for the app bar's Inbox badge.
func (s *Service) Unread(v Viewer, limit int) (int, error) {
	inbox := MessageFilter{Box: "inbox", Unread: true}
	priv := MessageFilter{Box: "private", Unread: true}
	n := 0
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bMessages, true, func(_, val []byte) (bool, error) {
			var m Message
			if err := json.Unmarshal(val, &m); err != nil {
				return false, err
			}
			if v.canSee(&m) && (matches(&m, v, inbox, "") || matches(&m, v, priv, "")) {
				n++
			}
			return n < limit, nil
		})
	})
	return n, err
}

func matches(m *Message, v Viewer, f MessageFilter, q string) bool {
	mine := v.Reaches(m)
	switch f.Box {
	case "private":
		if m.Private == "" {
			return false
		}
	case "", "inbox":
		// A private note is not "to" a peer: it stays out of the inbox
		// that connectors and bridges relay (to a channel, another hub)
		// and is read with box private, all or hub.
		if !mine || m.Private != "" || (m.From == v.Peer && m.To != v.Peer) {
			return false
		}
	case "sent":
		if m.From != v.Peer {
			return false
		}
	case "all":
		if !mine && m.From != v.Peer {
			return false
		}
	case "hub": // every message the viewer may see: for admins, the whole hub
	default:
		return false
	}
	// A private note the viewer wrote is never unread to it.
	if f.Unread && (!mine || !m.Receipts[v.Peer].ReadAt.IsZero() || (m.Private != "" && m.From == v.Peer)) {
		return false
	}
	if f.Re != "" && m.Re != f.Re && m.ID != f.Re {
		return false
	}
	if q != "" && !strings.Contains(strings.ToLower(m.searchText()), q) {
		return false
	}
	return true
}
