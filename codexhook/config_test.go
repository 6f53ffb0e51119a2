package codexhook

import (
	"strings"
	"testing"
)

// The hashes Codex 0.171.0 wrote into config.toml when "Trust all and
// continue" was chosen for hooks given with -c (hook command `cat >
// /tmp/codexprobe/EVENT.json`, timeout 30).
func TestTrustHashMatchesCodex(t *testing.T) {
	for _, c := range []struct{ event, want string }{
		{"PermissionRequest", "sha256:d8484d290edb4a3d6907ba9fc0f3dc128ecd4f24bbebee11ee5fd31a049411ad"},
		{"PreToolUse", "sha256:3ea10e49b3e6556ecddd9cfbe3f408e15d1c63b46057ab6fcc383d45e8833ca3"},
		{"PostToolUse", "sha256:76e455d45eed649bb6bce4afca219bc830faa133db284efad6352f1d003c5440"},
		{"SessionStart", "sha256:aede9998aa1b279ffa9d8e05ba8b8d32bbb1ec0d3aa1cf376259a3fbd99674da"},
		{"UserPromptSubmit", "sha256:870db47338551a9fd86c74ca367d47a8d9126f80d8b7f18549360ab1a919ab8d"},
		{"Stop", "sha256:29622120880dd1829d1be98d497213aee2ea84df80018b5d40137d6af129a57b"},
	} {
		if got := TrustHash(c.event, "cat > /tmp/codexprobe/"+c.event+".json", 30); got != c.want {
			t.Errorf("TrustHash(%s) = %s, want %s", c.event, got, c.want)
		}
	}
}

func TestOverridesQuoteTheCommand(t *testing.T) {
	args := Overrides(`/opt/my "ct"/ct`)
	want := `hooks.PermissionRequest=[{hooks=[{command="'/opt/my \"ct\"/ct' hook PermissionRequest",timeout=3600,type="command"}],matcher="*"}]`
	if len(args) < 2 || args[0] != "-c" || args[1] != want {
		t.Fatalf("first override = %q, want -c %q", args[:2], want)
	}
	last := args[len(args)-1]
	// One inline table: Codex 0.171.0 does not take a dotted -c key whose
	// quoted part holds dots ("config.toml"), and asks about the hooks.
	if want := `hooks.state={"/<session-flags>/config.toml:permission_request:0:0"={trusted_hash="sha256:`; !strings.HasPrefix(last, want) ||
		!strings.Contains(last, `"/<session-flags>/config.toml:session_end:0:0"={trusted_hash="sha256:`) {
		t.Fatalf("last override = %q, want every hook's trust in one table", last)
	}
}
