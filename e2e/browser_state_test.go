package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The Team panel at 390×844 shows a shared state key (value, who, when) and
// updates it in place when ct state set changes it; a tap shows the key's
// earlier values.
func TestBrowserTeamStateKeys(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	cli := newCoordPeer(t, h, "build-bot")
	cli.must(t, "state", "set", "build/status", "red: 3 tests fail")

	Login(t, b, h.URL, "admin", AdminPassword)
	b.WaitJS(t, 10*time.Second, "the state key on the Team panel",
		`!!document.querySelector('#coord-state details[id="state-build/status"]') &&
		 document.getElementById('coord-state').innerText.includes('red: 3 tests fail') &&
		 document.getElementById('coord-state').innerText.includes('build-bot')`, `document.body.innerText`)
	Eval[bool](t, b, `window.ctSamePage = true`)

	cli.must(t, "state", "set", "build/status", "green")
	b.WaitJS(t, 10*time.Second, "the new value, live",
		`document.querySelector('#coord-state summary').innerText.includes('green') &&
		 document.querySelector('#coord-state summary').innerText.includes('v2')`, `document.getElementById('coord-state').innerText`)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the lobby reloaded; the state key must update in place")
	}
	b.Do(t, "tap the key", chromedp.Tap(chromedp.CSS(`#coord-state summary`)))
	b.WaitJS(t, 10*time.Second, "the earlier value behind the tap",
		`document.querySelector('#coord-state details').open &&
		 document.querySelector('#coord-state .state-history').innerText.includes('red: 3 tests fail')`, `document.getElementById('coord-state').innerText`)
	b.Do(t, "scroll to the keys", chromedp.ScrollIntoView(chromedp.CSS(`#coord-state`)))
	checkLayout(t, b, "lobby with shared state")
	if r := Eval[float64](t, b, `document.querySelector('#coord-state summary').getBoundingClientRect().height`); r < 44 {
		t.Errorf("a state key's row is %.0f px tall; a tap target needs 44", r)
	}
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "team-state-390.png")), "team-state-390.png")
}
