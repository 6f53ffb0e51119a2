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
	"github.com/creack/pty"
)

// node is a running ct node.
type node struct {
	Stderr *SafeBuffer
	Socket string
	cmd    *exec.Cmd
	done   chan struct{}
}

// startNode runs ct node for machine name against hubURL with a machine
// token of its own; extra are more flags (--allow, --root).
func startNode(t *testing.T, hubURL, name string, extra ...string) *node {
	t.Helper()
	return startNodeEnv(t, hubURL, name, os.Environ(), extra...)
}

// startNodeEnv is startNode with env as the node's whole environment
// (besides its token): what the sessions it starts inherit.
func startNodeEnv(t *testing.T, hubURL, name string, env []string, extra ...string) *node {
	t.Helper()
	// Unix socket paths are limited to ~100 bytes: t.TempDir() can be longer.
	dir, err := os.MkdirTemp("", "ctn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := &node{Stderr: &SafeBuffer{}, Socket: filepath.Join(dir, "rt", "node.sock"), done: make(chan struct{})}
	args := append([]string{"node", "--hub", hubURL, "--name", name, "--socket", n.Socket}, extra...)
	n.cmd = exec.Command(Binary(t), args...)
	n.cmd.Env = append(append([]string(nil), env...), "CT_TOKEN="+MachineToken(t, hubURL, name))
	n.cmd.Stdout, n.cmd.Stderr = n.Stderr, n.Stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		_ = n.cmd.Process.Kill()
		<-n.done
	})
	return n
}

// apiNodes is GET /api/v1/nodes.
type apiNodes struct {
	Nodes []struct {
		Name     string   `json:"name"`
		Online   bool     `json:"online"`
		Node     bool     `json:"node"`
		OS       string   `json:"os"`
		Version  string   `json:"version"`
		Allow    []string `json:"allow"`
		Roots    []string `json:"roots"`
		Sessions []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"sessions"`
	} `json:"nodes"`
}

// waitNode waits until the hub lists name with its ct node connected.
func waitNode(t *testing.T, hubURL, name string, n *node) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var l apiNodes
		_ = json.Unmarshal([]byte(Get(hubURL+"/api/v1/nodes")), &l)
		for _, x := range l.Nodes {
			if x.Name == name && x.Node && x.Online {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s not connected to the hub; its log:\n%s", name, n.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// spawn asks the hub to start a session on a node and returns the status
// and the session id or error.
func spawn(hubURL, name string, req map[string]string) (int, string) {
	code, body := PostJSON(hubURL+"/api/v1/nodes/"+name+"/sessions", req)
	var out struct {
		SessionID string `json:"session_id"`
		Error     string `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &out)
	if out.SessionID != "" {
		return code, out.SessionID
	}
	return code, out.Error + body
}

func sessionStatus(hubURL, id string) string {
	for _, s := range Sessions(hubURL) {
		if s.ID == id {
			return s.Status
		}
	}
	return ""
}

func screenHas(hubURL, id, want string) func() bool {
	return func() bool { return strings.Contains(Get(hubURL+"/api/v1/sessions/"+id+"/screen"), want) }
}

