package claudehook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// mcpConfig writes, in the private runtime dir, the MCP config that adds
// `ct mcp` (ct's coordination tools) to the wrapped Claude Code, and
// returns the arguments that pass it. ct mcp authenticates with the
// session's own agent credential, which the hub sends on the session's
// first connection and the bridge writes to CT_AGENT_TOKEN_FILE: it can
// coordinate only. The wrapped program never inherits ct's own tokens
// (ptywrap.ChildEnv), so the file holds no secret of the person's.
func mcpConfig(dir, ctPath string) ([]string, error) {
	cfg := map[string]any{"mcpServers": map[string]any{
		"ct": map[string]any{"type": "stdio", "command": ctPath, "args": []string{"mcp"}},
	}}
	path := filepath.Join(dir, "mcp.json")
	b, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write the MCP config: %w", err)
	}
	// --mcp-config takes several values; the option after it (--settings)
	// ends the list, so a prompt argument is never read as a config.
	return []string{"--mcp-config", path}, nil
}
