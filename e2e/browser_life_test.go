package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Session life at 390 px: End program stops a program that ignores
// SIGTERM (SIGKILL after --stop-grace); the ended session is archived
// (gone from the lobby, under Archived), restored, then forgotten (the API
// answers 404); a wrap killed with -9 leaves an offline session, which can
// be archived too.
func TestBrowserSessionStopArchiveForget(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--stop-grace", "500ms")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "lifebox", "--", "bash", "-c", `trap "" TERM; trap "echo got-interrupt" INT; echo life-ready; while :; do sleep 1; done`)
	s := SessionFor(t, h.URL, "lifebox")
	waitLogContains(t, h.URL, s.ID, "life-ready")
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
	b.WaitJS(t, 10*time.Second, "the Stop link", `document.getElementById('manage') !== null`, `document.body.innerText.slice(0, 300)`)
	if bad := Eval[string](t, b, smallTargets("#manage")+` + `+noSideways); bad != "" {
		t.Fatalf("session page with the Stop link: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/life-session-phone.png")
	b.Do(t, "tap Stop · share", chromedp.Tap(chromedp.CSS(`#manage`)))
	b.WaitJS(t, 10*time.Second, "the manage page with End program", `location.pathname.endsWith('/manage') && document.getElementById('end-program') !== null`, `location.href`)
	checkLayout(t, b, "manage page (live)")
	b.Screenshot(t, "/tmp/ct-shots/life-manage-live-phone.png")
	b.Do(t, "tap Interrupt", chromedp.Tap(chromedp.CSS(`#interrupt`)))
	waitLogContains(t, h.URL, s.ID, "got-interrupt") // Ctrl-C reached the program, which goes on
	b.WaitJS(t, 10*time.Second, "back on the session page", fmt.Sprintf(`location.pathname === '/s/%s' && document.readyState === 'complete'`, s.ID), `location.href`)
	b.Do(t, "open manage again", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "End program", `document.getElementById('end-program') !== null`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "tap End program", chromedp.Tap(chromedp.CSS(`#end-program`)))
	ended := waitEndedAny(t, h.URL, s.ID)
	if ended.ExitCode == nil || *ended.ExitCode != 128+9 {
		t.Fatalf("the program that ignores SIGTERM ended with %v, want 137 (SIGKILL after the grace)", ended.ExitCode)
	}
	if code := w.Wait(t, 15*time.Second); code != 137 {
		t.Fatalf("ct wrap exited %d, want the program's 137", code)
	}
	b.WaitJS(t, 10*time.Second, "the session page showing it ended", `document.getElementById('status') && document.getElementById('status').dataset.status === 'ended'`, `document.body.innerText.slice(0, 300)`)

	b.Do(t, "open manage and archive", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "the Archive button", `document.getElementById('archive-btn') !== null`, `document.body.innerText.slice(0, 400)`)
	b.Screenshot(t, "/tmp/ct-shots/life-manage-ended-phone.png")
	b.Do(t, "tap Archive", chromedp.Tap(chromedp.CSS(`#archive-btn`)))
	b.WaitJS(t, 10*time.Second, "the lobby without the session, with an Archived link",
		fmt.Sprintf(`location.pathname === '/' && document.getElementById('archived-link') !== null && !document.querySelector('a[href="/s/%s"]')`, s.ID), `document.body.innerText.slice(0, 400)`)
	if !strings.Contains(rawSession(t, h.URL, s.ID), `"archived":true`) {
		t.Fatalf("the API does not say the session is archived: %s", rawSession(t, h.URL, s.ID))
	}
	b.Do(t, "tap Archived", chromedp.Tap(chromedp.CSS(`#archived-link`)))
	b.WaitJS(t, 10*time.Second, "the archived list", fmt.Sprintf(`location.pathname === '/archived' && document.querySelector('.archived-row[data-id="%s"] .restore') !== null`, s.ID), `document.body.innerText.slice(0, 400)`)
	checkLayout(t, b, "archived page")
	b.Screenshot(t, "/tmp/ct-shots/life-archived-phone.png")
	b.Do(t, "tap Restore", chromedp.Tap(chromedp.CSS(`.archived-row .restore`)))
	b.WaitJS(t, 10*time.Second, "the restored session's page", fmt.Sprintf(`location.pathname === '/s/%s' && document.readyState === 'complete'`, s.ID), `location.href`)
	b.Do(t, "back to the lobby", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the restored session in the lobby", fmt.Sprintf(`document.querySelector('a[href="/s/%s"]') !== null`, s.ID), `document.body.innerText.slice(0, 400)`)

	b.Do(t, "open manage and forget", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "the Forget button", `document.getElementById('forget') !== null`, `document.body.innerText.slice(0, 400)`)
	b.Do(t, "confirm and tap Forget", chromedp.Click(chromedp.CSS(`#forget-confirm`)), chromedp.Tap(chromedp.CSS(`#forget`)))
	b.WaitJS(t, 10*time.Second, "the lobby after forget", `location.pathname === '/'`, `location.href + ' ' + document.body.innerText.slice(0, 300)`)
	if code := apiStatus(t, h.URL+"/api/v1/sessions/"+s.ID); code != http.StatusNotFound {
		t.Fatalf("GET /api/v1/sessions/%s after forget = %d, want 404", s.ID, code)
	}
	WaitFor(t, 10*time.Second, "session.stop and session.forget in the audit log", func() bool {
		audit := Get(h.URL + "/admin/audit")
		return strings.Contains(audit, "session.forget") && strings.Contains(audit, "session.stop")
	})

	// A crashed wrap: its session stays offline; it can be archived.
	crashed := StartWrap(t, nil, "--hub", h.URL, "--name", "crashbox", "--", "bash", "-c", `echo crash-ready; sleep 600`)
	c := SessionFor(t, h.URL, "crashbox")
	waitLogContains(t, h.URL, c.ID, "crash-ready")
	_ = crashed.cmd.Process.Kill()
	waitStatus(t, h.URL, c.ID, "offline")
	b.Do(t, "open the offline session's manage page", chromedp.Navigate(h.URL+"/s/"+c.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "Archive on an offline session", `document.getElementById('archive-btn') !== null && document.getElementById('end-program') === null`, `document.body.innerText.slice(0, 400)`)
	b.Do(t, "tap Archive", chromedp.Tap(chromedp.CSS(`#archive-btn`)))
	b.WaitJS(t, 10*time.Second, "the lobby without the offline session",
		fmt.Sprintf(`location.pathname === '/' && !document.querySelector('a[href="/s/%s"]')`, c.ID), `document.body.innerText.slice(0, 400)`)
}

// A share link at 390 px: made on the manage page, it opens in a fresh
// browser with no cookies, shows the live screen, offers no input, and
// after Revoke answers 410 while the open page's stream ends.
func TestBrowserShareLink(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "sharebox", "--", "bash", "-c", `echo share-ready; while read l; do echo "got-$l"; done`)
	s := SessionFor(t, h.URL, "sharebox")
	waitLogContains(t, h.URL, s.ID, "share-ready")
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open manage", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "the share form", `document.getElementById('share-create') !== null`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "make a share link", chromedp.Tap(chromedp.CSS(`#share-create`)))
	b.WaitJS(t, 10*time.Second, "the new link", `document.getElementById('new-share') !== null`, `document.body.innerText.slice(0, 400)`)
	checkLayout(t, b, "manage page with a new share link")
	b.Screenshot(t, "/tmp/ct-shots/life-share-made-phone.png")
	link := strings.TrimSpace(Eval[string](t, b, `document.getElementById('new-share').textContent`))
	if !strings.HasPrefix(link, h.URL+"/v/") {
		t.Fatalf("share link %q is not on this hub", link)
	}

	guest := StartBrowser(t, PhoneWidth, PhoneHeight) // a fresh browser: no cookies
	guest.Do(t, "open the share link", chromedp.Navigate(link))
	guest.WaitJS(t, 10*time.Second, "the shared screen", `document.getElementById('scr') !== null && document.getElementById('scr').innerText.includes('share-ready')`, `document.body.innerText.slice(0, 400)`)
	if n := Eval[int](t, guest, `document.querySelectorAll('input:not(.tab-radio), textarea, form, button').length`); n != 0 {
		t.Fatalf("the share page offers %d inputs, forms or buttons; it must offer none", n)
	}
	if bad := Eval[string](t, guest, noSideways); bad != "" {
		t.Fatal(bad)
	}
	postInput(t, h.URL, s.ID, "live-line\r")
	guest.WaitJS(t, 10*time.Second, "the live screen update", `document.getElementById('scr').innerText.includes('got-live-line')`, `document.getElementById('scr').innerText`)
	guest.Screenshot(t, "/tmp/ct-shots/life-share-guest-phone.png")
	wide := StartBrowser(t, DesktopWidth, DesktopHeight) // another fresh browser, desktop wide
	wide.Do(t, "open the share link on a desktop", chromedp.Navigate(link))
	wide.WaitJS(t, 10*time.Second, "the shared screen on a desktop", `document.getElementById('scr').innerText.includes('got-live-line')`, `document.body.innerText.slice(0, 400)`)
	wide.Screenshot(t, "/tmp/ct-shots/life-share-guest-desktop.png")
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.Do(t, "open manage on a desktop", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	wide.WaitJS(t, 10*time.Second, "the share list on a desktop", `document.querySelector('.share-row .revoke') !== null`, `document.body.innerText.slice(0, 400)`)
	wide.Screenshot(t, "/tmp/ct-shots/life-manage-desktop.png")

	b.Do(t, "reload manage and revoke", chromedp.Navigate(h.URL+"/s/"+s.ID+"/manage"))
	b.WaitJS(t, 10*time.Second, "the Revoke button", `document.querySelector('.share-row .revoke') !== null`, `document.body.innerText.slice(0, 400)`)
	b.Do(t, "tap Revoke", chromedp.Tap(chromedp.CSS(`.share-row .revoke`)))
	guest.WaitJS(t, 15*time.Second, "the open share page saying the link ended",
		`document.body.classList.contains('share-ended') && document.getElementById('share-state').innerText.includes('revoked')`, `document.getElementById('share-state').innerText`)
	guest.Screenshot(t, "/tmp/ct-shots/life-share-revoked-phone.png")
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("the share link after revoke = %d, want 410", resp.StatusCode)
	}
}

// waitEndedAny waits until the session has ended, whatever its code.
func waitEndedAny(t *testing.T, hubURL, id string) APISession {
	t.Helper()
	var s APISession
	WaitFor(t, 15*time.Second, "session "+id+" ended", func() bool {
		var ok bool
		s, ok = sessionByID(hubURL, id)
		return ok && s.Status == "ended"
	})
	return s
}

// rawSession is GET /api/v1/sessions/{id} as text.
func rawSession(t *testing.T, hubURL, id string) string {
	t.Helper()
	return Get(hubURL + "/api/v1/sessions/" + id)
}

// apiStatus is the status of an authenticated GET.
func apiStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := authGet(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
