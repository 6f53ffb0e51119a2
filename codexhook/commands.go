package codexhook

import "github.com/ct-dev/ct/wire"

// builtinCommands are the slash commands of the pinned Codex CLI (0.171.0)
// a person runs from a prompt, with the descriptions its own menu shows.
// Codex reports none (not to its hooks, not in its rollout), so ct lists
// them itself.
var builtinCommands = []wire.SlashCommand{
	{Name: "compact", Description: "summarize conversation to prevent hitting the context limit"},
	{Name: "new", Description: "start a new chat during a conversation"},
	{Name: "review", Description: "review my current changes and find issues"},
	{Name: "diff", Description: "show git diff (including untracked files)"},
	{Name: "status", Description: "show current session configuration and token usage"},
	{Name: "model", Description: "choose what model and reasoning effort to use"},
	{Name: "permissions", Description: "choose what Codex is allowed to do"},
	{Name: "init", Description: "create an AGENTS.md file with instructions for Codex"},
	{Name: "mcp", Description: "list MCP tools"},
}

// Commands lists the slash commands Codex takes: its built-ins.
func Commands() []wire.SlashCommand { return wire.CleanCommands(builtinCommands) }
