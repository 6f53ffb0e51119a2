package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a phone, Account → Add a workstation → Show a pairing code shows a
// code big enough to read off the screen and the one-line commands for
// Linux/macOS and Windows, which name this hub and the code; nothing
// scrolls sideways.
func TestBrowserPairPage(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	shots := t.TempDir()
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open Account", chromedp.Navigate(h.URL+"/account"))
	b.WaitJS(t, 10*time.Second, "the Add a workstation link", `!!document.querySelector('a[href="/pair"]')`, jsPage)
	b.Do(t, "tap Add a workstation", chromedp.Tap(chromedp.CSS(`a[href="/pair"]`)))
	b.WaitJS(t, 10*time.Second, "the pair page", `location.pathname === '/pair' && !!document.querySelector('form[action="/pair"] button')`, jsPage)
	checkLayout(t, b, "pair")
	b.Do(t, "tap Show a pairing code", chromedp.Tap(chromedp.CSS(`form[action="/pair"] button`)))
	b.WaitJS(t, 10*time.Second, "the code", `!!document.querySelector('[data-testid=pair-code]')`, jsPage)
	code := Eval[string](t, b, `document.querySelector('[data-testid=pair-code]').textContent`)
	if !pairCodeRE.MatchString(`data-testid="pair-code">` + code + `<`) {
		t.Fatalf("code %q is not XXXX-XXXX", code)
	}
	for _, id := range []string{"pair-unix", "pair-powershell"} {
		cmd := Eval[string](t, b, `document.querySelector('[data-testid=`+id+`]').textContent`)
		if !strings.Contains(cmd, h.URL+"/download/") || !strings.Contains(cmd, "--code "+code) {
			t.Errorf("%s command %q does not download from %s with the code %s", id, cmd, h.URL, code)
		}
	}
	if px := Eval[float64](t, b, `parseFloat(getComputedStyle(document.querySelector('[data-testid=pair-code]')).fontSize)`); px < 24 {
		t.Errorf("the code is %.0f px; it must be readable across a desk (24+)", px)
	}
	checkLayout(t, b, "pair code")
	shot := b.Screenshot(t, filepath.Join(shots, "pair-390.png"))
	if dir := os.Getenv("CT_PAIR_SHOT"); dir != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "pair-390.png"), data, 0o644)
	}
	KeepScreenshot(t, shot, "pair-390.png")
}