// A session started from the API runs on the node, is live on the hub,
// keeps running while the hub restarts, and reattaches to the new hub.
func TestNodeSessionSurvivesHubRestart(t *testing.T) {
	data := t.TempDir()
	h := StartHub(t, data, "127.0.0.1:0")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	proj := filepath.Join(root, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, h.URL, "nodebox", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "nodebox", n)

	var l apiNodes
	_ = json.Unmarshal([]byte(Get(h.URL+"/api/v1/nodes")), &l)
	if len(l.Nodes) != 1 || strings.Join(l.Nodes[0].Allow, ",") != "bash" || strings.Join(l.Nodes[0].Roots, ",") != root || l.Nodes[0].OS == "" {
		t.Fatalf("GET /api/v1/nodes = %+v, want nodebox allowing bash in %s", l, root)
	}

	code, id := spawn(h.URL, "nodebox", map[string]string{"command": "bash", "cwd": proj, "prompt": "echo started-$((6*7)) in $PWD"})
	if code != 201 {
		t.Fatalf("start session: %d %s\nnode log:\n%s", code, id, n.Stderr.String())
	}
	WaitFor(t, 10*time.Second, "session live", func() bool { return sessionStatus(h.URL, id) == "live" })
	WaitFor(t, 10*time.Second, "first prompt's output on the hub screen", screenHas(h.URL, id, "started-42 in "+proj))

	h.Stop(t)
	h = StartHub(t, data, h.Addr)
	// After the restart the session shows offline until the node's session
	// reconnects; then it is live again and takes input.
	WaitFor(t, 40*time.Second, "session live again after the hub restart", func() bool { return sessionStatus(h.URL, id) == "live" })
	// The store says live a moment before the connection takes input (the
	// hub records the session, then attaches it): retry until it does.
	WaitFor(t, 10*time.Second, "input accepted after the restart", func() bool {
		code, _ := PostJSON(h.URL+"/api/v1/sessions/"+id+"/input", map[string]any{"text": "echo after-restart-$((2+3))\r"})
		return code == 200
	})
	WaitFor(t, 10*time.Second, "output after the restart", screenHas(h.URL, id, "after-restart-5"))
	waitNode(t, h.URL, "nodebox", n) // the control connection is back too
	log := Get(h.URL + "/api/v1/sessions/" + id + "/log")
	if strings.Count(log, "started-42 in") != 1 { // nothing lost, nothing doubled across the restart
		t.Fatalf("log has the first output %d times, want once: %q", strings.Count(log, "started-42 in"), log)
	}
}

// The node, not the hub, decides: a command outside its allow-list or a
// directory outside its roots is refused with the node's reason, and no
// session is created.
func TestNodeRefusesWhatItDoesNotAllow(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, h.URL, "strict", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "strict", n)
	cases := []struct {
		req  map[string]string
		want string
	}{
		{map[string]string{"command": "sh", "cwd": root}, `command "sh" is not allowed on this machine`},
		{map[string]string{"command": "/bin/bash", "cwd": root}, `command "/bin/bash" is not allowed`},
		{map[string]string{"command": "bash", "cwd": "/etc"}, "outside the allowed roots"},
		{map[string]string{"command": "bash", "cwd": root + "/.."}, "outside the allowed roots"},
		{map[string]string{"command": "bash", "cwd": root + "/escape"}, "outside the allowed roots"},
		{map[string]string{"command": "bash", "cwd": "relative"}, "not an absolute path"},
	}
	for _, c := range cases {
		code, msg := spawn(h.URL, "strict", c.req)
		if code != 422 || !strings.Contains(msg, "the node refused: ") || !strings.Contains(msg, c.want) {
			t.Errorf("start %v: %d %q, want 422 with the node's reason %q", c.req, code, msg, c.want)
		}
	}
	if ss := Sessions(h.URL); len(ss) != 0 {
		t.Fatalf("refused requests created sessions: %+v", ss)
	}
	if code, msg := spawn(h.URL, "nosuch", map[string]string{"command": "bash"}); code != 404 && code != 409 {
		t.Fatalf("start on an unknown machine: %d %s", code, msg)
	}
	WaitFor(t, 10*time.Second, "the refusals in the audit log", func() bool {
		return strings.Contains(Get(h.URL+"/admin/audit"), "refused by the node")
	})
}

