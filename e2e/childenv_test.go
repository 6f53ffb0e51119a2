package e2e

import (
	"strings"
	"testing"
	"time"
)

// The attack: the wrapped program reads ct's credentials from its
// environment (with a person's API token it approved its own prompt). Under
// ct wrap it must see neither the machine token nor an API token nor a
// password.
func TestWrappedProgramGetsNoCredentials(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	api := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "script", "kind": "api"})
	StartWrap(t, []string{"CT_API_TOKEN=" + api, "CT_PASSWORD=" + AdminPassword},
		"--hub", h.URL, "--name", "env-box", "--", "sh", "-c", `env | sed 's/^/ENV:/'; echo END-OF-ENV; read x`)
	s := SessionFor(t, h.URL, "env-box")
	var log string
	WaitFor(t, 20*time.Second, "the program's environment in the log", func() bool {
		log = Get(h.URL + "/api/v1/sessions/" + s.ID + "/log")
		return strings.Contains(log, "END-OF-ENV")
	})
	for _, leak := range []string{"ENV:CT_TOKEN=", "ENV:CT_API_TOKEN=", "ENV:CT_PASSWORD=", "ctm_", api} {
		if strings.Contains(log, leak) {
			t.Errorf("the wrapped program sees %q", leak)
		}
	}
	if !strings.Contains(log, "ENV:CT_SESSION="+s.ID) {
		t.Errorf("the program's environment lacks its own CT_SESSION; log %.400q", log)
	}
}
