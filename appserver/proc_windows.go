package appserver

import "os/exec"

// ownGroup does nothing on Windows, where Ctrl-C reaches a console's
// processes differently.
func ownGroup(*exec.Cmd) {}
