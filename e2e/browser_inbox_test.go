package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openAll opens every message of the inbox list.
const openAll = `(document.querySelectorAll('details.coord-msg').forEach(d => d.open = true), true)`

// The inbox renders a message's markdown (never its raw HTML), a recipient
// settles "needs answer" with Ack or with a reply, and lists, adds and
// deletes reminders; at 390 px, with the desktop width looked at too.
func TestBrowserInboxMarkdownAckReminders(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bob := addUser(t, h, "bob")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword) // the admin's peer exists once a page rendered
	send := func(subject, body string) {
		t.Helper()
		if code, out := as(t, bob, "POST", h.URL+"/api/v1/messages", "application/json",
			`{"to":"admin","subject":"`+subject+`","body":"`+body+`","requires_response":true}`); code >= 300 {
			t.Fatalf("bob sends %q: %d %s", subject, code, out)
		}
	}
	send("ack me", `Deploy is **ready**.\n\n<img src=x onerror=\"window.pwned=1\"><script>window.pwned=1</script>`)
	send("answer me", "Which *version*?")
	b.Do(t, "open the inbox", chromedp.Navigate(h.URL+"/inbox"))
	b.WaitJS(t, 10*time.Second, "two messages that need an answer", `document.querySelectorAll('.coord-msg .badge').length === 2`, `document.getElementById('inbox-list').innerText`)
	Eval[bool](t, b, openAll)
	got := Eval[map[string]any](t, b, `(() => { const m = document.querySelector('#msg-1 .msg-body'); return {
	  strong: (m.querySelector('strong') || {}).textContent || '', text: m.innerText, img: !!m.querySelector('img'), script: !!m.querySelector('script'),
	  pwned: !!window.pwned, em: (document.querySelector('#msg-2 .msg-body em') || {}).textContent || '' }; })()`)
	if got["strong"] != "ready" || strings.Contains(got["text"].(string), "**") || got["em"] != "version" {
		t.Fatalf("markdown not rendered: %v", got)
	}
	if got["img"] == true || got["script"] == true || got["pwned"] == true {
		t.Fatalf("a message's raw HTML reached the page: %v", got)
	}
	if bad := Eval[string](t, b, smallTargets(`#msg-1 .msg-actions button`)+` + `+noSideways); bad != "" {
		t.Fatalf("Ack: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/inbox-phone.png")
	b.Do(t, "tap Ack", chromedp.Tap(chromedp.CSS(`#msg-1 .msg-actions button`)))
	b.WaitJS(t, 10*time.Second, "message 1 settled by Ack", `location.search.includes('flash') && !!document.getElementById('msg-1') && !document.querySelector('#msg-1 .badge') && !document.querySelector('#msg-1 .msg-actions') && !!document.querySelector('#msg-2 .badge')`,
		`document.getElementById('inbox-list').innerText`)
	b.Do(t, "open message 2's thread", chromedp.Navigate(h.URL+"/inbox?re=2"))
	b.WaitJS(t, 10*time.Second, "the reply form", `!!document.querySelector('#inbox-compose textarea')`, `document.body.innerText`)
	b.Do(t, "reply", chromedp.SendKeys(chromedp.CSS(`#inbox-compose textarea`), "version 2"), chromedp.Tap(chromedp.CSS(`#inbox-compose button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "message 2 settled by the reply", `document.querySelectorAll('#inbox-list .coord-msg').length === 2 && !document.querySelector('#msg-2 .badge')`,
		`document.getElementById('inbox-list').innerText`)

	b.Do(t, "open the inbox's reminders", chromedp.Navigate(h.URL+"/inbox#reminders"))
	b.WaitJS(t, 10*time.Second, "the empty reminders section", `(document.getElementById('reminders') || {innerText: ''}).innerText.includes('No reminders')`, `document.body.innerText`)
	if bad := Eval[string](t, b, smallTargets(`#reminders input:not([type=hidden]), #reminders button`)+` + `+noSideways); bad != "" {
		t.Fatalf("reminders form: %s", bad)
	}
	// datetime-local takes its value as the page's own format; 2 hours from now, local.
	b.Do(t, "fill a reminder", chromedp.SendKeys(chromedp.CSS(`#rem-body`), "stand-up notes"))
	Eval[bool](t, b, `(() => { const d = new Date(Date.now() + 2*3600e3); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); document.getElementById('rem-at').value = d.toISOString().slice(0, 16); return true; })()`)
	b.Do(t, "tap Add reminder", chromedp.Tap(chromedp.CSS(`#reminders button.primary`)))
	b.WaitJS(t, 10*time.Second, "the reminder listed", `(() => { const r = document.querySelector('#reminders .reminder'); return !!r && r.innerText.includes('stand-up notes') && r.innerText.includes('next'); })()`,
		`document.querySelector('.coord-flash') ? document.querySelector('.coord-flash').innerText : document.getElementById('reminders').innerText`)
	b.Screenshot(t, "/tmp/ct-shots/inbox-reminders-phone.png")
	b.Do(t, "tap Delete", chromedp.Tap(chromedp.CSS(`#reminders .reminder button`)))
	b.WaitJS(t, 10*time.Second, "the reminder gone", `!document.querySelector('#reminders .reminder') && document.getElementById('reminders').innerText.includes('No reminders')`, `document.getElementById('reminders').innerText`)

	d := StartBrowser(t, DesktopWidth, DesktopHeight)
	Login(t, d, h.URL, "admin", AdminPassword)
	d.Do(t, "open the inbox", chromedp.Navigate(h.URL+"/inbox"))
	d.WaitJS(t, 10*time.Second, "the inbox", `document.querySelectorAll('#inbox-list .coord-msg').length >= 2 && `+noSideways+` === ''`, noSideways)
	Eval[bool](t, d, openAll)
	d.Screenshot(t, "/tmp/ct-shots/inbox-desktop.png")
}
