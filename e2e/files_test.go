package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sharedTree makes base/src (to share) beside base/outside (a secret), with
// a link from inside src to outside and a file over the 1 MiB cap.
func sharedTree(t *testing.T) string {
	t.Helper()
	base, _ := filepath.EvalSymlinks(t.TempDir())
	for _, d := range []string{"src/sub", "outside"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range map[string]string{"src/a.txt": "shared hello\n", "src/sub/b.txt": "bee\n", "outside/secret.txt": "SECRET\n"} {
		if err := os.WriteFile(filepath.Join(base, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "src/big.bin"), make([]byte, 1<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "outside"), filepath.Join(base, "src/link")); err != nil {
		t.Fatal(err)
	}
	return base
}

// startSharer runs ct wrap on machine sharing base/src (with extra flags)
// and a peer named peer that says it runs in that session, as ct mcp
// inside a wrap does.
func startSharer(t *testing.T, h *Hub, base, machine, peer string, extra ...string) (*Wrap, APISession, *coordPeer) {
	t.Helper()
	args := append([]string{"--hub", h.URL, "--name", machine, "--share-dir", filepath.Join(base, "src")}, extra...)
	w := StartWrap(t, nil, append(args, "--", "sh", "-c", "echo SHARE-READY; read x")...)
	target := SessionFor(t, h.URL, machine)
	waitLogContains(t, h.URL, target.ID, "SHARE-READY")
	sharer := newCoordPeer(t, h, peer)
	if code := sharer.api(t, http.MethodPatch, "/api/v1/peers/me", map[string]any{"session": target.ID}, nil); code != http.StatusOK {
		t.Fatalf("set the sharer's session: %d", code)
	}
	return w, target, sharer
}

// A peer's ct wrap shares a directory (--share-dir); another agent,
// through its own ct mcp and its session's credential, lists and reads it
// through the hub and is refused a symbolic link, a path climbing out with
// .., a file over the cap, a peer that shares nothing and, once the wrap
// has gone, a peer that is offline. ct files reads the same; the hub's
// audit log has every request.
func TestSharedFilesThroughMCP(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	base := sharedTree(t)
	w, target, sharer := startSharer(t, h, base, "sharebox", "sharer")
	agent := startAgentMCP(t, h)

	if out := agent.must("list_peer_files", nil); !strings.Contains(out, `"peer": "sharer"`) || !strings.Contains(out, `"src"`) {
		t.Fatalf("the sharing peers = %s", out)
	}
	if out := agent.must("list_peer_files", map[string]any{"peer": "sharer"}); !strings.Contains(out, `"name": "src"`) {
		t.Fatalf("the roots = %s", out)
	}
	out := agent.must("list_peer_files", map[string]any{"peer": "sharer", "path": "src"})
	for _, want := range []string{`"name": "a.txt"`, `"size": 13`, `"name": "sub"`, `"type": "dir"`, `"name": "link"`, `"type": "symlink"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("list_peer_files src = %s; want %s", out, want)
		}
	}
	if got := agent.must("get_peer_file", map[string]any{"peer": "sharer", "path": "src/a.txt"}); got != "shared hello\n" {
		t.Fatalf("get_peer_file = %q", got)
	}
	for path, want := range map[string]string{
		"src/link/secret.txt":        "symbolic link",
		"src/../outside/secret.txt":  "climbs out with ..",
		base + "/outside/secret.txt": "is absolute",
		"src/big.bin":                "the limit is 1048576",
	} {
		out, isErr := agent.call("get_peer_file", map[string]any{"peer": "sharer", "path": path})
		if !isErr || !strings.Contains(out, want) || strings.Contains(out, "SECRET") {
			t.Fatalf("get_peer_file %s = %v %q; want refused: %s", path, isErr, out, want)
		}
	}
	// The reading agent's own session shares nothing.
	own := SessionFor(t, h.URL, "agentbox")
	if out, isErr := agent.call("list_peer_files", map[string]any{"peer": own.ID}); !isErr || !strings.Contains(out, "shares no files") || !strings.Contains(out, "--share-dir") {
		t.Fatalf("a peer sharing nothing = %v %q", isErr, out)
	}
	// The CLI, by session id.
	if got := sharer.must(t, "files", "get", target.ID, "src/sub/b.txt"); got != "bee\n" {
		t.Fatalf("ct files get = %q", got)
	}
	if got := sharer.must(t, "files", "ls"); !strings.Contains(got, "sharer on sharebox") {
		t.Fatalf("ct files ls = %q", got)
	}
	if got := sharer.must(t, "files", "ls", "sharer", "src/sub"); !strings.Contains(got, "b.txt") {
		t.Fatalf("ct files ls = %q", got)
	}
	WaitFor(t, 10*time.Second, "the reads and refusals in the audit log", func() bool {
		a := Get(h.URL + "/admin/audit")
		return strings.Contains(a, "files.get") && strings.Contains(a, "files.list") && strings.Contains(a, "refused: src/link is a symbolic link")
	})

	// The sharing program ends: its wrap goes, and the peer is offline.
	if _, err := w.Stdin.Write([]byte("bye\n")); err != nil {
		t.Fatal(err)
	}
	w.Wait(t, 15*time.Second)
	if out, isErr := agent.call("list_peer_files", map[string]any{"peer": "sharer", "path": "src"}); !isErr || !strings.Contains(out, "offline") {
		t.Fatalf("a peer whose wrap has gone = %v %q", isErr, out)
	}
}

// A session ct node starts shares the node's --share-dir, read over the
// REST API by the session's id; a symbolic link is refused there too.
func TestNodeSessionSharesFiles(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	base := sharedTree(t)
	n := startNode(t, h.URL, "nodeshare", "--allow", "bash", "--root", base, "--share-dir", filepath.Join(base, "src"))
	waitNode(t, h.URL, "nodeshare", n)
	code, id := spawn(h.URL, "nodeshare", map[string]string{"command": "bash", "cwd": base})
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("spawn = %d %s", code, id)
	}
	WaitFor(t, 15*time.Second, "the node's session live", func() bool { return sessionStatus(h.URL, id) == "live" })
	if got := Get(h.URL + "/api/v1/files/content?peer=" + id + "&path=src/sub/b.txt"); got != "bee\n" {
		t.Fatalf("a file of the node's share = %q", got)
	}
	if got := Get(h.URL + "/api/v1/files/content?peer=" + id + "&path=src/link/secret.txt"); !strings.Contains(got, "symbolic link") || strings.Contains(got, "SECRET") {
		t.Fatalf("through a link = %q", got)
	}
}
