package main

import (
	"os"
	"strings"
	"testing"
)

// ct mcp names its machine as the wrap does (CT_NAME), not by the OS host
// name, so the hub shows the agent on the machine it knows.
func TestMCPUsesWrapMachineName(t *testing.T) {
	env := map[string]string{"CT_NAME": "name-box", "CT_SESSION": "0123456789abcdef"}
	getenv := func(k string) string { return env[k] }
	if got := machineName(getenv); got != "name-box" {
		t.Fatalf("machineName = %q, want name-box", got)
	}
	if got := defaultAgentPeer(getenv); !strings.HasPrefix(got, "name-box-") {
		t.Fatalf("defaultAgentPeer = %q, want it named after name-box", got)
	}
	host, _ := os.Hostname()
	if got := machineName(func(string) string { return "" }); got != host {
		t.Fatalf("without CT_NAME machineName = %q, want the host name %q", got, host)
	}
}
