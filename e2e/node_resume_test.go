package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// agentSession is the agent's own session id the hub recorded for id.
func agentSession(t *testing.T, hubURL, id string) string {
	var s struct {
		AgentSession string `json:"agent_session"`
	}
	_ = json.Unmarshal([]byte(rawSession(t, hubURL, id)), &s)
	return s.AgentSession
}

// waitAgentSession waits until the hub knows id's agent session id.
func waitAgentSession(t *testing.T, hubURL, id string) string {
	t.Helper()
	var got string
	WaitFor(t, claudeWait, "the agent session id of "+id, func() bool { got = agentSession(t, hubURL, id); return got != "" })
	return got
}

// conversationHas reports whether a Messages request carries every text in
// want, anywhere in its messages, with the last one in its last user
// message (2.1.332 sends a system message after it).
func conversationHas(want ...string) func(claudetest.Request) bool {
	return func(r claudetest.Request) bool {
		if r.Messages == nil || len(r.Messages.Messages) == 0 {
			return false
		}
		all, _ := json.Marshal(r.Messages.Messages)
		last, _ := r.Messages.LastUser()
		for _, w := range want {
			if !strings.Contains(string(all), w) {
				return false
			}
		}
		return strings.Contains(last.Text(), want[len(want)-1])
	}
}

// requestsSeen describes every Messages request, for a failure message.
func requestsSeen(api *claudetest.FakeAPI) string {
	var b strings.Builder
	for _, r := range api.Requests() {
		if r.Messages != nil {
			m, _ := json.Marshal(r.Messages.Messages)
			if len(m) > 800 {
				m = m[len(m)-800:]
			}
			fmt.Fprintf(&b, "%s …%s\n", r.Path, m)
		} else {
			fmt.Fprintf(&b, "%s %s\n", r.Method, r.Path)
		}
	}
	return b.String()
}

// stopAndWait ends a session's program through the JSON API.
func stopAndWait(t *testing.T, hubURL, id string) {
	t.Helper()
	if code, body := PostJSON(hubURL+"/api/v1/sessions/"+id+"/stop", nil); code != 202 {
		t.Fatalf("stop %s: %d %s", id, code, body)
	}
	waitEndedAny(t, hubURL, id)
}

