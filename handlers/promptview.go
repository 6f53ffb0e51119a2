package handlers

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aymanbagabas/go-udiff"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
)

// maxDiffLines bounds a diff shown on a phone; the rest is summarised.
const maxDiffLines = 400

// promptModel turns a stored prompt into what a person reads: the tool's
// input laid out by tool kind.
func (s *Server) promptModel(p db.Prompt) views.Prompt {
	m := views.Prompt{
		ID: p.ID, SessionID: p.SessionID, Node: p.Node, Tool: p.Tool, Agent: p.Agent, State: p.State,
		Pending: p.State == db.PromptPending, Message: p.Message,
		Created: agoText(time.Now(), askedAt(p)), CreatedAt: askedAt(p).Local().Format("2 Jan 2006 15:04:05"),
		SessionTitle: p.SessionID,
	}
	if ss, err := s.store.GetSession(p.SessionID); err == nil {
		m.SessionTitle = ss.Label()
	}
	m.From = fromAgent(p)
	special := describeSpecial(&m, p)
	if !special {
		describeInput(&m, p.Tool, p.Input)
		// "Allow for this session" is ct's own rule in the wrap: the same
		// request is allowed again without asking. Claude Code's suggestions
		// are not applied (they grant other things), so none are listed.
		m.SessionLabel = sessionLabel(p.Tool, p.Input)
		if p.Agent == wire.AgentGemini {
			m.SessionLabel = geminiSessionLabel(p.Tool)
		}
		m.CanSession = p.Kind == "hook" && m.SessionLabel != ""
	}
	if p.Change != nil {
		// Computed on the workstation against the file as it is: the change
		// Claude Code would make, not its snippet.
		m.Diff, m.ChangeLabel = parseDiff(p.Change.Diff), p.Change.Label
	}
	policyModel(&m, p)
	if !m.Pending {
		m.Outcome = outcome(p)
	}
	return m
}

// policyModel says what the approval policy did with p.
func policyModel(m *views.Prompt, p db.Prompt) {
	pp := p.Policy
	if pp == nil {
		return
	}
	m.Rule, m.Approvals, m.Overdue = pp.Rule, hub.Approvals(p), pp.Overdue && p.State == db.PromptPending
	switch {
	case pp.DryRun:
		m.RuleNote = "dry run: would " + pp.Outcome
	case pp.Skipped != "":
		m.RuleNote = "not applied: " + pp.Skipped
	case pp.Need > 1:
		m.RuleNote = "needs two different people to approve; one deny denies"
		m.CanSession = false // approved once only (hub.approveFirst)
	}
}

// outcome says who settled a prompt, how, and after how long.
func outcome(p db.Prompt) string {
	waited := ""
	if !p.DecidedAt.IsZero() {
		waited = " after " + shortDuration(p.DecidedAt.Sub(askedAt(p)))
	}
	if p.Device == db.DevicePolicy || (p.Policy != nil && len(p.Policy.Approvals) > 0 && p.State == db.PromptAllowed) {
		text := hub.SettledBy(p) // "allowed by rule ...", "approved by alice and bob ..."
		return strings.ToUpper(text[:1]) + text[1:] + waited
	}
	switch p.State {
	case db.PromptAllowed:
		if p.Scope == hub.ScopeRule {
			return "Allowed by the session rule " + p.DecidedBy + " set (the same request was allowed for this session)"
		}
		scope := ""
		if p.Scope == "session" {
			scope = " for this session"
		}
		return "Approved" + scope + " by " + p.DecidedBy + waited
	case db.PromptDenied:
		return "Denied by " + p.DecidedBy + waited
	}
	text := hub.SettledBy(p)
	if p.Detail != "" && p.ClosedBy == "terminal" {
		text = p.Detail
	}
	return strings.ToUpper(text[:1]) + text[1:] + waited
}

// askedAt is when the agent asked: the hook's time on the workstation
// (AskedAt), which is earlier than the hub's CreatedAt by however long the
// question took to arrive. A workstation clock ahead of the hub's (AskedAt
// after CreatedAt) cannot be told apart from a fast arrival, so then, and
// for prompts that carry no AskedAt, the hub's own time stands.
func askedAt(p db.Prompt) time.Time {
	if p.AskedAt.IsZero() || p.AskedAt.After(p.CreatedAt) {
		return p.CreatedAt
	}
	return p.AskedAt
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%.0f min", d.Minutes())
	default:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
}

func agoText(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return t.Format("2 Jan 2006")
	}
}

