package wire

// What changed in a session's working tree, asked by the hub and answered by
// the wrap (issue 18 item 2). Read-only on the workstation: the wrap runs
// only `git status --porcelain` and `git diff` in the session's directory,
// never a shell, with a timeout and a size cap.
const (
	TypeGitRequest = "git.request" // hub → wrap: run git status and git diff in the session's directory
	TypeGitAnswer  = "git.answer"  // wrap → hub: what they printed (cut to the cap)
)

// Bounds on a git answer. The diff travels as the envelope's raw Data (JSON
// could escape it to six times its size), so MaxGitOutput, the most diff
// the hub may ask for (its --git-diff-max), stays under MaxData; the status
// goes in the JSON payload and is at most MaxGitStatus.
const (
	MaxGitOutput = 512 << 10
	MaxGitStatus = 64 << 10
)

// MaxEntryDiff bounds TranscriptEntry.Change.Diff: a transcript entry must
// stay inside the hub's limit for one (64 KiB with its text and input).
const MaxEntryDiff = 24 << 10

// GitRequest is git.request's payload. ID pairs it with its answer; Max is
// the most bytes of diff the hub wants (the wrap caps it at MaxGitOutput).
type GitRequest struct {
	ID  string `json:"id"`
	Max int    `json:"max"`
}

// GitAnswer is git.answer's payload; the diff is the envelope's Data.
// Error is set, and the outputs empty, when git could not run there (not a
// repository, no git, timed out). Truncated says the diff was cut at the
// cap; DiffBytes is how long it was, as far as the wrap read.
type GitAnswer struct {
	ID        string `json:"id"`
	Dir       string `json:"dir"`
	Status    string `json:"status"`
	Truncated bool   `json:"truncated,omitempty"`
	DiffBytes int64  `json:"diff_bytes,omitempty"`
	Error     string `json:"error,omitempty"`
}
