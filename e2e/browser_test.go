package e2e

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tickScript prints tick-N every 200 ms until a line arrives (the Enter key
// button ends it, proving keys reach the program), then becomes an
// interactive shell. It gives up ticking after 300 ticks so it cannot run on.
const tickScript = `i=0
while :; do
  if read -t 0.2 -r line; then echo got-enter; break; fi
  i=$((i+1)); [ $i -gt 300 ] && break
  echo "tick-$i"
done
exec bash --norc --noprofile -i`

// JavaScript the test reads the page with.
const (
	// jsLines is every line the terminal pane shows (history, then screen),
	// without trailing blanks.
	jsLines = `[...document.querySelectorAll('#scr #hist > div, #scr #rows > div')].map(d => d.textContent.replace(/[\s\u00a0]+$/, ''))`
	// jsScreen is the pane's text, for failure messages.
	jsScreen = `(document.getElementById('scr') || document.body).innerText`
)

// jsHasLine is true when the pane shows a line that is exactly s.
func jsHasLine(s string) string {
	q, _ := json.Marshal(s)
	return jsLines + `.includes(` + string(q) + `)`
}

// A person on a phone logs in, opens the lobby, taps a live session, watches its
// output arrive, types a command and presses a key; then the hub is killed
// and restarted under the open page, which goes live again by itself.
func TestBrowserSessionLive(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()

	// The hub asks who is there first; then an empty hub says how to
	// connect a machine.
	Login(t, b, h.URL, "admin", AdminPassword)
	b.WaitJS(t, 10*time.Second, "the empty lobby", `!!document.querySelector('.card.empty')`, `document.body.innerText`)
	Eval[bool](t, b, `window.ctSamePage = true`)
	checkLayout(t, b, "empty lobby")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "lobby-empty-390.png")), "lobby-empty-390.png")

	// A machine that connects shows up in the open lobby by itself.
	StartWrap(t, nil, "--hub", h.URL, "--name", "phone-box", "--", "bash", "-c", tickScript)
	s := SessionFor(t, h.URL, "phone-box")
	b.WaitJS(t, 10*time.Second, "the machine and its live session in the lobby",
		`[...document.querySelectorAll('.machine h2')].some(e => e.textContent.trim() === 'phone-box') &&
		 !!document.querySelector('a.session-link[href="/s/`+s.ID+`"] .badge.live')`, `document.body.innerText`)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the lobby reloaded; it must update in place")
	}
	checkLayout(t, b, "lobby")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "lobby-390.png")), "lobby-390.png")

	// Tap the session as a person would; the session page loads.
	b.Do(t, "tap the session", chromedp.Tap(chromedp.CSS(`a.session-link[href="/s/`+s.ID+`"]`)))
	b.WaitJS(t, 10*time.Second, "the session page",
		`location.pathname === '/s/`+s.ID+`' && document.readyState === 'complete' && !!document.getElementById('line')`, `location.href`)
	// A page that reloads loses this mark; every check below proves it was
	// updated in place.
	Eval[bool](t, b, `window.ctSamePage = true`)

	// Output arrives live: a tick newer than any on the page at load.
	first := Eval[int](t, b, `Math.max(0, ...`+jsLines+`.map(l => /^tick-(\d+)$/.test(l) ? +RegExp.$1 : 0))`)
	b.WaitJS(t, 15*time.Second, "a tick printed after the page loaded",
		jsLines+`.some(l => /^tick-(\d+)$/.test(l) && +RegExp.$1 > `+strconv.Itoa(first+2)+`)`, jsScreen)
	// Enough ticks scroll the first off the 24-row screen into #hist.
	b.WaitJS(t, 20*time.Second, "tick-1 scrolled into the history",
		`[...document.querySelectorAll('#hist > div')].some(d => d.textContent.trim() === 'tick-1')`, jsScreen)

	// The Enter key button reaches the program.
	b.Do(t, "tap the Enter key", chromedp.Tap(chromedp.CSS(`button.key[hx-vals*='"Enter"']`)))
	b.WaitJS(t, 10*time.Second, "the program's answer to the Enter key", jsHasLine("got-enter"), jsScreen)
	b.WaitJS(t, 10*time.Second, "the shell prompt", jsLines+`.some(l => /^bash.*[$#]$/.test(l))`, jsScreen)

	// A typed line goes out on Enter, as echo hi\r, and its output comes back.
	b.Do(t, "type echo hi", chromedp.SendKeys(chromedp.CSS("#line"), "echo hi"+kb.Enter))
	b.WaitJS(t, 10*time.Second, "the line hi", jsHasLine("hi"), jsScreen)
	b.WaitJS(t, 5*time.Second, "the input cleared after sending", `document.getElementById('line').value === ''`, "")

	// Ctrl-C reaches the program as SIGINT.
	b.Do(t, "start a program that waits for SIGINT", chromedp.SendKeys(chromedp.CSS("#line"),
		`sh -c 'trap "echo; echo got-sigint; exit 0" INT; echo waiting-int; while :; do sleep 0.2; done'`+kb.Enter))
	b.WaitJS(t, 10*time.Second, "the program waiting for SIGINT", jsHasLine("waiting-int"), jsScreen)
	b.Do(t, "tap Ctrl-C", chromedp.Tap(chromedp.CSS(`button.key[hx-vals*='"Ctrl-C"']`)))
	b.WaitJS(t, 10*time.Second, "the program's answer to Ctrl-C", jsHasLine("got-sigint"), jsScreen)

	checkLayout(t, b, "session")
	checkSessionLayout(t, b)
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "session-390.png")), "session-390.png")

	// Kill the hub under the open page and start a new one on the same
	// store and address; the wrap and the page both reconnect by themselves.
	Eval[bool](t, b, `(document.getElementById('rows').ctOld = true) && (document.getElementById('status').ctOld = true)`)
	h.Kill()
	b.WaitJS(t, 10*time.Second, "the page saying it lost the hub",
		`document.body.classList.contains('sse-down') && getComputedStyle(document.getElementById('conn')).display !== 'none'`, "")
	down := b.Screenshot(t, filepath.Join(shots, "session-390-reconnecting.png"))
	KeepScreenshot(t, down, "session-390-reconnecting.png")
	h2 := StartHub(t, h.Data, h.Addr)
	WaitFor(t, 30*time.Second, "the wrap back on the new hub", func() bool {
		for _, x := range Sessions(h2.URL) {
			if x.ID == s.ID && x.Status == "live" {
				return true
			}
		}
		return false
	})
	b.WaitJS(t, 30*time.Second, "the page's status bar live again (swapped in by the new hub)",
		`!document.getElementById('status').ctOld && !!document.querySelector('#status .badge.live')`, `document.getElementById('status').outerHTML`)
	b.WaitJS(t, 10*time.Second, "the screen resent whole by the new hub", `!document.getElementById('rows').ctOld`, "")
	b.WaitJS(t, 10*time.Second, "the lost-connection note gone", `getComputedStyle(document.getElementById('conn')).display === 'none'`, "")
	b.Do(t, "type after the restart", chromedp.SendKeys(chromedp.CSS("#line"), "echo resumed-$((6*7))"+kb.Enter))
	b.WaitJS(t, 30*time.Second, "output made after the restart", jsHasLine("resumed-42"), jsScreen)
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the session page reloaded; it must update in place")
	}
	t.Logf("screenshots in %s (while the hub was down: %s)", shots, down)
}

