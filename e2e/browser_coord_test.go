package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A message sent from the CLI appears in the lobby's coordination panel
// live; a reply typed in the web reaches the CLI's inbox.
func TestBrowserCoordPanel(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	cli := newCoordPeer(t, h, "cli-agent")
	cli.must(t, "msg", "ls") // the CLI peer joins

	Login(t, b, h.URL, "admin", AdminPassword)
	b.WaitJS(t, 10*time.Second, "the coordination panel", `!!document.getElementById('coord-messages')`, `document.body.innerText`)
	Eval[bool](t, b, `window.ctSamePage = true`)

	// The browser's peer is the admin user; the CLI sends it a P0 question.
	out := cli.must(t, "msg", "send", "--to", "admin", "--priority", "P0", "--type", "question",
		"--subject", "may I deploy?", "--body", "the canary is green", "--requires-response")
	qid := strings.Fields(out)[1]
	b.WaitJS(t, 10*time.Second, "the CLI's message in the panel, live",
		`!!document.querySelector('#coord-messages #msg-`+qid+`') && document.querySelector('#coord-attention') !== null &&
		 document.querySelector('#coord-attention').innerText.includes('may I deploy?')`, `document.getElementById('coord-panel').innerText`)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the lobby reloaded; the panel must update in place")
	}
	if !Eval[bool](t, b, `!!(document.getElementById('coord-attention').compareDocumentPosition(document.getElementById('lobby')) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Fatal("the P0 question is not above the sessions at the top of the lobby")
	}
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "lobby-coord-390.png")), "lobby-coord-390.png")

	// Reply from the web form.
	b.Do(t, "fill in the reply",
		chromedp.SendKeys(chromedp.CSS(`.coord-compose input[name=to]`), "cli-agent"),
		chromedp.SendKeys(chromedp.CSS(`.coord-compose textarea[name=body]`), "yes, go ahead"),
		chromedp.SendKeys(chromedp.CSS(`.coord-compose input[name=re]`), qid))
	b.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`.coord-compose button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the reply in the panel",
		`document.getElementById('coord-messages').innerText.includes('admin → cli-agent')`, `document.getElementById('coord-panel').innerText`)
	inbox := cli.must(t, "msg", "ls", "--re", qid, "--wait", "10s")
	if !strings.Contains(inbox, "admin -> cli-agent") || !strings.Contains(inbox, "re:"+qid) {
		t.Fatalf("the CLI's inbox: %q", inbox)
	}

	// A lock and a todo from the CLI show up live too.
	cli.must(t, "lock", "release-branch", "--reason", "cutting 1.2")
	cli.must(t, "todo", "add", "write the changelog")
	b.WaitJS(t, 10*time.Second, "the lock and the todo in the panel",
		`document.getElementById('coord-locks').innerText.includes('release-branch') &&
		 document.getElementById('coord-todos').innerText.includes('write the changelog')`, `document.getElementById('coord-panel').innerText`)
	checkLayout(t, b, "lobby with the coordination panel")

	// The inbox page: the thread, oldest first, with the reply addressed back; search finds it.
	b.Do(t, "open the thread", chromedp.Navigate(h.URL+"/inbox?re="+qid))
	b.WaitJS(t, 10*time.Second, "the thread with both messages and a reply form",
		`document.querySelectorAll('#inbox-list .coord-msg').length === 2 &&
		 document.querySelector('#inbox-list .coord-msg').id === 'msg-`+qid+`' &&
		 document.querySelector('#inbox-compose input[name=to]').value === 'cli-agent'`, `document.body.innerText`)
	checkLayout(t, b, "inbox thread")
	b.Do(t, "search", chromedp.Navigate(h.URL+"/inbox?q=canary"))
	b.WaitJS(t, 10*time.Second, "the search result",
		`document.querySelectorAll('#inbox-list .coord-msg').length === 1 && document.getElementById('inbox-list').innerText.includes('may I deploy?')`, `document.body.innerText`)
}
