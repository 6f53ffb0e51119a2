package nodeagent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicy(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	other, _ := filepath.EvalSymlinks(t.TempDir())
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sub, filepath.Join(root, "in")); err != nil {
		t.Fatal(err)
	}
	sibling := root + "-sibling" // shares the root's prefix, is not under it
	if err := os.Mkdir(sibling, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sibling) })
	p, err := NewPolicy([]string{"claude, bash", "vim"}, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Allow, "|") != "claude|bash|vim" {
		t.Fatalf("allow = %q", p.Allow)
	}
	for _, c := range []string{"claude", "bash", "vim"} {
		if err := p.Command(c); err != nil {
			t.Errorf("Command(%q): %v", c, err)
		}
	}
	for _, c := range []string{"sh", "/bin/bash", "bash -c id", "", "claude "} {
		if err := p.Command(c); err == nil {
			t.Errorf("Command(%q) allowed", c)
		}
	}
	ok := map[string]string{"": root, root: root, sub: sub, root + "/a/../a/b": sub, filepath.Join(root, "in"): sub}
	for in, want := range ok {
		if got, err := p.Dir(in); err != nil || got != want {
			t.Errorf("Dir(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"/", "/etc", root + "/..", filepath.Join(root, "out"), sibling, "a/b", root + "/missing"} {
		if got, err := p.Dir(in); err == nil {
			t.Errorf("Dir(%q) = %q, want refused", in, got)
		}
	}
	if _, err := NewPolicy(nil, []string{root}); err == nil {
		t.Error("an empty allow-list was accepted")
	}
	if _, err := NewPolicy([]string{"bash"}, nil); err == nil {
		t.Error("no roots was accepted")
	}
	if _, err := NewPolicy([]string{"bash"}, []string{root + "/missing"}); err == nil {
		t.Error("a missing root was accepted")
	}
}
