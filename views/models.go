// Package views owns ct's HTML: templ components and the plain view-model
// structs they take. Of ct's own packages it imports only screen, whose Row
// values (styled runs of terminal text) the terminal pane renders; handlers
// build the models.
package views

import (
	"strings"
	"time"

	"github.com/ct-dev/ct/screen"
)

// Machine is one workstation in the lobby.
type Machine struct {
	Name     string
	Hostname string
	User     string
	OS       string
	Version  string
	LastSeen time.Time
	Online   bool
	Sessions []SessionRow
	Launch   *Launch // set when its ct node is connected and the viewer may start sessions there
}

// Launch is what the lobby's "+ New session" form offers for one machine:
// its ct node's own allow-list and roots (the node checks them again).
type Launch struct {
	Allow []string
	Roots []string
}

// AppServerSuffix ends a launch form's command value that asks for Codex
// through its app-server ("codex" + AppServerSuffix); the form's handler
// splits it into the command and wire.ProtocolAppServer.
const AppServerSuffix = ":app-server"

// launchChoice is one option of the launch form's command list.
type launchChoice struct{ Value, Label string }

// launchChoices are the allowed commands, each codex followed by
// "Codex (app-server)": the same program driven through its machine
// protocol instead of its screen.
func launchChoices(allow []string) []launchChoice {
	var out []launchChoice
	for _, c := range allow {
		out = append(out, launchChoice{c, c})
		if base := c[strings.LastIndex(c, "/")+1:]; base == "codex" {
			out = append(out, launchChoice{c + AppServerSuffix, "Codex (app-server)"})
		}
	}
	return out
}

// SessionRow is one session in the lobby list.
type SessionRow struct {
	ID           string
	Number       uint64 // the short number (#42); 0 for none
	Title        string // "" when untitled: the command names it
	Command      string
	Cwd          string
	Status       string // live | offline | ended
	ExitCode     string
	StartedAt    time.Time
	LastActivity time.Time
	State        string // working | waiting_input | waiting_approval | idle | offline | ending | ended
	Viewers      int
	Tail         string // ending: how much output is still to arrive ("1.2 MB")
	Usage        *Usage // the agent's model usage, nil when none
	Agent        string // the adapter its wrap declared (AgentBadge)
}

// Lobby is the lobby page.
type Lobby struct {
	Machines []Machine
	Stream   string // SSE URL for live updates
	Now      time.Time
	Waiting  int // prompts waiting for an answer, across machines
	Overdue  int // of those, the ones past their rule's escalation time
	User     string
	Admin    bool
	Counts   LobbyCounts
	HubURL   string     // this hub's address as the viewer reached it, for the how-to
	Days     []DayUsage // today's usage per person and machine
	// Granted are the machines a person who is not an admin is granted
	// ("*" for all); Admins are who can grant more (for the empty state).
	Granted []string
	Admins  []string
	// Archived counts the archived sessions left out of the list (a link
	// to /archived shows them).
	Archived int
}

// LobbyCounts sum up the fleet at the top of the lobby.
type LobbyCounts struct {
	MachinesOnline, Machines int
	Live, Working, Waiting   int
}

// Session is the session page.
type Session struct {
	ID string
	// Resumable: an ended Claude/Codex session whose conversation the
	// person may go on with on its machine's ct node (Resume, Fork).
	Resumable bool
	// Worktree is the branch of the git worktree ct node made for it;
	// WorktreeNote what archiving did with it.
	Worktree     string
	WorktreeNote string
	Title        string // the page's title: "#42 name @ machine"
	Number       uint64 // the short number (#42); 0 for none
	Name         string // the title, else the command line
	Custom       string // the stored title ("" when untitled), the rename box's value
	NamedBy      string // who set the title: a person, "ct wrap --title" or "first prompt"
	Command      string // the command line
	Node         string
	Cwd          string
	Status       string
	ExitCode     string
	Skipped      int64
	Dropped      int64
	Cols         int
	Rows         []screen.Row // the screen (ScreenRows)
	History      []screen.Row // lines scrolled off it, oldest first (ScreenHistory)
	HistTotal    int          // the number after the last history line (HistNumbers)
	Stream       string
	Keys         []Key
	OOB          bool           // render the status bar as an out-of-band swap (SSE updates)
	Agent        string         // the adapter its wrap declared: claude | codex | plain (AgentBadge)
	TerminalOnly bool           // prompts are answered only at the terminal
	Prompts      []Prompt       // pending prompts, pinned above the screen
	Presence     Presence       // who watches and drives
	AttachMax    int64          // the largest file the composer takes (ct serve --attach-max)
	Alt          bool           // a full-screen app has the alternate screen on
	FitBy        string         // who has the PTY sized to their screen ("" for nobody)
	Usage        *Usage         // the agent's model usage, nil when none
	Tags         []string       // the wrap's labels (ct wrap --tag)
	Commands     []SlashCommand // the agent's slash commands, for the composer's menu (none: no menu)
}

