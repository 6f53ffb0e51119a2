package claudehook

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/ct-dev/ct/wire"
)

// toolUseResult is the part of a tool_result record's toolUseResult that
// Claude Code writes for its file tools: the file, and the hunks it applied
// (structuredPatch, unified-diff lines with their ' ', '-', '+' prefixes).
// A Write that creates a file has no hunks, only its content.
type toolUseResult struct {
	Type     string `json:"type"` // Write: "create" or "update"
	FilePath string `json:"filePath"`
	Content  string `json:"content"`
	Old      string `json:"oldString"`
	New      string `json:"newString"`
	Patch    []struct {
		OldStart int      `json:"oldStart"`
		OldLines int      `json:"oldLines"`
		NewStart int      `json:"newStart"`
		NewLines int      `json:"newLines"`
		Lines    []string `json:"lines"`
	} `json:"structuredPatch"`
}

// fileTools are the tools whose results say what they did to a file.
var fileTools = map[string]bool{"Edit": true, "Write": true, "MultiEdit": true}

// entryChange reads what a file tool did from its result record: the hunks
// Claude Code applied, or, for a new file, its whole content as added
// lines. Nil for other tools, failed calls, or records without the field.
func entryChange(tool string, raw json.RawMessage) *wire.EntryChange {
	if !fileTools[tool] || len(raw) == 0 {
		return nil
	}
	var r toolUseResult
	if json.Unmarshal(raw, &r) != nil || r.FilePath == "" {
		return nil
	}
	var b strings.Builder
	switch {
	case len(r.Patch) > 0:
		fmt.Fprintf(&b, "--- %s\n+++ %s\n", r.FilePath, r.FilePath)
		for _, h := range r.Patch {
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
			for _, l := range h.Lines {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	case r.Type == "create":
		b.WriteString(udiff.Unified("/dev/null", r.FilePath, "", r.Content))
	case r.Old != "" || r.New != "": // an older Claude Code: the edit alone, without context
		b.WriteString(udiff.Unified(r.FilePath, r.FilePath, r.Old, r.New))
	default:
		return nil
	}
	return CapDiff(r.FilePath, b.String())
}

// CapDiff counts a diff's added and removed lines and cuts it to
// wire.MaxEntryDiff at a line boundary, saying how much was left off.
func CapDiff(path, diff string) *wire.EntryChange {
	c := &wire.EntryChange{Path: path}
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "+"):
			c.Added++
		case strings.HasPrefix(l, "-"):
			c.Removed++
		}
	}
	if len(diff) > wire.MaxEntryDiff {
		cut := strings.LastIndexByte(diff[:wire.MaxEntryDiff], '\n') + 1
		diff = diff[:cut] + fmt.Sprintf("@@ … %d more bytes of diff not shown @@\n", len(diff)-cut)
	}
	c.Diff = diff
	return c
}
