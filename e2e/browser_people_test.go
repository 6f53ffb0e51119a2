package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// peopleCheck is "" when every edit row of the People page is a set of
// proper form rows: each field is a 44 px target tied to its own label
// (label[for] = id), the Disabled checkbox's label is a 44 px target, and
// the page does not scroll sideways.
const peopleCheck = `(() => {
  const rows = document.querySelectorAll('form.user-row');
  if (rows.length < 2) return 'only ' + rows.length + ' edit rows';
  for (const f of rows) {
    for (const el of f.querySelectorAll('input:not([type=hidden]), select, button')) {
      const box = el.type === 'checkbox' ? el.closest('label') : el;
      const r = box.getBoundingClientRect();
      if (r.height < 44 || r.width < 44) return (el.id || el.tagName) + ' is ' + Math.round(r.width) + 'x' + Math.round(r.height);
      if (el.tagName !== 'BUTTON' && !(el.id && document.querySelector('label[for="' + el.id + '"]'))) return (el.name) + ' has no label of its own';
      if (r.right > innerWidth) return (el.id || el.tagName) + ' is off screen';
    }
  }
  return ` + noSideways + `;
})()`

// The People page's edit rows are labelled 44 px form rows at 390 and
// 1280 px, and a login shows it is busy: the button is disabled and says
// "Signing in…" while argon2 checks the password.
func TestBrowserPeopleRowsAndBusyLogin(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	addPerson(t, h, "vera", "viewer", "box-a, box-b")
	for _, vp := range bothViewports {
		t.Run(vp.name, func(t *testing.T) {
			b := StartBrowser(t, vp.w, vp.h)
			b.Do(t, "open the hub", chromedp.Navigate(h.URL+"/"))
			b.WaitJS(t, 10*time.Second, "the login page", `location.pathname === '/login' && document.readyState === 'complete'`, `location.href`)
			// Recorded after forms.js's own submit handler (registered
			// first) has run, in sessionStorage so it outlives the navigation.
			Eval[bool](t, b, `(() => { document.addEventListener('submit', e => setTimeout(() => {
			  const btn = e.target.querySelector('button[type=submit]');
			  sessionStorage.busy = JSON.stringify({disabled: btn.disabled, text: btn.textContent, aria: e.target.getAttribute('aria-busy')});
			}, 0)); return true; })()`)
			fillLogin(t, b, "admin", AdminPassword)
			b.WaitJS(t, 15*time.Second, "the lobby", `location.pathname === '/' && document.readyState === 'complete'`, `location.href`)
			if got := Eval[string](t, b, `sessionStorage.busy || ''`); got != `{"disabled":true,"text":"Signing in…","aria":"true"}` {
				t.Fatalf("while logging in the button showed %s; want it disabled, saying Signing in…", got)
			}
			b.Do(t, "open People", chromedp.Navigate(h.URL+"/admin/users"))
			b.WaitJS(t, 10*time.Second, "the People page's rows as form rows", `document.readyState === 'complete' && `+peopleCheck+` === ''`, peopleCheck)
			b.Screenshot(t, "/tmp/ct-shots/people-"+vp.name+".png")
			b.Do(t, "set vera's machines and save",
				chromedp.Clear(chromedp.CSS(`#grants-vera`)),
				chromedp.SendKeys(chromedp.CSS(`#grants-vera`), "box-c"),
				chromedp.Tap(chromedp.CSS(`form[action="/admin/users/vera"] button[type=submit]`)))
			b.WaitJS(t, 10*time.Second, "vera's new grants",
				fmt.Sprintf(`document.readyState === 'complete' && (document.getElementById('grants-vera') || {}).value === %q`, "box-c"),
				`document.body.innerText.slice(0, 400)`)
		})
	}
}
