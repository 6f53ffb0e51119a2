package claudetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// budget bounds each end-to-end test, start-up included.
const budget = 60 * time.Second

const (
	proofCommand = "echo hello > proof.txt"
	proofPrompt  = "please make the proof file"
	finalText    = "The proof file is written."
	toolID       = "toolu_proof"
)

// session is one real Claude Code run against the fake API in a fresh project directory.
type session struct {
	t        *testing.T
	api      *FakeAPI
	project  string
	term     *Tmux
	deadline time.Time
}

// startClaude runs the CLI, scripted to ask for proofCommand and then say finalText, and waits
// until its prompt accepts input.
func startClaude(t *testing.T, args ...string) *session {
	t.Helper()
	bin := Binary(t)
	s := &session{t: t, api: NewFakeAPI(t), project: t.TempDir(), deadline: time.Now().Add(budget)}
	ask := BashReply(proofCommand, "Create the proof file")
	ask.Tool.ID = toolID
	s.api.SetScript(ToolThenText(ask, finalText))
	home := Home(t, s.project)
	s.term = NewTmux(t, s.project, Env(home, s.api.URL), append([]string{bin}, args...)...)
	s.wait(ReadyText)
	return s
}

// wait waits for substr on screen within what is left of the test's budget.
func (s *session) wait(substr string) string {
	s.t.Helper()
	return s.term.WaitFor(substr, time.Until(s.deadline))
}

// prompt types text, waits for its echo so no keystroke is lost, and submits it.
func (s *session) prompt(text string) {
	s.t.Helper()
	s.term.Type(text)
	s.wait(text)
	s.term.SendKeys("Enter")
}

// proof reports what the approved command wrote, or an error if it never ran.
func (s *session) proof() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.project, "proof.txt"))
	return string(b), err
}

// onlyResult returns the single tool_result the CLI sent back, failing on any other count.
func (s *session) onlyResult(screen string) Block {
	s.t.Helper()
	results := s.api.ToolResults()
	if len(results) != 1 || results[0].ToolUseID != toolID {
		s.t.Fatalf("tool results = %+v, want one for %s; screen:\n%s", results, toolID, screen)
	}
	return results[0]
}

func TestDialogApprovedByKeypress(t *testing.T) {
	s := startClaude(t)
	s.prompt(proofPrompt)
	screen := s.wait(DialogText)
	// With CT_CAPTURE_DIR set the dialog's screen is kept: screenrule's
	// testdata/claude-dialog.txt was made so.
	if out := os.Getenv("CT_CAPTURE_DIR"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "claude-dialog.txt"), []byte(screen+"\n"), 0o644)
	}
	for _, want := range []string{"Bash command", "Create the proof file", proofCommand, "1. Yes", "No"} {
		if !strings.Contains(screen, want) {
			t.Errorf("dialog lacks %q; screen:\n%s", want, screen)
		}
	}
	if _, err := s.proof(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("proof.txt before approval: err = %v; screen:\n%s", err, screen)
	}
	s.term.PressUntilGone(DialogText, time.Until(s.deadline), "1")
	screen = s.wait(finalText)
	if got, err := s.proof(); err != nil || got != "hello\n" {
		t.Fatalf("proof.txt = %q, %v; screen:\n%s", got, err, screen)
	}
	if r := s.onlyResult(screen); r.IsError {
		t.Errorf("approved call came back as an error: %q", r.ResultText())
	}
	first, ok := s.api.WaitRequest(0, func(r Request) bool { return r.Messages != nil })
	if !ok {
		t.Fatal("no /v1/messages request recorded")
	}
	if last, _ := first.Messages.LastUser(); !strings.Contains(last.Text(), proofPrompt) {
		t.Errorf("first request's user message lacks the prompt: %q", last.Text())
	}
}

// hookSettings writes a settings file whose PermissionRequest hook for Bash runs script, and
// returns its path and the directory the script can write into.
func hookSettings(t *testing.T, script string) (settings, dir string) {
	t.Helper()
	dir = t.TempDir()
	hook := filepath.Join(dir, "hook.sh")
	body := "#!/bin/sh\nout=" + strconv.Quote(dir) + "\n" + script
	if err := os.WriteFile(hook, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	settings = filepath.Join(dir, "settings.json")
	WriteJSON(t, settings, map[string]any{"hooks": map[string]any{"PermissionRequest": []any{
		map[string]any{"matcher": "Bash", "hooks": []any{
			map[string]any{"type": "command", "command": hook},
		}},
	}}})
	return settings, dir
}

// decision is a PermissionRequest hook's stdout for behavior ("allow" or "deny").
func decision(behavior, message string) string {
	d := map[string]any{"behavior": behavior}
	if message != "" {
		d["message"] = message
	}
	b, _ := json.Marshal(map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName": "PermissionRequest", "decision": d,
	}})
	return string(b)
}

