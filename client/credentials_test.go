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

// Open takes the saved token for the only saved hub, refuses a machine
// token with what to do, and keys the outbox by hub and peer.
func TestOpen(t *testing.T) {
	getenv := envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
	if _, err := Open(getenv, Settings{}, nil); err == nil || !strings.Contains(err.Error(), "set CT_HUB") {
		t.Errorf("no hub: %v", err)
	}
	machine, _, _ := auth.NewToken(auth.KindMachine)
	if _, err := SaveCredentials(getenv, "http://hub", SavedHub{Token: machine}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(getenv, Settings{}, nil); err == nil || !strings.Contains(err.Error(), "machine token cannot use the API") {
		t.Errorf("machine token: %v", err)
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
