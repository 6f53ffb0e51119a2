package e2e

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ct-dev/ct/claudetest"
)

// composerReply is what the fake model answers every prompt with.
const composerReply = "I see a red square"

// A person on a phone writes a two-line prompt in the transcript tab's
// composer (Enter adds the line), attaches two PNGs and sends: the real
// Claude Code gets it as one prompt with the images (the fake API receives
// both lines and both pictures in one request), and the transcript shows
// the thumbnails. Five files at once are refused. Someone without the
// wheel is refused; an oversized file is refused with the limit, in the
// browser and by the hub.
func TestBrowserComposerPromptWithImage(t *testing.T) {
	claudetest.Binary(t)
	shots := os.Getenv("CT_SHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--attach-max", "1MiB")
	addUser(t, h, "bob")
	Login(t, b, h.URL, "admin", AdminPassword)
	c := startClaude(t, h.URL)
	c.api.SetScript(func(*claudetest.MessagesRequest) claudetest.Reply { return claudetest.TextReply(composerReply) })
	s := SessionFor(t, h.URL, "claudebox")
	pic := writePNG(t)
	pic2 := writeColourPNG(t, "blue.png", []byte{0x20, 0x40, 0xe0, 0xff})

	openComposer(t, b, h.URL, s.ID)
	b.Do(t, "write two lines", chromedp.SendKeys(chromedp.CSS(`#prompt`), "describe this picture\nin one short line"))
	if v := Eval[string](t, b, `document.getElementById('prompt').value`); !strings.Contains(v, "picture\nin one") {
		t.Fatalf("Enter did not add a line: %q", v)
	}
	b.Do(t, "attach two PNGs", chromedp.SetUploadFiles(chromedp.CSS(`#att-file`), []string{pic, pic2}))
	b.WaitJS(t, 5*time.Second, "both files named", `(t => t.includes('2 files: red.png') && t.includes('blue.png'))(document.getElementById('att-name').innerText)`, `document.getElementById('composer-box').innerText`)
	b.Screenshot(t, filepath.Join(shots, "composer-ready-390.png"))
	b.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`#compose-send`)))

	picB64 := base64.StdEncoding.EncodeToString(mustRead(t, pic))
	req, ok := c.api.WaitRequest(claudeWait, func(r claudetest.Request) bool {
		if r.Messages == nil {
			return false
		}
		last, _ := r.Messages.LastUser()
		return strings.Contains(last.Text(), "describe this picture") && strings.Contains(last.Text(), "in one short line")
	})
	if !ok {
		t.Fatalf("the fake API never got the two-line prompt as one; screen:\n%s", c.term.Capture())
	}
	if !bytes.Contains(req.Body, []byte(picB64)) {
		t.Fatalf("the prompt reached Claude without the picture: %.2000s", req.Body)
	}
	if !bytes.Contains(req.Body, []byte(base64.StdEncoding.EncodeToString(mustRead(t, pic2)))) {
		t.Fatalf("the prompt reached Claude without the second picture: %.2000s", req.Body)
	}
	b.WaitJS(t, claudeWait, "the reply and both thumbnails in the transcript",
		`document.getElementById('tx-list').innerText.includes('`+composerReply+`') && [...document.querySelectorAll('#tx-list .tx-user .thumb img')].filter(i => i.complete && i.naturalWidth === 8).length === 2`,
		`document.getElementById('tx-list').innerHTML`)
	b.WaitJS(t, 5*time.Second, "the box cleared", `document.getElementById('prompt').value === '' && document.getElementById('compose-note').innerText === 'Sent.'`, `document.getElementById('compose-note').innerText`)
	b.WaitJS(t, 5*time.Second, "the transcript following to its end", `(el => el.scrollHeight - el.scrollTop - el.clientHeight < 48)(document.getElementById('transcript'))`,
		`(el => el.scrollHeight + ' ' + el.scrollTop + ' ' + el.clientHeight)(document.getElementById('transcript'))`)
	b.Screenshot(t, filepath.Join(shots, "composer-sent-390.png"))

	// Quick action /clear, then a prompt sent with Ctrl+Enter: Claude
	// starts afresh (the new request has no trace of the first prompt).
	b.Do(t, "tap /clear", chromedp.Tap(chromedp.CSS(`.composer .quick button:nth-child(3)`)))
	c.term.WaitFor("/clear", claudeWait)
	b.Do(t, "write", chromedp.SendKeys(chromedp.CSS(`#prompt`), "after the clear"))
	b.Do(t, "Ctrl+Enter", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	fresh, ok := c.api.WaitRequest(claudeWait, func(r claudetest.Request) bool {
		if r.Messages == nil {
			return false
		}
		last, _ := r.Messages.LastUser()
		return strings.Contains(last.Text(), "after the clear")
	})
	if !ok {
		t.Fatalf("Ctrl+Enter did not send; screen:\n%s", c.term.Capture())
	}
	if bytes.Contains(fresh.Body, []byte("describe this picture")) {
		t.Error("/clear did not start a fresh conversation")
	}

	// The browser refuses more than four files at once...
	five := []string{pic, pic2, pic, pic2, pic}
	b.Do(t, "attach five files", chromedp.SetUploadFiles(chromedp.CSS(`#att-file`), five))
	b.WaitJS(t, 5*time.Second, "the browser's refusal of five", `document.getElementById('compose-note').innerText.includes('attach at most 4')`, `document.getElementById('compose-note').innerText`)

	// ...and a file over the hub's limit, saying the limit...
	big := filepath.Join(t.TempDir(), "big.png")
	if err := os.WriteFile(big, append(mustRead(t, pic), make([]byte, 2<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(t, "attach a 2 MB file", chromedp.SetUploadFiles(chromedp.CSS(`#att-file`), []string{big}))
	b.WaitJS(t, 5*time.Second, "the browser's refusal", `document.getElementById('compose-note').innerText.includes('attach at most 1.0 MB')`, `document.getElementById('compose-note').innerText`)
	// ...and so does the hub, for a page that does not check.
	Eval[bool](t, b, `delete document.getElementById('composer-box').dataset.max, true`)
	b.Do(t, "attach it again", chromedp.SetUploadFiles(chromedp.CSS(`#att-file`), []string{big}))
	b.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`#compose-send`)))
	b.WaitJS(t, 15*time.Second, "the hub's refusal", `document.getElementById('compose-note').innerText.includes('big.png is larger than 1 MB')`, `document.getElementById('compose-note').innerText`)
	b.Screenshot(t, filepath.Join(shots, "composer-toobig-390.png"))

	// Bob, without the wheel, is refused; Claude never hears from him.
	bob := StartPhone(t)
	Login(t, bob, h.URL, "bob", "bob-password-123")
	openComposer(t, bob, h.URL, s.ID)
	bob.Do(t, "write", chromedp.SendKeys(chromedp.CSS(`#prompt`), "bob-sneaks-in\nsecond line"))
	bob.Do(t, "tap Send", chromedp.Tap(chromedp.CSS(`#compose-send`)))
	bob.WaitJS(t, 15*time.Second, "bob refused", `document.getElementById('compose-note').innerText.includes('admin is driving')`, `document.getElementById('compose-note').innerText`)
	for _, r := range c.api.Requests() {
		if bytes.Contains(r.Body, []byte("bob-sneaks-in")) {
			t.Fatal("a prompt from someone without the wheel reached Claude")
		}
	}

	desk := StartBrowser(t, 1280, 900)
	Login(t, desk, h.URL, "admin", AdminPassword)
	openComposer(t, desk, h.URL, s.ID)
	desk.WaitJS(t, claudeWait, "the thumbnail", `[...document.querySelectorAll('#tx-list .thumb img')].some(i => i.complete && i.naturalWidth === 8)`, `document.getElementById('tx-list').innerHTML`)
	desk.Screenshot(t, filepath.Join(shots, "composer-1280.png"))
}

// openComposer opens session id's page on the transcript tab.
func openComposer(t *testing.T, b *Browser, hubURL, id string) {
	t.Helper()
	b.Do(t, "open the session", chromedp.Navigate(hubURL+"/s/"+id))
	b.WaitJS(t, 15*time.Second, "the transcript tab", `!!document.querySelector('label[for=view-tx]')`, jsPage)
	b.Do(t, "tap Transcript", chromedp.Tap(chromedp.CSS(`label[for=view-tx]`)))
	b.WaitJS(t, 10*time.Second, "the composer", `getComputedStyle(document.getElementById('composer-box')).display !== 'none' && getComputedStyle(document.getElementById('input-form')).display === 'none'`, jsPage)
	if w := Eval[float64](t, b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
		t.Errorf("the page scrolls sideways by %v px", w)
	}
}

// writePNG writes an 8x8 red PNG and returns its path.
func writePNG(t *testing.T) string {
	t.Helper()
	return writeColourPNG(t, "red.png", []byte{0xe0, 0x20, 0x20, 0xff})
}

// writeColourPNG writes an 8x8 PNG of one RGBA colour as name.
func writeColourPNG(t *testing.T, name string, rgba []byte) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = rgba[i%4]
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
