package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A skill shared over the API is listed on /skills (reached from the app
// bar) on a 390x844 phone; opening it shows its instructions, its files
// and its versions, long lines wrapped rather than scrolling sideways.
func TestBrowserSkillsPage(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	agent := newCoordPeer(t, h, "skill-agent")
	long := strings.Repeat("run-the-whole-release-pipeline-without-spaces-", 8)
	for _, k := range []map[string]any{
		{"name": "go-release", "description": "cut a release", "instructions": "1. tag it\n2. push the tag",
			"files": []map[string]string{{"path": "scripts/release.sh", "content": "git tag v1 && git push --tags"}}},
		{"name": "go-release", "description": "cut a signed release", "instructions": "1. tag -s it\n2. " + long},
	} {
		if code := agent.api(t, "POST", "/api/v1/skills", k, nil); code != 201 {
			t.Fatalf("share: %d", code)
		}
	}
	Login(t, b, h.URL, "admin", AdminPassword)
	b.WaitJS(t, 10*time.Second, "the Skills link in the app bar", `!!document.querySelector('.appbar a[href="/skills"]')`, `document.body.innerText`)
	b.Do(t, "tap Skills", chromedp.Click(chromedp.CSS(`.appbar a[href="/skills"]`)))
	b.WaitJS(t, 10*time.Second, "the catalog", `document.querySelector('.skill-list') !== null &&
		document.querySelector('.skill-list').innerText.includes('go-release') &&
		document.querySelector('.skill-list').innerText.includes('v2 by skill-agent')`, `document.body.innerText`)
	checkLayout(t, b, "skills")
	b.Do(t, "open the skill", chromedp.Click(chromedp.CSS(`.skill-list a`)))
	b.WaitJS(t, 10*time.Second, "the skill in full", `document.querySelector('.skill-open') !== null &&
		document.querySelector('.skill-instructions').innerText.includes('tag -s it')`, `document.body.innerText`)
	checkLayout(t, b, "a skill, v2")
	KeepScreenshot(t, b.Screenshot(t, filepath.Join(t.TempDir(), "skills-390.png")), "skills-390.png")
	b.Do(t, "open v1", chromedp.Click(chromedp.CSS(`.skill-open a[href$="version=1"]`)))
	b.WaitJS(t, 10*time.Second, "version 1 with its file", `document.querySelector('.skill-open h2').innerText.includes('v1') &&
		document.querySelector('.skill-open summary').innerText === 'scripts/release.sh'`, `document.body.innerText`)
	checkLayout(t, b, "a skill, v1")
}
