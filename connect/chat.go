// Package connect owns ct connect: bridges that join the hub as a
// connector peer and relay between it and a chat service (Telegram,
// Slack). A Relay is the one loop set: the peer's inbox to the chat, the
// chat's messages to the hub, pending approvals to the chat with buttons
// and button presses to the hub's decision API. Each chat service is a
// small Chat implementation over its documented HTTP API, with its base
// URL configurable so tests use a fake on 127.0.0.1.
//
// It is workstation side: it reaches the hub only through client (the
// API, under the connector's own API token and its rights) and must not
// import hub, handlers, db or views.
package connect

import "context"

// Chat is one chat service, as the relay needs it. Implementations keep
// their own read position (an update offset, a timestamp).
type Chat interface {
	// Name is the service's name: "telegram", "slack".
	Name() string
	// Check proves the credentials work, once at start.
	Check(ctx context.Context) error
	// Post sends p to the chat and returns the chat's reference to it.
	Post(ctx context.Context, p Post) (ref string, err error)
	// Edit replaces the text of a posted message and drops its buttons.
	Edit(ctx context.Context, ref, text string) error
	// Next waits (a long poll, or one poll) for what happened in the
	// chat since the last call: messages and button presses.
	Next(ctx context.Context) ([]Incoming, error)
	// Answer acknowledges a button press with a short text the presser
	// sees (a toast); services without presses do nothing.
	Answer(ctx context.Context, press Incoming, text string) error
}

// Post is a message to the chat: text, optional buttons, optionally as a
// reply to an earlier chat message.
type Post struct {
	Text    string
	Buttons []Button
	ReplyTo string
}

// Button is one inline button: the label shown and the data it returns.
type Button struct {
	Label, Data string
}

// Incoming is one thing that happened in the chat: a message (Text) or a
// button press (Press set to the button's Data).
type Incoming struct {
	Ref     string // the chat's reference to this message (or the pressed one)
	ReplyTo string // the chat message this one answers, if any
	UserID  string // the chat's id of the person
	From    string // their display name
	Text    string
	Press   string // a button's data, for a press
	PressID string // the service's id of the press (to answer it)
}
