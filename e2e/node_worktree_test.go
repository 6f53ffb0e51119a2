package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// gitIn runs git in dir or fails the test.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// worktreeSession is what the API says of a session in a worktree.
type worktreeSession struct {
	ID           string `json:"id"`
	Cwd          string `json:"cwd"`
	Worktree     string `json:"worktree"`
	WorktreeNote string `json:"worktree_note"`
}

// spawnInWorktree starts bash in a new worktree of repo, typing script,
// and waits for its program to end.
func spawnInWorktree(t *testing.T, hubURL, repo, script string) worktreeSession {
	t.Helper()
	code, body := PostJSON(hubURL+"/api/v1/nodes/wtbox/sessions", map[string]any{"command": "bash", "cwd": repo, "worktree": true, "prompt": script + "; exit"})
	var out struct {
		SessionID string `json:"session_id"`
	}
	if _ = json.Unmarshal([]byte(body), &out); code != 201 || out.SessionID == "" {
		t.Fatalf("spawn in a worktree: %d %s", code, body)
	}
	waitEndedAny(t, hubURL, out.SessionID)
	var s worktreeSession
	_ = json.Unmarshal([]byte(rawSession(t, hubURL, out.SessionID)), &s)
	return s
}

// archive archives id over the API and returns what it says.
func archive(t *testing.T, hubURL, id string) worktreeSession {
	t.Helper()
	var code int
	var body string
	// An ended session's wrap says goodbye just after the end: 409 until then.
	WaitFor(t, 15*time.Second, "archive of "+id, func() bool {
		code, body = PostJSON(hubURL+"/api/v1/sessions/"+id+"/archive", nil)
		return code != 409
	})
	var s worktreeSession
	if _ = json.Unmarshal([]byte(body), &s); code != 200 {
		t.Fatalf("archive %s: %d %s", id, code, body)
	}
	return s
}

// A session started "in a new worktree" runs in <repo>/.ct-worktrees/<id>
// on branch ct/<id>; archiving it removes the worktree and branch when
// clean, and keeps them, saying why, when a file is uncommitted or a
// commit is on no other branch.
func TestNodeWorktreeSpawnAndArchive(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	repo := filepath.Join(root, "app")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(repo, "README"), []byte("app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "README")
	gitIn(t, repo, "commit", "-q", "-m", "first")
	n := startNode(t, h.URL, "wtbox", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "wtbox", n)

	clean := spawnInWorktree(t, h.URL, repo, "git branch --show-current > ../branch-$(basename $PWD).txt")
	wantDir := filepath.Join(repo, ".ct-worktrees", clean.ID)
	if clean.Cwd != wantDir || clean.Worktree != "ct/"+clean.ID {
		t.Fatalf("session in a worktree: cwd %q branch %q, want %q on ct/%s", clean.Cwd, clean.Worktree, wantDir, clean.ID)
	}
	// The program ran there, on the new branch (it wrote beside the worktree).
	if b, err := os.ReadFile(filepath.Join(repo, ".ct-worktrees", "branch-"+clean.ID+".txt")); err != nil || strings.TrimSpace(string(b)) != "ct/"+clean.ID {
		t.Fatalf("the program's branch: %q %v, want ct/%s", b, err, clean.ID)
	}
	if st := gitIn(t, repo, "status", "--porcelain"); st != "" {
		t.Errorf("the repository shows the worktrees folder: %q", st)
	}
	got := archive(t, h.URL, clean.ID)
	if _, err := os.Stat(wantDir); !os.IsNotExist(err) || !strings.Contains(got.WorktreeNote, "removed") {
		t.Fatalf("a clean worktree after archive: stat %v, note %q; want it removed", err, got.WorktreeNote)
	}
	if br := gitIn(t, repo, "branch", "--list", "ct/*"); br != "" {
		t.Errorf("the branch stayed after a clean archive: %q", br)
	}

	dirty := spawnInWorktree(t, h.URL, repo, "echo wip > notes.txt")
	got = archive(t, h.URL, dirty.ID)
	if _, err := os.Stat(filepath.Join(dirty.Cwd, "notes.txt")); err != nil || !strings.Contains(got.WorktreeNote, "uncommitted") {
		t.Fatalf("a dirty worktree after archive: stat %v, note %q; want it kept with the reason", err, got.WorktreeNote)
	}
	checkWorktreePages(t, h.URL, dirty.ID)

	ahead := spawnInWorktree(t, h.URL, repo, "git -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m wip")
	got = archive(t, h.URL, ahead.ID)
	if _, err := os.Stat(ahead.Cwd); err != nil || !strings.Contains(got.WorktreeNote, "on no other branch") {
		t.Fatalf("a worktree with an unpushed commit after archive: stat %v, note %q; want it kept", err, got.WorktreeNote)
	}
	WaitFor(t, 10*time.Second, "session.worktree in the audit log", func() bool {
		return strings.Contains(Get(h.URL+"/admin/audit"), "session.worktree")
	})
}

// checkWorktreePages: the lobby's form offers the worktree tick, and a kept
// worktree's session page says why, at 390 px and 1280 px.
func checkWorktreePages(t *testing.T, hubURL, kept string) {
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, hubURL, "admin", AdminPassword)
	b.Do(t, "open the lobby's launch form", chromedp.Navigate(hubURL+"/"))
	b.WaitJS(t, 10*time.Second, "the launch form", `document.getElementById('launch-wtbox') !== null`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "open it", chromedp.Tap(chromedp.CSS(`#launch-wtbox summary`)))
	b.WaitJS(t, 5*time.Second, "the worktree tick", `document.getElementById('worktree-wtbox').offsetParent !== null`, `document.getElementById('launch-wtbox').outerHTML.slice(0, 400)`)
	if bad := Eval[string](t, b, smallTargets("#launch-wtbox label.check")+` + `+noSideways); bad != "" {
		t.Errorf("launch form with the worktree tick: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/worktree-form-phone.png")
	b.Do(t, "desktop", chromedp.EmulateViewport(1280, 900))
	b.Screenshot(t, "/tmp/ct-shots/worktree-form-desktop.png")
	b.Do(t, "the kept worktree's session", chromedp.EmulateViewport(PhoneWidth, PhoneHeight), chromedp.Navigate(hubURL+"/s/"+kept))
	b.WaitJS(t, 10*time.Second, "the note on why it was kept", `(document.getElementById('worktree-note') || {innerText: ''}).innerText.includes('uncommitted')`, `document.body.innerText.slice(0, 500)`)
	if bad := Eval[string](t, b, noSideways); bad != "" {
		t.Errorf("session page with the worktree note: %s", bad)
	}
	b.Screenshot(t, "/tmp/ct-shots/worktree-kept-phone.png")
}
