package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// viewports are the two sizes the session-screen tests look through.
var viewports = []struct {
	name string
	w, h int64
}{{"phone", PhoneWidth, PhoneHeight}, {"desktop", DesktopWidth, DesktopHeight}}

// openSession opens session id in b and waits for want on its screen.
func openSession(t *testing.T, b *Browser, hubURL, id, want string) {
	t.Helper()
	b.Do(t, "open the session", chromedp.Navigate(hubURL+"/s/"+id))
	b.WaitJS(t, 15*time.Second, "the screen to show "+want,
		`!!document.getElementById('scr') && document.getElementById('scr').innerText.includes(`+strconv.Quote(want)+`)`,
		`document.body.innerText`)
}

// rowVisible is a JS expression: row 0 of the live screen is inside the
// pane's visible box (no scrolling needed to see the top of the screen).
const rowVisible = `(() => { const p = document.getElementById('term-wrap').getBoundingClientRect();
  const r = document.querySelector('#rows > div').getBoundingClientRect();
  return r.top >= p.top - 1 && r.bottom <= p.bottom + 1 && p.bottom <= innerHeight + 1; })()`

// Fit mode: the wheel holder sizes the program's PTY to the pane, even under
// a wrap in a real terminal (whose own size wins only while typed at), and
// the size goes back when they let go of the wheel.
func TestBrowserFitMode(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			name := "fit" + vp.name
			script := `trap 'echo "size:$(stty size)"' WINCH; echo fit-ready; while :; do sleep 0.1; done`
			startWrapTTY(t, []string{"CT_TOKEN=" + MachineToken(t, h.URL, name)}, 100, 30, "--hub", h.URL, "--name", name, "--", "bash", "-c", script)
			s := SessionFor(t, h.URL, name)
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "admin", AdminPassword)
			openSession(t, b, h.URL, s.ID, "fit-ready")
			b.Do(t, "tap Resize to my screen", chromedp.Tap(chromedp.CSS(`#fit-pty`)))
			b.WaitJS(t, 10*time.Second, "the fit to be asked", `document.getElementById('session').dataset.fitCols > 0`, `document.getElementById('input-note').innerText`)
			cols := Eval[string](t, b, `document.getElementById('session').dataset.fitCols`)
			rows := Eval[string](t, b, `document.getElementById('session').dataset.fitRows`)
			want := "size:" + rows + " " + cols
			b.WaitJS(t, 15*time.Second, "the program to see "+want, `document.getElementById('scr').innerText.includes('`+want+`')`, `document.getElementById('scr').innerText`)
			if n, _ := strconv.Atoi(cols); vp.name == "phone" && (n < 20 || n >= 100) {
				t.Fatalf("a phone's fit is %s columns; want fewer than the terminal's 100", cols)
			}
			b.WaitJS(t, 10*time.Second, "fit shown as on", `document.getElementById('fit-pty').getAttribute('aria-pressed') === 'true'`, `document.getElementById('fit-pty').outerHTML`)
			b.Screenshot(t, fmt.Sprintf("/tmp/ct-shots/fit-%s.png", vp.name))
			b.Do(t, "let go of the wheel", chromedp.Tap(chromedp.CSS(`#presence button[value=release]`)))
			b.WaitJS(t, 15*time.Second, "the terminal's own size back", `document.getElementById('scr').innerText.includes('size:30 100')`, `document.getElementById('scr').innerText`)
		})
	}
}

// Zoom works without the wheel: "Fit width" draws a 120-column screen as
// wide as a phone, "100%" gives the normal size back.
func TestBrowserZoomFitWidth(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "zoombox", "--", "bash", "-c", `printf 'zoom-ready %0110d|\n' 0; sleep 600`)
	s := SessionFor(t, h.URL, "zoombox")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	openSession(t, b, h.URL, s.ID, "zoom-ready")
	fits := `document.getElementById('scr').scrollWidth <= document.getElementById('term-wrap').clientWidth + 1`
	if Eval[bool](t, b, fits) {
		t.Fatal("a 120-column line fits a phone at 100%: the test shows nothing")
	}
	b.Do(t, "tap Fit width", chromedp.Tap(chromedp.CSS(`.term-tools [data-zoom=width]`)))
	b.WaitJS(t, 5*time.Second, "the screen as wide as the pane", fits,
		`document.getElementById('scr').scrollWidth + ' > ' + document.getElementById('term-wrap').clientWidth`)
	b.Screenshot(t, "/tmp/ct-shots/zoom-width-phone.png")
	b.Do(t, "tap 100%", chromedp.Tap(chromedp.CSS(`.term-tools [data-zoom="100"]`)))
	b.WaitJS(t, 5*time.Second, "the normal size", `!(`+fits+`)`, "")
}

