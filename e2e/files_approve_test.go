package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A workstation sharing with --share-approve: each read by another peer
// is an approval prompt on the sharing session (the same approvals list
// and decision API); allowed, the file comes back; denied or unanswered
// within --share-approve-wait, the reader gets a refusal saying so.
func TestSharedFilesApprovePerRead(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--share-approve-wait", "6s")
	base := sharedTree(t)
	_, target, _ := startSharer(t, h, base, "askbox", "asker", "--share-approve")
	agent := startAgentMCP(t, h)
	phone, wide := approvalBrowsers(t, h) // started before a read waits: its time is short
	type result struct {
		out   string
		isErr bool
	}
	read := func() chan result {
		ch := make(chan result, 1)
		go func() {
			out, isErr := agent.call("get_peer_file", map[string]any{"peer": "asker", "path": "src/a.txt"})
			ch <- result{out, isErr}
		}()
		return ch
	}
	decide := func(decision string) {
		t.Helper()
		p := waitPending(t, h.URL)
		if p.SessionID != target.ID || p.Tool != "Read shared file" || !strings.Contains(string(p.Input), "asks to read src/a.txt") {
			t.Fatalf("the read's prompt = %+v %s", p, p.Input)
		}
		switch decision {
		case "":
			return
		case "tap":
			approveReadInBrowser(t, h, phone, wide)
			return
		}
		if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]any{"decision": decision}); code != 200 {
			t.Fatalf("%s: %d %s", decision, code, body)
		}
	}
	for _, c := range []struct{ decision, want string }{
		{"tap", "shared hello\n"},
		{"allow", "shared hello\n"},
		{"deny", "denied reading src/a.txt"},
		{"", "did not approve reading src/a.txt within 6s"},
	} {
		ch := read()
		decide(c.decision)
		var r result
		select {
		case r = <-ch:
		case <-time.After(30 * time.Second):
			t.Fatalf("%q: the read never ended", c.decision)
		}
		if (c.decision == "allow" || c.decision == "tap") == r.isErr || !strings.Contains(r.out, c.want) {
			t.Fatalf("%q: get_peer_file = %v %q; want %q", c.decision, r.isErr, r.out, c.want)
		}
	}
	if ps := prompts(h.URL, "?state=pending"); len(ps) != 0 {
		t.Fatalf("a read's prompt is left pending: %+v", ps)
	}
}

// approveReadInBrowser: the read's card on /approvals, at 390 px (and
// 1280 px for the picture), says who asks for which file; a tap on
// Approve answers it.
func approveReadInBrowser(t *testing.T, h *Hub, b, wide *Browser) {
	t.Helper()
	shots := t.TempDir()
	if dir := os.Getenv("CT_SHOTS_DIR"); dir != "" {
		shots = dir
	}
	wide.Do(t, "open approvals", chromedp.Navigate(h.URL+"/approvals"))
	wide.WaitJS(t, 10*time.Second, "the read's card", `!!document.querySelector('#pending .prompt.state-pending')`, jsPage)
	wide.Screenshot(t, filepath.Join(shots, "file-approval-1280.png"))
	b.Do(t, "open approvals", chromedp.Navigate(h.URL+"/approvals"))
	b.WaitJS(t, 10*time.Second, "the read's card naming the file",
		`(document.querySelector('#pending .prompt.state-pending') || {innerText: ''}).innerText.includes('asks to read src/a.txt')`, jsPage)
	checkLayout(t, b, "approvals with a file read")
	b.Screenshot(t, filepath.Join(shots, "file-approval-390.png"))
	b.Do(t, "tap Approve", chromedp.Tap(chromedp.CSS(`#pending .prompt.state-pending button.approve`)))
}

// approvalBrowsers are a phone (390 px) and a desktop (1280 px) browser
// logged in as the admin.
func approvalBrowsers(t *testing.T, h *Hub) (phone, wide *Browser) {
	t.Helper()
	NeedChromium(t)
	phone, wide = StartPhone(t), StartBrowser(t, 1280, 800)
	Login(t, phone, h.URL, "admin", AdminPassword)
	Login(t, wide, h.URL, "admin", AdminPassword)
	return phone, wide
}