// shellQuote single-quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestPermissionRequestHookAllows(t *testing.T) {
	// The payload is written under another name and renamed, so it is never read half-written.
	settings, dir := hookSettings(t, `cat > "$out/payload.tmp" && mv "$out/payload.tmp" "$out/payload.json"
printf '%s\n' `+shellQuote(decision("allow", ""))+"\n")
	s := startClaude(t, "--settings", settings)
	s.prompt(proofPrompt)
	// No key is sent from here on: only the hook can let the command run.
	screen := s.wait(finalText)
	if !strings.Contains(screen, HookAllowedText) {
		t.Errorf("screen lacks %q:\n%s", HookAllowedText, screen)
	}
	if got, err := s.proof(); err != nil || got != "hello\n" {
		t.Fatalf("proof.txt = %q, %v; screen:\n%s", got, err, screen)
	}
	if r := s.onlyResult(screen); r.IsError {
		t.Errorf("allowed call came back as an error: %q", r.ResultText())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "payload.json"))
	if err != nil {
		t.Fatalf("hook payload: %v; screen:\n%s", err, screen)
	}
	var payload struct {
		SessionID      string `json:"session_id"`
		TranscriptPath string `json:"transcript_path"`
		Cwd            string `json:"cwd"`
		HookEventName  string `json:"hook_event_name"`
		PermissionMode string `json:"permission_mode"`
		ToolName       string `json:"tool_name"`
		ToolInput      struct {
			Command     string `json:"command"`
			Description string `json:"description"`
		} `json:"tool_input"`
	}
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatalf("hook payload %s: %v", raw, err)
	}
	t.Logf("PermissionRequest payload: %s", raw)
	if payload.HookEventName != "PermissionRequest" || payload.ToolName != "Bash" ||
		payload.ToolInput.Command != proofCommand || payload.SessionID == "" ||
		payload.TranscriptPath == "" || payload.PermissionMode != "default" {
		t.Errorf("unexpected hook payload: %s", raw)
	}
	if real, _ := filepath.EvalSymlinks(s.project); payload.Cwd != s.project && payload.Cwd != real {
		t.Errorf("payload cwd = %q, want %q", payload.Cwd, s.project)
	}
}

func TestPermissionRequestHookDenies(t *testing.T) {
	settings, _ := hookSettings(t, "cat >/dev/null\nprintf '%s\\n' "+
		shellQuote(decision("deny", "ct says no"))+"\n")
	s := startClaude(t, "--settings", settings)
	s.prompt(proofPrompt)
	screen := s.wait(finalText)
	if !strings.Contains(screen, HookDeniedText) {
		t.Errorf("screen lacks %q:\n%s", HookDeniedText, screen)
	}
	if _, err := s.proof(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("denied command ran: proof.txt err = %v", err)
	}
	r := s.onlyResult(screen)
	if !r.IsError || !strings.Contains(r.ResultText(), "ct says no") {
		t.Errorf("tool_result = %+v (%q), want an error carrying the deny message", r, r.ResultText())
	}
}

// TestDialogDrawsWhileHookRuns pins the race ct lives with: while a PermissionRequest hook is
// still deciding, Claude Code draws its own dialog, and the hook's later answer still settles it.
func TestDialogDrawsWhileHookRuns(t *testing.T) {
	// The hook notes when it started, then waits (at most 30 s) for the test to release it.
	settings, dir := hookSettings(t, `date +%s%N > "$out/started"
cat >/dev/null
i=0
while [ ! -e "$out/release" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
printf '%s\n' `+shellQuote(decision("allow", ""))+"\n")
	s := startClaude(t, "--settings", settings)
	s.prompt(proofPrompt)
	screen := s.wait(DialogText)
	seen := time.Now()
	raw, err := os.ReadFile(filepath.Join(dir, "started"))
	if err != nil {
		t.Fatalf("dialog drawn but the hook never started: %v; screen:\n%s", err, screen)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		t.Fatalf("hook start time %q: %v", raw, err)
	}
	t.Logf("dialog on screen %v after the hook started (screen polled every %v)",
		seen.Sub(time.Unix(0, ns)).Round(time.Millisecond), pollEvery)
	if _, err := s.proof(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("command ran before anyone allowed it: err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	released := time.Now()
	screen = s.wait(HookAllowedText)
	t.Logf("dialog replaced by %q %v after release (hook polls every 50ms)", HookAllowedText,
		time.Since(released).Round(time.Millisecond))
	screen = s.wait(finalText)
	if got, err := s.proof(); err != nil || got != "hello\n" {
		t.Fatalf("proof.txt = %q, %v; screen:\n%s", got, err, screen)
	}
	if strings.Contains(screen, DialogText) {
		t.Errorf("dialog still open after the hook allowed:\n%s", screen)
	}
}

func TestVersionPinned(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"package.json", "package-lock.json"} {
		raw, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`"@anthropic-ai/claude-code": %q`, Version)
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s does not pin %s", name, want)
		}
	}
}
