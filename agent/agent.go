// Package agent owns how ct runs each agent CLI on the workstation: one
// Adapter per CLI saying its name (what the wrap declares in session.start),
// how to recognise it from a command, which hooks ct injects and how, how a
// first prompt reaches it, what answers its dialog, where its transcript
// comes from, and what stands in when its hooks are off. ct wrap and ct node
// pick an adapter with ByName or Detect and run through Adapter.Prepare.
//
// Detect is a guess from a command name and is for the workstation only: the
// hub and its pages go by what the wrap declared (db.Session's Agent and
// Hooks). This package must not import the hub's side (hub, handlers, db,
// views); its adapters are built from the workstation packages (claudehook,
// codexhook, ptywrap).
package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/codexhook"
	"github.com/ct-dev/ct/geminihook"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

// Adapter is how ct runs one agent CLI. With its hooks off (none, --no-hooks,
// or injection failed) every adapter gets the hub's screen rules
// (hub.DefaultScreenRules, screenrule.Defaults: agents' whole dialogs at the
// bottom of the screen and line questions at the cursor, with each answer's
// exact keys); the hub decides that from the declared hooks
// alone, so an adapter has nothing to say about it beyond Inject.
type Adapter struct {
	// Name is what the wrap declares: wire.AgentClaude, wire.AgentCodex, wire.AgentPlain.
	Name string
	// Detect reports whether command (a program name or path) is this agent.
	Detect func(command string) bool
	// Inject prepares ct's hooks for a run with args; ctPath is the ct binary
	// the hooks call. Nil when the agent has no hooks ct can inject.
	Inject func(ctPath string, args []string) (Hooks, error)
	// FirstPrompt says how a first prompt (ct node's spawn request) reaches
	// the program: as arguments, or typed once it has started.
	FirstPrompt func(prompt string) (args []string, input []byte)
	// Resume gives the arguments that continue the agent's past session id
	// (fork: a new session starting from it); nil when the agent cannot.
	// id is already a plain id (wire.CheckAgentSessionID).
	Resume func(id string, fork bool) []string
	// Commands lists the slash commands the agent takes in cwd (home: the
	// person's home directory), for the hub's composer; nil for none.
	Commands func(cwd, home string) []wire.SlashCommand
}

// Hooks is one run's injected hooks.
type Hooks struct {
	Args   []string       // the program's arguments with the hooks' configuration added
	Env    []string       // added to the program's environment
	Plugin ptywrap.Plugin // answers the hooks from the hub and referees the terminal
	Close  func()         // stops the plugin and removes what Inject wrote
}

// Claude is Claude Code. Hooks: claudehook.Inject writes a settings file
// passed with --settings and listens on a private socket for `ct hook`.
// Its dialog is answered by the PermissionRequest hook; a key typed at the
// terminal that the dialog on screen takes (Enter, a lone Esc, the digit of
// one of its options, read from the PTY's output) settles the question that
// dialog shows (claudehook.Bridge.LocalInput; the bridge is a
// ptywrap.ScreenPlugin). Its transcript is the JSONL
// file named by transcript_path in every hook payload, followed by
// claudehook.Tailer and parsed by claudehook.Parser inside the bridge, so
// without hooks there is none. A first prompt is its argument, after "--".
func Claude() Adapter {
	return Adapter{
		Name: wire.AgentClaude,
		Detect: func(command string) bool {
			return strings.TrimSuffix(filepath.Base(command), ".exe") == "claude"
		},
		Inject: func(ctPath string, args []string) (Hooks, error) {
			in, err := claudehook.Inject(ctPath, args)
			if err != nil {
				return Hooks{}, err
			}
			return Hooks{Args: in.Args, Env: in.Env, Plugin: in.Bridge, Close: in.Close}, nil
		},
		// After "--": a prompt is never read as an option, whatever it
		// starts with (a hub's "--settings {…}" stays a prompt).
		FirstPrompt: func(prompt string) ([]string, []byte) { return []string{"--", prompt}, nil },
		// --resume keeps the session id; --fork-session gives the copy a new
		// one (checked against 2.1.332, docs/claude-code.md).
		Resume: func(id string, fork bool) []string {
			if fork {
				return []string{"--resume", id, "--fork-session"}
			}
			return []string{"--resume", id}
		},
		Commands: claudehook.Commands,
	}
}

// Codex is the OpenAI Codex CLI. Hooks: codexhook.Inject gives the run
// ct's hooks with -c overrides, pre-trusted by their trusted_hash, after
// --no-daemon (so the hooks run in this process's environment), served by
// claudehook's Bridge with codexhook.Options. Codex draws its dialog only
// after the PermissionRequest hook ends, so a key at the terminal while the
// hub waits ends the hook with no decision and is swallowed; Codex's dialog
// then takes the next key. Its transcript is the rollout JSONL named by
// transcript_path (codexhook.Rollout). A first prompt is its argument.
func Codex() Adapter {
	return Adapter{
		Name: wire.AgentCodex,
		Detect: func(command string) bool {
			return strings.TrimSuffix(filepath.Base(command), ".exe") == "codex"
		},
		Inject: func(ctPath string, args []string) (Hooks, error) {
			in, err := codexhook.Inject(ctPath, args)
			if err != nil {
				return Hooks{}, err
			}
			return Hooks{Args: in.Args, Env: in.Env, Plugin: in.Bridge, Close: in.Close}, nil
		},
		// After "--": Codex takes [PROMPT] positionally; a prompt starting
		// with "-" is never read as an option.
		FirstPrompt: func(prompt string) ([]string, []byte) { return []string{"--", prompt}, nil },
		// Subcommands of 0.171.0: `codex resume ID` and `codex fork ID`
		// (a first prompt still follows as [PROMPT] after "--").
		Resume: func(id string, fork bool) []string {
			if fork {
				return []string{"fork", id}
			}
			return []string{"resume", id}
		},
		Commands: func(string, string) []wire.SlashCommand { return codexhook.Commands() },
	}
}

