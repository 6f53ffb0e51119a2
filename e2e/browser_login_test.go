package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// jsPage is where the browser is and what it shows, for failure messages.
const jsPage = `location.href + '\n' + document.body.innerText`

// A person on a phone opens the hub: it asks them to log in; a wrong
// password says so plainly; the right one opens the lobby; Account → Log out
// ends the login, here and on the hub, so the lobby asks again.
func TestBrowserLogin(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()

	// Nothing but the login page without a login, and it remembers where
	// the person was going.
	b.Do(t, "open the hub", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the redirect to the login page",
		`location.pathname === '/login' && document.readyState === 'complete' && !!document.querySelector('form[action="/login"]')`, jsPage)
	if next := Eval[string](t, b, `document.querySelector('form[action="/login"] input[name=next]').value`); next != "/" {
		t.Errorf("the login form's next is %q, want / (where the person was going)", next)
	}
	if Eval[bool](t, b, `!!document.querySelector('.top a[href="/account"]')`) {
		t.Error("the login page offers an Account link to someone not logged in")
	}
	checkLayout(t, b, "login")
	checkLoginLayout(t, b, "login")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "login-390.png")), "login-390.png")

	// A wrong password: the page says so, with 401, and keeps the name.
	fillLogin(t, b, "admin", "not-the-password")
	b.WaitJS(t, 10*time.Second, "the wrong-password message",
		`location.pathname === '/login' && (document.querySelector('.form-error') || {}).textContent === 'Wrong name or password.'`, jsPage)
	if st := Eval[int](t, b, `performance.getEntriesByType('navigation')[0].responseStatus`); st != http.StatusUnauthorized {
		t.Errorf("a wrong password answered %d, want 401", st)
	}
	if v := Eval[string](t, b, `document.querySelector('input[name=user]').value`); v != "admin" {
		t.Errorf("after a wrong password the name field holds %q, want admin kept", v)
	}
	if f := Eval[string](t, b, `document.activeElement.name`); f != "password" {
		t.Errorf("after a wrong password the cursor is in %q; it belongs in the password field (the name is kept)", f)
	}
	if v := Eval[string](t, b, `document.querySelector('input[name=password]').value`); v != "" {
		t.Errorf("after a wrong password the password field still holds %q", v)
	}
	checkLayout(t, b, "login error")
	checkLoginLayout(t, b, "login error")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "login-390-error.png")), "login-390-error.png")

	// The right password opens the lobby.
	fillLogin(t, b, "admin", AdminPassword)
	b.WaitJS(t, 10*time.Second, "the lobby", `location.pathname === '/' && !!document.getElementById('lobby') && !!document.querySelector('.card.empty')`, jsPage)
	cookie := sessionCookie(t, b, h.URL)
	if cookie == nil {
		t.Fatal("logged in, but the browser holds no ct_session cookie")
	}
	if !cookie.HTTPOnly || cookie.SameSite != network.CookieSameSiteLax {
		t.Errorf("ct_session cookie: HttpOnly %v, SameSite %q; want HttpOnly and Lax", cookie.HTTPOnly, cookie.SameSite)
	}
	checkLayout(t, b, "lobby")

	// Account, then Log out, as a person taps them.
	b.Do(t, "tap Account", chromedp.Tap(chromedp.CSS(`.top a[href="/account"]`)))
	b.WaitJS(t, 10*time.Second, "the account page",
		`location.pathname === '/account' && document.readyState === 'complete' && !!document.querySelector('form[action="/logout"] button')`, jsPage)
	checkLayout(t, b, "account")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "account-390.png")), "account-390.png")
	b.Do(t, "tap Log out", chromedp.Tap(chromedp.CSS(`form[action="/logout"] button`)))
	b.WaitJS(t, 10*time.Second, "the login page after logging out",
		`location.pathname === '/login' && document.readyState === 'complete' && !!document.querySelector('form[action="/login"]')`, jsPage)
	if c := sessionCookie(t, b, h.URL); c != nil {
		t.Errorf("logged out, but the browser still holds ct_session (%d bytes)", len(c.Value))
	}

	// The lobby asks for a login again ...
	b.Do(t, "open the lobby again", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the login page instead of the lobby",
		`location.pathname === '/login' && !document.getElementById('lobby')`, jsPage)
	// ... and the old cookie, replayed, is dead on the hub too.
	req, _ := http.NewRequest("GET", h.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("the logged-out cookie still opens the lobby (%d)", resp.StatusCode)
	}
	t.Logf("screenshots in %s; the old cookie now gets %d %s", shots, resp.StatusCode, resp.Header.Get("Location"))
}

// sessionCookie is the browser's ct_session cookie for url (nil if none).
func sessionCookie(t *testing.T, b *Browser, url string) *network.Cookie {
	t.Helper()
	var found *network.Cookie
	b.Do(t, "read the cookies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{url + "/"}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			if c.Name == "ct_session" {
				found = c
			}
		}
		return nil
	}))
	return found
}

// checkLoginLayout asserts the login form's shape on a phone: the fields
// and the button fill the card's width, and the error (if any) is above
// the fields, where the eye is.
func checkLoginLayout(t *testing.T, b *Browser, page string) {
	t.Helper()
	got := Eval[map[string]float64](t, b, `(() => {
		const r = s => document.querySelector(s).getBoundingClientRect();
		const card = r('.card.auth'), user = r('input[name=user]'), pw = r('input[name=password]'), btn = r('form[action="/login"] button');
		const err = document.querySelector('.form-error');
		return {card: card.width, user: user.width, pw: pw.width, btn: btn.width, btnBottom: btn.bottom, vh: innerHeight,
			errBottom: err ? err.getBoundingClientRect().bottom : 0, userTop: user.top};
	})()`)
	for _, k := range []string{"user", "pw", "btn"} {
		if got[k] < got["card"]*0.8 {
			t.Errorf("%s: the %s control is %.0f px wide in a %.0f px card; on a phone it should span the card", page, k, got[k], got["card"])
		}
	}
	if got["btnBottom"] > got["vh"] {
		t.Errorf("%s: the Log in button ends at %.0f px, below the %.0f px viewport", page, got["btnBottom"], got["vh"])
	}
	if got["errBottom"] > got["userTop"] {
		t.Errorf("%s: the error message is below the fields", page)
	}
}
