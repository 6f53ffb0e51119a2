package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// makeShareLink makes a share link of session id on its manage page in b
// (logged in) and returns it.
func makeShareLink(t *testing.T, b *Browser, hubURL, id string) string {
	t.Helper()
	b.Do(t, "open manage", chromedp.Navigate(hubURL+"/s/"+id+"/manage"))
	b.WaitJS(t, 10*time.Second, "the share form", `document.getElementById('share-create') !== null`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "make a share link", chromedp.Tap(chromedp.CSS(`#share-create`)))
	b.WaitJS(t, 10*time.Second, "the new link", `document.getElementById('new-share') !== null`, `document.body.innerText.slice(0, 400)`)
	link := strings.TrimSpace(Eval[string](t, b, `document.getElementById('new-share').textContent`))
	if !strings.HasPrefix(link, hubURL+"/v/") {
		t.Fatalf("share link %q is not on this hub", link)
	}
	return link
}

// An open share page at 390×844 follows the session's end: its badge turns
// from live to "ended · exit 3" without a reload, and its log download
// works without a login (under the share's token), with every byte, while
// nothing on the page links where a login is needed.
func TestBrowserShareLinkFollowsTheEnd(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "endbox", "--", "bash", "-c", `echo share-ready; read l; echo "bye-$l"; exit 3`)
	s := SessionFor(t, h.URL, "endbox")
	waitLogContains(t, h.URL, s.ID, "share-ready")
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	link := makeShareLink(t, b, h.URL, s.ID)

	guest := StartBrowser(t, PhoneWidth, PhoneHeight) // no cookies
	guest.Do(t, "open the share link", chromedp.Navigate(link))
	guest.WaitJS(t, 10*time.Second, "the live share page", `document.getElementById('scr').innerText.includes('share-ready') && `+sseOpen,
		`document.body.innerText.slice(0, 400)`)
	if got := Eval[string](t, guest, `document.querySelector('#share-status .badge').innerText`); got != "live" {
		t.Fatalf("the share page's badge = %q, want live", got)
	}
	Eval[bool](t, guest, `(window.ctMark = true)`)
	postInput(t, h.URL, s.ID, "now\r")
	waitEndedAny(t, h.URL, s.ID)
	guest.WaitJS(t, 10*time.Second, "the badge saying it ended, without a reload",
		`document.querySelector('#share-status .badge').innerText === 'ended · exit 3' && document.getElementById('scr').innerText.includes('bye-now') &&
		  document.getElementById('scr').classList.contains('ended') && window.ctMark === true`,
		`JSON.stringify({status: document.getElementById('share-status').outerHTML, scr: document.getElementById('scr').outerHTML.slice(0, 600), mark: window.ctMark})`)
	if n := Eval[int](t, guest, `document.querySelectorAll('a[href^="/api/"], a[href^="/s/"], a[href=""]').length`); n != 0 {
		t.Fatalf("the share page has %d links that need a login", n)
	}
	if bad := Eval[string](t, guest, smallTargets("#share-log")+` + `+noSideways); bad != "" {
		t.Fatalf("share page: %s", bad)
	}
	guest.Screenshot(t, "/tmp/ct-shots/share-ended-phone.png")
	type got struct {
		Status int
		Body   string
	}
	Eval[bool](t, guest, `(fetch(document.getElementById('share-log').href, {credentials: 'omit'})
	  .then(r => r.text().then(body => { window.ctLog = {status: r.status, body}; })), true)`)
	guest.WaitJS(t, 10*time.Second, "the log download", `!!window.ctLog`, `''`)
	res := Eval[got](t, guest, `window.ctLog`)
	if res.Status != 200 || !strings.Contains(res.Body, "share-ready") || !strings.Contains(res.Body, "bye-now") {
		t.Fatalf("the share's log download = %d %q; want 200 with every byte", res.Status, res.Body)
	}
	wide := StartBrowser(t, DesktopWidth, DesktopHeight)
	wide.Do(t, "open the share link on a desktop", chromedp.Navigate(link))
	wide.WaitJS(t, 10*time.Second, "the ended share page on a desktop", `document.querySelector('#share-status .badge').innerText.startsWith('ended')`, `document.body.innerText.slice(0, 400)`)
	wide.Screenshot(t, "/tmp/ct-shots/share-ended-desktop.png")
}

