package main

import (
	"errors"
	"io"
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
	_, err := parseWrap([]string{"--agent", "codex", "--", "codex"}, env(nil), io.Discard, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "claude, plain") {
		t.Errorf("--agent codex: %v, %q; want a usage error naming claude and plain", err, stderr.String())
	}
	var help strings.Builder
	if _, err := parseWrap([]string{"--help"}, env(nil), &help, &help); !errors.Is(err, errHelp) || !strings.Contains(help.String(), "--agent overrides") {
		t.Errorf("--help: %v, does not explain --agent:\n%s", err, help.String())
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
