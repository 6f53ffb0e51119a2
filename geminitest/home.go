package geminitest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// APIKey is the fake key Env passes.
const APIKey = "geminitest-key"

// Home builds an isolated HOME whose ~/.gemini/settings.json selects API-key
// auth, turns folder trust, updates and telemetry off, and returns its path.
func Home(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	settings := map[string]any{
		"security": map[string]any{
			"auth":        map[string]any{"selectedType": "gemini-api-key"},
			"folderTrust": map[string]any{"enabled": false},
		},
		"general":   map[string]any{"disableAutoUpdate": true, "disableUpdateNag": true, "enableAutoUpdate": false, "enableAutoUpdateNotification": false},
		"telemetry": map[string]any{"enabled": false},
		"privacy":   map[string]any{"usageStatisticsEnabled": false},
		"ui":        map[string]any{"hideTips": true, "hideBanner": true},
	}
	dir := filepath.Join(home, ".gemini")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(settings, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// Env is the environment for running the CLI against api (FakeAPI.URL)
// with HOME at home; PATH is kept so node is found.
func Env(home, apiURL string) []string {
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"GEMINI_API_KEY=" + APIKey,
		"GOOGLE_GEMINI_BASE_URL=" + apiURL,
		"NO_BROWSER=1",
	}
}
