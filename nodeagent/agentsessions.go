package nodeagent

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ct-dev/ct/agent"
	"github.com/ct-dev/ct/wire"
)

// firstPromptScan bounds how much of a transcript is read to find its
// first prompt: the opening lines, never a whole long conversation.
const firstPromptScan = 256 << 10

// agentSessions answers node.agent_sessions: the conversations of req's
// agent that ran in req.Cwd, newest first. Claude only: its transcripts
// are <config>/projects/<cwd with every character but letters and digits
// as ->/<session id>.jsonl.
func (a *Agent) agentSessions(req wire.NodeAgentSessions) ([]wire.AgentSessionInfo, error) {
	if err := a.cfg.Policy.Command(req.Command); err != nil {
		return nil, err
	}
	dir, err := a.cfg.Policy.Dir(req.Cwd)
	if err != nil {
		return nil, err
	}
	if agent.Detect(req.Command).Name != wire.AgentClaude {
		return nil, fmt.Errorf("listing past sessions works for claude only; for codex, resume a session ct recorded")
	}
	conf := os.Getenv("CLAUDE_CONFIG_DIR")
	if conf == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		conf = filepath.Join(home, ".claude")
	}
	return claudeSessions(filepath.Join(conf, "projects", claudeSlug(dir)))
}

// claudeSlug is Claude Code's project folder name for dir.
func claudeSlug(dir string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, dir)
}

// claudeSessions lists the transcripts in one project folder.
func claudeSessions(project string) ([]wire.AgentSessionInfo, error) {
	entries, err := os.ReadDir(project)
	if os.IsNotExist(err) {
		return []wire.AgentSessionInfo{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []wire.AgentSessionInfo{}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".jsonl")
		info, err := e.Info()
		if !ok || err != nil || !info.Mode().IsRegular() || wire.CheckAgentSessionID(id) != nil {
			continue
		}
		out = append(out, wire.AgentSessionInfo{ID: id, Modified: info.ModTime().UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Modified.After(out[j].Modified) })
	if len(out) > wire.MaxAgentSessions {
		out = out[:wire.MaxAgentSessions]
	}
	for i := range out {
		out[i].FirstPrompt = claudeFirstPrompt(filepath.Join(project, out[i].ID+".jsonl"))
	}
	return out, nil
}

// claudeFirstPrompt is the person's first prompt in a transcript (not a
// meta entry or a system reminder), cut to 200 bytes; "" if none is near
// the top.
func claudeFirstPrompt(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, firstPromptScan))
	sc.Buffer(make([]byte, 64<<10), firstPromptScan)
	for sc.Scan() {
		var e struct {
			Type    string `json:"type"`
			IsMeta  bool   `json:"isMeta"`
			Message struct {
				Content json.RawMessage `json:"content"`
			} `json:"message"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Type != "user" || e.IsMeta {
			continue
		}
		for _, t := range contentTexts(e.Message.Content) {
			if t = strings.TrimSpace(t); t != "" && !strings.HasPrefix(t, "<") {
				return cut(t, 200)
			}
		}
	}
	return ""
}

// contentTexts reads a message's content: a string or text blocks.
func contentTexts(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	var out []string
	for _, b := range blocks {
		if b.Type == "text" {
			out = append(out, b.Text)
		}
	}
	return out
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
