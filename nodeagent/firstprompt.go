package nodeagent

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/ct-dev/ct/agent"
	"github.com/ct-dev/ct/wire"
)

// maxFirstPrompt bounds a spawn request's first prompt: longer than any
// prompt a person types, far below the OS's argument limit.
const maxFirstPrompt = 32 << 10

// promptError refuses a spawn for its first prompt; other errors of
// launchFor (hooks could not be set up) still let the session start.
type promptError struct{ msg string }

func (e *promptError) Error() string { return e.msg }

// launchFor prepares the program's run for a spawn request's first prompt
// and checks the result: a prompt given as arguments must reach the program
// as the operand after "--", never as an option (a hub asking for
// "--settings {…bypassPermissions…}" gets a prompt with that text). The
// node checks this itself rather than trusting the adapter or the hub.
func launchFor(ag agent.Adapter, self, prompt string, resume []string, noHooks bool) (agent.Run, []byte, error) {
	args := resume
	var input []byte
	if prompt != "" {
		if len(prompt) > maxFirstPrompt || !utf8.ValidString(prompt) || slices.Contains([]byte(prompt), 0) {
			return agent.Run{Close: func() {}}, nil, &promptError{fmt.Sprintf("the first prompt must be UTF-8 text without NUL bytes, at most %d bytes", maxFirstPrompt)}
		}
		var pargs []string
		pargs, input = ag.FirstPrompt(prompt)
		if pargs != nil {
			args = append(append([]string(nil), resume...), pargs...)
		}
	}
	launch, err := ag.Prepare(self, args, noHooks)
	if prompt != "" && len(args) > len(resume) && !promptIsOperand(launch.Args, prompt) {
		launch.Close()
		return agent.Run{Close: func() {}}, nil, &promptError{`refusing to start: the first prompt would not reach the program as a prompt after "--"`}
	}
	return launch, input, err
}

// promptIsOperand reports whether args end with "--" and prompt, and no
// earlier "--" lets the prompt be read as an option.
func promptIsOperand(args []string, prompt string) bool {
	n := len(args)
	return n >= 2 && args[n-2] == "--" && args[n-1] == prompt && !slices.Contains(args[:n-2], "--")
}

// resumeArgs checks a spawn request's resume id and gives the agent's
// arguments for it: the node checks the id itself (a plain id, never a
// flag or a path) rather than trusting the hub.
func resumeArgs(ag agent.Adapter, req wire.NodeSpawn) ([]string, error) {
	if req.Resume == "" {
		if req.Fork {
			return nil, &promptError{"fork needs the id of the session to fork (resume)"}
		}
		return nil, nil
	}
	if ag.Resume == nil {
		return nil, &promptError{fmt.Sprintf("%s cannot resume a past session here: only claude and codex can", ag.Name)}
	}
	if err := wire.CheckAgentSessionID(req.Resume); err != nil {
		return nil, &promptError{err.Error()}
	}
	return ag.Resume(req.Resume, req.Fork), nil
}
