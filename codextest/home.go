package codextest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// KeyEnv is the variable the fake provider reads its API key from (any value works).
const KeyEnv = "CODEXTEST_API_KEY"

// ReadyText is in the footer under Codex's composer once it takes input.
const ReadyText = "for shortcuts"

// TrustText is Codex's question about hooks it has not trusted: ct's
// pre-trusted hooks must never raise it.
const TrustText = "Hooks need review"

// DialogText is on Codex's own approval dialog.
const DialogText = "Would you like to run the following command?"

// Home builds an isolated CODEX_HOME whose config.toml sends every model request to apiURL,
// asks before escalated commands (approval_policy on-request) and trusts cwd, and returns
// its path.
func Home(t testing.TB, cwd, apiURL string) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), ".codex")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatalf("codextest: %v", err)
	}
	trusted := fmt.Sprintf("[projects.%s]\ntrust_level = \"trusted\"\n", strconv.Quote(cwd))
	if real, err := filepath.EvalSymlinks(cwd); err == nil && real != cwd {
		trusted += fmt.Sprintf("[projects.%s]\ntrust_level = \"trusted\"\n", strconv.Quote(real))
	}
	config := `model = "gpt-fake"
model_provider = "fake"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
check_for_update_on_startup = false

[model_providers.fake]
name = "fake"
base_url = ` + strconv.Quote(apiURL) + `
env_key = "` + KeyEnv + `"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[notice]
hide_full_access_warning = true

` + trusted
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatalf("codextest: %v", err)
	}
	return home
}

// Env is the whole environment for a Codex that talks only to the fake and keeps its state
// in home (a CODEX_HOME from Home).
func Env(home string) []string {
	return []string{
		"CODEX_HOME=" + home,
		"HOME=" + filepath.Dir(home),
		KeyEnv + "=sk-codextest",
		"TERM=xterm-256color",
		"PATH=" + os.Getenv("PATH"),
	}
}
