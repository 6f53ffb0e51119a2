package main

import (
	"io"
	"testing"
	"time"

	"github.com/ct-dev/ct/client"
)

// Issue 15 item 14: after ct login --hub X, every workstation command
// without --hub uses X (CT_HUB still wins, --hub over both), not
// 127.0.0.1:7200; with nothing saved the default is 127.0.0.1:7200.
func TestWorkstationCommandsDefaultToSavedHub(t *testing.T) {
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	hubOf := map[string]func() string{
		"wrap": func() string { c, _ := parseWrap([]string{"--", "bash"}, getenv, io.Discard, io.Discard); return c.Hub },
		"node": func() string { c, _ := parseNode(nil, getenv, io.Discard, io.Discard); return c.Hub },
	}
	check := func(want, why string) {
		t.Helper()
		for name, f := range hubOf {
			if got := f(); got != want {
				t.Errorf("%s: ct %s dials %q, want %q", why, name, got, want)
			}
		}
	}
	check("http://127.0.0.1:7200", "nothing saved")
	if _, err := client.SaveCredentials(getenv, "http://host:7400/", client.SavedHub{Token: "ctm_x", Machine: "box", SavedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	check("http://host:7400", "after ct login --hub http://host:7400")
	if _, err := client.SaveCredentials(getenv, "http://second:7500", client.SavedHub{Token: "ctm_y", Machine: "box"}); err != nil {
		t.Fatal(err)
	}
	check("http://second:7500", "after a second ct login (the last one counts)")
	env["CT_HUB"] = "http://env:1"
	check("http://env:1", "CT_HUB set")
	if c, _ := parseWrap([]string{"--hub", "http://flag:2", "bash"}, getenv, io.Discard, io.Discard); c.Hub != "http://flag:2" {
		t.Errorf("--hub: %q", c.Hub)
	}
}
