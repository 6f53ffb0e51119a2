package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// The real Claude Code asks to run a command; a person logged in on a phone
// sees "1 waiting" arrive in the open lobby, taps it, reads the command,
// opens the session and taps Approve: the command runs on the workstation
// and Claude's reply shows on the session's screen in the browser.
func TestBrowserApproveFromPhone(t *testing.T) {
	claudetest.Binary(t) // fails under CT_REQUIRE_CLAUDE=1 when the CLI is missing
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()
	Login(t, b, h.URL, "admin", AdminPassword)

	c := startClaude(t, h.URL)
	s := SessionFor(t, h.URL, "claudebox")
	b.WaitJS(t, 15*time.Second, "Claude's session live in the lobby",
		// live: working or idle, or waiting for its first prompt (SessionStart)
		`!!document.querySelector('a.session-link[href="/s/`+s.ID+`"] :is(.badge.live, .badge.wait)')`, jsPage)
	Eval[bool](t, b, `window.ctSamePage = true`)

	// Claude asks; the open lobby says so by itself.
	c.ask()
	b.WaitJS(t, claudeWait, "1 waiting at the top of the lobby",
		`(document.querySelector('#lobby .waiting strong') || {}).textContent === '1 waiting'`, jsPage)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the lobby reloaded; the waiting count must arrive live")
	}
	checkLayout(t, b, "lobby with a prompt waiting")

	// Tap it: the question, readable on a phone.
	b.Do(t, "tap 1 waiting", chromedp.Tap(chromedp.CSS(`#lobby a.waiting`)))
	b.WaitJS(t, 10*time.Second, "the waiting prompt on /approvals",
		`location.pathname === '/approvals' && !!document.querySelector('#pending .prompt.state-pending')`, jsPage)
	checkPromptCard(t, b, "#pending .prompt.state-pending")
	checkLayout(t, b, "approvals")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "approvals-390.png")), "approvals-390.png")

	// Open its session: the same question is pinned above Claude's screen.
	b.Do(t, "tap the prompt's session", chromedp.Tap(chromedp.CSS(`#pending .prompt.state-pending .meta a[href="/s/`+s.ID+`"]`)))
	b.WaitJS(t, 10*time.Second, "the session page with the prompt pinned",
		`location.pathname === '/s/`+s.ID+`' && document.readyState === 'complete' && !!document.querySelector('#prompts .prompt.state-pending')`, jsPage)
	Eval[bool](t, b, `window.ctSamePage = true`)
	b.WaitJS(t, claudeWait, "Claude's own dialog on the screen too", `document.getElementById('scr').innerText.includes(`+jsString(claudetest.DialogText)+`)`, jsScreen)
	card := checkPromptCard(t, b, "#prompts .prompt.state-pending")
	checkLayout(t, b, "session with a prompt")
	checkSessionLayout(t, b)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "approval-390.png")), "approval-390.png")

	// Approve, with a tap.
	b.Do(t, "tap Approve", chromedp.Tap(chromedp.CSS(`#`+card+` button.approve`)))
	b.WaitJS(t, claudeWait, "the card saying who approved it",
		`/^Approved by admin from phone\b/.test(((document.querySelector('#`+card+` .outcome') || {}).textContent || ''))`,
		`(document.getElementById('prompts') || document.body).innerText`)
	WaitFor(t, claudeWait, "proof.txt written by the approved command", c.proofExists)
	b.WaitJS(t, claudeWait, "Claude's reply on the session's screen in the browser",
		`document.getElementById('scr').innerText.includes(`+jsString(replyText)+`)`, jsScreen)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the session page reloaded; the answer and the reply must arrive in place")
	}
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "approved-390.png")), "approved-390.png")

	// The hub's record agrees: approved, by whom, from which device.
	got := waitPrompt(t, h.URL, strings.TrimPrefix(card, "p-"), func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "allow" || got.DecidedBy == nil || *got.DecidedBy != "admin from phone" {
		t.Fatalf("the hub recorded %+v; want allow by admin from phone", got)
	}
	t.Logf("screenshots in %s", shots)
}

// checkPromptCard asserts a Bash prompt card shows the command and why, that
// the command stays inside its box (wrapping or scrolling there, never
// widening the page), and that Approve and Deny are big enough to tap. It
// returns the card's element id.
func checkPromptCard(t *testing.T, b *Browser, sel string) string {
	t.Helper()
	return checkBashCard(t, b, sel, proofCmd, "Create the proof file")
}

// checkBashCard is checkPromptCard for a card asking to run cmd because of why.
func checkBashCard(t *testing.T, b *Browser, sel, cmd, why string) string {
	t.Helper()
	got := Eval[map[string]any](t, b, `(() => {
		const c = document.querySelector(`+jsString(sel)+`), pre = c.querySelector('pre.code'), cr = c.getBoundingClientRect();
		const pr = pre ? pre.getBoundingClientRect() : {left: 0, right: 0};
		const btn = s => { const e = c.querySelector(s); return e ? e.getBoundingClientRect().height : 0; };
		return {id: c.id, code: pre ? pre.textContent : '', why: [...c.querySelectorAll('.field')].map(f => f.textContent).join('|'),
			tool: (c.querySelector('.badge.tool') || {}).textContent || '',
			cardLeft: cr.left, cardRight: cr.right, preLeft: pr.left, preRight: pr.right,
			preOverflowX: pre ? getComputedStyle(pre).overflowX : '', preScroll: pre ? pre.scrollWidth : 0, preClient: pre ? pre.clientWidth : 0,
			approve: btn('button.approve'), deny: btn('button.deny')};
	})()`)
	if got["code"] != cmd {
		t.Errorf("%s: the card's command is %q, want %q", sel, got["code"], cmd)
	}
	if fields, _ := got["why"].(string); !strings.Contains(fields, why) {
		t.Errorf("%s: the card does not give the agent's reason %q; fields: %q", sel, why, fields)
	}
	if got["tool"] != "Bash" {
		t.Errorf("%s: tool badge %q, want Bash", sel, got["tool"])
	}
	if got["preLeft"].(float64) < got["cardLeft"].(float64) || got["preRight"].(float64) > got["cardRight"].(float64) || got["cardRight"].(float64) > PhoneWidth {
		t.Errorf("%s: the command box sticks out of its card or the card out of the screen: %v", sel, got)
	}
	if sw, cw := got["preScroll"].(float64), got["preClient"].(float64); sw > cw && got["preOverflowX"] != "auto" && got["preOverflowX"] != "scroll" {
		t.Errorf("%s: the command overflows its box without scrolling inside it: %v", sel, got)
	}
	for _, k := range []string{"approve", "deny"} {
		if h := got[k].(float64); h < 44 {
			t.Errorf("%s: the %s button is %.0f px tall, under 44", sel, k, h)
		}
	}
	id, _ := got["id"].(string)
	if id == "" {
		t.Fatalf("%s: the card has no id", sel)
	}
	return id
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
