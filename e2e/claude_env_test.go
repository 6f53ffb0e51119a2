package e2e

import (
	"strings"
	"testing"
	"time"
)

// The wrapped program (and so ct mcp inside Claude Code) learns the wrap's
// machine name from CT_NAME: ct mcp used to register its peer under the OS
// host name, a machine the hub does not know by that name.
func TestWrappedProgramGetsMachineName(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "name-box", "--", "sh", "-c", `env | sed 's/^/ENV:/'; echo END-OF-ENV; read x`)
	s := SessionFor(t, h.URL, "name-box")
	var log string
	WaitFor(t, 20*time.Second, "the program's environment in the log", func() bool {
		log = Get(h.URL + "/api/v1/sessions/" + s.ID + "/log")
		return strings.Contains(log, "END-OF-ENV")
	})
	if !strings.Contains(log, "ENV:CT_NAME=name-box") {
		t.Errorf("the program's environment lacks CT_NAME=name-box; log %.600q", log)
	}
}
