package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// c2cMsg is the part of a stored message the C2C tests read back.
type c2cMsg struct {
	ID, From, To, Type, OriginID, ClaimedFrom, Citation, CitedID, Solution, Commit string
	Timestamp, Deadline                                                            *time.Time
	Context                                                                        *struct {
		Session, File, Error string
		Line                 int
	}
	Artifacts   []string
	TestResults json.RawMessage `json:"test_results"`
	Receipts    map[string]struct {
		AckedAt time.Time `json:"acked_at"`
	}
}

func (m *c2cMsg) UnmarshalJSON(b []byte) error { // the API's snake_case names
	type plain c2cMsg
	var aux struct {
		plain
		OriginID    string `json:"origin_id"`
		ClaimedFrom string `json:"claimed_from"`
		CitedID     string `json:"cited_id"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*m = c2cMsg(aux.plain)
	m.OriginID, m.ClaimedFrom, m.CitedID = aux.OriginID, aux.ClaimedFrom, aux.CitedID
	return nil
}

// A C2C question posted as written to the REST API and a C2C reply sent
// with a real MCP client through ct mcp: every field kept and returned,
// the sender's claims kept apart from who sent it, the citation resolved
// (and counted as the answer), q= finding the reply fields, and the inbox
// showing them at 390 px (and 1280) with the citation as a link.
func TestC2CMessageRESTAndMCPRoundTrip(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	front, back := newCoordPeer(t, h, "front"), newCoordPeer(t, h, "back")
	agent := startMCPAgent(t, back, "cccccccc-3333")
	agent.must("set_status", map[string]any{"status": "on the API"})
	var peers []struct{ Name string }
	front.api(t, "GET", "/api/v1/peers", nil, &peers)
	var agentName string
	for _, p := range peers {
		if strings.HasSuffix(p.Name, "-cccccccc") {
			agentName = p.Name
		}
	}
	if agentName == "" {
		t.Fatalf("the MCP agent is not a peer: %+v", peers)
	}
	deadline := time.Now().Add(time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	question := `{"id": "msg-front-001", "timestamp": "2026-03-02T07:59:00Z", "from": "claude-frontend",
	  "to": "` + agentName + `", "priority": "P1", "type": "blocker", "subject": "API returns 500 on /users",
	  "body": "The login page is blocked.", "context": {"session": "s-42", "file": "api/users.go", "line": 88, "error": "nil pointer dereference"},
	  "requires_response": true, "deadline": "` + deadline + `"}`
	req, _ := http.NewRequest("POST", h.URL+"/api/v1/messages", bytes.NewReader([]byte(question)))
	req.Header.Set("Authorization", "Bearer "+front.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var q c2cMsg
	json.NewDecoder(resp.Body).Decode(&q)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST the C2C question: %d (unknown fields refused?)", resp.StatusCode)
	}
	if q.OriginID != "msg-front-001" || q.From != "front" || q.ClaimedFrom != "claude-frontend" || q.Timestamp == nil ||
		q.Context == nil || q.Context.Line != 88 || q.Deadline == nil || q.Deadline.Format(time.RFC3339) != deadline {
		t.Fatalf("stored question = %+v", q)
	}

	got := agent.must("check_messages", map[string]any{"wait_seconds": 10})
	if !strings.Contains(got, `"origin_id": "msg-front-001"`) || !strings.Contains(got, `"claimed_from": "claude-frontend"`) {
		t.Fatalf("the agent's inbox lacks the C2C fields: %s", got)
	}
	reply := map[string]any{}
	json.Unmarshal([]byte(`{"id": "msg-back-007", "timestamp": "2026-03-02T08:20:00Z", "from": "claude-backend",
	  "to": "front", "type": "blocker-resolved", "priority": "P1", "subject": "Fixed: 500 on /users",
	  "body": "Deployed to staging.", "citation": "msg-front-001", "solution": "Check the **nil** user before reading its email.",
	  "commit": "a1b2c3d", "artifacts": ["api/users.go", "api/users_test.go"],
	  "test_results": {"passed": 41, "failed": 0, "suite": "go test ./api"}}`), &reply)
	if out := agent.must("send_message", reply); !strings.HasPrefix(out, "sent message") {
		t.Fatalf("send_message: %s", out)
	}
	var list []c2cMsg
	front.api(t, "GET", "/api/v1/messages?q=a1b2c3d", nil, &list)
	if len(list) != 1 {
		t.Fatalf("q=a1b2c3d (the commit) found %d messages", len(list))
	}
	a := list[0]
	if a.CitedID != q.ID || a.Citation != "msg-front-001" || a.OriginID != "msg-back-007" || a.ClaimedFrom != "claude-backend" ||
		a.From != agentName || a.Type != "blocker-resolved" || len(a.Artifacts) != 2 || !strings.Contains(string(a.TestResults), `"passed":41`) ||
		!strings.Contains(a.Solution, "**nil**") {
		t.Fatalf("the reply as the API returns it = %+v (test_results %s)", a, a.TestResults)
	}
	var q2 c2cMsg
	front.api(t, "GET", "/api/v1/messages/"+q.ID+"?peek=1", nil, &q2)
	if q2.Receipts[agentName].AckedAt.IsZero() {
		t.Fatalf("the reply citing the question did not answer it: %+v", q2.Receipts)
	}
	if code := front.api(t, "POST", "/api/v1/messages", map[string]any{"to": "back", "body": "x", "commit": strings.Repeat("f", 101)}, nil); code != http.StatusBadRequest {
		t.Fatalf("a 101-character commit: %d, want 400", code)
	}

	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the hub's messages", chromedp.Navigate(h.URL+"/inbox?box=hub"))
	sel := "#msg-" + a.ID
	b.WaitJS(t, 10*time.Second, "both C2C messages", `document.querySelectorAll('#inbox-list .coord-msg').length === 2`, `document.getElementById('inbox-list').innerText`)
	Eval[bool](t, b, openAll)
	fields := Eval[map[string]any](t, b, `(() => { const r = document.querySelector('`+sel+` .msg-fields'), q = document.querySelector('#msg-`+q.ID+` .msg-fields');
	  const cite = r.querySelector('a.msg-cite');
	  return { reply: r.innerText, question: q.innerText, href: cite ? cite.getAttribute('href') : '', strong: (r.querySelector('.md strong') || {}).textContent || '' }; })()`)
	for _, want := range []string{"Solution", "Commit", "a1b2c3d", "api/users_test.go", `"passed": 41`, "claude-backend", "msg-back-007", "#" + q.ID} {
		if !strings.Contains(fields["reply"].(string), want) {
			t.Errorf("the reply's fields lack %q: %s", want, fields["reply"])
		}
	}
	for _, want := range []string{"Deadline", "api/users.go:88", "nil pointer dereference", "session s-42", "claude-frontend", "not who sent it"} {
		if !strings.Contains(fields["question"].(string), want) {
			t.Errorf("the question's fields lack %q: %s", want, fields["question"])
		}
	}
	if fields["href"] != "/inbox?re="+q.ID+"#msg-"+q.ID || fields["strong"] != "nil" {
		t.Errorf("citation link %q, solution markdown %q", fields["href"], fields["strong"])
	}
	if bad := Eval[string](t, b, smallTargets(sel+` a.msg-cite`)+` + `+noSideways); bad != "" {
		t.Fatalf("at 390 px: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/inbox-c2c-phone.png")
	b.Do(t, "follow the citation", chromedp.Click(chromedp.CSS(sel+` a.msg-cite`)))
	b.WaitJS(t, 10*time.Second, "the cited message's thread", `location.search === '?re=`+q.ID+`' && !!document.getElementById('msg-`+q.ID+`')`, `location.href`)

	d := StartBrowser(t, DesktopWidth, DesktopHeight)
	Login(t, d, h.URL, "admin", AdminPassword)
	d.Do(t, "open the hub's messages", chromedp.Navigate(h.URL+"/inbox?box=hub"))
	d.WaitJS(t, 10*time.Second, "the inbox", `document.querySelectorAll('#inbox-list .coord-msg').length === 2 && `+noSideways+` === ''`, noSideways)
	Eval[bool](t, d, openAll)
	d.Screenshot(t, "/tmp/ct-shots/inbox-c2c-desktop.png")
}
