package views

import "time"

// CoordPanel is the lobby's coordination panel: what needs attention,
// held locks, open todos and recent messages, for one viewer.
type CoordPanel struct {
	Me        string // the viewer's peer name
	Attention []CoordMsg
	Messages  []CoordMsg
	Locks     []CoordLock
	Todos     []CoordTodo
	States    []CoordState // shared state keys, by key
	CanWrite  bool         // members and admins send, add and finish
	Flash     string
	Agents    []AgentStats // agent peers with usage, most free context first
}

// CoordMsg is one message as the panel shows it.
type CoordMsg struct {
	ID, From, To, Priority, Type, Subject, Body, Re string
	BodyHTML                                        string // trusted: Body rendered from markdown without raw HTML ("": show Body)
	TS                                              time.Time
	NeedsAnswer, Overdue, Unread, Late              bool
	CanAck                                          bool   // addressed to the viewer and waiting for their answer
	Receipt                                         string // the viewer's own message: "sent", "read", "read by N" ("" otherwise)
}

// CoordLock is one held lock.
type CoordLock struct {
	Name, Holder, Reason string
	Until                time.Time
}

// CoordTodo is one todo.
type CoordTodo struct {
	ID, Title, Assignee, State, CreatedBy string
}

// CoordState is one shared state key as the Team panel shows it: its
// current value, who set it and when, and a few earlier values (newest
// first) behind a tap.
type CoordState struct {
	Key, Value, By string
	At             time.Time
	Version        uint64
	History        []CoordStateValue
}

// CoordStateValue is one earlier value of a state key.
type CoordStateValue struct {
	Value, By string
	At        time.Time
	Version   uint64
}

// ReminderRow is one reminder as the inbox lists it.
type ReminderRow struct {
	ID, Owner, To, Subject, Body string
	Cron                         string // a repeating reminder's schedule
	Next                         string // when it fires next ("" once a one-off has fired)
	Fired                        int
	CanDelete                    bool // the viewer made it (or is an admin)
}
