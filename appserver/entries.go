package appserver

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// maxResult bounds a command's output in its transcript entry, as the
// rollout tailer does (the whole entry is bounded again when sent).
const maxResult = 2 << 10

// item is the part of an app-server ThreadItem ct reads.
type item struct {
	Type    string `json:"type"` // userMessage, agentMessage, commandExecution, fileChange, …
	ID      string `json:"id"`
	Text    string `json:"text"` // agentMessage
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"` // userMessage
	Command  string `json:"command"`
	Output   string `json:"aggregatedOutput"`
	ExitCode *int   `json:"exitCode"`
	Status   string `json:"status"`
	Changes  []struct {
		Path string `json:"path"`
	} `json:"changes"`
}

// paths lists a fileChange item's files.
func (it item) paths() []string {
	var out []string
	for _, c := range it.Changes {
		out = append(out, c.Path)
	}
	return out
}

// startedEntries are the entries of an item as it starts: a command or a
// file change is shown while it is asked for and runs.
func startedEntries(it item, ts time.Time) []wire.TranscriptEntry {
	switch it.Type {
	case "commandExecution":
		in, _ := json.Marshal(map[string]string{"command": shown(it.Command)})
		return []wire.TranscriptEntry{{Kind: wire.EntryToolCall, TS: ts, Tool: "Bash", ID: it.ID, Input: in}}
	case "fileChange":
		in, _ := json.Marshal(map[string]any{"changes": it.paths()})
		return []wire.TranscriptEntry{{Kind: wire.EntryToolCall, TS: ts, Tool: "apply_patch", ID: it.ID, Input: in}}
	}
	return nil
}

// completedEntries are the entries of a finished item: messages, and the
// result of a command or file change (an error when it failed or was
// declined).
func completedEntries(it item, ts time.Time) []wire.TranscriptEntry {
	switch it.Type {
	case "userMessage":
		var parts []string
		for _, c := range it.Content {
			if c.Type == "text" && strings.TrimSpace(c.Text) != "" {
				parts = append(parts, c.Text)
			}
		}
		if len(parts) == 0 {
			return nil
		}
		return []wire.TranscriptEntry{{Kind: wire.EntryUser, TS: ts, Text: strings.Join(parts, "\n\n")}}
	case "agentMessage":
		if strings.TrimSpace(it.Text) == "" {
			return nil
		}
		return []wire.TranscriptEntry{{Kind: wire.EntryAssistant, TS: ts, Text: it.Text}}
	case "commandExecution", "fileChange":
		tool := "Bash"
		text := claudehook.Cut(it.Output, maxResult)
		if it.Type == "fileChange" {
			tool, text = "apply_patch", strings.Join(it.paths(), "\n")
		}
		res := wire.TranscriptEntry{Kind: wire.EntryToolResult, TS: ts, Tool: tool, ID: it.ID, Text: text}
		switch {
		case it.Status != "" && it.Status != "completed":
			res.Error = true
			if strings.TrimSpace(res.Text) == "" || it.Type == "fileChange" {
				res.Text = strings.TrimSpace("not run (" + it.Status + ")\n" + res.Text)
			}
		case it.ExitCode != nil && *it.ExitCode != 0:
			res.Error = true
		}
		return []wire.TranscriptEntry{res}
	}
	return nil
}

// Entries reads the transcript file Run writes: one wire.TranscriptEntry
// per line. It is the claudehook.LineParser of an app-server session; the
// zero value is ready.
type Entries struct{}

// Line parses one line; anything that is not an entry gives none.
func (Entries) Line(line []byte) []wire.TranscriptEntry {
	var e wire.TranscriptEntry
	if json.Unmarshal(line, &e) != nil || e.Kind == "" {
		return nil
	}
	return []wire.TranscriptEntry{e}
}

// shown is a command as the model asked for it: codex app-server reports
// it wrapped in the shell that runs it (/bin/bash -lc '…'), which the
// hub's card and the transcript leave out, as Codex's own UI does.
func shown(command string) string {
	for _, sh := range []string{"bash", "zsh", "sh"} {
		for _, prefix := range []string{"/bin/" + sh + " -lc ", "/usr/bin/" + sh + " -lc ", sh + " -lc ", "/bin/" + sh + " -c ", sh + " -c "} {
			if rest, ok := strings.CutPrefix(command, prefix); ok {
				if inner, ok := unquote(rest); ok {
					return inner
				}
			}
		}
	}
	return command
}

// unquote reads s as one POSIX-shell word made of single-quoted parts and
// \' escapes ('a'\”b' is a'b); ok is false for anything else.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for s != "" {
		switch {
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		default:
			return "", false
		}
	}
	return b.String(), true
}
