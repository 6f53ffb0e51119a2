package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// Approval policies (ct serve --policy) with the real Claude CLI against the
// fake Messages API: what a rule answers is what Claude was told.

// policyHub starts a hub whose --policy file holds rules.
func policyHub(t *testing.T, rules string) *Hub {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	return StartHub(t, t.TempDir(), "127.0.0.1:0", "--policy", path)
}

// watchPending counts, until the test ends, the times the hub listed a
// pending prompt.
func watchPending(t *testing.T, hubURL string) *atomic.Int32 {
	var seen atomic.Int32
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // polls the API as a page would, until the test's cleanup
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if len(prompts(hubURL, "?state=pending")) > 0 {
				seen.Add(1)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return &seen
}

func TestClaudePolicyAllowAnswersAtOnce(t *testing.T) {
	h := policyHub(t, `{"rules":[{"name":"proof file","tool":"Bash","command":"re:echo hello > proof\\.txt","outcome":"allow"}]}`)
	seen := watchPending(t, h.URL)
	c := startClaude(t, h.URL)
	c.ask()
	WaitFor(t, claudeWait, "proof.txt written by the allowed command", c.proofExists)
	c.term.WaitFor(replyText, claudeWait)
	ps := prompts(h.URL, "")
	if len(ps) != 1 || ps[0].State != "closed" || ps[0].Decision == nil || *ps[0].Decision != "allow" ||
		!strings.Contains(ps[0].Outcome, `llowed by rule "proof file"`) {
		t.Fatalf("prompts = %+v", ps)
	}
	if n := seen.Load(); n != 0 {
		t.Errorf("the hub listed the prompt as pending %d times; a rule's answer is never shown waiting", n)
	}
	if screen := c.term.Capture(); strings.Contains(screen, claudetest.DialogText) {
		t.Errorf("Claude's own dialog is still up:\n%s", screen)
	}
	audit := Get(h.URL + "/admin/audit")
	if !strings.Contains(audit, "prompt.allow") || !strings.Contains(audit, "proof file") {
		t.Errorf("the audit log does not name the rule:\n%.2000s", audit)
	}
}

func TestClaudePolicyDenyMessageReachesModel(t *testing.T) {
	const msg = "ct policy says: no proof files here"
	h := policyHub(t, `{"rules":[{"name":"no proof","tool":"Bash","command":"echo hello*","outcome":"deny","message":"`+msg+`"}]}`)
	c := startClaude(t, h.URL)
	c.ask()
	if !c.toolResultHas(msg) {
		t.Fatalf("the fake API never received the rule's message in a tool_result; screen:\n%s", c.term.Capture())
	}
	if c.proofExists() {
		t.Fatal("the denied command ran")
	}
	ps := prompts(h.URL, "")
	if len(ps) != 1 || ps[0].Decision == nil || *ps[0].Decision != "deny" || !strings.Contains(ps[0].Outcome, `enied by rule "no proof"`) {
		t.Fatalf("prompts = %+v", ps)
	}
}

// A two-person rule: the first approval (admin, on a phone) leaves the
// prompt waiting and says "1 of 2"; a second person (bob) settles it.
func TestBrowserPolicyTwoPeople(t *testing.T) {
	claudetest.Binary(t)
	h := policyHub(t, `{"rules":[{"name":"two keys","tool":"Bash","outcome":"ask-two"}]}`)
	accAddUser(t, h, "bob", "member", "claudebox", "bob-password-123")
	admin, bob := StartPhone(t), StartPhone(t)
	Login(t, admin, h.URL, "admin", AdminPassword)
	Login(t, bob, h.URL, "bob", "bob-password-123")
	shots := t.TempDir()

	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	card := "#p-" + p.ID
	for _, b := range []*Browser{admin, bob} {
		b.Do(t, "open approvals", chromedp.Navigate(h.URL+"/approvals"))
		b.WaitJS(t, 10*time.Second, "the prompt with its rule", `!!document.querySelector('`+card+` .policy')`, jsPage)
	}
	admin.Do(t, "admin taps Approve", chromedp.Tap(chromedp.CSS(card+` button.approve`)))
	admin.WaitJS(t, claudeWait, "the card saying 1 of 2", `((document.querySelector('`+card+` .approvals') || {}).textContent || '').startsWith('1 of 2 approvals (admin)')`, jsPage)
	checkLayout(t, admin, "approvals after one of two")
	KeepScreenshot(t, admin.Screenshot(t, filepath.Join(shots, "two-people-390.png")), "two-people-390.png")
	if got := waitPrompt(t, h.URL, p.ID, func(apiPrompt) bool { return true }); got.State != "pending" || c.proofExists() {
		t.Fatalf("after one approval: %+v, proof %v", got, c.proofExists())
	}
	// The same person again is refused, and says why.
	admin.Do(t, "admin taps Approve again", chromedp.Tap(chromedp.CSS(card+` button.approve`)))
	admin.WaitJS(t, 10*time.Second, "a refusal naming a different person", `document.body.innerText.includes('different person')`, jsPage)

	bob.Do(t, "bob reloads", chromedp.Navigate(h.URL+"/approvals"))
	bob.WaitJS(t, 10*time.Second, "bob sees 1 of 2", `((document.querySelector('`+card+` .approvals') || {}).textContent || '').startsWith('1 of 2')`, jsPage)
	bob.Do(t, "bob taps Approve", chromedp.Tap(chromedp.CSS(card+` button.approve`)))
	WaitFor(t, claudeWait, "proof.txt written after the second approval", c.proofExists)
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if !strings.Contains(got.Outcome, "approved by admin and bob from phone") && !strings.Contains(got.Outcome, "Approved by admin and bob from phone") {
		t.Fatalf("outcome %q", got.Outcome)
	}
	wide := StartBrowser(t, 1280, 900)
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.Do(t, "open the prompt", chromedp.Navigate(h.URL+"/p/"+p.ID))
	wide.WaitJS(t, 10*time.Second, "the settled card", `!!document.querySelector('`+card+` .policy')`, jsPage)
	KeepScreenshot(t, wide.Screenshot(t, filepath.Join(shots, "two-people-1280.png")), "two-people-1280.png")
	t.Logf("screenshots in %s", shots)
}

// /admin/policy on a phone: the rules in force, a bad edit refused with
// what is wrong (the file unchanged), a good one saved to the file.
func TestBrowserPolicyPage(t *testing.T) {
	const rules = `{"rules":[{"name":"git read-only","tool":"Bash","command":"git status*","outcome":"allow"}]}`
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--policy", path)
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	shots := t.TempDir()
	b.Do(t, "open the policy page", chromedp.Navigate(h.URL+"/admin/policy"))
	b.WaitJS(t, 10*time.Second, "the rules in the editor", `document.getElementById('policy-text').value.includes('git read-only')`, jsPage)
	checkLayout(t, b, "policy page")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "policy-390.png")), "policy-390.png")

	b.Do(t, "save a bad rule", chromedp.SetValue(chromedp.CSS(`#policy-text`), `{"rules":[{"name":"x","outcome":"sometimes"}]}`),
		chromedp.Click(chromedp.CSS(`.policy-edit button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "the refusal saying what is wrong", `((document.querySelector('.form-error') || {}).textContent || '').includes('outcome')`, jsPage)
	if got, _ := os.ReadFile(path); string(got) != rules {
		t.Fatalf("a refused save changed the file: %s", got)
	}
	checkLayout(t, b, "policy page with an error")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(shots, "policy-error-390.png")), "policy-error-390.png")

	const good = `{"rules":[{"name":"a","outcome":"ask"},{"name":"b","tool":"Read","outcome":"allow"}]}`
	b.Do(t, "save good rules", chromedp.SetValue(chromedp.CSS(`#policy-text`), good),
		chromedp.Click(chromedp.CSS(`.policy-edit button[type=submit]`)))
	b.WaitJS(t, 10*time.Second, "saved", `((document.querySelector('.form-ok') || {}).textContent || '').includes('2 rules')`, jsPage)
	if got, _ := os.ReadFile(path); string(got) != good {
		t.Fatalf("the file holds %s, want the saved rules", got)
	}
	wide := StartBrowser(t, 1280, 900)
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.Do(t, "open the policy page", chromedp.Navigate(h.URL+"/admin/policy"))
	wide.WaitJS(t, 10*time.Second, "the editor", `!!document.getElementById('policy-text')`, jsPage)
	KeepScreenshot(t, wide.Screenshot(t, filepath.Join(shots, "policy-1280.png")), "policy-1280.png")
}

// ct wrap --tag labels the session: stored, in the API, on its page.
func TestWrapTagsOnSession(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "tagbox", "--tag", "prod", "--tag", "team:web", "--", "bash", "-c", "echo ready; sleep 30")
	s := SessionFor(t, h.URL, "tagbox")
	var tags struct {
		Tags []string `json:"tags"`
	}
	WaitFor(t, 10*time.Second, "the session's tags in the API", func() bool {
		_ = json.Unmarshal([]byte(Get(h.URL+"/api/v1/sessions/"+s.ID)), &tags)
		return strings.Join(tags.Tags, ",") == "prod,team:web"
	})
	if page := Get(h.URL + "/s/" + s.ID); !strings.Contains(page, `<span class="badge tag">team:web</span>`) {
		t.Errorf("the session page does not show the tags:\n%.1500s", page)
	}
}
