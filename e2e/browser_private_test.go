package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The inbox and the lobby's todos have a "Private" section: alice, at
// 390×844, sees her agent's private note and todo, a new private note
// arrives live, and she adds a private todo from the panel; bob's pages,
// signed in beside her, show none of it. The desktop width is looked at too.
func TestBrowserPrivateSpace(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	aliceAPI := addUser(t, h, "alice")
	addUser(t, h, "bob")
	agent := map[string]string{"X-CT-Peer": "alice/agent", "X-CT-Peer-Kind": "ai"} // one of her agents
	post := func(path, body string) {
		t.Helper()
		if code, out := asWith(t, aliceAPI, "POST", h.URL+path, "application/json", body, agent); code >= 300 {
			t.Fatalf("POST %s: %d %s", path, code, out)
		}
	}
	post("/api/v1/messages", `{"to":"me","subject":"PRIV flight","body":"Gate **B12**, seat 4A"}`)
	post("/api/v1/todos", `{"title":"PRIV renew passport","private":"me"}`)
	post("/api/v1/messages", `{"to":"*","subject":"standup moved","body":"10:30"}`)

	b := StartPhone(t)
	Login(t, b, h.URL, "alice", "alice-password-123")
	b.WaitJS(t, 10*time.Second, "the private todo in the lobby panel",
		`(document.getElementById('coord-private-todos') || {innerText: ''}).innerText.includes('PRIV renew passport')`, `document.getElementById('coord-panel').innerText`)
	b.Do(t, "add a private todo", chromedp.SendKeys(chromedp.CSS(`#coord-private-todos input[name=title]`), "PRIV call the bank"),
		chromedp.Tap(chromedp.CSS(`#coord-private-todos button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the added private todo", `document.getElementById('coord-private-todos').innerText.includes('PRIV call the bank') &&
		!document.getElementById('coord-todos').querySelector(':scope > ul').innerText.includes('PRIV')`, `document.getElementById('coord-todos').innerText`)
	if bad := Eval[string](t, b, smallTargets(`#coord-private-todos input:not([type=hidden]), #coord-private-todos button`)+` + `+noSideways); bad != "" {
		t.Fatalf("the private todos: %s", bad)
	}
	Eval[bool](t, b, `(scrollTo(0, document.getElementById('coord-todos').getBoundingClientRect().top + scrollY - 70), true)`)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "private-todos-390.png")), "private-todos-390.png")

	b.Do(t, "open the inbox", chromedp.Navigate(h.URL+"/inbox"))
	b.WaitJS(t, 10*time.Second, "the Private section", `(document.getElementById('private') || {innerText: ''}).innerText.includes('PRIV flight')`, `document.body.innerText`)
	if Eval[bool](t, b, `document.getElementById('inbox-list').innerText.includes('PRIV')`) {
		t.Fatal("the private note is listed twice: in the messages as well as in Private")
	}
	b.WaitJS(t, 10*time.Second, "the inbox's live stream", sseOpen, `document.body.innerText`)
	post("/api/v1/messages", `{"to":"me","subject":"PRIV live note","body":"arrives without a reload"}`)
	b.WaitJS(t, 10*time.Second, "the new private note, live", `document.getElementById('inbox-private-list').innerText.includes('PRIV live note')`, `document.getElementById('private').innerText`)
	if bad := Eval[string](t, b, smallTargets(`#private input:not([type=hidden]), #private textarea, #private button, #private summary`)+` + `+noSideways); bad != "" {
		t.Fatalf("the Private section: %s", bad)
	}
	b.Do(t, "write a private note", chromedp.SendKeys(chromedp.CSS(`#inbox-private-compose textarea`), "PRIV from the phone"),
		chromedp.Tap(chromedp.CSS(`#inbox-private-compose button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the note kept private", `(document.getElementById('inbox-private-list') || {innerText: ''}).innerText.includes('PRIV from the phone')`, `document.getElementById('private').innerText`)
	Eval[bool](t, b, `(document.querySelectorAll('#private details.coord-msg').forEach(d => d.open = true), scrollTo(0, document.getElementById('private').getBoundingClientRect().top + scrollY - 70), true)`)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "private-inbox-390.png")), "private-inbox-390.png")

	d := StartBrowser(t, DesktopWidth, DesktopHeight)
	Login(t, d, h.URL, "alice", "alice-password-123")
	d.Do(t, "open the inbox", chromedp.Navigate(h.URL+"/inbox#private"))
	d.WaitJS(t, 10*time.Second, "the Private section", `document.getElementById('inbox-private-list').innerText.includes('PRIV live note') && `+noSideways+` === ''`, noSideways)
	Eval[bool](t, d, `(scrollTo(0, document.getElementById('private').getBoundingClientRect().top + scrollY - 70), true)`)
	KeepScreenshot(t, d.Screenshot(t, filepath.Join(t.TempDir(), "private-inbox-1280.png")), "private-inbox-1280.png")

	bob := StartPhone(t)
	Login(t, bob, h.URL, "bob", "bob-password-123")
	bob.WaitJS(t, 10*time.Second, "bob's lobby panel", `(document.getElementById('coord-panel') || {innerText: ''}).innerText.includes('standup moved')`, `document.body.innerText`)
	if s := Eval[string](t, bob, `document.body.innerText`); strings.Contains(s, "PRIV") || !strings.Contains(s, "Nothing private open") {
		t.Fatalf("bob's lobby shows alice's private todos, or not his own empty section:\n%s", s)
	}
	bob.Do(t, "open bob's inbox", chromedp.Navigate(h.URL+"/inbox?box=all"))
	bob.WaitJS(t, 10*time.Second, "bob's inbox", `document.getElementById('inbox-list').innerText.includes('standup moved')`, `document.body.innerText`)
	if s := Eval[string](t, bob, `document.body.innerText`); strings.Contains(s, "PRIV") {
		t.Fatalf("bob's inbox shows alice's private notes:\n%s", s)
	}
}
