package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A claude-named program run without live hooks (ct wrap --no-hooks, or
// --agent plain overriding the guess from its name) is declared so in
// session.start, and the hub answers its yes/no questions with screen rules
// instead of waiting for hooks that were never given.
func TestScreenRulesForClaudeWithoutHooks(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "claude")
	script := "#!/bin/sh\nprintf 'Apply the change? [y/N] '; read a; echo \"answer=$a\"; sleep 30\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, flags := range map[string][]string{
		"no-hooks":    {"--no-hooks"},
		"agent-plain": {"--agent", "plain"},
	} {
		t.Run(name, func(t *testing.T) {
			h := StartHub(t, t.TempDir(), "127.0.0.1:0")
			args := append([]string{"--hub", h.URL, "--name", "fake-" + name}, flags...)
			StartWrap(t, nil, append(args, "--", fake)...)
			s := SessionFor(t, h.URL, "fake-"+name)
			p := waitPending(t, h.URL)
			if p.SessionID != s.ID || !strings.Contains(string(p.Input), "Apply the change?") {
				t.Fatalf("prompt = %+v %s, want the screen question of %s", p, p.Input, s.ID)
			}
			if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
				t.Fatalf("decision: %d %s", code, body)
			}
			WaitFor(t, 15*time.Second, "the program got y", func() bool {
				return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "answer=y")
			})
		})
	}
}
