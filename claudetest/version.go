package claudetest

// Version is the Claude Code version package.json pins; Home marks its onboarding and release
// notes as seen so the CLI opens straight at the prompt (an older binary run through
// CT_CLAUDE_BIN sees them as seen too). Bump it with package.json.
const Version = "2.1.332"

// Screen text Claude Code 2.1.330 and 2.1.332 draw, for Tmux.WaitFor. Each was seen on a 120x40 pane.
const (
	// ReadyText is in the footer once the prompt accepts input ("⏸ manual mode on · ? for shortcuts").
	ReadyText = "? for shortcuts"
	// DialogText is the question of the permission dialog; the options follow it.
	DialogText = "Do you want to proceed?"
	// HookAllowedText and HookDeniedText replace the dialog once a PermissionRequest hook decides.
	HookAllowedText = "Allowed by PermissionRequest hook"
	HookDeniedText  = "Denied by PermissionRequest hook"
)
