package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sseOpen is true once the page's live stream (htmx's SSE extension) is
// connected: the hub subscribes it before the stream opens, so anything
// published from then on reaches the page.
const sseOpen = `(() => { const el = document.querySelector('[sse-connect]'); const d = el && el['htmx-internal-data'];
  return !!d && !!d.sseEventSource && d.sseEventSource.readyState === 1; })()`

// openInbox opens the inbox, marks the page (a reload would clear the
// mark) and waits for its live stream.
func openInbox(t *testing.T, b *Browser, hubURL string) {
	t.Helper()
	b.Do(t, "open the inbox", chromedp.Navigate(hubURL+"/inbox"))
	b.WaitJS(t, 10*time.Second, "the inbox's live stream", sseOpen, `document.body.innerText`)
	Eval[bool](t, b, `(window.ctMark = true)`)
}

// Two people chat: bob sees admin typing, admin's message appears in bob's
// open inbox without a reload, and when bob opens it admin's open inbox
// says "read" without a reload; at 390 px, the desktop width looked at too.
func TestBrowserInboxLiveTypingReceipts(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bobPassword := addPerson(t, h, "bob", "member", "*")
	admin, bob := StartPhone(t), StartPhone(t)
	Login(t, admin, h.URL, "admin", AdminPassword)
	Login(t, bob, h.URL, "bob", bobPassword)
	openInbox(t, bob, h.URL)
	openInbox(t, admin, h.URL)

	admin.Do(t, "address bob", chromedp.SendKeys(chromedp.CSS(`#inbox-compose input[name=to]`), "bob"),
		chromedp.SendKeys(chromedp.CSS(`#inbox-compose textarea`), "Deploy is **green**"))
	bob.WaitJS(t, 10*time.Second, "admin is typing", `document.getElementById('inbox-typing').innerText.includes('admin is typing')`,
		`document.getElementById('inbox-typing').outerHTML`)
	bob.Screenshot(t, "/tmp/ct-shots/inbox-typing-phone.png")
	admin.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`#inbox-compose button[type=submit]`)))

	bob.WaitJS(t, 10*time.Second, "the message live in bob's inbox", `!!document.querySelector('#inbox-list .coord-msg.unread strong') &&
	  document.querySelector('#inbox-list .coord-msg .msg-body strong').textContent === 'green' && window.ctMark === true`,
		`document.getElementById('inbox-list').innerText + ' mark=' + window.ctMark`)
	bob.WaitJS(t, 10*time.Second, "the typing line cleared by the message", `document.getElementById('inbox-typing').innerText === ''`,
		`document.getElementById('inbox-typing').innerText`)
	// The send redirected admin's page: wait for its stream again, then mark it.
	admin.WaitJS(t, 10*time.Second, "admin's message marked sent", `!!document.querySelector('#inbox-list .receipt') && document.querySelector('#inbox-list .receipt').innerText === 'sent'`,
		`document.getElementById('inbox-list').innerText`)
	admin.WaitJS(t, 10*time.Second, "admin's live stream", sseOpen, "")
	Eval[bool](t, admin, `(window.ctMark = true)`)

	bob.Do(t, "open the message", chromedp.Tap(chromedp.CSS(`#inbox-list .coord-msg summary`)))
	admin.WaitJS(t, 10*time.Second, "read, live", `document.querySelector('#inbox-list .receipt.read') && document.querySelector('#inbox-list .receipt').innerText === 'read' && window.ctMark === true`,
		`document.getElementById('inbox-list').innerText + ' mark=' + window.ctMark`)
	// Bob's own list reloaded on the receipt and kept his open message open.
	bob.WaitJS(t, 10*time.Second, "bob's message read and still open", `!document.querySelector('#inbox-list .coord-msg.unread') && document.querySelector('#inbox-list details').open`,
		`document.getElementById('inbox-list').innerHTML`)
	if bad := Eval[string](t, bob, smallTargets(`#inbox-list summary, #inbox-compose button`)+` + `+noSideways); bad != "" {
		t.Fatalf("bob's inbox: %s", bad)
	}
	admin.Screenshot(t, "/tmp/ct-shots/inbox-read-phone.png")
	bob.Screenshot(t, "/tmp/ct-shots/inbox-live-phone.png")

	desktopLook(t, h.URL, "/inbox", `!!document.querySelector('#inbox-list .receipt.read')`, "/tmp/ct-shots/inbox-live-desktop.png")
}

