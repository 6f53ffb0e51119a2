package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// apiEntry is a transcript entry as GET /api/v1/sessions/{id}/transcript shows it.
type apiEntry struct {
	Kind  string          `json:"kind"`
	TS    time.Time       `json:"ts"`
	Text  string          `json:"text"`
	Tool  string          `json:"tool"`
	Input json.RawMessage `json:"input"`
	By    string          `json:"by"`
}

// transcript is the session's conversation steps: its usage entries (token
// counts, usage_test.go) are left out.
func transcript(t *testing.T, hubURL, id string) []apiEntry {
	t.Helper()
	var all, out []apiEntry
	if err := json.Unmarshal([]byte(Get(hubURL+"/api/v1/sessions/"+id+"/transcript")), &all); err != nil {
		t.Fatalf("transcript is not JSON: %v", err)
	}
	for _, e := range all {
		if e.Kind != "usage" {
			out = append(out, e)
		}
	}
	return out
}

func kinds(es []apiEntry) string {
	var k []string
	for _, e := range es {
		k = append(k, e.Kind)
	}
	return strings.Join(k, ",")
}

// The real Claude Code under ct wrap, a scripted turn: the person's prompt, a
// Bash call approved from the hub, its result, Claude's reply. The transcript
// shows each step in order, with the command, and who approved it; it is
// still there after the session ends.
func TestTranscriptOfClaudeTurn(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	c.term.WaitFor(replyText, claudeWait)

	want := "user,tool_call,approval,tool_result,assistant"
	var got []apiEntry
	WaitFor(t, claudeWait, "the turn in the transcript", func() bool {
		got = transcript(t, h.URL, p.SessionID)
		return kinds(got) == want
	})
	if got[0].Text != askText {
		t.Errorf("user entry = %q, want %q", got[0].Text, askText)
	}
	var in struct{ Command string }
	if err := json.Unmarshal(got[1].Input, &in); err != nil || got[1].Tool != "Bash" || in.Command != proofCmd {
		t.Errorf("tool_call = %+v (input %s)", got[1], got[1].Input)
	}
	if got[2].Tool != "Bash" || !strings.HasPrefix(got[2].Text, "Approved") || got[2].By == "" {
		t.Errorf("approval = %+v", got[2])
	}
	if got[3].Tool != "Bash" || got[3].Text == "" {
		t.Errorf("tool_result = %+v", got[3])
	}
	if got[4].Text != replyText {
		t.Errorf("assistant = %q, want %q", got[4].Text, replyText)
	}
	for i := 1; i < len(got); i++ {
		if got[i].TS.IsZero() {
			t.Errorf("entry %d has no time", i)
		}
	}

	// Other people's machines stay hidden.
	req, _ := http.NewRequest("GET", h.URL+"/api/v1/sessions/"+p.SessionID+"/transcript", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode == 200 {
		t.Fatalf("transcript without a login: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Claude Code exits: the transcript stays with the ended session.
	// Claude Code exits on a second Ctrl-C soon after the first; a key it
	// drops (it is busy redrawing) is pressed again.
	var pressed time.Time
	WaitFor(t, claudeWait, "the session to end", func() bool {
		if time.Since(pressed) > 400*time.Millisecond {
			c.term.SendKeys("C-c")
			pressed = time.Now()
		}
		for _, s := range Sessions(h.URL) {
			if s.ID == p.SessionID {
				return s.Status == "ended"
			}
		}
		return false
	})
	if again := transcript(t, h.URL, p.SessionID); kinds(again) != want {
		t.Fatalf("after the end: %s, want %s", kinds(again), want)
	}
}

// The same turn on a phone: the Transcript tab beside the screen fills live
// while the page stays open, in order, with the tool's command.
func TestBrowserTranscriptTab(t *testing.T) {
	claudetest.Binary(t)
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	Login(t, b, h.URL, "admin", AdminPassword)
	c := startClaude(t, h.URL)
	s := SessionFor(t, h.URL, "claudebox")
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+s.ID))
	b.WaitJS(t, 15*time.Second, "the transcript tab", `!!document.querySelector('label[for=view-tx]')`, jsPage)
	b.Do(t, "tap Transcript", chromedp.Tap(chromedp.CSS(`label[for=view-tx]`)))
	b.WaitJS(t, 10*time.Second, "the transcript shown, the screen hidden",
		`getComputedStyle(document.getElementById('transcript')).display !== 'none' && getComputedStyle(document.getElementById('term-wrap')).display === 'none'`, jsPage)
	Eval[bool](t, b, `window.ctSamePage = true`)

	c.ask()
	p := waitPending(t, h.URL)
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	const jsKinds = `[...document.querySelectorAll('#tx-list .tx:not(.tx-usage)')].map(e => e.dataset.kind).join(',')`
	b.WaitJS(t, claudeWait, "the turn in the transcript tab",
		jsKinds+` === 'user,tool_call,approval,tool_result,assistant'`, jsKinds+` + '\n' + document.getElementById('tx-list').innerText`)
	text := Eval[string](t, b, `document.getElementById('tx-list').innerText`)
	for _, want := range []string{askText, proofCmd, replyText, "Approved"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript tab lacks %q:\n%s", want, text)
		}
	}
	if !Eval[bool](t, b, `window.ctSamePage === true`) {
		t.Fatal("the page reloaded; entries must arrive live")
	}
	if w := Eval[float64](t, b, `document.documentElement.scrollWidth - window.innerWidth`); w > 1 {
		t.Errorf("the transcript widens the page by %v px", w)
	}
}

// The hub is away for the whole turn: the entries wait in the wrap's spool
// and reach the restarted hub, complete and in order.
func TestTranscriptSurvivesHubRestart(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	s := SessionFor(t, h.URL, "claudebox")
	h.Stop(t)
	c.ask()
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	c.term.PressUntilGone(claudetest.DialogText, claudeWait, "1")
	c.term.WaitFor(replyText, claudeWait)

	h2 := StartHub(t, h.Data, h.Addr)
	want := "user,tool_call,tool_result,assistant"
	var got []apiEntry
	WaitFor(t, claudeWait, "the turn in the restarted hub's transcript", func() bool {
		got = transcript(t, h2.URL, s.ID)
		return kinds(got) == want
	})
	if got[0].Text != askText || got[3].Text != replyText || !strings.Contains(string(got[1].Input), "proof.txt") {
		t.Fatalf("transcript = %+v", got)
	}
}
