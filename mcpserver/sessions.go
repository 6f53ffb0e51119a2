package mcpserver

import (
	"context"
	"errors"
	"strings"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Agents that coordinate agents: read other sessions, type into one whose
// driver is the agent's own person, start one on a node. The hub decides
// what the caller may do (its owner's rights and the wheel); no tool here
// answers a prompt, and none ever may (TestNoToolDecidesPrompts).

// Bounds on what a read returns, so one tool call stays a readable size
// for a model: a transcript page and one entry's text.
const (
	defaultTranscriptLimit = 50
	maxTranscriptLimit     = 200
	maxEntryText           = 4000
)

type (
	sessionIn struct {
		Session string `json:"session" jsonschema:"the session's id, from list_sessions"`
	}
	transcriptIn struct {
		Session string `json:"session" jsonschema:"the session's id, from list_sessions"`
		Since   int    `json:"since,omitempty" jsonschema:"how many entries you already read (the next of the last answer); 0 from the start"`
		Limit   int    `json:"limit,omitempty" jsonschema:"at most this many entries, 1 to 200; default 50"`
	}
	sendInputIn struct {
		Session string `json:"session" jsonschema:"the session's id, from list_sessions"`
		Text    string `json:"text" jsonschema:"what to type, as typed (at most 64 KB)"`
		Enter   bool   `json:"enter,omitempty" jsonschema:"press Enter after the text"`
	}
	startSessionIn struct {
		Node    string `json:"node" jsonschema:"the machine whose ct node starts it"`
		Command string `json:"command,omitempty" jsonschema:"the program, one of the node's allowed commands; or give agent"`
		Agent   string `json:"agent,omitempty" jsonschema:"an agent CLI to start (claude, codex, gemini) instead of command"`
		Dir     string `json:"dir" jsonschema:"the working directory, inside the node's allowed roots"`
		Task    string `json:"task,omitempty" jsonschema:"the first message to the new agent (at most 32 KB)"`
	}
)

// listedSession is one session as list_sessions tells it.
type listedSession struct {
	ID      string          `json:"id"`
	Title   string          `json:"title"` // the command line
	Machine string          `json:"machine"`
	Agent   string          `json:"agent,omitempty"`
	State   string          `json:"state"`
	Dir     string          `json:"dir"`
	Waiting *client.Waiting `json:"waiting,omitempty"`
}

// addSessionTools adds list_sessions, read_screen, read_transcript,
// send_input and start_session.
func addSessionTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("list_sessions", "List the sessions you may see (your person's rights): id, title, machine, agent, state, and the question it waits on for a person, if any."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			list, err := c.Sessions(ctx)
			if err != nil {
				return nil, nil, err
			}
			out := make([]listedSession, 0, len(list))
			for _, s := range list {
				title := strings.Join(append([]string{s.Command}, s.Args...), " ")
				out = append(out, listedSession{ID: s.ID, Title: title, Machine: s.Node, Agent: s.Agent, State: s.State, Dir: s.Cwd, Waiting: s.Waiting})
			}
			return asJSON(out), nil, nil
		})
	mcp.AddTool(srv, tool("read_screen", "Read a session's terminal screen as text, rows top first."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in sessionIn) (*mcp.CallToolResult, any, error) {
			if in.Session == "" {
				return nil, nil, errors.New("session is required: an id from list_sessions")
			}
			screen, err := c.Screen(ctx, in.Session)
			if err != nil {
				return nil, nil, err
			}
			return text("%s", screen), nil, nil
		})
	mcp.AddTool(srv, tool("read_transcript", "Read a session's agent transcript (prompts, replies, tool calls, approvals), a page at a time: pass the answer's next as since to go on."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in transcriptIn) (*mcp.CallToolResult, any, error) {
			return readTranscript(ctx, c, in)
		})
	mcp.AddTool(srv, tool("send_input", "Type text into a session. Only while your own person holds that session's wheel (they chose to drive it), and never while it shows a question: the hub refuses otherwise and says who drives."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in sendInputIn) (*mcp.CallToolResult, any, error) {
			if in.Session == "" || (in.Text == "" && !in.Enter) {
				return nil, nil, errors.New("give session (an id from list_sessions) and text, or enter=true")
			}
			data := in.Text
			if in.Enter {
				data += "\r"
			}
			if err := c.SendInput(ctx, in.Session, data); err != nil {
				return nil, nil, err
			}
			return text("typed %d bytes into %s", len(data), in.Session), nil, nil
		})
	mcp.AddTool(srv, tool("start_session", "Start a session on a machine's ct node (command or agent, in dir, with an optional first task), under your person's rights; the node's allow-list has the last word."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in startSessionIn) (*mcp.CallToolResult, any, error) {
			if (in.Command == "") == (in.Agent == "") || in.Node == "" {
				return nil, nil, errors.New("give node and exactly one of command (a program) or agent (claude, codex, gemini)")
			}
			sp, err := c.StartSession(ctx, in.Node, in.Command+in.Agent, in.Dir, in.Task)
			if err != nil {
				return nil, nil, err
			}
			return text("started session %s on %s (%s)", sp.SessionID, in.Node, sp.URL), nil, nil
		})
}

// transcriptPage is read_transcript's answer.
type transcriptPage struct {
	Entries []client.TranscriptEntry `json:"entries"`
	Next    int                      `json:"next"` // since for the next page
}

func readTranscript(ctx context.Context, c *client.Client, in transcriptIn) (*mcp.CallToolResult, any, error) {
	if in.Session == "" {
		return nil, nil, errors.New("session is required: an id from list_sessions")
	}
	if in.Since < 0 || in.Limit < 0 || in.Limit > maxTranscriptLimit {
		return nil, nil, errors.New("since is 0 or more; limit is 1 to 200")
	}
	limit := in.Limit
	if limit == 0 {
		limit = defaultTranscriptLimit
	}
	list, err := c.Transcript(ctx, in.Session, in.Since, limit)
	if err != nil {
		return nil, nil, err
	}
	for i := range list {
		if r := []rune(list[i].Text); len(r) > maxEntryText {
			list[i].Text = string(r[:maxEntryText]) + "… (cut)"
		}
		if len(list[i].Input) > maxEntryText {
			list[i].Input = nil // a whole file written, say; the text says what ran
		}
	}
	return asJSON(transcriptPage{Entries: list, Next: in.Since + len(list)}), nil, nil
}