// describeInput lays out a tool's input: Bash shows its command, edits a
// diff, WebFetch its URL, MCP tools their server, tool and arguments.
func describeInput(m *views.Prompt, tool string, raw json.RawMessage) {
	var in map[string]any
	_ = json.Unmarshal(raw, &in)
	str := func(k string) string { v, _ := in[k].(string); return v }
	field := func(label, v string) {
		if v != "" {
			m.Fields = append(m.Fields, views.Field{Label: label, Value: v})
		}
	}
	switch {
	case tool == "Bash":
		m.Title = "Run a command"
		m.Code = str("command")
		field("Why", str("description"))
	case tool == "Edit":
		m.Title = "Edit a file"
		field("File", str("file_path"))
		m.Diff = diffLines(str("file_path"), str("old_string"), str("new_string"))
		if all, _ := in["replace_all"].(bool); all {
			field("Replaces", "every occurrence")
		}
	case tool == "MultiEdit":
		m.Title = "Edit a file"
		field("File", str("file_path"))
		edits, _ := in["edits"].([]any)
		for _, e := range edits {
			em, _ := e.(map[string]any)
			o, _ := em["old_string"].(string)
			n, _ := em["new_string"].(string)
			m.Diff = append(m.Diff, diffLines(str("file_path"), o, n)...)
		}
		m.Diff = capDiff(m.Diff)
	case tool == "Write":
		m.Title = "Write a file"
		field("File", str("file_path"))
		m.Diff = diffLines(str("file_path"), "", str("content"))
	case tool == "NotebookEdit":
		m.Title = "Edit a notebook"
		field("Notebook", str("notebook_path"))
		m.Code = str("new_source")
	case tool == "WebFetch":
		m.Title = "Fetch a web page"
		field("URL", str("url"))
		field("Looking for", str("prompt"))
	case tool == "WebSearch":
		m.Title = "Search the web"
		field("Query", str("query"))
	case tool == "Terminal question":
		// A program without hooks: say what each button types, in the
		// program's words, and nothing about Claude.
		m.Title = "Answer a question on screen"
		field("Question", str("question"))
		field("On the screen before it", str("context"))
		m.Screen = true
		m.YesLabel, m.NoLabel = keyLabel("Yes", str("yes"), "y"), keyLabel("No", str("no"), "n")
	case strings.HasPrefix(tool, "mcp__"):
		parts := strings.SplitN(strings.TrimPrefix(tool, "mcp__"), "__", 2)
		m.Title = "Use an MCP tool"
		field("Server", parts[0])
		if len(parts) == 2 {
			field("Tool", parts[1])
		}
		m.Code = prettyJSON(raw)
	default:
		m.Title = "Use " + tool
		m.Code = prettyJSON(raw)
	}
}

func prettyJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// diffLines renders old -> new as a unified diff.
func diffLines(path, old, new string) []views.DiffLine {
	if old == new {
		return nil
	}
	return parseDiff(udiff.Unified("a/"+path, "b/"+path, old, new))
}

// parseDiff splits a unified diff into lines to colour, without its file
// header lines.
func parseDiff(text string) []views.DiffLine {
	var out []views.DiffLine
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		kind := "ctx"
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			continue
		case strings.HasPrefix(l, "@@"):
			kind = "hunk"
		case strings.HasPrefix(l, "+"):
			kind = "add"
		case strings.HasPrefix(l, "-"):
			kind = "del"
		}
		out = append(out, views.DiffLine{Kind: kind, Text: l + "\n"})
	}
	return capDiff(out)
}

func capDiff(d []views.DiffLine) []views.DiffLine {
	if len(d) <= maxDiffLines {
		return d
	}
	more := len(d) - maxDiffLines
	return append(d[:maxDiffLines:maxDiffLines], views.DiffLine{Kind: "hunk", Text: fmt.Sprintf("… %d more lines\n", more)})
}

// sessionLabel says exactly what "allow for this session" does for a
// request: ct allows the same request again, without asking, until the
// session ends.
func sessionLabel(tool string, input json.RawMessage) string {
	var in struct {
		Command  string `json:"command"`
		FilePath string `json:"file_path"`
	}
	_ = json.Unmarshal(input, &in)
	switch {
	case tool == "Bash" && in.Command != "":
		cmd := in.Command
		if r := []rune(cmd); len(r) > 80 {
			cmd = string(r[:80]) + "…"
		}
		return "Allow `" + cmd + "` again for this session"
	case in.FilePath != "":
		return "Allow this same " + tool + " of " + filepath.Base(in.FilePath) + " again for this session"
	case tool != "":
		return "Allow this same " + tool + " request again for this session"
	}
	return ""
}

// geminiSessionLabel says what Gemini's own "Allow for this session" (its
// dialog's choice 2, which the wrap types) allows: Gemini keeps the rule,
// not ct, and it is wider than this one request.
func geminiSessionLabel(tool string) string {
	switch tool {
	case "Bash":
		return "Allow for this session: commands of the same programs run without asking"
	case "Write", "Edit":
		return "Allow for this session: every file edit runs without asking (Gemini's auto-edit)"
	case "web_fetch":
		return "Allow for this session: every web fetch runs without asking"
	}
	return ""
}

// keyLabel is a screen prompt's button: what it means and what it types,
// "Yes (y)" or "No (no)". Prompts stored before the keys were recorded
// show the usual key.
func keyLabel(meaning, keys, fallback string) string {
	if keys == "" {
		keys = fallback
	}
	return meaning + " (" + keys + ")"
}
