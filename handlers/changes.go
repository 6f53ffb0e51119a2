package handlers

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// What changed in a session (issue 18 item 2): the diffs of the agent's file
// tools from its transcript, and the working tree's git status and diff as
// the workstation sees it, asked through the wrap.

// DefaultGitDiffMax is how much of `git diff` the hub asks a workstation for
// (--git-diff-max): enough for a day's work, small enough for a phone.
const DefaultGitDiffMax = 256 << 10

// handleSessionChanges is GET /s/{id}/changes: the Changes tab's content.
func (s *Server) handleSessionChanges(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	ss, err := s.visibleSession(principal(r), id, false)
	if err != nil {
		return err
	}
	entries, err := s.transcript(id)
	if err != nil {
		return err
	}
	return render(w, r, views.ChangesPanel(changesModel(id, ss.Cwd, entries)))
}

// changesModel groups the file changes of a transcript by turn (a person's
// prompt starts one), newest first, and sums them per file. Paths under the
// session's directory are shown relative to it, the way a prompt names them.
func changesModel(id, cwd string, entries []txEntry) views.Changes {
	m := views.Changes{SessionID: id}
	files := map[string]int{} // path -> index in m.Files
	turn := views.ChangeTurn{}
	flush := func() {
		if len(turn.Diffs) > 0 {
			m.Turns = append([]views.ChangeTurn{turn}, m.Turns...)
		}
	}
	for _, e := range entries {
		if e.Kind == wire.EntryUser {
			flush()
			turn = views.ChangeTurn{Prompt: shorten(e.Text, 120), Time: e.TS.Local().Format("15:04")}
			continue
		}
		if e.Kind != wire.EntryToolResult || e.Change == nil {
			continue
		}
		c := *e.Change
		c.Path = relPath(cwd, c.Path)
		for _, d := range splitDiff(c.Diff) {
			d.Path, d.Label, d.Added, d.Removed = c.Path, e.Tool, c.Added, c.Removed
			turn.Diffs = append(turn.Diffs, d)
			break // one file per change
		}
		i, ok := files[c.Path]
		if !ok {
			i = len(m.Files)
			files[c.Path] = i
			m.Files = append(m.Files, views.ChangedFile{Path: c.Path})
		}
		m.Files[i].Edits++
		m.Files[i].Added += c.Added
		m.Files[i].Removed += c.Removed
	}
	flush()
	return m
}

// relPath is path relative to dir when it is inside it.
func relPath(dir, path string) string {
	if dir == "" || !filepath.IsAbs(path) {
		return path
	}
	if r, err := filepath.Rel(dir, path); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
		return r
	}
	return path
}

// shorten cuts s to n runes on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// handleSessionGit is GET /s/{id}/changes/git: the working tree's git
// status and diff, read on the workstation by its wrap (read-only, capped).
func (s *Server) handleSessionGit(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil {
		return err
	}
	st, err := s.hub.GitState(r.Context(), id, s.gitDiffMax)
	v := views.GitView{}
	switch {
	case errors.Is(err, hub.ErrOffline) || errors.Is(err, hub.ErrNotFound):
		v.Error, v.Note = true, "The workstation's ct wrap is not connected, so its working tree cannot be read now."
	case err != nil:
		v.Error, v.Note = true, err.Error()
	case st.Error != "":
		v.Error, v.Dir, v.Note = true, st.Dir, st.Error
	default:
		v = gitModel(st)
	}
	return render(w, r, views.GitPanel(v))
}

// gitModel turns a git answer into the view: the branch line apart, the
// status lines, the diff split by file, and the cap's note.
func gitModel(st hub.GitState) views.GitView {
	v := views.GitView{Dir: st.Dir, Diffs: splitDiff(st.Diff)}
	for _, l := range strings.Split(strings.TrimSuffix(st.Status, "\n"), "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "## "):
			v.Branch = strings.TrimPrefix(l, "## ")
		default:
			v.Status = append(v.Status, l)
		}
	}
	if st.Truncated {
		v.Note = "The diff is " + sizeText(st.DiffBytes) + "; only its first " + sizeText(int64(len(st.Diff))) +
			" are shown. Run git diff on the workstation for the rest (the hub's --git-diff-max sets how much it asks for)."
		if left := leftOut(v); len(left) > 0 {
			v.Note += " Not shown: " + strings.Join(left, ", ") + "."
		}
	}
	return v
}

// leftOut names the changed files of a cut diff that did not make it in:
// git status's tracked changes whose diff is missing.
func leftOut(v views.GitView) []string {
	shown := map[string]bool{}
	for _, d := range v.Diffs {
		shown[d.Path] = true
	}
	var out []string
	for _, l := range v.Status {
		if len(l) < 4 || strings.HasPrefix(l, "??") {
			continue
		}
		p := l[3:]
		if _, to, ok := strings.Cut(p, " -> "); ok {
			p = to
		}
		if !shown[p] && len(out) < 20 {
			out = append(out, p)
		}
	}
	return out
}
