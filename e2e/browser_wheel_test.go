package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Two people on one session, each in their own browser: they see each
// other; only the holder types; request -> hand-over; a crafted POST from
// the one without the wheel is refused; the holder's tab closes -> the
// wheel frees.
func TestBrowserTwoPeopleOneWheel(t *testing.T) {
	h, s := sharedSession(t, "sharedbox", "shared-ready")

	a, b := StartPhone(t), StartPhone(t)
	Login(t, a, h.URL, "ana", "ana-password-123")
	Login(t, b, h.URL, "bob", "bob-password-123")
	for _, br := range []*Browser{a, b} {
		br.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
		br.WaitJS(t, 15*time.Second, "the screen", `document.getElementById('scr') && document.getElementById('scr').innerText.includes('shared-ready')`, `document.body.innerText`)
	}
	a.WaitJS(t, 15*time.Second, "ana sees bob", `document.getElementById('presence').innerText.includes('bob')`, `document.getElementById('presence').innerText`)
	b.WaitJS(t, 15*time.Second, "bob sees ana", `document.getElementById('presence').innerText.includes('ana')`, `document.getElementById('presence').innerText`)

	send := func(br *Browser, text string) {
		br.Do(t, "type "+text, chromedp.SendKeys(chromedp.CSS(`#line`), text))
		Eval[bool](t, br, `document.getElementById('input-form').requestSubmit(), true`)
	}
	// Ana takes the free wheel by typing; Bob is refused with who drives.
	send(a, "from-ana")
	a.WaitJS(t, 15*time.Second, "ana's line ran", `document.getElementById('scr').innerText.includes('got:from-ana')`, `document.getElementById('scr').innerText`)
	b.WaitJS(t, 10*time.Second, "bob sees ana has the wheel", `document.getElementById('presence').innerText.includes('ana has the wheel')`, `document.getElementById('presence').innerText`)
	b.WaitJS(t, 10*time.Second, "bob's input off, saying who drives",
		`document.getElementById('line').disabled && document.getElementById('input-note').innerText.includes('ana is driving')`,
		`document.getElementById('input-note').innerText`)

	// Bob asks; Ana hands over; Bob types.
	b.Do(t, "request the wheel", chromedp.Tap(chromedp.CSS(`#presence button[value=request]`)))
	a.WaitJS(t, 10*time.Second, "ana sees the request", `document.getElementById('presence').innerText.includes('bob asks for the wheel')`, `document.getElementById('presence').innerText`)
	a.Do(t, "hand over", chromedp.Tap(chromedp.CSS(`#presence button[value=give]`)))
	b.WaitJS(t, 10*time.Second, "bob has the wheel", `document.getElementById('presence').innerText.includes('You have the wheel')`, `document.getElementById('presence').innerText`)
	send(b, "bob-drives")
	b.WaitJS(t, 15*time.Second, "bob's line ran", `document.getElementById('scr').innerText.includes('got:bob-drives')`, `document.getElementById('scr').innerText`)

	// A crafted POST from Ana's page, without the wheel, is refused by the hub.
	code := Eval[float64](t, a, `(() => { const x = new XMLHttpRequest(); x.open('POST', '/s/`+s.ID+`/input', false); `+
		`x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded'); x.send('text=sneaky'); return x.status })()`)
	if code != 409 {
		t.Fatalf("crafted POST without the wheel: status %v, want 409", code)
	}
	if scr := Get(h.URL + "/api/v1/sessions/" + s.ID + "/screen"); strings.Contains(scr, "got:sneaky") {
		t.Fatal("crafted input reached the program")
	}

	// Bob's tab closes: the wheel frees itself.
	b.Close()
	a.WaitJS(t, 40*time.Second, "the wheel to free", `document.getElementById('presence').innerText.includes('Nobody has the wheel')`, `document.getElementById('presence').innerText`)
}

// sharedSession starts a hub with members ana and bob (passwords
// NAME-password-123) and a session on machine that prints ready, then
// echoes every line it reads as "got:LINE".
func sharedSession(t *testing.T, machine, ready string) (*Hub, APISession) {
	t.Helper()
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	addUser(t, h, "ana")
	addUser(t, h, "bob")
	StartWrap(t, nil, "--hub", h.URL, "--name", machine, "--", "bash", "-c", `echo `+ready+`; while read l; do echo "got:$l"; done`)
	return h, SessionFor(t, h.URL, machine)
}
