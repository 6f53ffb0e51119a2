package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// shoutMark is in the custom command's body only: the fake API sees it
// when Claude Code ran the command, not when it got the text typed.
const shoutMark = "CUSTOM-COMMAND-EXPANDED-7731"

// A project's custom command (.claude/commands/shout.md) shows in the
// composer's Commands menu on a phone with its description, beside the
// pinned Claude Code's built-ins; tapping it fills "/shout " into the
// prompt without sending, and sent, it reaches the real Claude Code as
// that command: the fake API receives the command file's expanded body.
func TestBrowserComposerSlashCommands(t *testing.T) {
	NeedChromium(t)
	project := t.TempDir()
	cmdDir := filepath.Join(project, ".claude", "commands")
	if err := os.MkdirAll(cmdDir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "---\ndescription: Shout the words back\n---\nRepeat $ARGUMENTS in capitals. " + shoutMark + "\n"
	if err := os.WriteFile(filepath.Join(cmdDir, "shout.md"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaudeIn(t, h.URL, project, claudetest.ReadyText)
	c.api.SetScript(func(*claudetest.MessagesRequest) claudetest.Reply { return claudetest.TextReply("SHOUTED") })
	s := SessionFor(t, h.URL, "claudebox")

	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	openComposer(t, b, h.URL, s.ID)
	b.Do(t, "open Commands", chromedp.Tap(chromedp.CSS(`#cmd-menu > summary`)))
	b.WaitJS(t, 5*time.Second, "the custom command and the built-ins in the menu",
		`(l => l.innerText.includes('/shout') && l.innerText.includes('Shout the words back') && l.innerText.includes('/compact') && getComputedStyle(l).display !== 'none')(document.getElementById('cmd-list'))`,
		`document.getElementById('composer-box').innerHTML`)
	if first := Eval[string](t, b, `document.querySelector('#cmd-list .cmd').dataset.cmd`); first != "shout" {
		t.Errorf("the menu starts with %q; the project's own commands come first", first)
	}
	if h := Eval[float64](t, b, `document.querySelector('#cmd-list .cmd').getBoundingClientRect().height`); h < 44 {
		t.Errorf("a command is %v px tall; a tap target needs 44", h)
	}
	noSidewaysScroll(t, b, "the command menu")
	convShot(t, b, "composer-commands-390.png")

	b.Do(t, "tap /shout", chromedp.Tap(chromedp.CSS(`#cmd-list .cmd[data-cmd=shout]`)))
	if v := Eval[string](t, b, `document.getElementById('prompt').value`); v != "/shout " {
		t.Fatalf("the prompt holds %q after the tap; want %q", v, "/shout ")
	}
	if Eval[bool](t, b, `document.getElementById('cmd-menu').open`) {
		t.Error("the menu stayed open after the tap")
	}
	for _, r := range c.api.Requests() {
		if strings.Contains(string(r.Body), shoutMark) {
			t.Fatal("tapping the command sent it")
		}
	}
	b.Do(t, "write the argument", chromedp.SendKeys(chromedp.CSS(`#prompt`), "hello there"))
	b.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`#compose-send`)))
	if _, ok := c.api.WaitRequest(claudeWait, func(r claudetest.Request) bool {
		return strings.Contains(string(r.Body), shoutMark) && strings.Contains(string(r.Body), "hello there")
	}); !ok {
		t.Fatalf("the fake API never got the command's expanded text; screen:\n%s", c.term.Capture())
	}

	desk := StartBrowser(t, 1280, 900)
	Login(t, desk, h.URL, "admin", AdminPassword)
	openComposer(t, desk, h.URL, s.ID)
	desk.Do(t, "open Commands", chromedp.Click(chromedp.CSS(`#cmd-menu > summary`)))
	desk.WaitJS(t, 5*time.Second, "the menu", `document.getElementById('cmd-list').innerText.includes('/shout')`, `document.getElementById('composer-box').innerHTML`)
	convShot(t, desk, "composer-commands-1280.png")
}
