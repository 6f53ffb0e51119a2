package ptywrap

import (
	"slices"
	"testing"
)

// The wrapped program must not inherit ct's credentials: with them it could
// approve its own prompts or publish as the machine.
func TestChildEnvDropsSecrets(t *testing.T) {
	in := []string{"PATH=/bin", "CT_TOKEN=ctm_x", "CT_API_TOKEN=cta_y", "CT_PASSWORD=pw", "CT_ADMIN_PASSWORD=pw",
		"CT_HUB=http://h", "CT_AGENT_TOKEN_FILE=/outer/agent-token", "CT_HOOK_SOCK=/outer/sock", "HOME=/home/a", "CT_TOKENISH=keep"}
	got := ChildEnv(in)
	want := []string{"PATH=/bin", "CT_HUB=http://h", "HOME=/home/a", "CT_TOKENISH=keep"}
	if !slices.Equal(got, want) {
		t.Fatalf("child env %q, want %q", got, want)
	}
}
