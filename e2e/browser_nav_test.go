package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Desktop is the second viewport the browser tests look through.
const (
	DesktopWidth  = 1280
	DesktopHeight = 800
)

// navCheck is what every page's app bar must pass, as a JS expression that
// returns "" when it does and what is wrong otherwise: the links are there,
// each is a 44 px target, and the page does not scroll sideways.
const navCheck = `(() => {
  const bar = document.querySelector('header .appbar');
  if (!bar) return 'no app bar';
  const want = ['/', '/approvals', '/inbox', '/team', '/skills', '/admin/users', '/account'];
  for (const h of want) if (!bar.querySelector('a[href="' + h + '"]')) return 'no link to ' + h;
  for (const a of bar.querySelectorAll('a')) {
    const r = a.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) return a.getAttribute('href') + ' is ' + r.width + 'x' + r.height;
    if (r.right > innerWidth + 0.5) return a.getAttribute('href') + ' is off screen (right ' + r.right + ')';
  }
  if (document.documentElement.scrollWidth > innerWidth) return 'the page scrolls sideways: ' + document.documentElement.scrollWidth;
  return '';
})()`

// The app bar is on every page at phone and desktop widths, reaches the
// pages nothing linked to before (approvals, people, audit) and counts
// unread messages.
func TestBrowserAppBarEveryPage(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bob := addUser(t, h, "bob")
	StartWrap(t, nil, "--hub", h.URL, "--name", "navbox", "--", "bash", "-c", `echo nav-ready; sleep 600`)
	s := SessionFor(t, h.URL, "navbox")
	pages := []string{"/", "/approvals", "/inbox", "/account", "/settings", "/tokens", "/admin/users", "/admin/audit", "/s/" + s.ID}
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"phone", PhoneWidth, PhoneHeight}, {"desktop", DesktopWidth, DesktopHeight}} {
		t.Run(vp.name, func(t *testing.T) {
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "admin", AdminPassword)
			if vp.name == "phone" {
				// The admin's inbox peer exists once a page rendered; bob writes to it.
				if code, body := as(t, bob, "POST", h.URL+"/api/v1/messages", "application/json",
					`{"to":"admin","subject":"nav test","body":"hello"}`); code >= 300 {
					t.Fatalf("send a message to admin: %d %s", code, body)
				}
			}
			for i, p := range pages {
				b.Do(t, "open "+p, chromedp.Navigate(h.URL+p))
				b.WaitJS(t, 10*time.Second, "the app bar on "+p, `document.readyState === 'complete' && `+navCheck+` === ''`, navCheck)
				b.Screenshot(t, fmt.Sprintf("/tmp/ct-shots/nav-%s-%d.png", vp.name, i))
			}
			b.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
			b.WaitJS(t, 10*time.Second, "the unread count", `(document.querySelector('.appbar a[href="/inbox"] .nav-n') || {}).textContent === '1'`,
				`document.querySelector('.appbar').innerText`)
			b.Do(t, "tap Admin", chromedp.Tap(chromedp.CSS(`.appbar a[href="/admin/users"]`)))
			b.WaitJS(t, 10*time.Second, "the people page", `location.pathname === '/admin/users' && !!document.querySelector('.subnav a[href="/admin/audit"]')`, `location.href`)
		})
	}
}
