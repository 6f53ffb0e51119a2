package e2e

import (
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// noDriving is a JS expression: nothing on the page drives the program
// (no input bar, no wheel buttons, no fit), and it says the program ended.
const noDriving = `!document.getElementById('input-form') && !document.querySelector('.wheel-actions') &&
  !document.getElementById('fit-pty') && document.getElementById('presence').innerText.includes('program has ended')`

// Issue 15 item 8: a session that ends while its page is open loses its
// input bar and wheel controls at once; a reload shows the same.
func TestBrowserEndedSessionHasNoControls(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			name := "endbox" + vp.name
			StartWrap(t, nil, "--hub", h.URL, "--name", name, "--", "bash", "-c", `echo end-ready; read l; echo "bye $l"`)
			s := SessionFor(t, h.URL, name)
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "admin", AdminPassword)
			openSession(t, b, h.URL, s.ID, "end-ready")
			b.WaitJS(t, 10*time.Second, "the wheel's buttons while it runs", `!!document.querySelector('.wheel-actions') && !!document.getElementById('input-form')`, `document.body.innerText`)
			if code, body := PostJSON(h.URL+"/api/v1/sessions/"+s.ID+"/input", map[string]string{"text": "now\r"}); code != 200 {
				t.Fatalf("input: %d %s", code, body)
			}
			b.WaitJS(t, 15*time.Second, "the open page to drop every control once the program ended", noDriving, `document.getElementById('session').innerHTML.slice(0, 3000)`)
			shot := b.Screenshot(t, filepath.Join(t.TempDir(), "ended-"+vp.name+".png"))
			KeepScreenshot(t, shot, "session-ended-"+vp.name+".png")
			b.Do(t, "reload", chromedp.Reload())
			b.WaitJS(t, 15*time.Second, "a reload to show no controls either", `!!document.getElementById('presence') && `+noDriving, `document.body.innerText`)
		})
	}
}

// Issue 15 item 8: after an outage of the hub behind a proxy (tailscale
// serve, Caddy: it answers 502 while the hub is down, and a browser's
// EventSource gives up on a 502), an open page is live again within a few
// seconds of the hub being back; the SSE extension's own backoff had grown
// to half a minute, and a page stayed "offline".
func TestBrowserReconnectsSoonAfterOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := t.TempDir()
	h := StartHub(t, data, addr)
	target, _ := url.Parse(h.URL)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer func() { proxy.CloseClientConnections(); proxy.Close() }() // the page's stream stays open till then
	tokens.Store(proxy.URL, h.Token)
	StartWrap(t, nil, "--hub", h.URL, "--name", "outagebox", "--", "bash", "-c", `echo outage-ready; while :; do sleep 1; done`)
	s := SessionFor(t, h.URL, "outagebox")
	b := StartPhone(t)
	Login(t, b, proxy.URL, "admin", AdminPassword)
	openSession(t, b, proxy.URL, s.ID, "outage-ready")
	h.Stop(t)
	b.WaitJS(t, 10*time.Second, "the page to see the stream down", `document.body.classList.contains('sse-down')`, `document.body.className`)
	// The outage lasts long enough for a doubling backoff to pass 16 s.
	time.Sleep(17 * time.Second)
	h = StartHub(t, data, addr)
	WaitFor(t, 15*time.Second, "the wrap to reconnect", func() bool {
		for _, x := range Sessions(h.URL) {
			if x.ID == s.ID && x.Status == "live" {
				return true
			}
		}
		return false
	})
	b.WaitJS(t, 8*time.Second, "the page live again soon after the hub is back",
		`!document.body.classList.contains('sse-down') && document.querySelector('#status .badge').innerText === 'live'`,
		`document.body.className + ' ' + document.getElementById('status').innerText`)
}

// Issue 15 item 7: a page that is hidden (the phone switched apps, the tab
// went to the background) or closing stops counting as a viewer at once,
// not 45-60 s later; shown again, it counts again.
func TestBrowserPresenceDropsWhenHidden(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "hidebox", "--", "bash", "-c", `echo hide-ready; while :; do sleep 1; done`)
	s := SessionFor(t, h.URL, "hidebox")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	openSession(t, b, h.URL, s.ID, "hide-ready")
	watching := func() bool { return len(detail(t, h, s.ID).Viewers) > 0 }
	WaitFor(t, 10*time.Second, "admin counted as watching", watching)
	setVisibility := func(state string) {
		Eval[bool](t, b, `Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => '`+state+`'}),
			Object.defineProperty(document, 'hidden', {configurable: true, get: () => `+map[string]string{"hidden": "true", "visible": "false"}[state]+`}),
			document.dispatchEvent(new Event('visibilitychange')), true`)
	}
	setVisibility("hidden")
	WaitFor(t, 5*time.Second, "the hidden page to stop counting", func() bool { return !watching() })
	setVisibility("visible")
	WaitFor(t, 10*time.Second, "the page shown again to count again", watching)
	b.WaitJS(t, 10*time.Second, "the screen live again", `!document.body.classList.contains('sse-down')`, `document.body.className`)
}
