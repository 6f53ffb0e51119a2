// Package views owns ct's HTML: templ components and the plain view-model
// structs they take. It imports nothing of ct's own; handlers build the models.
package views

import "time"

// Machine is one workstation in the lobby.
type Machine struct {
	Name     string
	Hostname string
	User     string
	Online   bool
	Sessions []SessionRow
}

// SessionRow is one session in the lobby list.
type SessionRow struct {
	ID           string
	Command      string
	Cwd          string
	Status       string // live | offline | ended
	ExitCode     string
	StartedAt    time.Time
	LastActivity time.Time
}

// Lobby is the lobby page.
type Lobby struct {
	Machines []Machine
	Stream   string // SSE URL for live updates
	Now      time.Time
}

// Session is the session page.
type Session struct {
	ID        string
	Title     string
	Node      string
	Cwd       string
	Status    string
	ExitCode  string
	Skipped   int64
	Dropped   int64
	Cols      int
	Rows      []string // trusted HTML rendered by the screen package
	History   []string // trusted HTML
	Stream    string
	Keys      []Key
	OOB       bool // render the status bar as an out-of-band swap (SSE updates)
}

// Key is one button of the input bar.
type Key struct {
	Label string
	Name  string
}

// ErrorPage is a full-page error.
type ErrorPage struct {
	Status int
	Title  string
	Msg    string
}
