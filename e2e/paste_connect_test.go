package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPasteRightAfterConnect: a paste typed as many inputs the moment a wrap's
// session takes input (more than the hub's and the wrap's 64-input queues)
// reaches the program whole and in order: none is refused with 503 and none
// is dropped on the way.
func TestPasteRightAfterConnect(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	out := filepath.Join(t.TempDir(), "typed")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "paste", "--", "bash", "-c", "stty -echo; exec cat > "+out)
	s := SessionFor(t, h.URL, "paste")
	url := h.URL + "/api/v1/sessions/" + s.ID + "/input"
	const n = 300
	var want strings.Builder
	for i := 0; i < n; i++ {
		line := fmt.Sprintf("k%04d", i)
		want.WriteString(line + "\n")
		code, body := PostJSON(url, map[string]any{"text": line + "\r"})
		for i == 0 && code == 409 { // listed before its connection takes input
			time.Sleep(time.Millisecond) // polling interval, not synchronisation
			code, body = PostJSON(url, map[string]any{"text": line + "\r"})
		}
		if code != 200 {
			t.Fatalf("input %d: %d %s", i, code, body)
		}
	}
	if code, body := PostJSON(url, map[string]any{"keys": []string{"Ctrl-D"}}); code != 200 {
		t.Fatalf("Ctrl-D: %d %s", code, body)
	}
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d; stderr: %s", code, w.Stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Fatalf("the program did not read the paste whole and in order: %s", firstDiff(got, []byte(want.String())))
	}
}