// SlashCommand is one entry of the composer's command menu: tapping it
// fills "/Name " into the prompt.
type SlashCommand struct {
	Name, Description string
	Custom            bool // the project's or the person's own command file
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

// Prompt is a permission prompt as a person reads it.
type Prompt struct {
	ID           string
	SessionID    string
	SessionTitle string
	Node         string
	Tool         string // as the agent names it
	Agent        string // the agent CLI that asks (AgentBadge)
	Title        string // for a person: "Run a command", "Edit a file", ...
	Fields       []Field
	Code         string     // a command or arguments, shown preformatted
	Diff         []DiffLine // for edits and writes
	SessionLabel string     // what "allow for this session" does, exactly
	// Screen: a question on a program's screen (no hooks): the buttons say
	// what they type, and there is no message to send with a deny.
	Screen            bool
	YesLabel, NoLabel string
	CanSession        bool
	Pending           bool
	CanAnswer         bool       // the viewer may answer (member or admin, granted)
	State             string     // pending | allowed | denied | closed
	Outcome           string     // who answered, how, after how long
	Message           string     // a deny message
	Created           string     // relative time
	CreatedAt         string     // absolute time
	From              string     // who asks when it is not the main thread: "the general-purpose agent"
	ChangeLabel       string     // how Claude Code names a file change: "Overwrite file", "Create file", "Edit file"
	Questions         []Question // AskUserQuestion's questions, answered by choosing
	Answers           []Field    // the answers given, once settled
	IsPlan            bool       // ExitPlanMode: approve the plan, or keep planning
	PlanHTML          string     // the plan, rendered from markdown without raw HTML
	PlanChoices       []Choice   // the approvals Claude Code's own plan dialog offers
	// Approval policy: the rule that matched ("" none), what it does
	// ("needs two people", "dry run: would allow"), how far a two-person
	// approval is ("1 of 2 approvals (alice)"), and whether it escalated.
	Rule, RuleNote, Approvals string
	Overdue                   bool
}

// Question is one of AskUserQuestion's questions.
type Question struct {
	Name    string // the form field: q0, q1, ...
	Header  string // Claude's short chip: "Library"
	Text    string
	Multi   bool // several options may be chosen
	Options []Option
}

// Option is one answer a question offers.
type Option struct {
	Label       string
	Description string
}

// Choice is one button of a prompt with more than allow and deny.
type Choice struct {
	Value string // the decision sent
	Label string
}

// Field is one labelled value of a prompt.
type Field struct {
	Label string
	Value string
}

// DiffLine is one line of a unified diff.
type DiffLine struct {
	Kind string // add | del | hunk | ctx
	Text string
}

// Approvals is the approvals page.
type Approvals struct {
	Pending []Prompt
	History []Prompt
	Filter  ApprovalFilter
	Nodes   []string
	Tools   []string
	Stream  string
}

// ApprovalFilter is the history filter form's state.
type ApprovalFilter struct {
	State string
	Node  string
	Tool  string
}

// AuditPage is the admin's view of the audit log.
type AuditPage struct {
	Rows     []AuditRow
	Older    uint64 // seq to page back from; 0 when there is no more
	Verified bool
	Entries  int
	BrokenAt uint64
	Reason   string
}

// AuditRow is one audit entry.
type AuditRow struct {
	Seq                          uint64
	Time, Actor, Action, Subject string
	Addr                         string
}

// UsersPage is the admin's user list.
type UsersPage struct {
	Users    []UserRow
	Machines []string
	Msg, Err string
}

// UserRow is one person.
type UserRow struct {
	Name     string
	Role     string
	Grants   string
	Disabled bool
}

// TokensPage lists tokens and offers to make one.
type TokensPage struct {
	Tokens   []TokenRow
	New      string // a token just created, shown once
	NewName  string
	Admin    bool
	Machines []string
	Err      string
}

// TokenRow is one token.
type TokenRow struct {
	ID, Name, Kind, User, Machine, Role string
	Created, LastUsed, LastAddr         string
	Revoked                             bool
}

// Presence is who watches and who drives a session, as one viewer sees it.
type Presence struct {
	SessionID string
	Viewers   []ViewerRow
	Holder    string // "" when nobody drives
	Requester string
	Typing    string
	Terminal  bool // someone types at the workstation
	Me        string
	CanDrive  bool
	Admin     bool
	Ended     bool // the program has exited: nobody drives any more
	OOB       bool
}

// ViewerRow is one person watching, on one kind of device.
type ViewerRow struct {
	User   string
	Device string
}

// WebhooksPage is the admin's view of outbound webhooks.
type WebhooksPage struct {
	Hooks      []WebhookRow
	Deliveries []DeliveryRow
	Types      []string // event types a webhook may take
	NewName    string   // a webhook just added: its name and secret, shown once
	NewSecret  string
	Err        string
}

// WebhookRow is one outbound webhook (never its secret).
type WebhookRow struct {
	ID, Name, URL, Types, By, Created string
	Counts                            string // "3 delivered, 1 failed, 0 queued" of the log shown
}

// DeliveryRow is one line of the delivery log.
type DeliveryRow struct {
	ID                 uint64
	Hook, Event, State string
	When, Next, Error  string
	Attempts, Status   int
}
