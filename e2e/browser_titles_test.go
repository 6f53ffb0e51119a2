package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// noSideways is "" when the page does not scroll sideways, else its width.
const noSideways = `(document.documentElement.scrollWidth > innerWidth ? 'the page scrolls sideways: ' + document.documentElement.scrollWidth : '')`

// smallTargets lists the controls under sel smaller than 44 px ("" when none).
func smallTargets(sel string) string {
	return `[...document.querySelectorAll(` + "`" + sel + "`" + `)].filter(e => e.offsetParent !== null).map(e => {
  const r = e.getBoundingClientRect();
  return (r.height < 44 || r.width < 44) ? (e.id || e.name || e.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height) : '';
}).filter(Boolean).join(', ')`
}

// A session has a short number and a title: ct wrap --title sets it, the
// lobby, the session page and the API show "#1 title", and a person who
// may drive renames it on the session page (audited); at 390 and 1280 px.
func TestBrowserSessionTitle(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "titlebox", "--title", "deploy staging", "--", "bash", "-c", `echo title-ready; sleep 600`)
	s := SessionFor(t, h.URL, "titlebox")
	var api struct {
		Number  uint64 `json:"number"`
		Title   string `json:"title"`
		TitleBy string `json:"title_by"`
	}
	for _, raw := range apiSessions(t, h.URL) {
		if strings.Contains(string(raw), s.ID) {
			_ = json.Unmarshal(raw, &api)
		}
	}
	if api.Number != 1 || api.Title != "deploy staging" || api.TitleBy != "ct wrap --title" {
		t.Fatalf("API session = %+v; want #1 \"deploy staging\" by ct wrap --title", api)
	}
	current := "deploy staging" // each viewport renames it
	for _, vp := range bothViewports {
		t.Run(vp.name, func(t *testing.T) {
			b := StartBrowser(t, vp.w, vp.h)
			Login(t, b, h.URL, "admin", AdminPassword)
			b.WaitJS(t, 10*time.Second, "the lobby row named #1 "+current,
				fmt.Sprintf(`(() => { const c = document.querySelector('.session-link .cmd'); return !!c && c.querySelector('.num').textContent === '#1' && c.querySelector('.name').textContent === %q && document.querySelector('.session-link .cmdline').textContent.includes('bash -c'); })()`, current),
				`document.getElementById('lobby').innerText`)
			if bad := Eval[string](t, b, noSideways); bad != "" {
				t.Fatal(bad)
			}
			b.Screenshot(t, "/tmp/ct-shots/title-lobby-"+vp.name+".png")
			b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
			b.WaitJS(t, 10*time.Second, "the header named #1",
				fmt.Sprintf(`document.querySelector('.s-title').innerText.replace(/\s+/g, ' ').trim() === %q && document.title.startsWith(%q)`, "#1 "+current, "#1 "+current),
				`document.querySelector('.s-title').innerText + ' | ' + document.title`)
			if bad := Eval[string](t, b, smallTargets("#rename")); bad != "" {
				t.Fatalf("the Rename link is small: %s", bad)
			}
			b.Screenshot(t, "/tmp/ct-shots/title-session-"+vp.name+".png")
			name := "staging rollout " + vp.name
			b.Do(t, "tap Rename", chromedp.Tap(chromedp.CSS(`#rename`)))
			b.WaitJS(t, 10*time.Second, "the rename form", `location.pathname.endsWith('/title') && document.readyState === 'complete' && document.querySelector('label[for=title-input]') !== null`, `location.href`)
			if bad := Eval[string](t, b, smallTargets(`main input, main button, main .button-link`)+` + `+noSideways); bad != "" {
				t.Fatalf("rename form: %s", bad)
			}
			b.Screenshot(t, "/tmp/ct-shots/title-rename-"+vp.name+".png")
			b.Do(t, "type a title and save",
				chromedp.Clear(chromedp.CSS(`#title-input`)),
				chromedp.SendKeys(chromedp.CSS(`#title-input`), name),
				chromedp.Tap(chromedp.CSS(`main button[type=submit]`)))
			b.WaitJS(t, 10*time.Second, "the session page under its new title",
				fmt.Sprintf(`location.pathname === '/s/%s' && (document.querySelector('.s-title') || {innerText: ''}).innerText.includes(%q)`, s.ID, name),
				`location.href + ' ' + document.body.innerText.slice(0, 300)`)
			current = name
		})
	}
	audit := Get(h.URL + "/admin/audit")
	if !strings.Contains(audit, "session.title") || !strings.Contains(audit, "staging rollout desktop") {
		t.Fatalf("the audit log has no session.title entry for the rename:\n%s", audit)
	}
}

// apiSessions is GET /api/v1/sessions as raw JSON objects.
func apiSessions(t *testing.T, hubURL string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	if err := json.Unmarshal([]byte(Get(hubURL+"/api/v1/sessions")), &out); err != nil {
		t.Fatalf("GET /api/v1/sessions: %v", err)
	}
	return out
}
