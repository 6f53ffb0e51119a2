package handlers

import (
	"encoding/json"
	"strings"
	"testing"
)

// on_behalf_of is a connector's word, bounded and on one line, and only
// from an API token: a browser session answers in its own name. A valid
// one passes the checks (the prompt's wrap is offline, so the answer ends
// in 409, after validation).
func TestDecisionOnBehalfOfChecked(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-a", "box-a")
	f.prompt("prm-a", "sess-a", "box-a")
	res := f.do("POST", "/api/v1/tokens", `{"name":"telegram","kind":"api"}`, cred{basic: [2]string{"admin", testPassword}}, nil)
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(res.body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token create: %d %s", res.status, res.body)
	}
	body := func(name string) string {
		b, _ := json.Marshal(map[string]string{"decision": "allow", "on_behalf_of": name})
		return string(b)
	}
	for name, want := range map[string]string{
		strings.Repeat("a", 129):  "over 128 bytes",
		"alice\nadmin from phone": "one line",
		"alice\u2028x":            "one line",
		" alice":                  "spaces",
	} {
		res := f.do("POST", "/api/v1/prompts/prm-a/decision", body(name), cred{bearer: tok.Token}, nil)
		if res.status != 400 || !strings.Contains(res.body, want) {
			t.Errorf("on_behalf_of %q = %d %s, want 400 saying %q", name, res.status, res.body, want)
		}
	}
	cookie := sessionCookieOf(t, login(f, "admin", testPassword, nil)).Value
	res = f.do("POST", "/api/v1/prompts/prm-a/decision", body("alice"), cred{cookie: cookie}, nil)
	if res.status != 400 || !strings.Contains(res.body, "connector") {
		t.Errorf("a browser session's on_behalf_of = %d %s, want 400", res.status, res.body)
	}
	res = f.do("POST", "/api/v1/prompts/prm-a/decision", body("Bob (@bob)"), cred{bearer: tok.Token}, nil)
	if res.status == 400 {
		t.Errorf("a valid on_behalf_of refused: %s", res.body)
	}
}
