package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// installChromium is what a developer runs when the browser tests skip.
const installChromium = "apt-get update && apt-get install -y chromium"

// Phone is the viewport the browser tests look through: a 390x844 CSS-pixel
// phone at device scale 2, with touch.
const (
	PhoneWidth  = 390
	PhoneHeight = 844
)

// browserStep bounds one browser action, so a wedged Chromium fails the test
// with a message instead of hanging it until go test's own timeout.
const browserStep = 30 * time.Second

// ChromiumPath finds the Chromium binary: $CT_CHROMIUM, else the first of
// chromium, chromium-browser or google-chrome on PATH ("" when none).
func ChromiumPath() string {
	if p := os.Getenv("CT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// NeedChromium returns the Chromium binary, or skips the test when there is
// none; with CT_REQUIRE_BROWSER=1 (CI) a missing browser fails it instead.
func NeedChromium(t testing.TB) string {
	t.Helper()
	p := ChromiumPath()
	if p != "" {
		return p
	}
	if os.Getenv("CT_REQUIRE_BROWSER") == "1" {
		t.Fatalf("CT_REQUIRE_BROWSER=1 but no Chromium was found; install it: %s", installChromium)
	}
	t.Skipf("no Chromium on PATH; install it to run this test: %s", installChromium)
	return ""
}

// Browser is one headless Chromium with one tab, closed when the test ends.
type Browser struct {
	ctx    context.Context
	close  func()
	Output *SafeBuffer // Chromium's own stdout and stderr, for failure reports
}

// Close quits Chromium now (as a person closing the app would); the test's
// cleanup does it anyway.
func (b *Browser) Close() { b.close() }

// StartBrowser starts a fresh headless Chromium (its own profile in a temp
// dir) with one tab emulating a phone of width x height CSS pixels: device
// scale 2, mobile layout, touch events.
func StartBrowser(t testing.TB, width, height int64) *Browser {
	t.Helper()
	exe := NeedChromium(t)
	b := &Browser{Output: &SafeBuffer{}}
	// Exactly these flags: each is there to keep a CI Chromium quiet and
	// self-contained (no network of its own, no sandbox as root, no GPU).
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.CombinedOutput(b.Output),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// Cancelling the tab's context closes Chromium and waits for it to go.
	t.Cleanup(func() { cancel(); acancel() })
	b.ctx, b.close = ctx, func() { cancel(); acancel() }
	// The first action starts Chromium and ties it to the context it runs
	// in, so it runs on ctx itself, not on a step's timeout context (whose
	// end would close the browser).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height,
		chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatalf("browser: start Chromium (%s): %v\nchromium output:\n%s", exe, err, b.Output.String())
	}
	return b
}

// StartPhone starts a browser sized like a phone (390x844) that also says
// it is one in its user agent, as a phone's browser does: the hub reads it
// to record the device an answer came from ("admin from phone").
func StartPhone(t testing.TB) *Browser {
	t.Helper()
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	ua := phoneUserAgent(Eval[string](t, b, `navigator.userAgent`))
	b.Do(t, "set a phone's user agent", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua})
		return err
	}))
	return b
}

var chromeVersionRE = regexp.MustCompile(`Chrome/([0-9.]+)`)

// phoneUserAgent is an Android phone's Chrome user agent of the same
// version as the headless one (whose own says "X11" and no "Mobile").
func phoneUserAgent(headless string) string {
	ver := "0"
	if m := chromeVersionRE.FindStringSubmatch(headless); m != nil {
		ver = m[1]
	}
	return "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + ver + " Mobile Safari/537.36"
}

