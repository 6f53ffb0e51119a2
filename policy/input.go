package policy

import "encoding/json"

// FromInput fills p's Command, Path and URL from a tool's input as the
// agent sent it: Claude Code's Bash has "command", its file tools
// "file_path" (NotebookEdit "notebook_path", Grep/Glob "path"), WebFetch
// "url". Input of another shape leaves them empty, so a rule on commands,
// paths or URLs does not match it.
func (p *Prompt) FromInput(input json.RawMessage) {
	var in struct {
		Command      string `json:"command"`
		FilePath     string `json:"file_path"`
		NotebookPath string `json:"notebook_path"`
		Path         string `json:"path"`
		URL          string `json:"url"`
	}
	if json.Unmarshal(input, &in) != nil {
		return
	}
	p.Command, p.URL = in.Command, in.URL
	switch {
	case in.FilePath != "":
		p.Path = in.FilePath
	case in.NotebookPath != "":
		p.Path = in.NotebookPath
	default:
		p.Path = in.Path
	}
}
