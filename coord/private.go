package coord

import (
	"strings"

	"github.com/ct-dev/ct/db"
)

// Private spaces (docs/design.md "Private spaces"): every hub user has one,
// for messages and todos that only they and their own agents (the peers
// their login, API tokens and sessions' agent credentials act as, Owner)
// may list, read, search or receive events for. Nobody else sees them, an
// admin included. A private item carries Private = its owner's user name;
// that one field decides who sees it, whatever else it says.

// PrivateMe is the address of the caller's own private space: a message
// to "me", a todo with private "me".
const PrivateMe = "me"

// privatePrefix starts the stored address of a private space
// ("private:alice"); peer names may not start with it.
const privatePrefix = "private:"

// PrivateAddress is the stored To of a message in user's private space.
func PrivateAddress(user string) string { return privatePrefix + user }

// reservedPeerName reports whether name is kept for private spaces: "me"
// (every caller's own space) and private:USER.
func reservedPeerName(name string) bool {
	return strings.EqualFold(name, PrivateMe) || strings.HasPrefix(strings.ToLower(name), privatePrefix)
}

// privateOwner resolves an address a caller owned by owner gives for a
// private space ("me", or private:OWNER) to owner; "" for any other
// address. Another user's space is refused as if it did not exist.
func privateOwner(addr, owner string) (string, error) {
	if !strings.EqualFold(addr, PrivateMe) && !strings.HasPrefix(strings.ToLower(addr), privatePrefix) {
		return "", nil
	}
	if owner == "" {
		return "", errf(Invalid, "only a hub user or their agents have a private space; send to a peer, @group or * instead")
	}
	if !strings.EqualFold(addr, PrivateMe) && !strings.EqualFold(addr, PrivateAddress(owner)) {
		return "", errf(NotFound, "no such private space: private spaces are their owner's only; use \"me\" for yours")
	}
	return owner, nil
}

// ownerOf is the hub user peer acts for ("" for the hub itself or an
// unknown name).
func ownerOf(tx db.CoordTx, peer string) string {
	var p Peer
	if tx.Get(bPeers, []byte(peer), &p) != nil {
		return ""
	}
	return p.Owner
}

// reaches reports whether m reaches the peer with groups acting for owner:
// a private message reaches all of its owner's peers and nobody else.
func reaches(m *Message, peer string, groups []string, owner string) bool {
	if m.Private != "" {
		return owner == m.Private
	}
	return addressedTo(m, peer, groups)
}

// Reaches reports whether m is addressed to v (its inbox).
func (v Viewer) Reaches(m *Message) bool { return reaches(m, v.Peer, v.Groups, v.Owner) }

// privateTo is the user whose private space e belongs to ("" for a
// shared event): only that user's peers may receive it.
func (e *Event) privateTo() string {
	switch {
	case e.Message != nil && e.Message.Private != "":
		return e.Message.Private
	case e.Todo != nil && e.Todo.Private != "":
		return e.Todo.Private
	}
	return ""
}

// canSeeTodo: a shared todo is everyone's; a private one its owner's.
func (v Viewer) canSeeTodo(t *Todo) bool { return t.Private == "" || t.Private == v.Owner }

// TodoAuditLine is the audit log's line for an added todo: its id and
// title, or only its id for a private one (the record, never the words).
func TodoAuditLine(t Todo) string {
	if t.Private != "" {
		return t.ID + " (private of " + t.Private + ")"
	}
	return t.ID + " " + t.Title
}
