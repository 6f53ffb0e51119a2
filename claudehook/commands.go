package claudehook

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ct-dev/ct/wire"
)

// maxCommandFile is how much of a command file is read for its
// description: the front matter and the first lines are at the top.
const maxCommandFile = 8 << 10

// builtinCommands are the slash commands of the pinned Claude Code
// (2.1.332) a person runs from a prompt, as its print mode's system/init
// record lists them (slash_commands; the interactive session reports none
// to hooks or its transcript), with a description ct gives them. Those that
// need Claude's own terminal dialogs to be useful are left out.
var builtinCommands = []wire.SlashCommand{
	{Name: "clear", Description: "Start a fresh conversation"},
	{Name: "compact", Description: "Summarise the conversation to free context"},
	{Name: "context", Description: "Show what fills the context window"},
	{Name: "usage", Description: "Show usage and limits"},
	{Name: "model", Description: "Choose the model"},
	{Name: "effort", Description: "Set how hard the model thinks"},
	{Name: "init", Description: "Write a CLAUDE.md for this project"},
	{Name: "code-review", Description: "Review the current changes"},
	{Name: "security-review", Description: "Review the changes for security issues"},
	{Name: "simplify", Description: "Simplify the code just changed"},
	{Name: "debug", Description: "Debug a problem step by step"},
	{Name: "verify", Description: "Check that the work is done and works"},
	{Name: "recap", Description: "Recap the session so far"},
	{Name: "rename", Description: "Rename the conversation"},
	{Name: "mcp", Description: "Show MCP servers"},
	{Name: "agents", Description: "Manage subagents"},
	{Name: "config", Description: "Open settings"},
	{Name: "doctor", Description: "Check Claude Code's installation"},
}

// Commands lists the slash commands Claude Code takes in cwd: the
// project's command files (<cwd>/.claude/commands/*.md), then the person's
// own (<home>/.claude/commands/*.md; a project command of the same name
// wins, as in Claude), then the built-ins. A command file gives its name
// (the file name without .md) and the description of its front matter, or
// else its first line; nothing else of it leaves the workstation.
func Commands(cwd, home string) []wire.SlashCommand {
	var out []wire.SlashCommand
	for _, dir := range []string{cwd, home} {
		if dir != "" {
			out = append(out, commandFiles(filepath.Join(dir, ".claude", "commands"))...)
		}
	}
	return wire.CleanCommands(append(out, builtinCommands...))
}

// commandFiles reads the *.md commands of one directory, by name.
func commandFiles(dir string) []wire.SlashCommand {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []wire.SlashCommand
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".md")
		if !ok || e.IsDir() || len(out) == wire.MaxCommands {
			continue
		}
		out = append(out, wire.SlashCommand{Name: name, Description: commandSummary(filepath.Join(dir, e.Name())), Custom: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// commandSummary is a command file's description: front matter's
// "description:", else its first non-empty line.
func commandSummary(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxCommandFile))
	first, inFront := "", false
	for i := 0; sc.Scan(); i++ {
		l := strings.TrimSpace(sc.Text())
		switch {
		case i == 0 && l == "---":
			inFront = true
		case inFront && l == "---":
			inFront = false
		case inFront:
			if v, ok := strings.CutPrefix(l, "description:"); ok {
				return strings.Trim(strings.TrimSpace(v), `"'`)
			}
		case l != "" && first == "":
			first = strings.TrimLeft(l, "# ")
		}
		if first != "" && !inFront {
			return first
		}
	}
	return first
}
