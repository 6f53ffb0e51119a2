package views

// Changes is the session page's "Changes" tab: the files the agent's file
// tools changed, for the whole session and turn by turn.
type Changes struct {
	SessionID string
	Files     []ChangedFile // the whole session: each file once, its edits summed
	Turns     []ChangeTurn  // newest first
}

// ChangedFile is one file's edits summed over the session.
type ChangedFile struct {
	Path           string
	Edits          int
	Added, Removed int
}

// ChangeTurn is one turn (from a person's prompt to the next) and the file
// diffs its tool calls made.
type ChangeTurn struct {
	Prompt string // the prompt that started it, shortened ("" before the first)
	Time   string
	Diffs  []FileDiff
}

// FileDiff is one file's unified diff, split into hunks.
type FileDiff struct {
	Path           string
	Label          string // what happened: "Edit", "Write", "modified" …
	Added, Removed int
	Hunks          []Hunk
	Note           string // e.g. "Binary file", or a cut diff's note
}

// Hunk is one @@ section; a long one starts collapsed.
type Hunk struct {
	Header    string
	Lines     []ChangeLine
	Collapsed bool
}

// ChangeLine is one line of a hunk. Kind is add | del | ctx | note; Line is
// its number in the file after the change (the old file's, for a removed
// line), 0 for a note.
type ChangeLine struct {
	Kind string
	Text string
	Line int
}

// GitView is the working tree as the workstation's git sees it.
type GitView struct {
	Dir    string
	Branch string
	Status []string // porcelain lines, the branch line left out
	Diffs  []FileDiff
	Note   string // the size cap's note, or why nothing could be read
	Error  bool
}

func diffMark(kind string) string {
	switch kind {
	case "add":
		return "+"
	case "del":
		return "-"
	}
	return " "
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

func turnTitle(prompt string) string {
	if prompt == "" {
		return "Before the first prompt"
	}
	return "“" + prompt + "”"
}
