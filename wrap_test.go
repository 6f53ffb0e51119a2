package main

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// The agent adapter is guessed from the command's name unless --agent (or
// CT_AGENT) names one; an unknown name is a usage error naming the known.
func TestParseWrapAgent(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: nil, want: wire.AgentClaude}, // the default command is claude
		{args: []string{"--", "/usr/bin/claude", "-c"}, want: wire.AgentClaude},
		{args: []string{"--", "bash"}, want: wire.AgentPlain},
		{args: []string{"codex"}, want: wire.AgentCodex},
		{args: []string{"--", "/opt/bin/codex", "resume"}, want: wire.AgentCodex},
		{args: []string{"--", "/usr/local/bin/gemini"}, want: wire.AgentGemini},
		{args: []string{"--agent", "plain", "--", "claude"}, want: wire.AgentPlain},
		{args: []string{"--agent", "claude", "--", "./my-claude-build"}, want: wire.AgentClaude},
		{args: []string{"--", "claude"}, env: map[string]string{"CT_AGENT": "plain"}, want: wire.AgentPlain},
		{args: []string{"--agent", "claude", "--", "claude"}, env: map[string]string{"CT_AGENT": "plain"}, want: wire.AgentClaude},
	} {
		c2, err := parseWrap(c.args, env(c.env), io.Discard, io.Discard)
		if err != nil || c2.Agent.Name != c.want {
			t.Errorf("parseWrap(%q, %v) = %q, %v; want %q", c.args, c.env, c2.Agent.Name, err, c.want)
		}
	}
	var stderr strings.Builder
	_, err := parseWrap([]string{"--agent", "nosuch", "--", "nosuch"}, env(nil), io.Discard, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "claude, codex, gemini") || !strings.Contains(stderr.String(), "plain") {
		t.Errorf("--agent nosuch: %v, %q; want a usage error naming the adapters", err, stderr.String())
	}
	var help strings.Builder
	if _, err := parseWrap([]string{"--help"}, env(nil), &help, &help); !errors.Is(err, errHelp) || !strings.Contains(help.String(), "--agent overrides") {
		t.Errorf("--help: %v, does not explain --agent:\n%s", err, help.String())
	}
}

// --title (or CT_TITLE) names the session on the hub; a title with nothing
// printable in it, or far over the limit, is a usage error saying the limit.
func TestParseWrapTitle(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if c, err := parseWrap([]string{"--title", "deploy staging", "--", "bash"}, env(nil), io.Discard, io.Discard); err != nil || c.Title != "deploy staging" {
		t.Fatalf("--title: %q, %v", c.Title, err)
	}
	if c, err := parseWrap([]string{"--", "bash"}, env(map[string]string{"CT_TITLE": "from env"}), io.Discard, io.Discard); err != nil || c.Title != "from env" {
		t.Fatalf("CT_TITLE: %q, %v", c.Title, err)
	}
	for _, bad := range []string{"\x01\x02", strings.Repeat("x", 401)} {
		var stderr strings.Builder
		if _, err := parseWrap([]string{"--title", bad, "--", "bash"}, env(nil), io.Discard, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "1-100") {
			t.Errorf("--title %.10q: %v, %q; want a usage error giving the limit", bad, err, stderr.String())
		}
	}
}

func TestParseWrapTags(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := parseWrap([]string{"--tag", "prod", "--tag", "team:web", "--", "bash"}, env(nil), io.Discard, io.Discard)
	if err != nil || strings.Join(c.Tags, ",") != "prod,team:web" {
		t.Fatalf("tags %v, %v", c.Tags, err)
	}
	c, err = parseWrap([]string{"--", "bash"}, env(map[string]string{"CT_TAGS": "a,b"}), io.Discard, io.Discard)
	if err != nil || strings.Join(c.Tags, ",") != "a,b" {
		t.Fatalf("CT_TAGS: %v, %v", c.Tags, err)
	}
	var stderr strings.Builder
	if _, err := parseWrap([]string{"--tag", "no spaces", "--", "bash"}, env(nil), io.Discard, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "letters, digits") {
		t.Fatalf("a bad tag: %v %q", err, stderr.String())
	}
}

// --share-dir repeats; CT_SHARE_DIRS is a path list the flags replace; a
// directory that is not there stops ct wrap before its program starts.
func TestParseWrapShareDirs(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := parseWrap([]string{"--share-dir", "a", "--share-dir", "b", "--", "bash"}, env(nil), io.Discard, io.Discard)
	if err != nil || strings.Join(c.ShareDirs, ",") != "a,b" {
		t.Fatalf("--share-dir twice = %v, %v", c.ShareDirs, err)
	}
	c, err = parseWrap([]string{"--", "bash"}, env(map[string]string{"CT_SHARE_DIRS": "x:y"}), io.Discard, io.Discard)
	if err != nil || strings.Join(c.ShareDirs, ",") != "x,y" {
		t.Fatalf("CT_SHARE_DIRS = %v, %v", c.ShareDirs, err)
	}
	c, err = parseWrap([]string{"--share-dir", "z", "--", "bash"}, env(map[string]string{"CT_SHARE_DIRS": "x:y"}), io.Discard, io.Discard)
	if err != nil || strings.Join(c.ShareDirs, ",") != "z" {
		t.Fatalf("the flag over CT_SHARE_DIRS = %v, %v", c.ShareDirs, err)
	}
	var stderr strings.Builder
	err = runWrap(t.Context(), []string{"--hub", "http://127.0.0.1:1", "--share-dir", t.TempDir() + "/missing", "--", "true"}, env(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}), strings.NewReader(""), io.Discard, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "name an existing directory") {
		t.Fatalf("a missing --share-dir: %v, %q", err, stderr.String())
	}
}

// ct wrap takes one P unless GOMAXPROCS is set, which then wins.
func TestWrapProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	wrapProcs(func(k string) string { return map[string]string{"GOMAXPROCS": "2"}[k] })
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("GOMAXPROCS set in the environment: %d Ps, want 2", got)
	}
	wrapProcs(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("no GOMAXPROCS in the environment: %d Ps, want 1", got)
	}
}
