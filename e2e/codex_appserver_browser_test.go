package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/codextest"
)

// "Codex (app-server)" chosen in the lobby's new-session form on a phone:
// the session's approval is approved on its page, the command runs, and the
// conversation shows on its screen.
func TestCodexAppServerFromPhone(t *testing.T) {
	bin := codextest.Binary(t)
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()
	project, _ := filepath.EvalSymlinks(t.TempDir())
	api := codextest.NewFakeAPI(t)
	api.SetScript(codextest.ExecThenText(codextest.ApprovalReply(codexProof, codexWhy), codexReply))
	home := codextest.Home(t, project, api.URL)
	n := startNodeEnv(t, h.URL, "asphone", codextest.Env(home), "--allow", bin, "--root", project)
	waitNode(t, h.URL, "asphone", n)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
	opt := `#launch-asphone select[name=command] option[value=` + jsString(bin+":app-server") + `]`
	b.WaitJS(t, 10*time.Second, "Codex (app-server) in the new-session form",
		`(document.querySelector('`+opt+`') || {}).textContent === 'Codex (app-server)'`, jsPage)
	b.Do(t, "open the form", chromedp.Tap(chromedp.CSS(`#launch-asphone summary`)))
	Eval[bool](t, b, `(() => { const f = document.querySelector('#launch-asphone form');
		f.querySelector('select').value = `+jsString(bin+":app-server")+`; f.querySelector('textarea').value = `+jsString(codexAsk)+`; return true; })()`)
	checkLayout(t, b, "lobby with the new-session form")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "appserver-launch-390.png")), "appserver-launch-390.png")
	b.Do(t, "start", chromedp.Tap(chromedp.CSS(`#launch-asphone form button`)))
	b.WaitJS(t, 20*time.Second, "the new session's page with its approval pinned",
		`location.pathname.startsWith('/s/') && !!document.querySelector('#prompts .prompt.state-pending')`, jsPage)
	card := checkBashCard(t, b, "#prompts .prompt.state-pending", codexProof, codexWhy)
	checkLayout(t, b, "app-server session with a prompt")
	checkSessionLayout(t, b)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "appserver-session-390.png")), "appserver-session-390.png")
	b.Do(t, "tap Approve", chromedp.Tap(chromedp.CSS(`#`+card+` button.approve`)))
	WaitFor(t, codexWait, "proof.txt written by the approved command", func() bool {
		_, err := os.Stat(filepath.Join(project, "proof.txt"))
		return err == nil
	})
	b.WaitJS(t, codexWait, "Codex's reply on the session's screen",
		`document.getElementById('scr').innerText.includes(`+jsString(codexReply)+`)`, jsScreen)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "appserver-done-390.png")), "appserver-done-390.png")
	id := Eval[string](t, b, `location.pathname.slice(3)`)

	d := StartBrowser(t, 1280, 900)
	Login(t, d, h.URL, "admin", AdminPassword)
	d.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+id))
	d.WaitJS(t, 10*time.Second, "the session on a desktop",
		`!!document.querySelector('#status .badge.agent-codex') && document.getElementById('scr').innerText.includes(`+jsString(codexReply)+`)`, jsScreen)
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(shots, "appserver-session-1280.png")), "appserver-session-1280.png")
	d.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
	d.WaitJS(t, 10*time.Second, "the form on a desktop", `!!document.querySelector('`+opt+`')`, jsPage)
	d.Do(t, "open the form", chromedp.Click(chromedp.CSS(`#launch-asphone summary`)))
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(shots, "appserver-launch-1280.png")), "appserver-launch-1280.png")
	t.Logf("screenshots in %s", shots)
}