// Gemini is Gemini CLI. Hooks: geminihook.Inject builds a per-run overlay
// home (GEMINI_CLI_HOME) whose settings.json is the user's with ct's hooks
// (the user's own files stay untouched), and listens on a private socket for
// `ct hook`. A BeforeTool hook of a tool that asks waits for the hub: a
// deny is the hook's decision (the model gets the reason); an allow
// releases the hook and types the key of Gemini's own dialog once that
// dialog is on screen (geminihook.Bridge is a ptywrap.TypingPlugin). A key
// typed at the terminal while the hook waits releases it, so Gemini's own
// dialog asks there. A first prompt is its -i (prompt-interactive) option.
func Gemini() Adapter {
	return Adapter{
		Name: wire.AgentGemini,
		Detect: func(command string) bool {
			return strings.TrimSuffix(filepath.Base(command), ".exe") == "gemini"
		},
		Inject: func(ctPath string, args []string) (Hooks, error) {
			in, err := geminihook.Inject(ctPath, args, os.Getenv)
			if err != nil {
				return Hooks{}, err
			}
			return Hooks{Args: args, Env: in.Env, Plugin: in.Bridge, Close: in.Close}, nil
		},
		FirstPrompt: func(prompt string) ([]string, []byte) { return []string{"--prompt-interactive", prompt}, nil },
	}
}

// Plain is any other program: no hooks, so the hub's screen rules turn its
// yes/no questions into prompts and answer them by typing the rule's keys.
// A first prompt is typed, as a person would, with Enter.
func Plain() Adapter {
	return Adapter{
		Name:        wire.AgentPlain,
		Detect:      func(string) bool { return true },
		FirstPrompt: func(prompt string) ([]string, []byte) { return nil, []byte(prompt + "\r") },
	}
}

// all lists the adapters in the order Detect tries them; Plain matches
// anything, so it comes last.
func all() []Adapter { return []Adapter{Claude(), Codex(), Gemini(), Plain()} }

// Names lists the adapters' names, for help texts and errors.
func Names() []string {
	var out []string
	for _, a := range all() {
		out = append(out, a.Name)
	}
	return out
}

// ByName returns the adapter called name, or an error naming the known ones.
func ByName(name string) (Adapter, error) {
	for _, a := range all() {
		if a.Name == name {
			return a, nil
		}
	}
	return Adapter{}, fmt.Errorf("unknown agent %q: use one of %s", name, strings.Join(Names(), ", "))
}

// Detect guesses the adapter for command from its program name (claude is
// Claude Code, codex is Codex, anything else is Plain). The workstation's guess only: an
// explicit --agent overrides it, and the hub never makes it.
func Detect(command string) Adapter {
	for _, a := range all() {
		if a.Detect(command) {
			return a
		}
	}
	return Plain()
}

// Run is how one program runs under an adapter.
type Run struct {
	Agent     string         // the adapter's name, to declare
	Hooks     bool           // ct's hooks are live, to declare
	Args      []string       // the program's arguments to run with
	ShownArgs []string       // what the hub shows instead of Args (nil: Args)
	Env       []string       // added to the program's environment
	Plugin    ptywrap.Plugin // nil without hooks
	Close     func()         // releases what Prepare set up; always safe to call
}

// Prepare sets up a run of a program with args: with ct's hooks unless the
// adapter has none or noHooks is set. ctPath is the ct binary the hooks call
// ("": this executable). When injection fails the run is still returned,
// plain and declaring no hooks, with the error to tell the person: approvals
// from the hub are lost, the session is not.
func (a Adapter) Prepare(ctPath string, args []string, noHooks bool) (Run, error) {
	r := Run{Agent: a.Name, Args: args, Close: func() {}}
	if a.Inject == nil || noHooks {
		return r, nil
	}
	if ctPath == "" {
		self, err := os.Executable()
		if err != nil {
			return r, fmt.Errorf("find the ct binary for the hooks to call: %w", err)
		}
		ctPath = self
	}
	h, err := a.Inject(ctPath, args)
	if err != nil {
		return r, err
	}
	// The hub shows the command as the person typed it, not ct's additions.
	r.ShownArgs = append([]string{}, args...)
	r.Hooks, r.Args, r.Env, r.Plugin, r.Close = true, h.Args, h.Env, h.Plugin, h.Close
	return r, nil
}

// SlashCommands is what the wrap declares in session.start for a program
// running in cwd: the adapter's commands, bounded (wire.CleanCommands).
func (a Adapter) SlashCommands(cwd string) []wire.SlashCommand {
	if a.Commands == nil {
		return nil
	}
	home, _ := os.UserHomeDir() // none: the project's commands and the built-ins
	return wire.CleanCommands(a.Commands(cwd, home))
}
