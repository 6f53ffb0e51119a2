package e2e

import (
	"bufio"
	"os"
	"testing"

	"github.com/ct-dev/ct/codexhook"
	"github.com/ct-dev/ct/wire"
)

// readRollout parses a Codex rollout file, as a test's independent reading
// of what Codex logged.
func readRollout(t testing.TB, path string) []wire.TranscriptEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("Codex's rollout file: %v", err)
	}
	defer f.Close()
	var out []wire.TranscriptEntry
	var p codexhook.Rollout
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		out = append(out, p.Line(sc.Bytes())...)
	}
	return out
}
