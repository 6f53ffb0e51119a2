package claudehook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPrepareAddsCtMCP(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("CT_TOKEN", "ctm_0123456789abcdef_secret") // the wrap's own machine token
	t.Setenv("CT_API_TOKEN", "cta_0123456789abcdef_secret")
	s, err := Prepare("/usr/local/bin/ct", []string{"fix the bug"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Args) != 5 || s.Args[0] != "--mcp-config" || s.Args[2] != "--settings" || s.Args[4] != "fix the bug" {
		t.Fatalf("args = %q: want --mcp-config FILE --settings FILE then the user's", s.Args)
	}
	b, err := os.ReadFile(s.Args[1])
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		MCPServers map[string]struct {
			Command string
			Args    []string
		}
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	ct := cfg.MCPServers["ct"]
	if ct.Command != "/usr/local/bin/ct" || !slices.Equal(ct.Args, []string{"mcp"}) {
		t.Fatalf("mcp config = %s", b)
	}
	if st, _ := os.Stat(s.Args[1]); st.Mode().Perm() != 0o600 {
		t.Fatalf("mcp config mode %v", st.Mode())
	}
}

// ct mcp under the wrap uses the session's agent credential: neither the
// MCP config nor the added environment carries the person's tokens, and
// the credential file lives in the private runtime dir.
func TestPrepareGivesMCPNoPersonalToken(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("CT_API_TOKEN", "cta_0123456789abcdef_secretsecretsecretsecretsecretsecret")
	s, err := Prepare("/usr/local/bin/ct", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := os.ReadFile(s.Args[1])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "cta_") || strings.Contains(strings.Join(s.Env, " "), "cta_") {
		t.Fatalf("the person's API token reaches the agent: config %s env %q", b, s.Env)
	}
	if !slices.Contains(s.Env, "CT_AGENT_TOKEN_FILE="+filepath.Join(s.Dir, "agent-token")) {
		t.Fatalf("env %q has no agent credential file in %s", s.Env, s.Dir)
	}
}
