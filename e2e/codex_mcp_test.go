package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ct-dev/ct/codextest"
)

// toolName is the namespace and name a request offers for a tool whose
// name ends with suffix ("": none).
func toolName(r codextest.Request, suffix string) (namespace, name string) {
	for _, raw := range r.Tools {
		var tl struct {
			Name  string `json:"name"`
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
		}
		_ = json.Unmarshal(raw, &tl)
		if strings.HasSuffix(tl.Name, suffix) {
			return "", tl.Name
		}
		for _, sub := range tl.Tools { // a namespace of tools: an MCP server's
			if strings.HasSuffix(sub.Name, suffix) {
				return tl.Name, sub.Name
			}
		}
	}
	return "", ""
}

// Codex under ct wrap has ct mcp (the -c mcp_servers.ct overrides): the
// fake model calls its list_peers tool, the call reaches the hub with the
// session's own agent credential, and the model gets the hub's answer.
// Without the overrides Codex offers no such tool.
func TestCodexCallsCtMCP(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startCodex(t, h.URL)
	var ns, offered string
	c.api.SetScript(func(r codextest.Request) codextest.Reply {
		if r.LastIsOutput() {
			return codextest.TextReply("peers listed")
		}
		ns, offered = toolName(r, "list_peers")
		if ns != "mcp__ct" {
			return codextest.TextReply("no ct tools")
		}
		return codextest.Reply{Call: &codextest.Call{Namespace: ns, Name: offered, Arguments: "{}"}}
	})
	c.ask()
	var out string
	WaitFor(t, codexWait, "list_peers' output at the model, or no ct tools", func() bool {
		if p := prompts(h.URL, "?state=pending"); len(p) == 1 { // Codex may ask before an MCP call
			PostJSON(h.URL+"/api/v1/prompts/"+p[0].ID+"/decision", map[string]string{"decision": "allow"})
		}
		for _, r := range c.api.Requests() {
			if o := r.Outputs(); len(o) > 0 {
				out = o[len(o)-1]
				return true
			}
		}
		return strings.Contains(c.term.Capture(), "no ct tools")
	})
	if ns != "mcp__ct" {
		var names []string
		for _, r := range c.api.Requests() {
			for _, raw := range r.Tools {
				var tl struct{ Name, Type string }
				_ = json.Unmarshal(raw, &tl)
				names = append(names, tl.Type+":"+tl.Name)
			}
			break
		}
		t.Fatalf("Codex offered no ct list_peers tool; tools: %v", names)
	}
	// The hub's answer names this session's peer (ct mcp registered it
	// with the session's agent credential).
	s := SessionFor(t, h.URL, "codexbox")
	if !strings.Contains(out, s.ID) && !strings.Contains(out, "codexbox") {
		t.Fatalf("list_peers output %q does not come from the hub (session %s)", out, s.ID)
	}
	t.Logf("tool %s output: %.300s", offered, out)
}
