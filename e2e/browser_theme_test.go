package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// colorScheme makes the tab report prefers-color-scheme: scheme ("light"
// or "dark"), as a phone set to that system theme does.
func colorScheme(t testing.TB, b *Browser, scheme string) {
	t.Helper()
	b.Do(t, "emulate prefers-color-scheme: "+scheme, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
}

// lowContrast is a JS expression listing visible text whose colour has
// under 4.5:1 against the background it is drawn on (the nearest ancestor
// with an opaque one); disabled controls are exempt, as WCAG exempts them.
const lowContrast = `(() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bgOf = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.9) return c; } return [255, 255, 255]; };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.offsetParent === null || e.closest(':disabled, [hidden], .t')) continue;
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(e);
    if (parseFloat(cs.opacity) < 1) continue;
    const a = lum(rgb(cs.color)), b = lum(bgOf(e)), c = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (c < 4.5) out.push(e.outerHTML.slice(0, 70) + ' ' + c.toFixed(2) + ':1');
  }
  return out;
})()`

// The UI and the terminal follow the system's colour scheme: dark by
// default, light under prefers-color-scheme: light, with every page's text
// and every ANSI colour readable (4.5:1) in both. Screenshots of the lobby,
// a session, approvals, the inbox and the login page at 390 and 1280 px in
// both schemes go to /tmp/ct-shots/theme-*.png.
func TestBrowserThemes(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	script := `for c in 30 31 32 33 34 35 36 37 90 91 92 93 94 95 96 97; do printf '\e[%sm colour-%s \e[0m' $c $c; done; echo; echo theme-ready; sleep 600`
	StartWrap(t, nil, "--hub", h.URL, "--name", "themebox", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "themebox")
	// A question waiting, so the lobby's banner and the approvals card show.
	StartWrap(t, nil, "--hub", h.URL, "--name", "themeask", "--", "bash", "-c", `printf 'Delete all build files? [y/N] '; read a; sleep 600`)
	WaitFor(t, 15*time.Second, "the question to wait on approvals", func() bool { return strings.Contains(Get(h.URL+"/approvals"), "Delete all build files") })
	want := map[string]struct{ bg, term, blue string }{
		"dark":  {"rgb(17, 20, 24)", "rgb(11, 13, 16)", "rgb(108, 182, 255)"},
		"light": {"rgb(246, 247, 249)", "rgb(251, 251, 252)", "rgb(5, 80, 174)"},
	}
	for _, vp := range viewports {
		for _, scheme := range []string{"dark", "light"} {
			t.Run(vp.name+"-"+scheme, func(t *testing.T) {
				b := StartBrowser(t, vp.w, vp.h)
				colorScheme(t, b, scheme)
				b.Do(t, "open the login page", chromedp.Navigate(h.URL+"/login"))
				b.WaitJS(t, 10*time.Second, "the login page", `document.readyState === 'complete' && !!document.querySelector('form[action="/login"]')`, "")
				shoot := func(page string) {
					if got := Eval[string](t, b, `getComputedStyle(document.body).backgroundColor`); got != want[scheme].bg {
						t.Errorf("%s in %s: the page background is %s, want %s", page, scheme, got, want[scheme].bg)
					}
					for _, bad := range Eval[[]string](t, b, lowContrast) {
						t.Errorf("%s in %s: text under 4.5:1: %s", page, scheme, bad)
					}
					b.Screenshot(t, fmt.Sprintf("/tmp/ct-shots/theme-%s-%s-%s.png", page, scheme, vp.name))
				}
				shoot("login")
				Login(t, b, h.URL, "admin", AdminPassword)
				shoot("lobby")
				openSession(t, b, h.URL, s.ID, "theme-ready")
				if got := Eval[string](t, b, `getComputedStyle(document.getElementById('scr')).backgroundColor`); got != want[scheme].term {
					t.Errorf("session in %s: the terminal background is %s, want %s", scheme, got, want[scheme].term)
				}
				// ANSI blue (34) is drawn in the scheme's palette.
				blue := Eval[string](t, b, `getComputedStyle([...document.querySelectorAll('#scr span')].find(e => e.textContent.includes('colour-34'))).color`)
				if blue != want[scheme].blue {
					t.Errorf("session in %s: ANSI blue is %s, want %s", scheme, blue, want[scheme].blue)
				}
				shoot("session")
				for _, p := range []string{"approvals", "inbox"} {
					b.Do(t, "open "+p, chromedp.Navigate(h.URL+"/"+p))
					b.WaitJS(t, 10*time.Second, "the "+p+" page", `document.readyState === 'complete'`, "")
					shoot(p)
				}
			})
		}
	}
}

// An ended program's screen draws no cursor: neither on a page that saw
// it end nor after a reload.
func TestBrowserEndedNoCursor(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	stop := filepath.Join(t.TempDir(), "stop")
	StartWrap(t, nil, "--hub", h.URL, "--name", "endbox", "--", "bash", "-c", `printf 'end-ready '; while [ ! -e `+stop+` ]; do sleep 0.05; done; printf 'bye '`)
	s := SessionFor(t, h.URL, "endbox")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	openSession(t, b, h.URL, s.ID, "end-ready")
	cursor := `(() => { const c = document.querySelector('#rows .cur'); return c ? getComputedStyle(c).outlineStyle : 'no .cur'; })()`
	if got := Eval[string](t, b, cursor); got != "solid" {
		t.Fatalf("a live program's cursor is drawn as %q, want an outline; the test shows nothing", got)
	}
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.WaitJS(t, 15*time.Second, "the session to end", `document.getElementById('status').dataset.status === 'ended' && document.getElementById('rows').innerText.includes('bye')`, `document.getElementById('status').outerHTML`)
	b.WaitJS(t, 5*time.Second, "no cursor on the ended screen", cursor+` !== 'solid'`, cursor)
	b.Do(t, "reload", chromedp.Reload())
	b.WaitJS(t, 10*time.Second, "the ended page", `document.readyState === 'complete' && document.getElementById('rows').innerText.includes('bye')`, "")
	if got := Eval[string](t, b, cursor); got == "solid" {
		t.Fatal("after a reload the ended screen still draws the cursor")
	}
}