// A session page left open while a ct node Claude session ends gets its
// Resume/Fork card live, at 390×844, without a reload (the real CLI
// against the fake API).
func TestBrowserResumeCardAppearsLive(t *testing.T) {
	bin := claudetest.Binary(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--stop-grace", "3s")
	api := claudetest.NewFakeAPI(t)
	api.SetReplies(claudetest.TextReply("Noted the heron."))
	project := t.TempDir()
	home := claudetest.Home(t, project)
	n := startNodeEnv(t, h.URL, "livebox", claudetest.Env(home, api.URL), "--allow", bin, "--root", project)
	waitNode(t, h.URL, "livebox", n)
	code, id := spawn(h.URL, "livebox", map[string]string{"command": bin, "cwd": project, "prompt": "Remember HERON"})
	if code != 201 {
		t.Fatalf("spawn: %d %s", code, id)
	}
	waitAgentSession(t, h.URL, id)
	WaitFor(t, claudeWait, "the reply", screenHas(h.URL, id, "Noted the heron."))

	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the live session", chromedp.Navigate(h.URL+"/s/"+id))
	b.WaitJS(t, 10*time.Second, "the session page live", sseOpen+` && document.getElementById('resume-btn') === null`, `document.body.innerText.slice(0, 300)`)
	Eval[bool](t, b, `(window.ctMark = true)`)
	stopAndWait(t, h.URL, id)
	b.WaitJS(t, 15*time.Second, "the Resume card, without a reload",
		`document.getElementById('resume-btn') !== null && document.getElementById('fork-btn') !== null && window.ctMark === true`,
		`document.body.innerText.slice(0, 400)`)
	if bad := Eval[string](t, b, smallTargets("#resume-btn, #fork-btn")+` + `+noSideways); bad != "" {
		t.Fatalf("the live Resume card: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/resume-live-phone.png")
	b.Do(t, "desktop width", chromedp.EmulateViewport(DesktopWidth, DesktopHeight))
	b.Screenshot(t, "/tmp/ct-shots/resume-live-desktop.png")
	b.Do(t, "phone width", chromedp.EmulateViewport(PhoneWidth, PhoneHeight))
	b.Do(t, "tap Resume", chromedp.Tap(chromedp.CSS(`#resume-btn`)))
	b.WaitJS(t, claudeWait, "the resumed session's page", `location.pathname.startsWith('/s/') && location.pathname !== '/s/`+id+`' && document.readyState === 'complete'`,
		`location.href + ' ' + document.body.innerText.slice(0, 300)`)
	resumed := strings.TrimPrefix(Eval[string](t, b, `location.pathname`), "/s/")
	WaitFor(t, claudeWait, "the resumed Claude at its prompt", screenHas(h.URL, resumed, claudetest.ReadyText))
	stopAndWait(t, h.URL, resumed) // Claude writes into its HOME until it ends
}

// skipWatch records, on each change of the session page's direct children
// (the status bar and the skip note arrive out of band there), where the
// controls below the status bar are and whether the skip note shows.
const skipWatch = `(() => {
  const w = window.ctSkip = {tops: new Set(), noteSeen: false};
  const look = () => {
    const tools = document.querySelector('.term-tools').getBoundingClientRect().top, term = document.getElementById('term-wrap').getBoundingClientRect().top;
    w.tops.add(Math.round(tools) + '/' + Math.round(term));
    if (document.querySelector('#skip-note .skip-note')) w.noteSeen = true;
  };
  look();
  new MutationObserver(look).observe(document.getElementById('session'), {childList: true});
  return true;
})()`

// The "skipped N bytes" note that appears mid-flood moves no control at
// 390×844: the zoom buttons and the terminal stay where they were (the
// note floats over the terminal's corner), and the note links the log as
// a 44 px target.
func TestBrowserSkipNoteDoesNotMoveControls(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	fl := StartFlood(t, h.URL, "skipbox")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+fl.ID))
	b.WaitJS(t, 15*time.Second, "flood-ready on the screen", `document.getElementById('rows').innerText.includes('flood-ready') && `+sseOpen, `document.body.innerText`)
	Eval[bool](t, b, skipWatch)
	if err := os.WriteFile(fl.goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.WaitJS(t, 60*time.Second, "flood-done and the skip note", `document.getElementById('rows').innerText.includes('flood-done') && window.ctSkip.noteSeen`,
		`JSON.stringify({done: document.getElementById('rows').innerText.includes('flood-done'), note: window.ctSkip.noteSeen})`)
	if tops := Eval[[]string](t, b, `[...window.ctSkip.tops]`); len(tops) != 1 {
		t.Fatalf("the zoom row and the terminal moved during the flood (tools/terminal tops): %v", tops)
	}
	if bad := Eval[string](t, b, smallTargets("#skip-note .skip-note")+` + `+noSideways); bad != "" {
		t.Fatalf("the skip note: %s", bad)
	}
	if href := Eval[string](t, b, `document.querySelector('#skip-note .skip-note').getAttribute('href')`); href != "/api/v1/sessions/"+fl.ID+"/log" {
		t.Fatalf("the skip note links %q, want the session's log", href)
	}
	b.Screenshot(t, "/tmp/ct-shots/skip-note-phone.png")
	b.Do(t, "desktop width", chromedp.EmulateViewport(DesktopWidth, DesktopHeight))
	b.Screenshot(t, "/tmp/ct-shots/skip-note-desktop.png")
}
