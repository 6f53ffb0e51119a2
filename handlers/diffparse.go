package handlers

import (
	"strconv"
	"strings"

	"github.com/ct-dev/ct/views"
)

// collapseLines is how long a hunk may be before it starts collapsed: a
// phone shows a screenful, and a tap opens the rest.
const collapseLines = 40

// splitDiff splits a unified diff (git's, with "diff --git" headers, or a
// single file's "---/+++") into files and hunks with line numbers.
func splitDiff(diff string) []views.FileDiff {
	var files []views.FileDiff
	var f *views.FileDiff
	var h *views.Hunk
	oldN, newN := 0, 0
	newFile := func(path string) {
		files = append(files, views.FileDiff{Path: path})
		f, h = &files[len(files)-1], nil
	}
	for _, l := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "diff --git "):
			newFile(gitPath(l))
		case h == nil && strings.HasPrefix(l, "+++ "):
			if p := strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/"); f == nil {
				newFile(p)
			} else if p != "/dev/null" {
				f.Path = p
			}
		case h == nil && strings.HasPrefix(l, "--- "), h == nil && f != nil && !strings.HasPrefix(l, "@@"):
			if strings.HasPrefix(l, "Binary files") && f != nil {
				f.Note = "Binary file changed"
			}
		case strings.HasPrefix(l, "@@"):
			if f == nil {
				newFile("")
			}
			oldN, newN = hunkStart(l)
			f.Hunks = append(f.Hunks, views.Hunk{Header: l})
			h = &f.Hunks[len(f.Hunks)-1]
		case h != nil && strings.HasPrefix(l, "+"):
			h.Lines = append(h.Lines, views.ChangeLine{Kind: "add", Text: l[1:], Line: newN})
			newN++
			f.Added++
		case h != nil && strings.HasPrefix(l, "-"):
			h.Lines = append(h.Lines, views.ChangeLine{Kind: "del", Text: l[1:], Line: oldN})
			oldN++
			f.Removed++
		case h != nil && strings.HasPrefix(l, `\`):
			h.Lines = append(h.Lines, views.ChangeLine{Kind: "note", Text: l})
		case h != nil:
			h.Lines = append(h.Lines, views.ChangeLine{Kind: "ctx", Text: strings.TrimPrefix(l, " "), Line: newN})
			oldN++
			newN++
		}
	}
	for i := range files {
		for j := range files[i].Hunks {
			files[i].Hunks[j].Collapsed = len(files[i].Hunks[j].Lines) > collapseLines
		}
	}
	return files
}

// gitPath is the new path of a "diff --git a/X b/Y" line.
func gitPath(l string) string {
	if i := strings.LastIndex(l, " b/"); i >= 0 {
		return l[i+3:]
	}
	return strings.TrimPrefix(l, "diff --git ")
}

// hunkStart reads "@@ -a,b +c,d @@" into the first old and new line numbers.
func hunkStart(l string) (oldN, newN int) {
	for _, f := range strings.Fields(l) {
		n, _, _ := strings.Cut(f[min(1, len(f)):], ",")
		v, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		switch f[0] {
		case '-':
			oldN = v
		case '+':
			newN = v
		}
	}
	return oldN, newN
}
