package agent

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

func TestDetectAndByName(t *testing.T) {
	for cmd, want := range map[string]string{
		"claude": wire.AgentClaude, "/usr/local/bin/claude": wire.AgentClaude, "claude.exe": wire.AgentClaude,
		"codex": wire.AgentCodex, "/usr/lib/node_modules/.bin/codex": wire.AgentCodex,
		"bash": wire.AgentPlain, "codex-helper": wire.AgentPlain, "/opt/claude-tools/run": wire.AgentPlain,
	} {
		if got := Detect(cmd).Name; got != want {
			t.Errorf("Detect(%q) = %s, want %s", cmd, got, want)
		}
	}
	for _, name := range Names() {
		if a, err := ByName(name); err != nil || a.Name != name {
			t.Errorf("ByName(%q) = %q, %v", name, a.Name, err)
		}
	}
	if _, err := ByName("aider"); err == nil || !strings.Contains(err.Error(), "claude") || !strings.Contains(err.Error(), "codex") {
		t.Errorf("ByName(aider) = %v, want an error naming the known agents", err)
	}
}

func TestFirstPrompt(t *testing.T) {
	if args, in := Claude().FirstPrompt("fix it"); !slices.Equal(args, []string{"--", "fix it"}) || in != nil {
		t.Errorf("claude's first prompt: args %q input %q, want it as the operand after --", args, in)
	}
	if args, in := Codex().FirstPrompt("-fix it"); !slices.Equal(args, []string{"--", "-fix it"}) || in != nil {
		t.Errorf("codex's first prompt: args %q input %q, want it as the operand after --", args, in)
	}
	if args, in := Plain().FirstPrompt("ls"); args != nil || string(in) != "ls\r" {
		t.Errorf("plain's first prompt: args %q input %q, want it typed with Enter", args, in)
	}
}

// A run declares hooks only when they were injected: not for Plain, not
// under --no-hooks, not when injection failed.
func TestPrepareDeclaresHooksOnlyWhenInjected(t *testing.T) {
	args := []string{"-p", "hi"}
	failing := Claude()
	failing.Inject = func(string, []string) (Hooks, error) { return Hooks{}, errors.New("no runtime dir") }
	for name, c := range map[string]struct {
		a       Adapter
		noHooks bool
		wantErr bool
	}{
		"plain":           {a: Plain()},
		"claude no-hooks": {a: Claude(), noHooks: true},
		"inject failed":   {a: failing, wantErr: true},
	} {
		r, err := c.a.Prepare("/bin/ct", args, c.noHooks)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v, want error %v", name, err, c.wantErr)
		}
		if r.Hooks || r.Plugin != nil || !slices.Equal(r.Args, args) || r.ShownArgs != nil || r.Agent != c.a.Name {
			t.Errorf("%s: run %+v, want %s plain with the args unchanged", name, r, c.a.Name)
		}
		r.Close()
	}
}

func TestPrepareClaudeInjects(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	r, err := Claude().Prepare("/bin/ct", []string{"-p", "hi"}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Hooks || r.Agent != wire.AgentClaude || r.Plugin == nil {
		t.Fatalf("run %+v, want claude with hooks and a plugin", r)
	}
	if !slices.Contains(r.Args, "--settings") || !slices.Equal(r.ShownArgs, []string{"-p", "hi"}) {
		t.Errorf("args %q shown %q, want --settings added and the person's own args shown", r.Args, r.ShownArgs)
	}
	i := slices.IndexFunc(r.Env, func(e string) bool { return strings.HasPrefix(e, "CT_HOOK_SOCK=") })
	if i < 0 {
		t.Fatalf("env %q has no CT_HOOK_SOCK", r.Env)
	}
	sock := strings.TrimPrefix(r.Env[i], "CT_HOOK_SOCK=")
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("hook socket: %v", err)
	}
	r.Close()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("after Close the hook socket is still there (%v)", err)
	}
}

func TestPrepareCodexInjects(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	r, err := Codex().Prepare("/bin/ct", []string{"resume", "--last"}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Hooks || r.Agent != wire.AgentCodex || r.Plugin == nil {
		t.Fatalf("run %+v, want codex with hooks and a plugin", r)
	}
	if r.Args[0] != "--no-daemon" || !slices.Equal(r.Args[len(r.Args)-2:], []string{"resume", "--last"}) || !slices.Equal(r.ShownArgs, []string{"resume", "--last"}) {
		t.Errorf("args %q shown %q, want --no-daemon and the overrides first, the person's args last and shown", r.Args, r.ShownArgs)
	}
	if !slices.ContainsFunc(r.Args, func(a string) bool { return strings.HasPrefix(a, "hooks.PermissionRequest=") }) ||
		!slices.ContainsFunc(r.Args, func(a string) bool { return strings.HasPrefix(a, "hooks.state=") }) {
		t.Errorf("args %q lack the PermissionRequest hook or its trust", r.Args)
	}
	if !slices.ContainsFunc(r.Env, func(e string) bool { return strings.HasPrefix(e, "CT_HOOK_SOCK=") }) {
		t.Errorf("env %q has no CT_HOOK_SOCK", r.Env)
	}
}

// Each adapter says which slash commands its agent takes: Claude Code's
// include the project's command files, Codex its built-ins, a plain
// program none.
func TestAdapterSlashCommands(t *testing.T) {
	cwd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cwd, ".claude", "commands"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cwd, ".claude", "commands", "ship.md"), []byte("Ship the build\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	has := func(cmds []wire.SlashCommand, name string) bool {
		for _, c := range cmds {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	if c := Claude().SlashCommands(cwd); !has(c, "ship") || !has(c, "compact") {
		t.Errorf("Claude's commands = %+v", c)
	}
	if c := Codex().SlashCommands(cwd); has(c, "ship") || !has(c, "permissions") {
		t.Errorf("Codex's commands = %+v", c)
	}
	if c := Plain().SlashCommands(cwd); c != nil {
		t.Errorf("a plain program's commands = %+v", c)
	}
}
