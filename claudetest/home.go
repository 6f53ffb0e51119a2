package claudetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// APIKey is the fake key Env passes; the CLI asks once about a custom key unless Home approves it.
const APIKey = "sk-ant-api03-claudetest-0000000000000000000000000000000000000000-AA"

// Home builds an isolated HOME in which Claude Code trusts cwd and skips onboarding, the
// custom-key question and the auto-mode nudge, and returns its path.
func Home(t testing.TB, cwd string) string {
	t.Helper()
	home := t.TempDir()
	projects := map[string]any{cwd: map[string]any{"hasTrustDialogAccepted": true}}
	// The CLI may key the project by its resolved path, so trust both spellings.
	if real, err := filepath.EvalSymlinks(cwd); err == nil && real != cwd {
		projects[real] = map[string]any{"hasTrustDialogAccepted": true}
	}
	writeJSONFile(t, filepath.Join(home, ".claude.json"), map[string]any{
		"hasCompletedOnboarding":  true,
		"lastOnboardingVersion":   Version,
		"lastReleaseNotesSeen":    Version,
		"theme":                   "dark",
		"autoUpdates":             false,
		"hasSeenAutoDefaultNudge": true,
		"customApiKeyResponses": map[string]any{
			"approved": []string{APIKey[len(APIKey)-20:]},
			"rejected": []string{},
		},
		"projects": projects,
	})
	// "default" mode shows the ordinary permission dialog; the newer auto mode needs a
	// server-side safety check the fake cannot give.
	writeJSONFile(t, filepath.Join(home, ".claude", "settings.json"), map[string]any{
		"permissions": map[string]any{"defaultMode": "default"},
	})
	return home
}

// Env is the whole environment for a CLI that talks only to apiURL and keeps its state in home.
func Env(home, apiURL string) []string {
	return []string{
		"ANTHROPIC_BASE_URL=" + apiURL,
		"ANTHROPIC_API_KEY=" + APIKey,
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
		"DISABLE_AUTOUPDATER=1",
		"HOME=" + home,
		"TERM=xterm-256color",
		"PATH=" + os.Getenv("PATH"),
	}
}

// WriteJSON writes v as indented JSON to path, creating parent directories, or fails the test.
func WriteJSON(t testing.TB, path string, v any) {
	t.Helper()
	writeJSONFile(t, path, v)
}

func writeJSONFile(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("claudetest: marshal %s: %v", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("claudetest: %v", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		t.Fatalf("claudetest: %v", err)
	}
}
