// Package screenrule finds a question a program asks on its terminal screen:
// a line question at the cursor ("[y/N]", "(yes/no)", "Press Enter to
// continue") or a whole dialog an agent CLI draws (Claude Code's, Codex's,
// Gemini's permission dialogs), and names the exact keys each answer sends.
// The hub uses it for sessions without hooks; an agent's wrap uses it to
// check that a dialog is on screen before it types an answer. It sees only
// screen text: it must not import the hub, the wrap or the terminal emulator.
package screenrule

import (
	"regexp"
	"strings"
)

// Choice is one answer to a question and the exact keys that give it.
type Choice struct {
	Label string // what the program's own screen calls it
	Keys  string // the bytes typed ("" : the question has no such answer)
}

// Rule is one kind of question.
type Rule struct {
	Name string
	// Pattern is matched against the screen's live region. A line rule
	// (Rows 0) sees only the row the cursor waits on, and only when nothing
	// was printed below it. A dialog rule sees the last Rows non-blank rows,
	// box-drawing characters removed and each row trimmed, joined with "\n".
	// A named group "command" is the command the question is about.
	Pattern *regexp.Regexp
	// Rows is how many non-blank rows at the bottom a dialog may span.
	Rows int
	// Below is how many non-blank rows (a footer, a hint) may follow the
	// dialog's last matched row: more, and the dialog scrolled past.
	Below   int
	Yes, No Choice
}

// View is the screen as the rules see it.
type View struct {
	Rows    []string // each row's text, top to bottom
	CursorY int      // the cursor's row
}

// Match is a question found on a screen.
type Match struct {
	Rule     Rule
	Question string // the question's text as on screen
	Command  string // the "command" group ("": none)
}

// Find returns the first rule's question that is live on v.
func Find(rules []Rule, v View) (Match, bool) {
	region := liveRows(v.Rows)
	for _, r := range rules {
		if m, ok := r.find(v, region); ok {
			return m, true
		}
	}
	return Match{}, false
}

// find matches one rule against the screen.
func (r Rule) find(v View, region []string) (Match, bool) {
	if r.Rows == 0 {
		return r.findLine(v)
	}
	if len(region) > r.Rows {
		region = region[len(region)-r.Rows:]
	}
	text := strings.Join(region, "\n")
	loc := r.Pattern.FindStringSubmatchIndex(text)
	if loc == nil {
		return Match{}, false
	}
	// The rows after the match are the footer; more than Below of them
	// means the program has moved on and the dialog is history.
	if after := strings.TrimSpace(text[loc[1]:]); after != "" && strings.Count(after, "\n")+1 > r.Below {
		return Match{}, false
	}
	m := Match{Rule: r, Question: text[loc[0]:loc[1]]}
	if i := r.Pattern.SubexpIndex("command"); i > 0 && loc[2*i] >= 0 {
		m.Command = strings.TrimSpace(text[loc[2*i]:loc[2*i+1]])
	}
	return m, true
}

// findLine matches a line rule: the cursor's row, which must be the last
// non-blank row (a question with output below it was answered).
func (r Rule) findLine(v View) (Match, bool) {
	if v.CursorY < 0 || v.CursorY >= len(v.Rows) {
		return Match{}, false
	}
	for _, below := range v.Rows[v.CursorY+1:] {
		if strings.TrimSpace(below) != "" {
			return Match{}, false
		}
	}
	line := strings.TrimRight(v.Rows[v.CursorY], " ")
	if !r.Pattern.MatchString(line) {
		return Match{}, false
	}
	return Match{Rule: r, Question: line}, true
}

// liveRows is the screen's non-blank rows with box drawing removed and
// each trimmed: what a dialog rule reads.
func liveRows(rows []string) []string {
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		t := strings.TrimSpace(strings.Map(unboxed, row))
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// unboxed drops box-drawing characters (U+2500-U+257F), which TUIs draw
// around dialogs and whose layout varies with the terminal's width.
func unboxed(r rune) rune {
	if r >= 0x2500 && r <= 0x257F {
		return -1
	}
	return r
}
