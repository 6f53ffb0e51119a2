package handlers

import (
	"strconv"
	"strings"
	"testing"
)

// A git diff of two files splits into files and hunks with the new file's
// line numbers (the old file's for removed lines); a long hunk collapses.
func TestSplitDiff(t *testing.T) {
	long := strings.Repeat("+x\n", collapseLines+1)
	diff := "diff --git a/a.go b/a.go\nindex 1..2 100644\n--- a/a.go\n+++ b/a.go\n@@ -10,3 +10,3 @@ func f()\n ctx\n-old\n+new\n ctx2\n" +
		"diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,41 @@\n" + long +
		"diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n"
	files := splitDiff(diff)
	if len(files) != 3 || files[0].Path != "a.go" || files[1].Path != "new.txt" || files[2].Path != "img.png" {
		t.Fatalf("files: %+v", files)
	}
	h := files[0].Hunks[0]
	got := []string{}
	for _, l := range h.Lines {
		got = append(got, l.Kind+":"+strconv.Itoa(l.Line)+":"+l.Text)
	}
	if strings.Join(got, "|") != "ctx:10:ctx|del:11:old|add:11:new|ctx:12:ctx2" || h.Collapsed {
		t.Fatalf("hunk: %v collapsed %v", got, h.Collapsed)
	}
	if files[0].Added != 1 || files[0].Removed != 1 || !files[1].Hunks[0].Collapsed || files[1].Added != collapseLines+1 {
		t.Fatalf("counts or collapse: %+v", files[:2])
	}
	if files[2].Note != "Binary file changed" {
		t.Fatalf("binary: %+v", files[2])
	}
}
