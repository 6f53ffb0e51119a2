package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 15, finding 13: a created token overflowed the phone (a 657 px
// page) and had no Copy button. It wraps inside 390 px and a 44 px Copy
// button is beside it.
func TestBrowserCreatedTokenFitsAndCopies(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open Tokens", chromedp.Navigate(h.URL+"/tokens"))
	b.WaitJS(t, 10*time.Second, "the new-token form", `!!document.querySelector('form[action="/tokens"] input[name=name]')`, jsPage)
	b.Do(t, "create a token", chromedp.SendKeys(`form[action="/tokens"] input[name=name]`, "phone-check"),
		chromedp.Tap(chromedp.CSS(`form[action="/tokens"] button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the created token", `!!document.querySelector('#new-token')`, jsPage)
	if tok := Eval[string](t, b, `document.querySelector('#new-token').textContent`); !strings.HasPrefix(tok, "ctm_") {
		t.Fatalf("created token %q", tok)
	}
	if w := Eval[float64](t, b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %.0f px wide with the token shown; want 390", w)
	}
	if h := Eval[float64](t, b, `document.querySelector('button[data-copy]').getBoundingClientRect().height`); h < 44 {
		t.Errorf("Copy button is %.0f px tall; want 44", h)
	}
	checkLayout(t, b, "created token")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "token-390.png")), "token-390.png")
}