// Keys mode: keystrokes reach the PTY as typed. Tab completes in bash; in
// vi, ihello<Esc>:wq writes the file; the full-screen app's top row is in
// view without scrolling and no shell scrollback sits above it. On the
// phone the Keys switch routes the keyboard; on the desktop a click on the
// screen does.
func TestBrowserKeysMode(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "uniquefile-abc.txt"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			name := "keys" + vp.name
			script := `cd ` + dir + ` && for i in $(seq 1 80); do echo "old-line-$i"; done && PS1='$ ' exec bash --norc --noprofile -i`
			StartWrap(t, nil, "--hub", h.URL, "--name", name, "--", "bash", "-c", script)
			s := SessionFor(t, h.URL, name)
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "admin", AdminPassword)
			openSession(t, b, h.URL, s.ID, "old-line-80")
			target := `#line`
			if vp.name == "phone" {
				b.Do(t, "switch to keys", chromedp.Tap(chromedp.CSS(`.mode [data-mode=keys]`)))
				b.WaitJS(t, 5*time.Second, "keys mode", `document.getElementById('input-form').classList.contains('mode-keys')`, "")
			} else {
				target = `#term-wrap`
				b.Do(t, "click the screen", chromedp.Click(chromedp.CSS(`#term-wrap`)))
				b.WaitJS(t, 5*time.Second, "the screen focused", `document.activeElement === document.getElementById('term-wrap')`, `document.activeElement.outerHTML.slice(0, 80)`)
			}
			b.Do(t, "type ls uniq<Tab><Enter>", chromedp.SendKeys(chromedp.CSS(target), "ls uniq\t"))
			b.WaitJS(t, 10*time.Second, "Tab to complete", `document.getElementById('rows').innerText.includes('ls uniquefile-abc.txt')`, `document.getElementById('rows').innerText`)
			b.Do(t, "Enter", chromedp.SendKeys(chromedp.CSS(target), "\r"))
			b.WaitJS(t, 10*time.Second, "ls to run", `document.getElementById('rows').innerText.includes('\nuniquefile-abc.txt')`, `document.getElementById('rows').innerText`)

			b.Do(t, "start vi", chromedp.SendKeys(chromedp.CSS(target), "vi -u NONE -N out.txt\r"))
			b.WaitJS(t, 10*time.Second, "vi on the alternate screen", `!!document.querySelector('#scrmode.alt')`, `document.getElementById('rows').innerText`)
			b.WaitJS(t, 5*time.Second, "vi's top row in view, no shell scrollback above it",
				rowVisible+` && getComputedStyle(document.getElementById('hist')).display === 'none'`, `document.getElementById('term-wrap').scrollTop + ''`)
			b.Screenshot(t, fmt.Sprintf("/tmp/ct-shots/keys-vi-%s.png", vp.name))
			b.Do(t, "ihello<Esc>:wq<Enter>", chromedp.SendKeys(chromedp.CSS(target), "ihello"+kb.Escape+":wq\r"))
			b.WaitJS(t, 10*time.Second, "vi to write out.txt and exit", `!!document.querySelector('#scrmode.main')`, `document.getElementById('rows').innerText`)
			if got, _ := os.ReadFile(filepath.Join(dir, "out.txt")); string(got) != "hello\n" {
				t.Fatalf("out.txt holds %q, want \"hello\\n\"", got)
			}
			b.WaitJS(t, 10*time.Second, "back on the main screen with its scrollback", `!!document.querySelector('#scrmode.main') && getComputedStyle(document.getElementById('hist')).display !== 'none'`, "")
		})
	}
}

// A line refused because someone else holds the wheel keeps its text; the
// input is disabled with who drives, and the error covers no key button.
func TestBrowserRefusedLineKept(t *testing.T) {
	h, s := sharedSession(t, "refusebox", "refuse-ready")
	a, b := StartBrowser(t, DesktopWidth, DesktopHeight), StartPhone(t)
	Login(t, a, h.URL, "ana", "ana-password-123")
	Login(t, b, h.URL, "bob", "bob-password-123")
	openSession(t, a, h.URL, s.ID, "refuse-ready")
	openSession(t, b, h.URL, s.ID, "refuse-ready")
	b.WaitJS(t, 5*time.Second, "short output's top row in view (no empty box)", rowVisible, `document.getElementById('term-wrap').scrollTop + ''`)
	// Bob types while the wheel is free, then Ana takes it before he sends.
	b.Do(t, "bob types", chromedp.SendKeys(chromedp.CSS(`#line`), "from-bob"))
	a.Do(t, "ana types", chromedp.SendKeys(chromedp.CSS(`#line`), "from-ana"))
	Eval[bool](t, a, `document.getElementById('input-form').requestSubmit(), true`)
	a.WaitJS(t, 15*time.Second, "ana's line ran", `document.getElementById('scr').innerText.includes('got:from-ana')`, `document.getElementById('scr').innerText`)
	// Bob's page may not have heard yet: his Send is refused by the hub.
	Eval[bool](t, b, `document.getElementById('line').disabled = false, document.getElementById('send').disabled = false, document.getElementById('input-form').requestSubmit(), true`)
	b.WaitJS(t, 10*time.Second, "bob told who drives, his text kept, input off",
		`document.getElementById('input-note').innerText.includes('ana is driving') && document.getElementById('line').value === 'from-bob' && document.getElementById('line').disabled`,
		`document.getElementById('input-note').innerText + ' | ' + document.getElementById('line').value + ' | ' + document.getElementById('line').disabled`)
	covered := Eval[bool](t, b, `(() => { const f = document.getElementById('flash').getBoundingClientRect();
	  return f.height > 0 && [...document.querySelectorAll('.keys .key')].some(k => { const r = k.getBoundingClientRect();
	  return r.left < f.right && r.right > f.left && r.top < f.bottom && r.bottom > f.top; }); })()`)
	if covered {
		t.Fatal("the error covers the key buttons")
	}
	b.Screenshot(t, "/tmp/ct-shots/refused-phone.png")
	if scr := Get(h.URL + "/api/v1/sessions/" + s.ID + "/screen"); strings.Contains(scr, "got:from-bob") {
		t.Fatal("the refused line reached the program")
	}
}