// The Team page is reached from the app bar, lists every peer with its
// kind, model, cwd, groups and status, updates live when a peer changes,
// counts who messaged whom, and opens a peer's page with its messages,
// locks and todos.
func TestBrowserTeamLive(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bob := addUser(t, h, "bob")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "tap Team in the app bar", chromedp.Tap(chromedp.CSS(`.appbar a[href="/team"]`)))
	b.WaitJS(t, 10*time.Second, "the Team page live", `location.pathname === '/team' && `+sseOpen, `document.body.innerText`)
	Eval[bool](t, b, `(window.ctMark = true)`)

	agent := func(method, path, body string) {
		t.Helper()
		code, out := asPeer(t, bob, "bob/agent1", method, h.URL+path, body)
		if code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		}
	}
	agent("PATCH", "/api/v1/peers/me", `{"model":"claude-sonnet-4-5","cwd":"/home/bob/src/ct","groups":["backend"],"status":"fixing the login bug"}`)
	b.WaitJS(t, 10*time.Second, "the agent listed live", `(() => { const p = document.querySelector('.team-peer[data-peer="bob/agent1"]');
	  return !!p && p.innerText.includes('agent') && p.innerText.includes('claude-sonnet-4-5') && p.innerText.includes('/home/bob/src/ct') &&
	  p.innerText.includes('@backend') && p.innerText.includes('fixing the login bug') && p.classList.contains('online') && window.ctMark === true; })()`,
		`document.getElementById('team-list').innerText`)
	agent("POST", "/api/v1/messages", `{"to":"admin","body":"login fixed"}`)
	agent("POST", "/api/v1/locks", `{"name":"deploy","ttl":"10m","reason":"release"}`)
	agent("POST", "/api/v1/todos", `{"title":"write the release notes"}`)
	b.WaitJS(t, 10*time.Second, "the message counted live", `(() => { const e = document.querySelector('.traffic-edge[data-from="bob/agent1"][data-to="admin"]');
	  return !!e && e.dataset.count === '1' && window.ctMark === true; })()`, `document.getElementById('team-traffic').innerText`)
	agent("PATCH", "/api/v1/peers/me", `{"status":"releasing"}`)
	b.WaitJS(t, 10*time.Second, "the status changed live", `document.querySelector('.team-peer[data-peer="bob/agent1"]').innerText.includes('releasing')`,
		`document.getElementById('team-list').innerText`)
	if bad := Eval[string](t, b, smallTargets(`.team-name`)+` + `+noSideways); bad != "" {
		t.Fatalf("Team page: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/team-phone.png")

	b.Do(t, "open the agent's page", chromedp.Tap(chromedp.CSS(`.team-peer[data-peer="bob/agent1"] .team-name`)))
	b.WaitJS(t, 10*time.Second, "the agent's page", `location.pathname === '/team/p/bob/agent1' &&
	  document.getElementById('peer-messages').innerText.includes('login fixed') && document.getElementById('peer-locks').innerText.includes('deploy') &&
	  document.getElementById('peer-todos').innerText.includes('write the release notes') && `+noSideways+` === ''`, `document.body.innerText`)
	b.Screenshot(t, "/tmp/ct-shots/team-peer-phone.png")

	desktopLook(t, h.URL, "/team", `!!document.querySelector('.team-peer[data-peer="bob/agent1"]')`, "/tmp/ct-shots/team-desktop.png")
	desktopLook(t, h.URL, "/team/p/bob/agent1", `document.getElementById('peer-todos').innerText.includes('release notes')`, "/tmp/ct-shots/team-peer-desktop.png")
}

// asPeer is as, acting as the named peer (an agent under the token's user).
func asPeer(t *testing.T, token, peer, method, u, body string) (int, string) {
	t.Helper()
	return asWith(t, token, method, u, "application/json", body, map[string]string{"X-CT-Peer": peer})
}

// desktopLook logs admin in at the desktop width, opens path, waits for
// cond with no sideways scroll, and keeps a screenshot to look at.
func desktopLook(t *testing.T, hubURL, path, cond, shot string) {
	t.Helper()
	d := StartBrowser(t, DesktopWidth, DesktopHeight)
	Login(t, d, hubURL, "admin", AdminPassword)
	d.Do(t, "open "+path, chromedp.Navigate(hubURL+path))
	d.WaitJS(t, 10*time.Second, path+" at the desktop width", cond+` && `+noSideways+` === ''`, noSideways)
	d.Screenshot(t, shot)
}
