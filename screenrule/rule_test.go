package screenrule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// captured reads a screen captured from a real CLI (testdata) as a View
// with the cursor on its last row.
func captured(t testing.TB, name string) View {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return View{Rows: rows, CursorY: len(rows) - 1}
}

// Each agent's dialog, as its real CLI drew it, is found by its own rule,
// with the command it asks about and the keys its options take.
func TestDialogsCaptured(t *testing.T) {
	for _, tc := range []struct {
		file, rule, command, yes, no string
	}{
		{"claude-dialog.txt", "Claude Code dialog", "echo hello > proof.txt", "1", "\x1b"},
		{"gemini-dialog.txt", "Gemini dialog", "echo gemini-ran > proof.txt", "\r", "\x1b"},
		{"codex-dialog.txt", "Codex dialog", "echo codex-ran > proof.txt", "y", "\x1b"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			m, ok := Find(Defaults(), captured(t, tc.file))
			if !ok {
				t.Fatalf("no rule matched %s", tc.file)
			}
			if m.Rule.Name != tc.rule || m.Command != tc.command || m.Rule.Yes.Keys != tc.yes || m.Rule.No.Keys != tc.no {
				t.Errorf("got rule %q command %q keys %q/%q, want %q %q %q/%q", m.Rule.Name, m.Command,
					m.Rule.Yes.Keys, m.Rule.No.Keys, tc.rule, tc.command, tc.yes, tc.no)
			}
		})
	}
}

// A dialog that scrolled past (the program answered it and went on) or
// whose text is merely quoted in the transcript is not a question.
func TestDialogScrolledPast(t *testing.T) {
	after := captured(t, "gemini-after.txt")
	if m, ok := Find(Defaults(), after); ok {
		t.Errorf("the screen after the dialog matched %q", m.Rule.Name)
	}
	for _, file := range []string{"claude-dialog.txt", "gemini-dialog.txt", "codex-dialog.txt"} {
		v := captured(t, file)
		// The dialog's text, then the program's output and its composer
		// below it: the dialog is history.
		v.Rows = append(v.Rows, "✦ ran it", "", "> Type your message", "", "workspace  sandbox  model", "status")
		v.CursorY = len(v.Rows) - 3
		if m, ok := Find(Defaults(), v); ok {
			t.Errorf("%s with output below matched %q", file, m.Rule.Name)
		}
	}
}

func TestLineQuestions(t *testing.T) {
	for _, tc := range []struct {
		screen []string
		rule   string // "" : none
		yes    string
	}{
		{[]string{"Reading package lists...", "Do you want to continue? [Y/n] "}, "[Y/n]", "y\r"},
		{[]string{"Delete branch? [y/N] "}, "[y/N]", "y\r"},
		{[]string{"Are you sure you want to continue connecting (yes/no/[fingerprint])? "}, "yes/no", "yes\r"},
		{[]string{"Overwrite (y/n)? "}, "(y/n)", "y\r"},
		{[]string{"Installed.", "Press Enter to continue..."}, "Press Enter", "\r"},
		// Answered: the question has output below it.
		{[]string{"Delete branch? [y/N] y", "Deleted branch x.", "$ "}, "", ""},
		{[]string{"Press Enter to continue", "continuing", ""}, "", ""},
		// Mentioned, not asked.
		{[]string{"the [y/N] default is no, so answer y", "$ "}, "", ""},
	} {
		v := View{Rows: tc.screen, CursorY: len(tc.screen) - 1}
		if tc.screen[len(tc.screen)-1] == "" {
			v.CursorY--
		}
		m, ok := Find(Defaults(), v)
		switch {
		case tc.rule == "" && ok:
			t.Errorf("%q matched %q", tc.screen, m.Rule.Name)
		case tc.rule != "" && (!ok || m.Rule.Name != tc.rule || m.Rule.Yes.Keys != tc.yes):
			t.Errorf("%q: got %q (%v) keys %q, want %q keys %q", tc.screen, m.Rule.Name, ok, m.Rule.Yes.Keys, tc.rule, tc.yes)
		}
	}
}

// FuzzFind: any screen is read without a panic; a question found is text
// of the screen; and a dialog with more than its footer's rows below it is
// never found (the scrolled-past guarantee).
func FuzzFind(f *testing.F) {
	for _, file := range []string{"claude-dialog.txt", "gemini-dialog.txt", "codex-dialog.txt", "gemini-after.txt"} {
		b, _ := os.ReadFile(filepath.Join("testdata", file))
		f.Add(string(b), 0)
	}
	f.Add("Continue? [y/N] ", 0)
	f.Fuzz(func(t *testing.T, text string, cursor int) {
		rows := strings.Split(text, "\n")
		v := View{Rows: rows, CursorY: cursor}
		m, ok := Find(Defaults(), v)
		if !ok {
			return
		}
		for _, q := range strings.Split(m.Question, "\n") {
			if !strings.Contains(strings.Map(unboxed, text), q) {
				t.Fatalf("question row %q is not on the screen", q)
			}
		}
		if m.Rule.Rows == 0 {
			return
		}
		more := append(append([]string{}, rows...), "a", "b", "c", "d")
		if m2, ok := Find([]Rule{m.Rule}, View{Rows: more, CursorY: len(more) - 1}); ok && m2.Question == m.Question {
			t.Fatalf("%s still found with rows below it", m.Rule.Name)
		}
	})
}
