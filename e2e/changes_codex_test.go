package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/codextest"
)

// codexPatch is the apply_patch the fake model has Codex run: it updates
// one file and adds another.
const codexPatch = "*** Begin Patch\n*** Update File: conf.txt\n@@\n a = 1\n-x = 1\n+x = 9\n z = 3\n*** Add File: notes/new.md\n+# fresh notes\n*** End Patch\n"

// The real Codex CLI applies a patch (apply_patch, run through exec_command
// as Codex 0.171.0 offers it to a model it does not know); on a phone the
// session's Changes tab shows both files with their diffs under the turn's
// prompt, read from Codex's rollout (its FileChange item). The composer
// offers Codex's own built-in slash commands.
func TestChangesTabShowsCodexApplyPatch(t *testing.T) {
	NeedChromium(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startCodex(t, h.URL)
	if err := os.WriteFile(filepath.Join(c.project, "conf.txt"), []byte("a = 1\nx = 1\nz = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.api.SetScript(codextest.ExecThenText(codextest.Reply{Exec: &codextest.Exec{Cmd: "apply_patch <<'EOF'\n" + codexPatch + "EOF\n"}}, codexReply))
	c.term.Type("patch the config")
	c.term.WaitFor("patch the config", codexWait)
	c.term.SendKeys("Enter")
	c.term.WaitFor(codexReply, codexWait)
	if b, err := os.ReadFile(filepath.Join(c.project, "conf.txt")); err != nil || !strings.Contains(string(b), "x = 9") {
		t.Fatalf("Codex did not apply the patch: %q %v; screen:\n%s", b, err, c.term.Capture())
	}
	s := SessionFor(t, h.URL, "codexbox")

	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
	b.Do(t, "tap Changes", chromedp.Tap(chromedp.CSS(`label[for=view-changes]`)))
	b.WaitJS(t, 30*time.Second, "the patch's two files in the Changes tab",
		`(ds => ds.some(d => d.querySelector('header code').textContent === 'conf.txt' && d.textContent.includes('apply_patch') && `+
			`[...d.querySelectorAll('.dl-add')].some(l => l.textContent.includes('+x = 9')) && [...d.querySelectorAll('.dl-del')].some(l => l.textContent.includes('-x = 1'))) && `+
			`ds.some(d => d.querySelector('header code').textContent === 'notes/new.md' && [...d.querySelectorAll('.dl-add')].some(l => l.textContent.includes('+# fresh notes'))))`+
			`([...document.querySelectorAll('#changes .change-turn .file-diff')])`,
		`document.getElementById('changes').innerText`)
	if turn := Eval[string](t, b, `document.querySelector('#changes .change-turn').textContent`); !strings.Contains(turn, "patch the config") {
		t.Errorf("the patch is not under its turn's prompt: %q", turn)
	}
	if cmds := Eval[string](t, b, `[...document.querySelectorAll('#cmd-list .cmd')].map(c => c.dataset.cmd).join(' ')`); !strings.Contains(cmds, "permissions") || strings.Contains(cmds, "shout") {
		t.Errorf("the composer's menu for Codex lists %q; want Codex's built-ins", cmds)
	}
	noSidewaysScroll(t, b, "the Changes tab")
	Eval[bool](t, b, `(document.querySelector('#changes .change-turn').scrollIntoView(), true)`)
	convShot(t, b, "changes-codex-390.png")

	wide := StartBrowser(t, 1280, 800)
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
	wide.Do(t, "click Changes", chromedp.Click(chromedp.CSS(`label[for=view-changes]`)))
	wide.WaitJS(t, 30*time.Second, "the patch's diff", `!!document.querySelector('#changes .file-diff .dl-add')`, `document.body.innerText`)
	convShot(t, wide, "changes-codex-1280.png")
}

// convShot takes a screenshot like shot, and copies it into CT_SHOT_DIR
// when that is set, for a person to look at.
func convShot(t *testing.T, b *Browser, name string) {
	t.Helper()
	shot(t, b, name)
	if dir := os.Getenv("CT_SHOT_DIR"); dir != "" {
		b.Screenshot(t, filepath.Join(dir, name))
	}
}