// Login logs in at hubURL through its login form, as a person would: it
// opens the lobby, is sent to the login page, types the name and password
// and taps Log in, then waits for the lobby. A refused login fails the test
// with what the page says.
func Login(t testing.TB, b *Browser, hubURL, user, password string) {
	t.Helper()
	b.Do(t, "open the hub", chromedp.Navigate(hubURL+"/"))
	b.WaitJS(t, 10*time.Second, "the login page",
		`location.pathname === '/login' && document.readyState === 'complete' && !!document.querySelector('form[action="/login"] input[name=password]')`,
		`location.href + '\n' + document.body.innerText`)
	fillLogin(t, b, user, password)
	if Eval[string](t, b, `location.pathname`) == "/login" {
		t.Fatalf("browser: logging in as %s was refused: %s", user,
			Eval[string](t, b, `(document.querySelector('.form-error') || document.body).innerText`))
	}
	b.WaitJS(t, 15*time.Second, "the lobby after logging in",
		`location.pathname === '/' && document.readyState === 'complete' && !!document.getElementById('lobby')`,
		`location.href + '\n' + document.body.innerText`)
}

// fillLogin types name and password into the open login form and taps Log in.
func fillLogin(t testing.TB, b *Browser, user, password string) {
	t.Helper()
	b.Do(t, "type the name and password",
		chromedp.Clear(chromedp.CSS(`form[action="/login"] input[name=user]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=user]`), user),
		chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=password]`), password))
	// Tapping starts a navigation; mark the page so waits can tell the
	// answer from the form that was filled in.
	Eval[bool](t, b, `window.ctFilled = true`)
	b.Do(t, "tap Log in", chromedp.Tap(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	b.WaitJS(t, 15*time.Second, "the answer to the login form",
		`!window.ctFilled && document.readyState === 'complete'`, `location.href`)
}

// Do runs actions in the tab, failing the test (what names the step) on error.
//
// A single action that failed because its node went stale (a live region
// swapped by htmx between the query and the tap: "Could not find node with
// given id") is run again: the lookup failed, so nothing was dispatched.
func (b *Browser) Do(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	for try := 0; err != nil && len(actions) == 1 && staleNode(err) && try < 5 && ctx.Err() == nil; try++ {
		err = chromedp.Do(ctx, actions...)
	}
	if err != nil {
		t.Fatalf("browser: %s: %v\nchromium output:\n%s", what, err, b.Output.String())
	}
}

// staleNode reports whether err is the browser saying a queried node left
// the document before the action reached it.
func staleNode(err error) bool {
	m := err.Error()
	return strings.Contains(m, "Could not find node with given id") || strings.Contains(m, "Node is detached from document")
}

// Eval runs a JavaScript expression in the page and decodes its JSON value
// into T, failing the test on error.
func Eval[T any](t testing.TB, b *Browser, expr string) T {
	t.Helper()
	v, err := tryEval[T](b, expr)
	if err != nil {
		t.Fatalf("browser: evaluate %q: %v", expr, err)
	}
	return v
}

func tryEval[T any](b *Browser, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// WaitJS polls a JavaScript expression every 50 ms until it is true or
// timeout passes; on timeout it fails with what and the value of describe
// (an expression that tells what the page shows instead; "" for none).
func (b *Browser) WaitJS(t testing.TB, timeout time.Duration, what, cond, describe string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := tryEval[bool](b, cond)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("timed out after %s waiting in the browser for %s (last error: %v)", timeout, what, err)
			if describe != "" {
				s, derr := tryEval[string](b, describe)
				msg += fmt.Sprintf("\nthe page shows instead (%v):\n%s", derr, s)
			}
			t.Fatal(msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Screenshot saves what the viewport shows as a PNG at path and returns path.
func (b *Browser) Screenshot(t testing.TB, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// KeepScreenshot copies a screenshot into docs/screenshots/name when
// CT_UPDATE_SCREENSHOTS=1, so the pictures in the docs are what the test saw.
func KeepScreenshot(t testing.TB, path, name string) {
	t.Helper()
	if os.Getenv("CT_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(RepoRoot(t), "docs", "screenshots", name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot kept at %s", dst)
}
