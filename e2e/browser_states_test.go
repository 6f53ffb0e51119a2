package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// bothViewports are the phone and desktop sizes a page is checked at.
var bothViewports = []struct {
	name string
	w, h int64
}{{"phone", PhoneWidth, PhoneHeight}, {"desktop", DesktopWidth, DesktopHeight}}

// addPerson creates a person with role and grants through the People form.
func addPerson(t *testing.T, h *Hub, name, role, grants string) string {
	t.Helper()
	form := url.Values{"name": {name}, "role": {role}, "grants": {grants}, "password": {name + "-password-123"}}
	req, _ := http.NewRequest("POST", h.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+h.Token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
	return name + "-password-123"
}

// Empty and error states say what to do: a member with no grants is told
// who grants access and what to ask for (not to run ct login); the lobby's
// waiting filter with nothing waiting shows a card saying so instead of
// bare machine cards; unknown and admin-only pages are styled cards.
func TestBrowserEmptyStates(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	pw := addPerson(t, h, "nora", "member", "")
	StartWrap(t, nil, "--hub", h.URL, "--name", "quietbox", "--", "bash", "-c", `echo quiet; sleep 600`)
	SessionFor(t, h.URL, "quietbox")
	for _, vp := range bothViewports {
		t.Run(vp.name, func(t *testing.T) {
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "nora", pw)
			b.WaitJS(t, 10*time.Second, "the no-grants card",
				`(() => { const c = document.getElementById('no-machines'); return !!c && c.innerText.includes('No machines shared with you yet') && c.innerText.includes('admin') && !c.innerText.includes('ct login'); })()`,
				`document.getElementById('lobby').innerText`)
			if bad := Eval[string](t, b, noSideways); bad != "" {
				t.Fatal(bad)
			}
			b.Screenshot(t, "/tmp/ct-shots/empty-nogrants-"+vp.name+".png")
			b.Do(t, "open an admin page as a member", chromedp.Navigate(h.URL+"/admin/users"))
			b.WaitJS(t, 10*time.Second, "a styled refusal", `!!document.querySelector('main .card.error h1') && getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'`, `document.body.innerText`)
			b.Screenshot(t, "/tmp/ct-shots/empty-forbidden-"+vp.name+".png")
			b.Do(t, "open an unknown page", chromedp.Navigate(h.URL+"/no/such/page"))
			b.WaitJS(t, 10*time.Second, "a styled not-found page", `!!document.querySelector('main .card.error h1') && !!document.querySelector('main .card.error a[href="/"]')`, `document.body.innerText`)
			b.Do(t, "log out", chromedp.Navigate(h.URL+"/account"))
			b.WaitJS(t, 10*time.Second, "the account page", `!!document.querySelector('form[action="/logout"] button')`, `document.body.innerText`)
			b.Do(t, "tap Log out", chromedp.Tap(chromedp.CSS(`form[action="/logout"] button`)))
			b.WaitJS(t, 10*time.Second, "the login page", `location.pathname === '/login' && document.readyState === 'complete'`, `location.href`)
			Login(t, b, h.URL, "admin", AdminPassword)
			b.WaitJS(t, 10*time.Second, "quietbox in the lobby", `!!document.querySelector('.card.machine .session-link')`, `document.getElementById('lobby').innerText`)
			b.Do(t, "tap the waiting filter", chromedp.Tap(chromedp.CSS(`label:has(#f-waiting)`)))
			b.WaitJS(t, 5*time.Second, "the nothing-waits card instead of bare machine cards",
				`(() => { const e = document.querySelector('.filter-empty.f-waiting'); return !!e && e.offsetParent !== null && e.innerText.includes('Nothing waits for you') && [...document.querySelectorAll('.card.machine')].every(m => m.offsetParent === null); })()`,
				`document.getElementById('lobby').innerText`)
			b.Screenshot(t, "/tmp/ct-shots/empty-waiting-"+vp.name+".png")
			b.Do(t, "tap the all filter", chromedp.Tap(chromedp.CSS(`label:has(#f-all)`)))
			b.WaitJS(t, 5*time.Second, "machine cards back, no empty card",
				`document.querySelector('.card.machine').offsetParent !== null && [...document.querySelectorAll('.filter-empty')].every(e => e.offsetParent === null)`, `document.getElementById('lobby').innerText`)
		})
	}
}
