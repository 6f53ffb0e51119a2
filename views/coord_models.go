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
	// PrivateTodos are the open todos of the viewer's private space: only
	// they and their own agents see them.
	PrivateTodos []CoordTodo
	States       []CoordState // shared state keys, by key
	CanWrite     bool         // members and admins send, add and finish
	Flash        string
	Agents       []AgentStats // agent peers with usage, most free context first
}

// CoordMsg is one message as the panel shows it.
type CoordMsg struct {
	ID, From, To, Priority, Type, Subject, Body, Re string
	BodyHTML                                        string // trusted: Body rendered from markdown without raw HTML ("": show Body)
	TS                                              time.Time
	NeedsAnswer, Overdue, Unread, Late              bool
	CanAck                                          bool      // addressed to the viewer and waiting for their answer
	C2C                                             *CoordC2C // the C2C fields it has (nil: none)
	Receipt                                         string    // the viewer's own message: "sent", "read", "read by N" ("" otherwise)
}

// CoordC2C is a message's C2C protocol fields as the inbox shows them:
// what the sender claimed beside what the hub knows, where it is about,
// and a reply's solution, commit and test results.
type CoordC2C struct {
	OriginID, ClaimedFrom, Timestamp string // the sender's id, name and time for it
	Citation, CitedID                string // CitedID "": the citation resolved to no message
	Session, File, Error             string
	Line                             int
	Deadline                         string // when an answer is wanted ("" none)
	Escalated                        bool   // the deadline passed unanswered and both sides were told
	Solution, SolutionHTML           string // SolutionHTML trusted as BodyHTML is
	Commit                           string
	Artifacts                        []string
	TestResults                      string // indented JSON
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
