package nodeagent

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// The app-server protocol runs codex only, an unknown protocol is refused,
// and the first prompt gets the same checks as any session's; all before
// anything starts.
func TestAppServerRefusals(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	p, err := NewPolicy([]string{"bash,codex"}, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Policy: p, Hub: "http://127.0.0.1:1"})
	for _, tc := range []struct {
		req  wire.NodeSpawn
		want string
	}{
		{wire.NodeSpawn{Command: "bash", Protocol: wire.ProtocolAppServer}, `runs codex only, not "bash"`},
		{wire.NodeSpawn{Command: "codex", Protocol: "acp"}, `unknown protocol "acp"`},
		{wire.NodeSpawn{Command: "codex", Protocol: wire.ProtocolAppServer, Prompt: "a\x00b"}, "without NUL bytes"},
	} {
		_, err := a.Spawn(context.Background(), tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Spawn(%+v) = %v, want an error with %q", tc.req, err, tc.want)
		}
	}
}
