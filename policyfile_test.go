package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A bad edit keeps the last good policy in force and says why; a good one
// replaces it; Save refuses a bad text and writes a good one atomically.
func TestPolicyFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	good := `{"rules":[{"name":"a","tool":"Bash","outcome":"allow"}]}`
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	pf, err := openPolicy(path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pf.Current().Rules); n != 1 {
		t.Fatalf("%d rules", n)
	}
	touch := func(text string, age time.Duration) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(age) // a new mtime even on coarse clocks
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	touch(`{"rules":[{"name":"a","outcome":"perhaps"}]}`, time.Second)
	if err := pf.load(); err == nil {
		t.Fatal("a bad file loaded")
	}
	if st := pf.Status(); !strings.Contains(st.Err, "outcome") || len(pf.Current().Rules) != 1 || pf.Current().Rules[0].Name != "a" {
		t.Fatalf("after a bad edit: %+v", st)
	}
	touch(`{"rules":[{"name":"b","outcome":"ask"},{"name":"c","outcome":"ask"}]}`, 2*time.Second)
	if err := pf.load(); err != nil {
		t.Fatal(err)
	}
	if st := pf.Status(); st.Err != "" || st.Rules != 2 {
		t.Fatalf("after a good edit: %+v", st)
	}
	if err := pf.Save([]byte(`{"rules":[{"name":"x","outcome":"deny"}]}`)); err == nil || !strings.Contains(err.Error(), "message") {
		t.Fatalf("Save of a bad policy: %v", err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"c"`) {
		t.Fatalf("a refused save changed the file: %s", b)
	}
	if err := pf.Save([]byte(good)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != good || pf.Current().Rules[0].Name != "a" {
		t.Fatalf("saved %s, in force %v", b, pf.Current().Rules[0].Name)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".ct-policy-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := openPolicy(filepath.Join(t.TempDir(), "none.json"), slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "create it") {
		t.Errorf("a missing file: %v", err)
	}
}
