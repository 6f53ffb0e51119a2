package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// meshPage is wait_for_events's answer as an agent reads it.
type meshPage struct {
	Events []struct {
		ID     uint64
		Type   string
		Notice string
		Skill  *struct{ Name string }
	}
	Next   uint64
	Missed bool
}

func waitPage(t *testing.T, a *mcpAgent, args map[string]any) meshPage {
	t.Helper()
	var p meshPage
	if out := a.must("wait_for_events", args); json.Unmarshal([]byte(out), &p) != nil {
		t.Fatalf("wait_for_events answered %q", out)
	}
	return p
}

// An agent under its own ct mcp is told, without polling, of a lock
// another peer takes and of a skill a second agent shares (each share of
// a name a new version), and reads the skill back by version.
func TestMCPWaitForEventsAndSkills(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	p1, p2, carol := newCoordPeer(t, h, "tok-one"), newCoordPeer(t, h, "tok-two"), newCoordPeer(t, h, "carol")
	one, two := startMCPAgent(t, p1, "aaaaaaaa-1111"), startMCPAgent(t, p2, "bbbbbbbb-2222")

	start := waitPage(t, one, map[string]any{"timeout_s": 0}) // where "now" is
	got := make(chan meshPage, 1)
	go func() {
		var p meshPage
		out, _ := one.call("wait_for_events", map[string]any{"since": start.Next, "types": []string{"lock"}, "timeout_s": 30})
		_ = json.Unmarshal([]byte(out), &p)
		got <- p
	}()
	if code := carol.api(t, "POST", "/api/v1/locks", map[string]any{"name": "deploy", "ttl": "1m"}, nil); code != 200 && code != 201 {
		t.Fatalf("carol's lock: %d", code)
	}
	p := <-got
	if len(p.Events) != 1 || p.Events[0].Notice != "carol took lock deploy" {
		t.Fatalf("agent one waited for a lock and got %+v", p)
	}

	two.must("share_skill", map[string]any{"name": "go-release", "description": "cut a release", "instructions": "tag it",
		"files": []map[string]string{{"path": "release.sh", "content": "git tag v1"}}})
	if out := two.must("share_skill", map[string]any{"name": "go-release", "description": "cut a signed release", "instructions": "tag -s it"}); out != "shared skill go-release version 2" {
		t.Fatalf("second share: %q", out)
	}
	p = waitPage(t, one, map[string]any{"since": p.Next, "types": []string{"skill"}, "timeout_s": 10})
	if len(p.Events) != 2 || p.Events[1].Skill == nil || p.Events[1].Skill.Name != "go-release" || !strings.Contains(p.Events[1].Notice, "v2") {
		t.Fatalf("skill events: %+v", p)
	}
	if out := one.must("list_skills", nil); !strings.Contains(out, `"versions": 2`) || !strings.Contains(out, "-bbbbbbbb") {
		t.Fatalf("list_skills: %s", out)
	}
	if out := one.must("get_skill", map[string]any{"name": "go-release", "version": 1}); !strings.Contains(out, "git tag v1") {
		t.Fatalf("get_skill v1: %s", out)
	}
	if out, isErr := one.call("get_skill", map[string]any{"name": "nope"}); !isErr || !strings.Contains(out, "list_skills") {
		t.Fatalf("get_skill of an unknown name: %v %s", isErr, out)
	}
	if out, isErr := one.call("wait_for_events", map[string]any{"timeout_s": 61}); !isErr || !strings.Contains(out, "0 to 60") {
		t.Fatalf("a wait over the cap: %v %s", isErr, out)
	}
}

// The CLI: share a skill with a file, list and get it; ct events prints
// the share as a JSON line and the id to resume from.
func TestCLISkillsAndEvents(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob")
	start := bob.must(t, "events", "--timeout", "0s")
	if !strings.HasPrefix(start, "next ") {
		t.Fatalf("ct events at once: %q", start)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/notes.md", []byte("check the canary"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Binary(t), "skill", "share", "deploy", "--description", "ship it", "--file", "notes.md")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CT_HUB="+h.URL, "CT_TOKEN="+alice.token, "XDG_CONFIG_HOME="+alice.home, "CT_PEER=")
	cmd.Stdin = strings.NewReader("1. build\n2. deploy")
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "shared skill deploy version 1\n" {
		t.Fatalf("ct skill share: %v %s", err, out)
	}
	if out := bob.must(t, "skill", "ls"); out != "deploy v1 by alice: ship it\n" {
		t.Fatalf("ct skill ls: %q", out)
	}
	if out := bob.must(t, "skill", "get", "deploy"); !strings.Contains(out, "2. deploy") || !strings.Contains(out, "--- notes.md\ncheck the canary") {
		t.Fatalf("ct skill get: %q", out)
	}
	out := bob.must(t, "events", "--since", strings.TrimSpace(strings.TrimPrefix(start, "next ")), "--types", "skill", "--timeout", "5s")
	if !strings.Contains(out, `"type":"skill"`) || !strings.Contains(out, "alice shared skill deploy v1") {
		t.Fatalf("ct events: %q", out)
	}
}
