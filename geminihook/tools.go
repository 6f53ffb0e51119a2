package geminihook

import (
	"encoding/json"
	"strings"
)

// askingTools says which of Gemini's tools show a dialog under the run's
// approval mode, so only those wait for the hub: BeforeTool fires for every
// tool, and a read that never asks must not wait for a person.
type askingTools struct{ mode string }

// asking reads the approval mode from Gemini's arguments (--yolo, -y,
// --approval-mode MODE).
func asking(args []string) askingTools {
	t := askingTools{mode: "default"}
	for i, a := range args {
		switch {
		case a == "--":
			return t
		case a == "-y" || a == "--yolo":
			t.mode = "yolo"
		case a == "--approval-mode" && i+1 < len(args):
			t.mode = args[i+1]
		case strings.HasPrefix(a, "--approval-mode="):
			t.mode = strings.TrimPrefix(a, "--approval-mode=")
		}
	}
	return t
}

// asks reports whether tool shows a dialog (Gemini CLI 0.61.0: the shell,
// file writes and edits, web fetches; edits not under auto_edit; none
// under yolo).
func (t askingTools) asks(tool string) bool {
	switch t.mode {
	case "yolo":
		return false
	case "auto_edit", "autoEdit":
		return tool == "run_shell_command" || tool == "web_fetch"
	}
	switch tool {
	case "run_shell_command", "write_file", "replace", "web_fetch":
		return true
	}
	return false
}

// hubTool is how the hub shows a Gemini tool call: the shell as "Bash"
// with its command, writes and edits as Write and Edit (Gemini's
// arguments are the same names), others as Gemini names them.
func hubTool(tool string, input json.RawMessage) (name string, in json.RawMessage, command string) {
	switch tool {
	case "run_shell_command":
		var sh struct {
			Command     string `json:"command"`
			Description string `json:"description"`
			Dir         string `json:"dir_path"`
		}
		_ = json.Unmarshal(input, &sh)
		b, _ := json.Marshal(map[string]string{"command": sh.Command, "description": sh.Description})
		return "Bash", b, sh.Command
	case "write_file":
		return "Write", input, ""
	case "replace":
		return "Edit", input, ""
	}
	return tool, input, ""
}
