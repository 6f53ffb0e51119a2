package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// ct login's file: XDG_CONFIG_HOME wins over HOME; the directory is 0700
// and the file 0600; hubs are keyed without trailing slashes.
func TestCredentialsFile(t *testing.T) {
	home, xdg := t.TempDir(), t.TempDir()
	if p, _ := CredentialsPath(envOf(map[string]string{"HOME": home})); p != filepath.Join(home, ".config", "ct", "credentials.json") {
		t.Errorf("HOME only: %s", p)
	}
	getenv := envOf(map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg})
	path, err := SaveCredentials(getenv, " http://hub:7200/ ", SavedHub{Token: "ctm_a", Machine: "laptop", User: "ann", SavedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(xdg, "ct", "credentials.json") {
		t.Errorf("saved to %s", path)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", fi.Mode().Perm())
	}
	if s, ok := SavedCredentials(getenv, "http://hub:7200"); !ok || s.Token != "ctm_a" || s.Machine != "laptop" {
		t.Errorf("read back %+v %v", s, ok)
	}
	if h := OnlySavedHub(getenv); h != "http://hub:7200" {
		t.Errorf("only hub %q", h)
	}
	if _, err := SaveCredentials(getenv, "http://other", SavedHub{Token: "ctm_b"}); err != nil {
		t.Fatal(err)
	}
	if h := OnlySavedHub(getenv); h != "" {
		t.Errorf("two hubs saved, yet the only hub is %q", h)
	}
	if _, err := CredentialsPath(envOf(nil)); err == nil {
		t.Error("no HOME and no XDG_CONFIG_HOME gave a path")
	}
}

// Open uses the API token ct login saved for the default hub, acting as
// the person who logged in; a machine token (CT_TOKEN under ct wrap) gives
// way to it; with none, the error names ct login --hub HUB, which fixes it.
func TestOpen(t *testing.T) {
	getenv := envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
	if _, err := Open(getenv, Settings{}, nil); err == nil || !strings.Contains(err.Error(), "run ct login --hub "+LocalHub) {
		t.Errorf("nothing saved: %v", err)
	}
	machine, _, _ := auth.NewToken(auth.KindMachine)
	if _, err := SaveCredentials(getenv, "http://hub", SavedHub{Token: machine}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(getenv, Settings{Token: machine}, nil); err == nil || !strings.Contains(err.Error(), "machine token") || !strings.Contains(err.Error(), "run ct login --hub http://hub") {
		t.Errorf("machine token only: %v", err)
	}
	cli, _, _ := auth.NewToken(auth.KindAPI)
	if _, err := SaveCredentials(getenv, "http://hub", SavedHub{Token: machine, User: "ann", APIToken: cli}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", machine} {
		c, err := Open(getenv, Settings{Token: tok}, nil)
		if err != nil {
			t.Fatalf("token %q: %v", tok, err)
		}
		if c.Hub() != "http://hub" || c.token != cli || c.peer != "ann" || c.kind != "human" {
			t.Errorf("token %q: client %s %s %s %s; want ct login's API token as ann", tok, c.Hub(), c.token, c.peer, c.kind)
		}
	}
	api, _, _ := auth.NewToken(auth.KindAPI)
	c, err := Open(getenv, Settings{Token: api, Peer: "alice"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hub() != "http://hub" || c.token != api || c.peer != "alice" {
		t.Errorf("client %s %s %s", c.Hub(), c.token, c.peer)
	}
	want, _ := OutboxPath(getenv, "http://hub", "alice")
	other, _ := OutboxPath(getenv, "http://hub", "bob")
	if c.outbox.path != want || want == other || filepath.Dir(want) != filepath.Join(getenv("XDG_CONFIG_HOME"), "ct", "outbox") {
		t.Errorf("outbox %s (alice %s, bob %s)", c.outbox.path, want, other)
	}
}
