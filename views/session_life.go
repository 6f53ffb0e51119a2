package views

import "time"

// SessionManage is a session's life page: stop, archive, forget, share.
type SessionManage struct {
	ID         string
	Label      string // "#42 name"
	Node       string
	Status     string // live | offline | ended
	Connected  bool   // its wrap is connected now (it can be stopped)
	Archived   bool
	ArchivedBy string
	CanForget  bool   // an admin, or the owner of its machine
	Interrupt  string // the key that interrupts it: Esc (agents) or Ctrl-C
	Grace      string // SIGTERM to SIGKILL, as text ("10s")
	MaxShare   string // the longest a share link works, as text
	Shares     []ShareRow
	NewLink    string // a share link just made: shown once
	NewUntil   string // when it stops working
}

// ShareRow is one share link on the life page.
type ShareRow struct {
	ID      string
	By      string
	Created time.Time
	Expires time.Time
	State   string // active | expired | revoked by NAME
}

// ArchivedRow is one archived session on the Archived page.
type ArchivedRow struct {
	ID, Label, Node, Status, By string
	At                          time.Time
	CanRestore                  bool
}

// ShareSession is a share link's read-only page of a session.
type ShareSession struct {
	Session Session
	By      string    // who shared it
	Expires time.Time // when the link stops working
	Log     string    // the log download under the share's token
}

// stamp is a time as the life pages show it (UTC, to the minute).
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
