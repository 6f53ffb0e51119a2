package appserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for `codex app-server`.
func TestMain(m *testing.M) {
	if os.Getenv("APPSERVER_FAKE") == "1" {
		fakeServer(os.Stdin, os.Stdout)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeServer answers the handshake; each turn runs one command that needs
// approval and replies with the decision it got; turn/steer and
// turn/interrupt are echoed as agent messages.
func fakeServer(in io.Reader, out io.Writer) {
	send := func(m map[string]any) { b, _ := json.Marshal(m); fmt.Fprintf(out, "%s\n", b) }
	msg := func(text string) {
		send(map[string]any{"method": "item/completed", "params": map[string]any{"item": map[string]any{"type": "agentMessage", "id": "m", "text": text}}})
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var m message
		_ = json.Unmarshal(sc.Bytes(), &m)
		switch m.Method {
		case "initialize":
			send(map[string]any{"id": m.ID, "result": map[string]any{}})
		case "thread/start":
			send(map[string]any{"id": m.ID, "result": map[string]any{"thread": map[string]any{"id": "th1"}}})
		case "turn/start":
			send(map[string]any{"id": m.ID, "result": map[string]any{"turn": map[string]any{"id": "tu1"}}})
			send(map[string]any{"method": "item/started", "params": map[string]any{"item": map[string]any{"type": "commandExecution", "id": "c1", "command": "/bin/bash -lc 'touch x'\\'''"}}})
			send(map[string]any{"id": 100, "method": "item/commandExecution/requestApproval", "params": map[string]any{"threadId": "th1", "turnId": "tu1", "itemId": "c1", "command": "/bin/bash -lc 'touch x'", "reason": "a test"}})
		case "turn/steer":
			var p struct{ Input []struct{ Text string } }
			_ = json.Unmarshal(m.Params, &p)
			send(map[string]any{"id": m.ID, "result": map[string]any{}})
			msg("steered: " + p.Input[0].Text)
		case "turn/interrupt":
			send(map[string]any{"id": m.ID, "result": map[string]any{}})
			msg("interrupted")
			send(map[string]any{"method": "turn/completed", "params": map[string]any{"turn": map[string]any{"id": "tu1"}}})
		case "":
			var d struct{ Decision string }
			_ = json.Unmarshal(m.Result, &d)
			msg("decision: " + d.Decision)
		}
	}
}

// syncBuffer is the PTY's output as the test reads it.
type syncBuffer struct {
	mu sync.Mutex // Run writes while the test reads
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fakeRun struct {
	t     *testing.T
	stdin *io.PipeWriter
	out   *syncBuffer
	done  chan error
	file  string
}

func startFake(t *testing.T, env map[string]string) *fakeRun {
	t.Setenv("APPSERVER_FAKE", "1")
	pr, pw := io.Pipe()
	f := &fakeRun{t: t, stdin: pw, out: &syncBuffer{}, done: make(chan error, 1), file: filepath.Join(t.TempDir(), "t.jsonl")}
	cfg := Config{Codex: os.Args[0], Cwd: t.TempDir(), Transcript: f.file, Stdin: pr, Stdout: f.out, Getenv: func(k string) string { return env[k] }}
	go func() { f.done <- Run(context.Background(), cfg) }()
	f.wait("Type a prompt")
	return f
}

func (f *fakeRun) wait(want string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.out.String(), want) {
		if time.Now().After(deadline) {
			f.t.Fatalf("the screen never showed %q:\n%s", want, f.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fakeRun) typeLine(s string) { _, _ = io.WriteString(f.stdin, s+"\n") }

func (f *fakeRun) end() {
	f.t.Helper()
	_ = f.stdin.Close()
	select {
	case err := <-f.done:
		if err != nil {
			f.t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		f.t.Fatal("Run did not end when its input did")
	}
}

// Without a hook socket (or an answer from the hub) the question is asked
// on the screen, and "a" is acceptForSession.
func TestAskedAtTheTerminalWithoutHub(t *testing.T) {
	f := startFake(t, nil)
	f.typeLine("go")
	f.wait("Allow? [y] yes")
	if !strings.Contains(f.out.String(), "$ touch x'") || !strings.Contains(f.out.String(), "Why: a test") {
		t.Fatalf("the command is not shown unwrapped with its reason:\n%s", f.out.String())
	}
	f.typeLine("a")
	f.wait("decision: acceptForSession")
	f.end()
	b, _ := os.ReadFile(f.file)
	var kinds []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		es := Entries{}.Line([]byte(l))
		for _, e := range es {
			kinds = append(kinds, e.Kind+":"+e.Text+string(e.Input))
		}
	}
	if got := strings.Join(kinds, "|"); got != `tool_call:{"command":"touch x'"}|assistant:decision: acceptForSession` {
		t.Fatalf("transcript entries = %s", got)
	}
}

// A deny from the hub (through the hook socket) is decline, and its message
// is steered into the turn.
func TestHubDenyIsDeclineWithSteer(t *testing.T) {
	sock := filepath.Join(shortDir(t), "h.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadBytes('\n')
			if strings.Contains(string(line), `"event":"PermissionRequest"`) {
				fmt.Fprintln(c, `{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny","message":"use printf"}}}`)
			}
			c.Close()
		}
	}()
	f := startFake(t, map[string]string{"CT_HOOK_SOCK": sock})
	f.typeLine("go")
	f.wait("decision: decline")
	f.wait("steered: I declined that. use printf")
	f.end()
}

// Ctrl-C (SIGINT) interrupts the running turn; the session goes on.
func TestInterruptStopsTheTurn(t *testing.T) {
	f := startFake(t, nil)
	f.typeLine("go")
	f.wait("Allow? [y] yes")
	p, _ := os.FindProcess(os.Getpid())
	_ = p.Signal(os.Interrupt)
	f.wait("interrupted")
	f.wait("decision: decline")
	f.end()
}

func shortDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "as")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func TestShownUnwrapsTheShell(t *testing.T) {
	for in, want := range map[string]string{
		"/bin/bash -lc 'echo codex > proof.txt'": "echo codex > proof.txt",
		`/bin/zsh -lc 'echo '\''a'\'''`:          "echo 'a'",
		"/bin/bash -lc 'unterminated":            "/bin/bash -lc 'unterminated",
		"/bin/bash -lc ls":                       "/bin/bash -lc ls",
		"ls -la":                                 "ls -la",
	} {
		if got := shown(in); got != want {
			t.Errorf("shown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompletedCommandEntries(t *testing.T) {
	one := 1
	es := completedEntries(item{Type: "commandExecution", ID: "c", Output: "boom", ExitCode: &one, Status: "failed"}, time.Now())
	if len(es) != 1 || !es[0].Error || es[0].Text != "boom" || es[0].ID != "c" {
		t.Fatalf("failed command = %+v", es)
	}
	es = completedEntries(item{Type: "commandExecution", ID: "c", Status: "declined"}, time.Now())
	if len(es) != 1 || !es[0].Error || es[0].Text != "not run (declined)" {
		t.Fatalf("declined command = %+v", es)
	}
	if es := completedEntries(item{Type: "reasoning"}, time.Now()); es != nil {
		t.Fatalf("reasoning = %+v, want no entry", es)
	}
}
