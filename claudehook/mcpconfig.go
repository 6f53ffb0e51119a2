package claudehook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// mcpConfig writes, in the private runtime dir, the MCP config that adds
// `ct mcp` (ct's coordination tools) to the wrapped Claude Code, and
// returns the arguments that pass it. It adds nothing (nil) unless
// CT_API_TOKEN (or CT_TOKEN) holds an API token: the coordination API takes
// no machine token, and a server that cannot start would only show as
// failed in Claude's UI. ct mcp inherits CT_HUB, CT_API_TOKEN/CT_TOKEN and
// CT_SESSION from the wrapped program's environment, so the file holds no
// secret.
func mcpConfig(dir, ctPath string) ([]string, error) {
	if !strings.HasPrefix(os.Getenv("CT_API_TOKEN"), "cta_") && !strings.HasPrefix(os.Getenv("CT_TOKEN"), "cta_") {
		return nil, nil
	}
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