// checkLayout asserts what must hold on every page at phone width: nothing
// of the page scrolls sideways, every control is at least 44 px to tap, and
// text is at least 12 px.
func checkLayout(t *testing.T, b *Browser, page string) {
	t.Helper()
	if w := Eval[int](t, b, `document.documentElement.scrollWidth`); w > PhoneWidth {
		t.Errorf("%s: the page is %d px wide at a %d px viewport; it scrolls sideways", page, w, PhoneWidth)
	}
	small := Eval[[]string](t, b, `[...document.querySelectorAll('button, input, a.session-link, .top a')]
		.filter(e => e.offsetParent !== null && getComputedStyle(e).opacity !== "0") // an invisible radio behind its label is not a target
		// a checkbox or radio inside its label is tapped through the label: the label is the target
		.map(e => [e, (e.matches('input[type=checkbox], input[type=radio]') && e.closest('label') || e).getBoundingClientRect()])
		.filter(([e, r]) => r.height < 44 || r.width < 44)
		.map(([e, r]) => e.outerHTML.slice(0, 80) + ' is ' + Math.round(r.width) + 'x' + Math.round(r.height))`)
	for _, s := range small {
		t.Errorf("%s: tap target under 44 px: %s", page, s)
	}
	tiny := Eval[[]string](t, b, `[...document.querySelectorAll('body *')]
		.filter(e => e.offsetParent !== null && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
		.filter(e => parseFloat(getComputedStyle(e).fontSize) < 12)
		.map(e => e.outerHTML.slice(0, 80) + ' at ' + getComputedStyle(e).fontSize)`)
	for _, s := range tiny {
		t.Errorf("%s: text under 12 px: %s", page, s)
	}
}

// checkSessionLayout asserts the session page's own shape: the terminal pane
// scrolls sideways inside itself, and the line input is on screen.
func checkSessionLayout(t *testing.T, b *Browser) {
	t.Helper()
	pane := Eval[map[string]any](t, b, `(() => { const p = document.getElementById('term-wrap'), r = p.getBoundingClientRect();
		return {overflowX: getComputedStyle(p).overflowX, scrollWidth: p.scrollWidth, clientWidth: p.clientWidth, right: r.right}; })()`)
	if pane["overflowX"] != "auto" && pane["overflowX"] != "scroll" {
		t.Errorf("session: the terminal pane does not scroll sideways inside itself: %v", pane)
	}
	if sw, cw := pane["scrollWidth"].(float64), pane["clientWidth"].(float64); sw <= cw {
		t.Errorf("session: an 80-column screen should be wider than the pane at %d px: %v", PhoneWidth, pane)
	}
	if r := pane["right"].(float64); r > PhoneWidth {
		t.Errorf("session: the terminal pane ends at %.0f px, past the %d px viewport", r, PhoneWidth)
	}
	if sh, vh := Eval[int](t, b, `document.documentElement.scrollHeight`), Eval[int](t, b, `innerHeight`); sh > vh {
		t.Errorf("session: the page is %d px tall in a %d px viewport; it should fit one screen with only the terminal scrolling", sh, vh)
	}
	line := Eval[map[string]float64](t, b, `(() => { const r = document.getElementById('line').getBoundingClientRect();
		return {top: r.top, bottom: r.bottom, vh: innerHeight}; })()`)
	if line["top"] < 0 || line["bottom"] > line["vh"] {
		t.Errorf("session: the line input is off screen (top %.0f, bottom %.0f, viewport %.0f)", line["top"], line["bottom"], line["vh"])
	}
}
