package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// usageScript makes the fake API answer a typed prompt with a Bash call and
// its result with text, each with its own known usage, and sums what it
// returned (the figures ct must show).
type usageScript struct {
	mu   sync.Mutex
	sum  claudetest.Usage
	n    int
	last claudetest.Usage
}

func (s *usageScript) reply(req *claudetest.MessagesRequest) claudetest.Reply {
	ask := claudetest.BashReply(proofCmd, "Create the proof file")
	ask.Usage = &claudetest.Usage{Input: 1200, Output: 34, CacheCreation: 5000, CacheRead: 20000}
	rep := ask
	if len(req.ToolResults()) > 0 {
		rep = claudetest.Reply{Text: replyText, Usage: &claudetest.Usage{Input: 300, Output: 56, CacheCreation: 700, CacheRead: 25000}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := *rep.Usage
	s.sum.Input += u.Input
	s.sum.Output += u.Output
	s.sum.CacheCreation += u.CacheCreation
	s.sum.CacheRead += u.CacheRead
	s.n++
	s.last = u
	return rep
}

func (s *usageScript) totals() (claudetest.Usage, claudetest.Usage, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum, s.last, s.n
}

// apiPeerStats is a peer with stats as list_peers returns it.
type apiPeerStats struct {
	Name    string `json:"name"`
	Session string `json:"session"`
	Stats   *struct {
		Model   string `json:"model"`
		Context int64  `json:"context"`
		Input   int64  `json:"input"`
		Output  int64  `json:"output"`
		Calls   int    `json:"calls"`
	} `json:"stats"`
}

// Real Claude Code under ct wrap against a fake API that reports known
// usage: the session header, the turn's line in the transcript, the lobby
// row, today's totals and list_peers {sort: headroom} all show the sums of
// what the fake API returned, on a phone.
func TestUsageFromClaudeTranscript(t *testing.T) {
	bin := claudetest.Binary(t)
	NeedChromium(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	boss := newCoordPeer(t, h, "boss")
	apiToken := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "claude-agents", "kind": "api"})
	api := claudetest.NewFakeAPI(t)
	script := &usageScript{}
	api.SetScript(script.reply)
	project := t.TempDir()
	home := claudetest.Home(t, project)
	env := append(claudetest.Env(home, api.URL), "CT_NAME=claudebox",
		"CT_TOKEN="+MachineToken(t, h.URL, "claudebox"), "CT_API_TOKEN="+apiToken)
	term := claudetest.NewTmux(t, project, env, Binary(t), "wrap", "--hub", h.URL, "--", bin)
	term.WaitFor(claudetest.ReadyText, claudeWait)
	term.Type(askText)
	term.WaitFor(askText, claudeWait)
	term.SendKeys("Enter")
	p := waitPending(t, h.URL)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	term.WaitFor(replyText, claudeWait)
	sum, last, calls := script.totals()
	if calls != 2 {
		t.Fatalf("the fake API answered %d main-loop requests, want 2", calls)
	}

	// The session's sums, persisted with it.
	var ss struct {
		Tokens struct {
			Input, Output int64
			CacheCreation int64 `json:"cache_creation"`
			CacheRead     int64 `json:"cache_read"`
			Calls         int
			Context       int64
			Model         string
		} `json:"tokens"`
	}
	var body string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("session: %s\ntranscript: %s", body, Get(h.URL+"/api/v1/sessions/"+p.SessionID+"/transcript"))
		}
	})
	WaitFor(t, claudeWait, "the session's usage", func() bool {
		body = Get(h.URL + "/api/v1/sessions/" + p.SessionID)
		_ = json.Unmarshal([]byte(body), &ss)
		return ss.Tokens.Calls == 2 && ss.Tokens.Output == int64(sum.Output)
	})
	tk := ss.Tokens
	if tk.Input != int64(sum.Input) || tk.CacheCreation != int64(sum.CacheCreation) || tk.CacheRead != int64(sum.CacheRead) {
		t.Errorf("session tokens %+v, want the fake's sums %+v", tk, sum)
	}
	wantCtx := int64(last.Input + last.CacheCreation + last.CacheRead + last.Output)
	if tk.Context != wantCtx || tk.Model == "" {
		t.Errorf("context %d model %q, want the last call's %d and its model", tk.Context, tk.Model, wantCtx)
	}

	// list_peers through a real MCP client, most headroom first.
	agent := startMCPAgent(t, boss, "")
	var peers []apiPeerStats
	WaitFor(t, claudeWait, "the Claude peer's stats in list_peers", func() bool {
		if err := json.Unmarshal([]byte(agent.must("list_peers", map[string]any{"sort": "headroom"})), &peers); err != nil {
			t.Fatalf("list_peers: %v", err)
		}
		return len(peers) > 0 && peers[0].Session == p.SessionID && peers[0].Stats != nil && peers[0].Stats.Calls == 2
	})
	if st := peers[0].Stats; st.Input != int64(sum.Input) || st.Output != int64(sum.Output) || st.Context != wantCtx || st.Model != tk.Model {
		t.Errorf("list_peers stats %+v, want in %d out %d context %d model %s", st, sum.Input, sum.Output, wantCtx, tk.Model)
	}
	if resp, err := authGet(h.URL + "/api/v1/peers?sort=biggest"); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown sort: %v %v, want 400", resp, err)
	} else {
		resp.Body.Close()
	}

	// What a person sees on a phone: the header, the turn's line, the lobby.
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+p.SessionID))
	jsIn := `(document.querySelector('#usage-` + p.SessionID + ` .u-tokens') || {dataset: {}}).dataset`
	b.WaitJS(t, 15*time.Second, "the header's usage",
		jsIn+`.in === '`+fmt.Sprint(sum.Input)+`' && `+jsIn+`.out === '`+fmt.Sprint(sum.Output)+`'`, `document.getElementById('status').innerText`)
	shot := filepath.Join(t.TempDir(), "usage-session-390.png")
	b.Screenshot(t, shot)
	KeepScreenshot(t, shot, "usage-session-390.png")
	header := Eval[string](t, b, `document.getElementById('usage-`+p.SessionID+`').textContent`)
	for _, want := range []string{"1,500 in", "90 out", "45k read", "5,700 written", tk.Model} {
		if !strings.Contains(header, want) {
			t.Errorf("header usage %q lacks %q", header, want)
		}
	}
	b.Do(t, "tap Transcript", chromedp.Tap(chromedp.CSS(`label[for=view-tx]`)))
	b.WaitJS(t, 15*time.Second, "the turn's usage line",
		`[...document.querySelectorAll('#tx-list .tx-usage')].some(e => e.innerText.includes('1,500 in · 90 out'))`, `document.getElementById('tx-list').innerText`)
	Eval[bool](t, b, `(() => { const l = [...document.querySelectorAll('#tx-list .tx-usage')].pop(); l.scrollIntoView({block: 'center'}); return true })()`)
	shot = filepath.Join(t.TempDir(), "usage-transcript-390.png")
	b.Screenshot(t, shot)
	KeepScreenshot(t, shot, "usage-transcript-390.png")
	b.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 15*time.Second, "the lobby row and today's totals",
		`!!document.querySelector('a.session-link[href="/s/`+p.SessionID+`"] .usage .u-tokens[data-in="`+fmt.Sprint(sum.Input)+`"]') && `+
			`!!document.querySelector('#day-usage li[data-kind=machine][data-name=claudebox][data-in="`+fmt.Sprint(sum.Input)+`"]') && `+
			`!!document.querySelector('#day-usage li[data-kind=person][data-in="`+fmt.Sprint(sum.Input)+`"]')`,
		`document.getElementById('lobby').innerText`)
	if w := Eval[float64](t, b, `document.documentElement.scrollWidth - window.innerWidth`); w > 1 {
		t.Errorf("the lobby widens the page by %v px", w)
	}
	shot = filepath.Join(t.TempDir(), "usage-lobby-390.png")
	b.Screenshot(t, shot)
	KeepScreenshot(t, shot, "usage-lobby-390.png")
	wide := StartBrowser(t, 1280, 800)
	Login(t, wide, h.URL, "admin", AdminPassword)
	wide.WaitJS(t, 15*time.Second, "today's totals", `!!document.getElementById('day-usage')`, `document.body.innerText`)
	shot = filepath.Join(t.TempDir(), "usage-lobby-1280.png")
	wide.Screenshot(t, shot)
	KeepScreenshot(t, shot, "usage-lobby-1280.png")
	wide.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+p.SessionID))
	wide.WaitJS(t, 15*time.Second, "the header's usage", `!!document.querySelector('#usage-`+p.SessionID+` .u-tokens')`, `document.body.innerText`)
	shot = filepath.Join(t.TempDir(), "usage-session-1280.png")
	wide.Screenshot(t, shot)
	KeepScreenshot(t, shot, "usage-session-1280.png")
}
