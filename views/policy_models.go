package views

// PolicyPage is /admin/policy: the approval rules file and what rules did.
type PolicyPage struct {
	On       bool   // ct serve runs with --policy
	Path     string // the file
	Text     string // what the editor shows (the file in force, or the text just refused)
	Rules    int
	LoadedAt string
	LoadErr  string // the file on disk does not parse; the last good rules stay in force
	Msg, Err string // the result of a save
	Recent   []PolicyDecision
}

// PolicyDecision is one prompt a rule matched.
type PolicyDecision struct {
	PromptID, Node, Tool, Summary, Rule, Outcome, When string
}
