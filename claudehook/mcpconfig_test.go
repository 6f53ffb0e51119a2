package claudehook

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

func TestPrepareAddsCtMCPWithAnAPIToken(t *testing.T) {
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

func TestPrepareWithoutAPITokenAddsNoMCP(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("CT_TOKEN", "ctm_0123456789abcdef_secret") // a machine token cannot use the API
	t.Setenv("CT_API_TOKEN", "")
	s, err := Prepare("/usr/local/bin/ct", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if slices.Contains(s.Args, "--mcp-config") {
		t.Fatalf("args = %q", s.Args)
	}
}
