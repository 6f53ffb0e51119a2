package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The installable app: the manifest is linked and says what "Add to Home
// Screen" needs; the service worker registers from app.js, takes control
// of the page and caches the shell; with the network gone, opening the hub
// shows the offline page instead of the browser's error.
func TestBrowserPWAOffline(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)

	resp, err := http.Get(h.URL + "/static/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name, StartURL, Display, ThemeColor string
		Icons                               []struct{ Src, Sizes, Purpose string }
	}
	err = json.NewDecoder(resp.Body).Decode(&struct {
		Name       *string `json:"name"`
		StartURL   *string `json:"start_url"`
		Display    *string `json:"display"`
		ThemeColor *string `json:"theme_color"`
		Icons      any     `json:"icons"`
	}{&m.Name, &m.StartURL, &m.Display, &m.ThemeColor, &m.Icons})
	resp.Body.Close()
	if err != nil || m.Name != "ct" || m.StartURL != "/" || m.Display != "standalone" || m.ThemeColor != "#111418" {
		t.Errorf("manifest = %+v, %v", m, err)
	}
	for _, icon := range []string{"icon-192.png", "icon-512.png", "maskable-192.png", "maskable-512.png"} {
		r, err := http.Get(h.URL + "/static/icons/" + icon)
		if err != nil || r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("icon %s: %v %v", icon, err, r)
		}
		if r != nil {
			r.Body.Close()
		}
	}
	if !Eval[bool](t, b, `!!document.querySelector('link[rel=manifest][href="/static/manifest.webmanifest"]')`) {
		t.Error("the page does not link the manifest")
	}

	b.WaitJS(t, 15*time.Second, "the service worker to control the page",
		`!!navigator.serviceWorker && !!navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('/sw.js')`,
		`String(navigator.serviceWorker && navigator.serviceWorker.controller)`)
	Eval[bool](t, b, `(caches.match('/static/offline.html').then(r => { window.ctOfflineCached = !!r; }), true)`)
	b.WaitJS(t, 10*time.Second, "the offline page in the service worker's cache", `window.ctOfflineCached === true`, "")

	// The settings page fits the phone and has its push controls.
	b.Do(t, "open the settings", chromedp.Navigate(h.URL+"/settings"))
	b.WaitJS(t, 10*time.Second, "the settings page", `!!document.getElementById('push-enable')`, `document.body.innerText`)
	if w := Eval[int](t, b, `document.documentElement.scrollWidth`); w > PhoneWidth {
		t.Errorf("the settings page is %d px wide on a %d px phone", w, PhoneWidth)
	}
	if small := Eval[string](t, b, `[...document.querySelectorAll('main button, main input:not([type=hidden]), main label.check')].filter(e => e.getBoundingClientRect().height < 44 && e.type !== 'checkbox').map(e => e.outerHTML.slice(0, 60)).join('\n')`); small != "" {
		t.Errorf("tap targets under 44 px:\n%s", small)
	}

	// Offline for the page and for the service worker, whose own fetches
	// go through its own target.
	goOffline := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		on := true
		_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &on,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
	b.Do(t, "take the page offline", goOffline)
	targets, err := chromedp.Targets(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ti := range targets {
		if ti.Type != "service_worker" {
			continue
		}
		found = true
		swCtx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(ti.TargetID))
		if err := chromedp.Do(swCtx, goOffline); err != nil {
			t.Fatalf("take the service worker offline: %v", err)
		}
		defer cancel()
	}
	if !found {
		t.Fatal("no service worker target in the browser")
	}
	// Chromium may restart an idle service worker as a new target that the
	// emulation above does not cover (1 run in 5 here), so the hub goes away
	// too: without the worker the browser would show its own error page.
	h.Kill()
	b.Do(t, "open the lobby while offline", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the offline page",
		`!!document.getElementById('offline') && document.body.innerText.includes('You are offline')`,
		`location.href + '\n' + document.body.innerText`)
}
