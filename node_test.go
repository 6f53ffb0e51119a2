package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flag > env > config file > default, for ct node; the token never comes
// from the file.
func TestParseNodeConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "node.json")
	if err := os.WriteFile(file, []byte(`{"hub":"http://file:1","name":"filebox","allow":["claude"],"roots":["/a","/b"],"socket":"/run/x.sock"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	getenv := func(k string) string { return env[k] }

	c, err := parseNode([]string{"--config", file}, getenv, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hub != "http://file:1" || c.Name != "filebox" || strings.Join(c.Allow, ",") != "claude" || strings.Join(c.Roots, ",") != "/a,/b" || c.Socket != "/run/x.sock" {
		t.Fatalf("from the file: %+v", c)
	}

	env["CT_HUB"], env["CT_NODE_ALLOW"], env["CT_TOKEN"] = "http://env:2", "bash,vim", "ctm_env"
	c, err = parseNode([]string{"--config=" + file, "--root", "/c", "--root", "/d", "--name", "flagbox"}, getenv, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hub != "http://env:2" || c.Name != "flagbox" || strings.Join(c.Allow, ",") != "bash,vim" || strings.Join(c.Roots, ",") != "/c,/d" || c.Token != "ctm_env" {
		t.Fatalf("flags and env over the file: %+v", c)
	}
	c, err = parseNode([]string{"--config", file, "--allow", "claude", "--allow", "bash"}, getenv, io.Discard, io.Discard)
	if err != nil || strings.Join(c.Allow, ",") != "claude,bash" {
		t.Fatalf("repeated --allow: %+v %v", c.Allow, err)
	}
	if _, err := parseNode([]string{"--config", filepath.Join(dir, "missing.json")}, getenv, io.Discard, io.Discard); err != errUsage {
		t.Fatalf("missing config file: %v", err)
	}
	if _, err := parseNode([]string{"extra"}, getenv, io.Discard, io.Discard); err != errUsage {
		t.Fatalf("stray argument: %v", err)
	}
}
