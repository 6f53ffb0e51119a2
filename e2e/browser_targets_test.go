package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tapTargets lists every visible control on the page smaller than 44 px in
// either direction ("" when none): links, buttons, summaries, selects and
// fields. Two kinds are left out, as WCAG's target-size rule leaves them
// out: a link inside a sentence (its parent has text of its own around
// it: making it 44 px tall would spread the lines apart), and a control
// that is transparent or inside a label (the label is the target).
const tapTargets = `(() => {
  const sentence = e => e.tagName === 'A' && [...e.parentElement.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  return [...document.querySelectorAll('a[href], button, summary, select, textarea, input:not([type=hidden])')]
    .filter(e => e.offsetParent !== null && getComputedStyle(e).opacity !== '0' && getComputedStyle(e).visibility !== 'hidden')
    .filter(e => !sentence(e) && !(e.tagName === 'INPUT' && e.closest('label')))
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && (r.height < 43.5 || r.width < 43.5))
    .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.innerText || e.value || e.name || '').trim().slice(0, 30) + '" ' + Math.round(r.width) + 'x' + Math.round(r.height))
    .join('; ');
})()`

// Every main page at 390×844 has no link or button under 44 px (the
// "‹ Team" back link on a peer's page was 54×19) and no sideways scroll:
// the lobby, a session and its manage and title pages, the archived list,
// approvals, inbox, Team, a peer's page, MCP servers, skills, account,
// tokens, pairing, settings and the admin pages.
func TestBrowserTapTargetsMainPages(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "tapbox", "--", "bash", "-c", `echo tap-ready; sleep 600`)
	s := SessionFor(t, h.URL, "tapbox")
	waitLogContains(t, h.URL, s.ID, "tap-ready")
	bob := addUser(t, h, "bob")
	if code, out := asPeer(t, bob, "bob/agent1", "PATCH", h.URL+"/api/v1/peers/me", `{"status":"checking targets"}`); code >= 300 {
		t.Fatalf("register the peer: %d %s", code, out)
	}
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	pages := []string{"/", "/s/" + s.ID, "/s/" + s.ID + "/manage", "/s/" + s.ID + "/title", "/archived", "/approvals",
		"/inbox", "/team", "/team/p/bob/agent1", "/mcp", "/skills", "/account", "/tokens", "/pair", "/settings",
		"/admin/users", "/admin/audit", "/admin/webhooks", "/admin/policy"}
	var bad []string
	for _, p := range pages {
		b.Do(t, "open "+p, chromedp.Navigate(h.URL+p))
		b.WaitJS(t, 10*time.Second, p+" loaded", `document.readyState === 'complete'`, `location.href`)
		if got := Eval[string](t, b, tapTargets+` + `+noSideways); got != "" {
			bad = append(bad, p+": "+got)
		}
		if p == "/team/p/bob/agent1" {
			b.Screenshot(t, "/tmp/ct-shots/targets-peer-phone.png")
		}
	}
	if len(bad) > 0 {
		t.Fatalf("tap targets under 44 px at 390 px:\n%s", strings.Join(bad, "\n"))
	}
}
