package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/codextest"
)

// The real Codex asks to run a command outside its sandbox; on a phone the
// lobby row, the approval card and the session header say it is Codex, the
// card shows the command and Codex's justification, and a tap on Approve
// runs the command on the workstation.
func TestCodexApproveFromPhone(t *testing.T) {
	codextest.Binary(t) // fails under CT_REQUIRE_CODEX=1 when the CLI is missing
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()
	Login(t, b, h.URL, "admin", AdminPassword)

	c := startCodex(t, h.URL)
	s := SessionFor(t, h.URL, "codexbox")
	row := `a.session-link[href="/s/` + s.ID + `"]`
	b.WaitJS(t, 15*time.Second, "Codex's session in the lobby with its agent badge",
		`(document.querySelector('`+row+` .badge.agent-codex') || {}).textContent === 'Codex'`, jsPage)
	// The agent's badge sits beside the state's, not pushing it onto a row of its own.
	if w := Eval[float64](t, b, `(() => { const l = document.querySelector('`+row+`'), st = l.querySelector('.badges .badge:not(.agent)');
		return st ? st.getBoundingClientRect().width / l.getBoundingClientRect().width : 1; })()`); w > 0.5 {
		t.Errorf("the state badge is stretched across %.0f%% of the lobby row", w*100)
	}
	checkLayout(t, b, "lobby with a Codex session")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "codex-lobby-390.png")), "codex-lobby-390.png")

	c.ask()
	b.WaitJS(t, codexWait, "1 waiting at the top of the lobby",
		`(document.querySelector('#lobby .waiting strong') || {}).textContent === '1 waiting'`, jsPage)
	b.Do(t, "tap 1 waiting", chromedp.Tap(chromedp.CSS(`#lobby a.waiting`)))
	b.WaitJS(t, 10*time.Second, "the waiting prompt on /approvals",
		`location.pathname === '/approvals' && !!document.querySelector('#pending .prompt.state-pending')`, jsPage)
	card := checkBashCard(t, b, "#pending .prompt.state-pending", codexProof, codexWhy)
	if got := Eval[string](t, b, `(document.querySelector('#`+card+` .badge.agent') || {}).textContent || ''`); got != "Codex" {
		t.Errorf("the approval card's agent badge is %q, want Codex", got)
	}
	checkLayout(t, b, "approvals")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "codex-approvals-390.png")), "codex-approvals-390.png")

	b.Do(t, "tap the prompt's session", chromedp.Tap(chromedp.CSS(`#pending .prompt.state-pending .meta a[href="/s/`+s.ID+`"]`)))
	b.WaitJS(t, 10*time.Second, "the session page with the prompt pinned",
		`location.pathname === '/s/`+s.ID+`' && document.readyState === 'complete' && !!document.querySelector('#prompts .prompt.state-pending')`, jsPage)
	if got := Eval[string](t, b, `(document.querySelector('#status .badge.agent') || {}).textContent || ''`); got != "Codex" {
		t.Errorf("the session header's agent badge is %q, want Codex", got)
	}
	checkLayout(t, b, "Codex session with a prompt")
	checkSessionLayout(t, b)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "codex-session-390.png")), "codex-session-390.png")

	b.Do(t, "tap Approve", chromedp.Tap(chromedp.CSS(`#`+card+` button.approve`)))
	b.WaitJS(t, codexWait, "the card saying who approved it",
		`/^Approved by admin from phone\b/.test(((document.querySelector('#`+card+` .outcome') || {}).textContent || ''))`,
		`(document.getElementById('prompts') || document.body).innerText`)
	WaitFor(t, codexWait, "proof.txt written by the approved command", c.proofExists)
	b.WaitJS(t, codexWait, "Codex's reply on the session's screen in the browser",
		`document.getElementById('scr').innerText.includes(`+jsString(codexReply)+`)`, jsScreen)
	got := waitPrompt(t, h.URL, strings.TrimPrefix(card, "p-"), func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "allow" || got.DecidedBy == nil || *got.DecidedBy != "admin from phone" {
		t.Fatalf("the hub recorded %+v; want allow by admin from phone", got)
	}

	// The same pages on a desktop: the badges sit in the row and the header.
	d := StartBrowser(t, 1280, 900)
	Login(t, d, h.URL, "admin", AdminPassword)
	d.WaitJS(t, 10*time.Second, "the Codex badge in the lobby on a desktop",
		`!!document.querySelector('`+row+` .badge.agent-codex')`, jsPage)
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(shots, "codex-lobby-1280.png")), "codex-lobby-1280.png")
	d.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
	d.WaitJS(t, 10*time.Second, "the Codex session on a desktop",
		`!!document.querySelector('#status .badge.agent-codex') && document.getElementById('scr').innerText.includes(`+jsString(codexReply)+`)`, jsScreen)
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(shots, "codex-session-1280.png")), "codex-session-1280.png")
	d.Do(t, "open approvals", chromedp.Navigate(h.URL+"/approvals"))
	d.WaitJS(t, 10*time.Second, "the settled card on a desktop", `!!document.querySelector('.prompt .badge.agent-codex')`, jsPage)
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(shots, "codex-approvals-1280.png")), "codex-approvals-1280.png")
	t.Logf("screenshots in %s", shots)
}
