package geminitest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ct-dev/ct/claudetest"
)

// RequireEnv names the variable that turns a missing Gemini CLI from a skip
// into a failure; CI sets it to 1 so the tests cannot silently stop running.
const RequireEnv = "CT_REQUIRE_GEMINI"

// Version is the Gemini CLI package.json pins.
const Version = "0.61.0"

// Binary returns node_modules/.bin/gemini at the repository root (the
// nearest directory above the working directory holding go.mod).
func Binary(t testing.TB) string {
	t.Helper()
	root, err := claudetest.RepoRoot()
	if err != nil {
		missing(t, err.Error())
		return ""
	}
	bin := filepath.Join(root, "node_modules", ".bin", "gemini")
	if _, err := os.Stat(bin); err != nil {
		missing(t, "Gemini CLI not installed at "+bin+": run `npm ci` in "+root)
	}
	return bin
}

// missing skips the test, or fails it when RequireEnv is set.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s (%s is set, so this is a failure)", why, RequireEnv)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", why, RequireEnv)
}
