package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// commitAll makes dir a git repository with files committed.
func commitAll(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "start"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// Real Claude Code edits a file in a git repository; on a phone the
// session's Changes tab shows that Edit's diff (from Claude's transcript),
// a tapped line fills the input with "file:line: ", and the working tree's
// git status and diff, read through the wrap, show both that edit and a
// huge change made outside Claude, capped at --git-diff-max with a note.
func TestChangesTabShowsEditAndGitDiff(t *testing.T) {
	NeedChromium(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--git-diff-max", "65536")
	c := startClaude(t, h.URL)
	commitAll(t, c.project, map[string]string{"conf.txt": "a = 1\nx = 1\nz = 3\n", "zz-big.txt": "small\n"})
	var big strings.Builder
	for i := range 8000 {
		big.WriteString("a long generated line of the big file, number ")
		big.WriteString(strings.Repeat("x", i%40))
		big.WriteString("\n")
	}
	if err := os.WriteFile(filepath.Join(c.project, "zz-big.txt"), []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(c.project, "conf.txt")
	c.api.SetScript(func(req *claudetest.MessagesRequest) claudetest.Reply {
		switch req.Turns() {
		case 0:
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Read", Input: map[string]any{"file_path": f}}}
		case 1:
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Edit", Input: map[string]any{"file_path": f, "old_string": "x = 1", "new_string": "x = 9"}}}
		}
		return claudetest.TextReply(replyText)
	})
	c.ask()
	p := approveTool(t, h.URL, "Edit")
	c.term.WaitFor(replyText, claudeWait)

	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+p.SessionID))
	b.Do(t, "tap Changes", chromedp.Tap(chromedp.CSS(`label[for=view-changes]`)))
	b.WaitJS(t, 30*time.Second, "the Edit's diff in the Changes tab",
		`[...document.querySelectorAll('#changes .file-diff')].some(d => d.querySelector('header code').textContent === 'conf.txt' && `+
			`[...d.querySelectorAll('.dl-add')].some(l => l.textContent.includes('+x = 9')) && [...d.querySelectorAll('.dl-del')].some(l => l.textContent.includes('-x = 1')))`,
		`document.getElementById('changes').innerText`)
	noSidewaysScroll(t, b, "the Changes tab")
	Eval[bool](t, b, `(document.querySelector('#changes .change-turn').scrollIntoView(), true)`)
	shot(t, b, "changes-edit-390.png")

	b.Do(t, "tap the added line", chromedp.Tap(chromedp.CSS(`#changes .file-diff .dl-add`)))
	b.Do(t, "tap Comment as prompt", chromedp.Tap(chromedp.CSS(`#changes .dl-comment`)))
	if v := Eval[string](t, b, `document.querySelector('#input-form [name=text]').value`); v != "conf.txt:2: " {
		t.Fatalf("the input holds %q after Comment as prompt; want %q", v, "conf.txt:2: ")
	}

	b.Do(t, "read the working tree", chromedp.Tap(chromedp.CSS(`#git-read`)))
	b.WaitJS(t, 30*time.Second, "git status and diff",
		`!!document.getElementById('git-view') && document.querySelector('#git-view .git-status').textContent.includes(' M conf.txt') && `+
			`document.querySelector('#git-view .git-status').textContent.includes(' M zz-big.txt') && `+
			`[...document.querySelectorAll('#git-view .file-diff')].some(d => d.querySelector('header code').textContent === 'conf.txt' && d.textContent.includes('+x = 9'))`,
		`document.getElementById('git-state').innerText`)
	note := Eval[string](t, b, `(document.getElementById('git-note') || {}).textContent || ''`)
	if !strings.Contains(note, "only its first 63 KB are shown") || !strings.Contains(note, "--git-diff-max") {
		t.Fatalf("the capped diff's note is %q", note)
	}
	if n := Eval[int](t, b, `[...document.querySelectorAll('#git-view .dl')].map(l => l.textContent.length + 1).reduce((a, b) => a + b, 0)`); n > 70000 {
		t.Fatalf("the page shows %d bytes of diff lines; the cap is 65536", n)
	}
	if n := Eval[int](t, b, `document.querySelectorAll('#git-view details.hunk:not([open])').length`); n == 0 {
		t.Fatal("the big file's long hunk is not collapsed")
	}
	noSidewaysScroll(t, b, "the working tree's diff")
	Eval[bool](t, b, `(document.getElementById('git-view').scrollIntoView(), true)`)
	shot(t, b, "changes-git-390.png")

	wide := StartBrowser(t, 1280, 800)
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+p.SessionID))
	wide.Do(t, "click Changes", chromedp.Click(chromedp.CSS(`label[for=view-changes]`)))
	wide.WaitJS(t, 30*time.Second, "the Edit's diff", `!!document.querySelector('#changes .file-diff .dl-add')`, `document.body.innerText`)
	wide.Do(t, "read the working tree", chromedp.Click(chromedp.CSS(`#git-read`)))
	wide.WaitJS(t, 30*time.Second, "git diff", `!!document.getElementById('git-view')`, `document.body.innerText`)
	shot(t, wide, "changes-1280.png")
}

// noSidewaysScroll fails when the page scrolls sideways.
func noSidewaysScroll(t *testing.T, b *Browser, what string) {
	t.Helper()
	if w := Eval[float64](t, b, `document.documentElement.scrollWidth - window.innerWidth`); w > 1 {
		t.Errorf("%s widens the page by %v px", what, w)
	}
}

// shot takes a screenshot into the test's directory (and docs/screenshots
// with CT_UPDATE_SCREENSHOTS=1).
func shot(t *testing.T, b *Browser, name string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	b.Screenshot(t, path)
	KeepScreenshot(t, path, name)
}

// approveTool waits for a pending prompt of tool and allows it over the API.
func approveTool(t *testing.T, hubURL, tool string) apiPrompt {
	t.Helper()
	var p apiPrompt
	WaitFor(t, claudeWait, "a pending "+tool+" prompt", func() bool {
		for _, q := range prompts(hubURL, "?state=pending") {
			if q.Tool == tool {
				p = q
				return true
			}
		}
		return false
	})
	if code, body := PostJSON(hubURL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("approve %s: %d %s", tool, code, body)
	}
	return p
}