// Resume and fork of a past Claude session on ct node, with the real CLI
// against the fake API: Resume (tapped on the ended session's page at
// 390×844) continues the same conversation, so the next request carries
// the earlier messages under the same session id; Fork starts a new
// session id that carries them too.
func TestNodeResumeAndForkClaude(t *testing.T) {
	bin := claudetest.Binary(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--stop-grace", "3s")
	api := claudetest.NewFakeAPI(t)
	api.SetReplies(claudetest.TextReply("Noted the bird."), claudetest.TextReply("It was the bird."), claudetest.TextReply("Forked the bird."))
	project := t.TempDir()
	home := claudetest.Home(t, project)
	n := startNodeEnv(t, h.URL, "resbox", claudetest.Env(home, api.URL), "--allow", bin, "--root", project)
	waitNode(t, h.URL, "resbox", n)

	code, first := spawn(h.URL, "resbox", map[string]string{"command": bin, "cwd": project, "prompt": "Remember the word PELICAN"})
	if code != 201 {
		t.Fatalf("spawn: %d %s", code, first)
	}
	if _, ok := api.WaitRequest(claudeWait, conversationHas("Remember the word PELICAN")); !ok {
		t.Fatalf("the first prompt never reached the API; requests:\n%s", requestsSeen(api))
	}
	was := waitAgentSession(t, h.URL, first)
	// Stop only once the turn is over: its reply is then in Claude's transcript.
	WaitFor(t, claudeWait, "the first reply", screenHas(h.URL, first, "Noted the bird."))
	stopAndWait(t, h.URL, first)
	// The node lists it from Claude's own files, with its first prompt.
	list := Get(h.URL + "/api/v1/nodes/resbox/agent-sessions?command=" + url.QueryEscape(bin) + "&cwd=" + url.QueryEscape(project))
	if !strings.Contains(list, `"id":"`+was+`"`) || !strings.Contains(list, `"first_prompt":"Remember the word PELICAN"`) {
		t.Errorf("the node's list of past sessions: %s; want %s with its first prompt", list, was)
	}

	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the Resume-a-past-conversation link", `document.getElementById('resume-past-resbox') !== null`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "open the launch form and the picker", chromedp.Tap(chromedp.CSS(`#launch-resbox summary`)), chromedp.Tap(chromedp.CSS(`#resume-past-resbox`)))
	b.WaitJS(t, 10*time.Second, "the past conversation listed", fmt.Sprintf(`(document.querySelector('.agent-session[data-id="%s"]') || {innerText: ''}).innerText.includes('Remember the word PELICAN')`, was), `document.body.innerText.slice(0, 500)`)
	checkLayout(t, b, "resume picker")
	b.Screenshot(t, "/tmp/ct-shots/resume-picker-phone.png")
	b.Do(t, "desktop width", chromedp.EmulateViewport(1280, 900))
	b.Screenshot(t, "/tmp/ct-shots/resume-picker-desktop.png")
	b.Do(t, "phone width", chromedp.EmulateViewport(PhoneWidth, PhoneHeight))
	b.Do(t, "open the ended session", chromedp.Navigate(h.URL+"/s/"+first))
	b.WaitJS(t, 10*time.Second, "the Resume button", `document.getElementById('resume-btn') !== null`, `document.body.innerText.slice(0, 300)`)
	if bad := Eval[string](t, b, smallTargets("#resume-btn, #fork-btn")+` + `+noSideways); bad != "" {
		t.Fatalf("ended session page with Resume: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/resume-ended-phone.png")
	b.Do(t, "desktop width", chromedp.EmulateViewport(1280, 900))
	b.Screenshot(t, "/tmp/ct-shots/resume-ended-desktop.png")
	b.Do(t, "phone width", chromedp.EmulateViewport(PhoneWidth, PhoneHeight))
	b.Do(t, "tap Resume", chromedp.Tap(chromedp.CSS(`#resume-btn`)))
	b.WaitJS(t, claudeWait, "the resumed session's page", fmt.Sprintf(`location.pathname.startsWith('/s/') && location.pathname !== '/s/%s' && document.readyState === 'complete'`, first), `location.href + ' ' + document.body.innerText.slice(0, 300)`)
	resumed := strings.TrimPrefix(Eval[string](t, b, `location.pathname`), "/s/")
	WaitFor(t, claudeWait, "the resumed Claude at its prompt", screenHas(h.URL, resumed, claudetest.ReadyText))
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+resumed+"/input", map[string]any{"text": "Which word was it"}); code != 200 {
		t.Fatalf("type into the resumed session: %d %s", code, body)
	}
	WaitFor(t, 10*time.Second, "the typed prompt on screen", screenHas(h.URL, resumed, "Which word was it"))
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+resumed+"/input", map[string]any{"keys": []string{"Enter"}}); code != 200 {
		t.Fatalf("Enter: %d %s", code, body)
	}
	if _, ok := api.WaitRequest(claudeWait, conversationHas("Remember the word PELICAN", "Which word was it")); !ok {
		t.Fatalf("the resumed session's request does not carry the earlier messages; requests: %d", len(api.Requests()))
	}
	if got := waitAgentSession(t, h.URL, resumed); got != was {
		t.Errorf("the resumed session's agent session id = %q, want the original %q", got, was)
	}
	WaitFor(t, claudeWait, "the resumed reply", screenHas(h.URL, resumed, "It was the bird."))
	stopAndWait(t, h.URL, resumed)

	code, body := PostJSON(h.URL+"/api/v1/nodes/resbox/sessions", map[string]any{"command": bin, "cwd": project, "resume": was, "fork": true, "prompt": "A forked question"})
	var out struct {
		SessionID string `json:"session_id"`
	}
	if _ = json.Unmarshal([]byte(body), &out); code != 201 || out.SessionID == "" {
		t.Fatalf("fork: %d %s", code, body)
	}
	if _, ok := api.WaitRequest(claudeWait, conversationHas("Remember the word PELICAN", "Which word was it", "A forked question")); !ok {
		t.Fatalf("the fork's request does not carry the earlier messages; screen:\n%s\nrequests:\n%s", Get(h.URL+"/api/v1/sessions/"+out.SessionID+"/screen"), requestsSeen(api))
	}
	if got := waitAgentSession(t, h.URL, out.SessionID); got == was {
		t.Errorf("the fork kept the original session id %q; want a new one", was)
	}
	if code, body := PostJSON(h.URL+"/api/v1/nodes/resbox/sessions", map[string]any{"command": bin, "cwd": project, "resume": "--settings"}); code != 400 {
		t.Errorf("a resume id that is a flag = %d %s, want 400", code, body)
	}
	WaitFor(t, claudeWait, "the fork's reply", screenHas(h.URL, out.SessionID, "Forked the bird."))
	stopAndWait(t, h.URL, out.SessionID) // Claude writes into its HOME until it ends
	b.Screenshot(t, "/tmp/ct-shots/resume-fork-ended-phone.png")
}