// ct attach mirrors a node session in a local terminal, types into it,
// and detaches with Ctrl-] leaving the session running.
func TestAttachTypesAndDetaches(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	n := startNode(t, h.URL, "attachbox", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "attachbox", n)
	code, id := spawn(h.URL, "attachbox", map[string]string{"command": "bash", "prompt": "echo before-attach"})
	if code != 201 {
		t.Fatalf("start session: %d %s", code, id)
	}
	WaitFor(t, 10*time.Second, "first output", screenHas(h.URL, id, "\nbefore-attach"))

	cmd := exec.Command(Binary(t), "attach", "--socket", n.Socket, id)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 90, Rows: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out := &SafeBuffer{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	WaitFor(t, 10*time.Second, "attach banner and the session's recent output", func() bool {
		s := out.String()
		return strings.Contains(s, "Ctrl-] detaches") && strings.Contains(s, "before-attach")
	})
	if _, err := tty.Write([]byte("echo via-attach-$((3*3))\r")); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, "typed command's output in the local terminal", func() bool { return strings.Contains(out.String(), "via-attach-9") })
	WaitFor(t, 10*time.Second, "typed command's output on the hub", screenHas(h.URL, id, "via-attach-9"))
	// The attached terminal's size wins, as a wrap's local terminal does.
	if _, err := tty.Write([]byte("stty size\r")); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, "the session at the attached terminal's size", screenHas(h.URL, id, "20 90"))
	if _, err := tty.Write([]byte{0x1d}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("ct attach after Ctrl-]: %v\n%s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("ct attach did not detach on Ctrl-]:\n%s", out.String())
	}
	// The exit can be seen before the reader has the last bytes: wait for them.
	WaitFor(t, 5*time.Second, "the detach message", func() bool {
		return strings.Contains(out.String(), "detached; the session keeps running")
	})
	if st := sessionStatus(h.URL, id); st != "live" {
		t.Fatalf("session %s after detaching, want live", st)
	}
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+id+"/input", map[string]any{"text": "echo still-$((1+1))\r"}); code != 200 {
		t.Fatalf("input after detach: %d %s", code, body)
	}
	WaitFor(t, 10*time.Second, "session still running after detach", screenHas(h.URL, id, "still-2"))

	// Listing: ct attach with no session names the node's sessions.
	list, err := exec.Command(Binary(t), "attach", "--socket", n.Socket).CombinedOutput()
	if err != nil || !strings.Contains(string(list), id) {
		t.Fatalf("ct attach (list): %v\n%s", err, list)
	}
	if fi, err := os.Stat(n.Socket); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("attach socket mode: %v %v, want 0600", fi.Mode(), err)
	}
}

// In the lobby, a person starts a session on a machine's node with the
// "+ New session" form and lands on its page, live; a command the node
// does not allow (a crafted option) is refused with the node's reason.
func TestNodeLobbyStartsSession(t *testing.T) {
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	n := startNode(t, h.URL, "lobbybox", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "lobbybox", n)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the lobby", chromedp.Navigate(h.URL+"/"))
	b.WaitJS(t, 10*time.Second, "the new-session form for lobbybox",
		`!!document.querySelector('#launch-lobbybox select[name=command] option[value=bash]') && document.querySelector('#launch-lobbybox input[name=cwd]').value === `+jsString(root), jsPage)

	// A crafted command: the hub passes it on, the node refuses it.
	// submit a command the node does not allow
	Eval[bool](t, b, `(() => {
		const f = document.querySelector('#launch-lobbybox form');
		document.querySelector('#launch-lobbybox').open = true;
		const o = document.createElement('option'); o.value = 'sh'; o.textContent = 'sh';
		f.querySelector('select').appendChild(o); f.querySelector('select').value = 'sh';
		f.querySelector('button').click();
		return true;
	})()`)
	b.WaitJS(t, 15*time.Second, "the node's refusal in the page",
		`document.querySelector('#flash').innerText.includes('the node refused: command "sh" is not allowed on this machine')`, jsPage)

	// start bash with a first prompt
	Eval[bool](t, b, `(() => {
		const f = document.querySelector('#launch-lobbybox form');
		f.querySelector('select').value = 'bash';
		f.querySelector('textarea').value = 'echo from-lobby-$((4*4))';
		f.querySelector('button').click();
		return true;
	})()`)
	b.WaitJS(t, 15*time.Second, "the new session's page", `location.pathname.startsWith('/s/')`, jsPage)
	id := Eval[string](t, b, `location.pathname.slice(3)`)
	WaitFor(t, 10*time.Second, "the first prompt's output on the hub", screenHas(h.URL, id, "from-lobby-16"))
	b.WaitJS(t, 10*time.Second, "the output on the session page", `document.body.innerText.includes('from-lobby-16')`, jsPage)
	if st := sessionStatus(h.URL, id); st != "live" {
		t.Fatalf("session started from the lobby is %s, want live", st)
	}
}
