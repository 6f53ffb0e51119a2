package codexhook

import (
	"sort"
	"time"

	"github.com/aymanbagabas/go-udiff"
	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// maxPatchFiles bounds the entries one apply_patch gives: a patch over
// more files shows the first ones by path (the rest are in git's diff).
const maxPatchFiles = 50

// patchChange is one file's effect in a FileChange item, as Codex 0.171.0
// writes it: "add" and "delete" carry the whole content, "update" a
// unified diff of hunks only (no ---/+++ lines) and, for a rename, the new
// path in move_path.
type patchChange struct {
	Type        string  `json:"type"`
	Content     string  `json:"content"`
	UnifiedDiff string  `json:"unified_diff"`
	MovePath    *string `json:"move_path"`
}

// patchEntries turns an apply_patch's FileChange item (written whether the
// model called the apply_patch tool or ran `apply_patch` in exec_command)
// into one tool_result per file with its diff, in path order, so the
// Changes tab shows them the way it shows Claude's Edit and Write. A patch
// that did not apply (status other than completed) changed nothing shown.
func patchEntries(it rolloutItem, ts time.Time) []wire.TranscriptEntry {
	if it.Status != "completed" || len(it.Changes) == 0 {
		return nil
	}
	paths := make([]string, 0, len(it.Changes))
	for p := range it.Changes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) > maxPatchFiles {
		paths = paths[:maxPatchFiles]
	}
	out := make([]wire.TranscriptEntry, 0, len(paths))
	for i, p := range paths {
		c := patchDiff(p, it.Changes[p])
		if c == nil {
			continue
		}
		e := wire.TranscriptEntry{Kind: wire.EntryToolResult, TS: ts, Tool: "apply_patch", ID: it.ID, Change: c, Text: c.Path}
		if i == 0 && it.Stdout != "" {
			e.Text = short(it.Stdout, maxResult)
		}
		out = append(out, e)
	}
	return out
}

// patchDiff is one file's change as a unified diff with ---/+++ lines.
func patchDiff(path string, c patchChange) *wire.EntryChange {
	switch c.Type {
	case "add":
		return claudehook.CapDiff(path, udiff.Unified("/dev/null", path, "", c.Content))
	case "delete":
		return claudehook.CapDiff(path, udiff.Unified(path, "/dev/null", c.Content, ""))
	case "update":
		to := path
		if c.MovePath != nil && *c.MovePath != "" {
			to = *c.MovePath
		}
		return claudehook.CapDiff(to, "--- "+path+"\n+++ "+to+"\n"+c.UnifiedDiff)
	}
	return nil
}
