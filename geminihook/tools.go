package geminihook

import (
	"encoding/json"
	"strings"
)

// askingTools says which of Gemini's tools show a dialog under the run's
// approval mode, so only those wait for the hub: BeforeTool fires for every
// tool, and a read that never asks must not wait for a person.
type askingTools struct {
	mode string
	// Allowed for this session through Gemini's own dialog choice 2, as
	// Gemini records it: shell programs (its rootCommands) and whole tools.
	roots map[string]bool
	tools map[string]bool
}

// asking reads the approval mode from Gemini's arguments (--yolo, -y,
// --approval-mode MODE).
func asking(args []string) askingTools {
	t := askingTools{mode: "default", roots: map[string]bool{}, tools: map[string]bool{}}
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
	if t.tools[tool] {
		return false
	}
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

// asksFor is asks for one call: a shell command whose programs were all
// allowed for this session does not ask (Gemini runs it without a dialog).
func (t askingTools) asksFor(tool, command string) bool {
	if !t.asks(tool) {
		return false
	}
	if tool != "run_shell_command" {
		return true
	}
	roots := shellRoots(command)
	if len(roots) == 0 {
		return true
	}
	for _, r := range roots {
		if !t.roots[r] {
			return true
		}
	}
	return false
}

// allowSession records what Gemini's "Allow for this session" (0.61.0)
// allows from now on: for the shell, the command's programs (a command
// this reading cannot split keeps asking, which is the safe side); for
// writes and edits, Gemini switches to auto-edit; for other tools, the
// tool.
func (t *askingTools) allowSession(tool, command string) {
	switch tool {
	case "run_shell_command":
		for _, r := range shellRoots(command) {
			t.roots[r] = true
		}
	case "write_file", "replace":
		if t.mode == "default" {
			t.mode = "auto_edit"
		}
	default:
		t.tools[tool] = true
	}
}

// shellRoots is the programs a simple shell command runs (the first word
// of each part between &&, ||, ;, | and &), or nil when the command is
// beyond such a reading (substitutions, subshells, several lines, an
// environment assignment first), so that it always asks.
func shellRoots(cmd string) []string {
	if strings.ContainsAny(cmd, "`()\n{}") || strings.Contains(cmd, "$(") {
		return nil
	}
	var roots []string
	for _, part := range strings.FieldsFunc(cmd, func(r rune) bool { return r == '&' || r == '|' || r == ';' }) {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		if strings.ContainsAny(f[0], "=<>'\"$") {
			return nil
		}
		roots = append(roots, f[0])
	}
	return roots
}
