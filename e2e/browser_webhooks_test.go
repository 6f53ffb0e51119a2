package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An admin adds a webhook on a phone, sees its secret once, and the
// delivery log shows a failing receiver's attempts and its error; the page
// fits 390 px with 44 px targets, and reads well at 1280.
func TestBrowserWebhooksPage(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--allow-private-webhooks", "--webhook-retry-min", "1h")
	rc := startReceiver(t, 1000)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open Webhooks", chromedp.Navigate(h.URL+"/admin/webhooks"))
	b.WaitJS(t, 10*time.Second, "the add form", `!!document.querySelector('form[action="/admin/webhooks"] input[name=url]')`, jsPage)
	b.Do(t, "add a webhook", chromedp.SendKeys(`input[name=name]`, "ops channel"), chromedp.SendKeys(`input[name=url]`, rc.URL),
		chromedp.Tap(chromedp.CSS(`form[action="/admin/webhooks"] button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the secret", `!!document.querySelector('#new-secret')`, jsPage)
	if s := Eval[string](t, b, `document.querySelector('#new-secret').textContent`); !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("secret %q", s)
	}
	StartWrap(t, nil, "--hub", h.URL, "--name", "hookbox", "--", "bash", "-c", "echo hi; sleep 30")
	SessionFor(t, h.URL, "hookbox")
	WaitFor(t, 20*time.Second, "the first attempt in the log", func() bool {
		d := deliveries(t, h, "-")
		return len(d) > 0 && d[0].Attempts > 0
	})
	b.Do(t, "reload", chromedp.Navigate(h.URL+"/admin/webhooks"))
	b.WaitJS(t, 10*time.Second, "the delivery log", `document.body.innerText.includes('session.started') && document.body.innerText.includes('500')`, jsPage)
	if page := Eval[string](t, b, `document.body.innerText`); strings.Contains(page, "whsec_") || !strings.Contains(page, "ops channel") {
		t.Errorf("after a reload the page shows the secret, or not the webhook:\n%s", page)
	}
	checkLayout(t, b, "webhooks")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "webhooks-390.png")), "webhooks-390.png")
	desk := StartBrowser(t, 1280, 900)
	Login(t, desk, h.URL, "admin", AdminPassword)
	desk.Do(t, "open Webhooks", chromedp.Navigate(h.URL+"/admin/webhooks"))
	desk.WaitJS(t, 10*time.Second, "the delivery log", `document.body.innerText.includes('session.started')`, jsPage)
	KeepScreenshot(t, desk.Screenshot(t, filepath.Join(t.TempDir(), "webhooks-1280.png")), "webhooks-1280.png")
}
