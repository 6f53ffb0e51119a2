package screenrule

import "regexp"

// Dialog rules' reach: an agent's permission dialog is at most this many
// non-blank rows (with the command it shows), and at most this many rows of
// footer follow its options. Beyond either, the dialog is not at the live
// bottom of the screen: it scrolled past.
const (
	dialogRows  = 30
	dialogBelow = 3
)

// Claude is Claude Code's permission dialog (2.1.33x): "Do you want to
// proceed?" and its numbered options, the highlighted one marked ❯, the
// last "No"; the footer "Esc to cancel · Tab to amend". Its keys are the
// options' digits.
func Claude() Rule {
	return Rule{
		Name:    "Claude Code dialog",
		Pattern: regexp.MustCompile(`(?:Bash command\n(?:.*\n){0,3}?(?P<command>.+)\n)?Do you want to (?:proceed|make this edit[^\n]*|create [^\n]*)\?\n❯ 1\. Yes(?:\n(?:❯ )?\d\. .*)*\n(?:❯ )?\d\. No\b.*`),
		Rows:    dialogRows, Below: dialogBelow,
		Yes: Choice{Label: "1. Yes", Keys: "1"},
		No:  Choice{Label: "No (Esc)", Keys: "\x1b"},
	}
}

// Codex is Codex CLI's command dialog (0.171.0): "Would you like to run
// the following command?" and options that take a bare y and Esc.
func Codex() Rule {
	return Rule{
		Name:    "Codex dialog",
		Pattern: regexp.MustCompile(`Would you like to run the following command\?\n(?:.*\n){0,12}?(?:\$ (?P<command>.+)\n(?:.*\n){0,12}?)?(?:› )?1\. Yes, proceed \(y\)\n(?:.*\n){0,4}?(?:› )?\d\. No, and tell Codex what to do differently \(esc\)`),
		Rows:    dialogRows, Below: dialogBelow,
		Yes: Choice{Label: "1. Yes, proceed (y)", Keys: "y"},
		No:  Choice{Label: "No, and tell Codex what to do differently (esc)", Keys: "\x1b"},
	}
}

// Gemini is Gemini CLI's tool dialog (0.61.0): "Allow execution of
// [Shell]?" with "● 1. Allow once" highlighted, which Enter takes.
func Gemini() Rule {
	return Rule{
		Name:    "Gemini dialog",
		Pattern: regexp.MustCompile(`(?:\? Shell\s+(?P<command>.+)\n(?:.*\n){0,12}?)?Allow execution of [^\n]*\?\n(?:.*\n){0,4}?● 1\. Allow once\n2\. Allow for this session\n3\. No, suggest changes \(esc\)`),
		Rows:    dialogRows, Below: dialogBelow,
		Yes: Choice{Label: "1. Allow once", Keys: "\r"},
		No:  Choice{Label: "3. No, suggest changes (esc)", Keys: "\x1b"},
	}
}

// Lines are the common questions of command-line tools (apt, package
// managers, installers, git, ssh host keys) at the row the cursor waits on.
func Lines() []Rule {
	yn := func(name, pat string) Rule {
		return Rule{Name: name, Pattern: regexp.MustCompile(pat), Yes: Choice{"y", "y\r"}, No: Choice{"n", "n\r"}}
	}
	return []Rule{
		yn("[Y/n]", `\[Y/n\]\s*\??\s*$`),
		yn("[y/N]", `\[y/N\]\s*\??\s*$`),
		// "(yes/no)" before "(y/n)", whose pattern also matches it: such a
		// question wants the word, not the letter.
		{Name: "yes/no", Pattern: regexp.MustCompile(`(?i)\(yes/no(/\[fingerprint\])?\)\s*\??\s*$`), Yes: Choice{"yes", "yes\r"}, No: Choice{"no", "no\r"}},
		yn("(y/n)", `(?i)[(\[]y(es)?/no?[)\]]\s*[?:]?\s*$`),
		// Only one answer: there is nothing to deny.
		{Name: "Press Enter", Pattern: regexp.MustCompile(`(?i)press (enter|return) to continue\W*$`), Yes: Choice{"Enter", "\r"}},
	}
}

// Defaults are the rules the hub applies to a session without hooks:
// the agents' dialogs first (their text is specific), then line questions.
// Each call returns new values, so no caller can change another's rules.
func Defaults() []Rule {
	return append([]Rule{Claude(), Codex(), Gemini()}, Lines()...)
}
