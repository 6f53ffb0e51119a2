package policy

import (
	"strings"
	"testing"
	"time"
)

const example = `{"rules": [
  {"name": "git read-only", "tool": "Bash", "command": "git status*", "outcome": "allow"},
  {"name": "no force push", "tool": "Bash", "command": "re:git push.*(--force|-f\\b).*", "outcome": "deny", "message": "never force-push; open a PR"},
  {"name": "docs edits", "tool": "Edit", "path": "*/docs/*.md", "outcome": "allow"},
  {"name": "prod", "tags": ["prod"], "outcome": "ask-two", "escalate": {"after": "10m", "notify": "oncall", "deny_after": "30m"}, "message": "nobody answered in 30 minutes"},
  {"name": "try fetch", "tool": "WebFetch", "url": "https://pkg.go.dev/*", "outcome": "allow", "dry_run": true},
  {"name": "laptop", "machine": "lap-*", "agent": "claude", "outcome": "ask"}
]}`

func mustParse(t *testing.T, s string) *Policy {
	t.Helper()
	p, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvaluateFirstMatchWins(t *testing.T) {
	pol := mustParse(t, example)
	cases := []struct {
		name    string
		p       Prompt
		rule    string
		outcome string
	}{
		{"allow glob", Prompt{Tool: "Bash", Command: "git status --short"}, "git read-only", Allow},
		{"chained command is not allowed", Prompt{Tool: "Bash", Command: "git status; rm -rf ~"}, "", Ask},
		{"substitution is not allowed", Prompt{Tool: "Bash", Command: "git status $(rm x)"}, "", Ask},
		{"deny regexp", Prompt{Tool: "Bash", Command: "git push origin main --force"}, "no force push", Deny},
		{"other tool", Prompt{Tool: "Write", Command: "git status"}, "", Ask},
		{"path glob crosses slashes", Prompt{Tool: "Edit", Path: "/home/a/repo/docs/x.md"}, "docs edits", Allow},
		{"path rule needs a path", Prompt{Tool: "Edit"}, "", Ask},
		{"tags", Prompt{Tool: "Bash", Command: "ls", Tags: []string{"x", "prod"}}, "prod", AskTwo},
		{"dry run asks", Prompt{Tool: "WebFetch", URL: "https://pkg.go.dev/net/http"}, "try fetch", Ask},
		{"machine and agent", Prompt{Machine: "lap-7", Agent: "claude", Tool: "Read"}, "laptop", Ask},
		{"no match", Prompt{Machine: "desk", Agent: "claude", Tool: "Read"}, "", Ask},
	}
	for _, c := range cases {
		res := pol.Evaluate(c.p)
		got := ""
		if res.Rule != nil {
			got = res.Rule.Name
		}
		if got != c.rule || res.Outcome != c.outcome {
			t.Errorf("%s: rule %q outcome %q, want %q %q", c.name, got, res.Outcome, c.rule, c.outcome)
		}
	}
	if res := pol.Evaluate(Prompt{Tool: "WebFetch", URL: "https://pkg.go.dev/x"}); res.WouldBe != Allow {
		t.Errorf("dry run WouldBe = %q, want allow", res.WouldBe)
	}
	r := pol.Evaluate(Prompt{Tags: []string{"prod"}}).Rule
	if r.After != 10*time.Minute || r.DenyAfter != 30*time.Minute || r.Notify != "oncall" {
		t.Errorf("escalation = %v %v %q", r.After, r.DenyAfter, r.Notify)
	}
	var none *Policy
	if none.Evaluate(Prompt{Tool: "Bash"}).Outcome != Ask {
		t.Error("a nil policy must ask")
	}
}

func TestParseRefusesBadRules(t *testing.T) {
	cases := map[string]string{
		`{"rules":[{"name":"a","outcome":"maybe"}]}`:                                                          "outcome",
		`{"rules":[{"outcome":"allow"}]}`:                                                                     "name",
		`{"rules":[{"name":"a","outcome":"deny"}]}`:                                                           "message",
		`{"rules":[{"name":"a","outcome":"allow"},{"name":"a","outcome":"ask"}]}`:                             "twice",
		`{"rules":[{"name":"a","comand":"x","outcome":"allow"}]}`:                                             "unknown field",
		`{"rules":[{"name":"a","command":"re:(","outcome":"allow"}]}`:                                         "regular expression",
		`{"rules":[{"name":"a","outcome":"ask","escalate":{"after":"soon"}}]}`:                                "duration",
		`{"rules":[{"name":"a","outcome":"allow","escalate":{"after":"1m"}}]}`:                                "only an ask",
		`{"rules":[{"name":"a","outcome":"ask","escalate":{"after":"9m","deny_after":"5m"}, "message":"m"}]}`: "later",
		`{"rules":[{"name":"a","outcome":"ask","escalate":{"deny_after":"2h"}, "message":"m"}]}`:              "at most",
		`{"rules":[{"name":"a","outcome":"ask","escalate":{"deny_after":"2m"}}]}`:                             "message",
		`{"rules":[]} {}`: "more after",
		`[1,2]`:           "not valid JSON",
	}
	for in, want := range cases {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error saying %q", in, err, want)
		}
	}
	if _, err := Parse(make([]byte, MaxFileBytes+1)); err == nil {
		t.Error("an oversized file parsed")
	}
	if p, err := Parse([]byte(`{"rules":[]}`)); err != nil || len(p.Rules) != 0 {
		t.Errorf("empty policy: %v %v", p, err)
	}
}

func TestFromInput(t *testing.T) {
	var p Prompt
	p.FromInput([]byte(`{"command":"ls","description":"x"}`))
	if p.Command != "ls" {
		t.Errorf("command = %q", p.Command)
	}
	p = Prompt{}
	p.FromInput([]byte(`{"file_path":"/a/b.go","old_string":"x"}`))
	if p.Path != "/a/b.go" {
		t.Errorf("path = %q", p.Path)
	}
	p = Prompt{}
	p.FromInput([]byte(`{"url":"https://x.test/","prompt":"y"}`))
	if p.URL != "https://x.test/" {
		t.Errorf("url = %q", p.URL)
	}
	p = Prompt{}
	p.FromInput([]byte(`not json`))
	if p.Command != "" || p.Path != "" || p.URL != "" {
		t.Errorf("bad input filled %+v", p)
	}
}

// FuzzParse: no input panics, and whatever parses evaluates without panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte(`{"rules":[{"name":"a","command":"re:.*","outcome":"allow"}]}`))
	f.Add([]byte(`{"rules":[{"name":"a","tool":"*?*","outcome":"ask-two","escalate":{"after":"1s"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, err := Parse(data)
		if err != nil {
			return
		}
		for _, r := range pol.Rules {
			if r.Name == "" || (r.Outcome == Deny && r.Message == "") {
				t.Fatalf("an invalid rule parsed: %+v", r)
			}
		}
		pol.Evaluate(Prompt{Machine: "m", Agent: "claude", Tool: "Bash", Command: string(data), Path: "/p", URL: "u", Tags: []string{"t"}})
	})
}
