package claudehook

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/ct-dev/ct/wire"
)

// maxFileBefore bounds the file read to compute a change's diff: a larger
// one is not read (the hook must answer fast), and the hub shows Claude's
// own snippet instead.
const maxFileBefore = 1 << 20

// fileChange computes what a Write, Edit or MultiEdit would do to its file
// as it is now, on the workstation, the way Claude Code applies it: Edit
// replaces the first occurrence, or every one with replace_all; Write
// creates the file or overwrites it. Nil when the tool is no file tool, the
// file cannot be read (or is over maxFileBefore, or not a regular file),
// or an edit's old text is not in it: the hub then shows Claude's own
// snippet. cwd resolves a relative path.
func fileChange(tool string, input json.RawMessage, cwd string) *wire.FileChange {
	var in struct {
		Path       string `json:"file_path"`
		Old        string `json:"old_string"`
		New        string `json:"new_string"`
		ReplaceAll bool   `json:"replace_all"`
		Content    string `json:"content"`
		Edits      []struct {
			Old        string `json:"old_string"`
			New        string `json:"new_string"`
			ReplaceAll bool   `json:"replace_all"`
		} `json:"edits"`
	}
	if tool != "Write" && tool != "Edit" && tool != "MultiEdit" {
		return nil
	}
	if json.Unmarshal(input, &in) != nil || in.Path == "" {
		return nil
	}
	path := in.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(cwd, path)
	}
	before, exists, ok := readBefore(path)
	if !ok {
		return nil
	}
	var after, label string
	switch tool {
	case "Write":
		after, label = in.Content, "Create file"
		if exists {
			label = "Overwrite file"
		}
	case "Edit":
		if !exists || (in.Old == "" || !strings.Contains(before, in.Old)) {
			return nil
		}
		after, label = replace(before, in.Old, in.New, in.ReplaceAll), "Edit file"
	case "MultiEdit":
		if !exists {
			return nil
		}
		after, label = before, "Edit file"
		for _, e := range in.Edits {
			if e.Old == "" || !strings.Contains(after, e.Old) {
				return nil
			}
			after = replace(after, e.Old, e.New, e.ReplaceAll)
		}
	}
	diff := udiff.Unified(in.Path, in.Path, before, after)
	if len(diff) > wire.MaxChangeDiff {
		cut := strings.LastIndexByte(diff[:wire.MaxChangeDiff], '\n') + 1
		diff = diff[:cut] + fmt.Sprintf("@@ … %d more bytes of diff @@\n", len(diff)-cut)
	}
	return &wire.FileChange{Label: label, Diff: diff}
}

func replace(s, old, new string, all bool) string {
	if all {
		return strings.ReplaceAll(s, old, new)
	}
	return strings.Replace(s, old, new, 1)
}

// readBefore reads a file that is about to change: ok is false when it
// exists but cannot be read, is no regular file (a device or a FIFO would
// block the hook), or is over maxFileBefore.
func readBefore(path string) (content string, exists, ok bool) {
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return "", false, true
	}
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxFileBefore {
		return "", true, false
	}
	f, err := os.Open(path)
	if err != nil {
		return "", true, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBefore+1))
	if err != nil || len(b) > maxFileBefore {
		return "", true, false
	}
	return string(b), true, true
}
