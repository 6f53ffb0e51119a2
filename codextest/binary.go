// Package codextest runs the real OpenAI Codex CLI offline for tests: it finds the pinned
// binary (CT_REQUIRE_CODEX turns a missing one into a failure), serves a scripted fake
// Responses API on 127.0.0.1 and builds an isolated CODEX_HOME whose config points Codex at
// it. It is for tests only; nothing in ct's binary imports it.
package codextest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ct-dev/ct/claudetest"
)

// Version is the Codex CLI version package.json pins and these helpers were checked against.
const Version = "0.171.0"

// RequireEnv names the variable that turns a missing Codex CLI from a skip into a failure;
// CI sets it to 1 so the end-to-end tests cannot silently stop running.
const RequireEnv = "CT_REQUIRE_CODEX"

// BinEnv names the variable that picks another Codex binary than the pinned one (an
// absolute path).
const BinEnv = "CT_CODEX_BIN"

// Binary returns the path of the Codex CLI the tests run: $CT_CODEX_BIN when set (a missing
// file there is a failure), else node_modules/.bin/codex at the repository root.
func Binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(BinEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s=%s: %v (point it at an installed codex)", BinEnv, bin, err)
		}
		return bin
	}
	root, err := claudetest.RepoRoot()
	if err != nil {
		missing(t, err.Error())
		return ""
	}
	bin := filepath.Join(root, "node_modules", ".bin", "codex")
	if _, err := os.Stat(bin); err != nil {
		missing(t, "Codex CLI not installed at "+bin+": run `npm ci` in "+root)
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
