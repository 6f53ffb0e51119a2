package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/policy"
	"github.com/ct-dev/ct/views"
)

// PolicyStatus is what the approval policy file holds and whether it loads.
type PolicyStatus struct {
	Path     string
	Text     string
	Rules    int
	Err      string // the last load's error ("": the file on disk is in force)
	LoadedAt time.Time
}

// PolicyEditor is the approval policy file as /admin/policy sees it
// (ct serve's --policy); Save checks the text and writes it atomically.
type PolicyEditor interface {
	Status() PolicyStatus
	Save(text []byte) error
}

// recentPolicyScan bounds how many recent prompts the page looks through
// for ones a rule matched.
const recentPolicyScan = 500

func (s *Server) handlePolicyShow(w http.ResponseWriter, r *http.Request) error {
	m, err := s.policyPage()
	if err != nil {
		return err
	}
	if st := r.URL.Query().Get("saved"); st != "" {
		m.Msg = "Saved: " + st + " rules in force."
	}
	return render(w, r, views.PolicyView(m))
}

// handlePolicySave checks and saves the edited rules; a bad text is shown
// again with what is wrong, and nothing changes.
func (s *Server) handlePolicySave(w http.ResponseWriter, r *http.Request) error {
	if s.policy == nil {
		return errorf(http.StatusNotFound, "Policies are off; start ct serve with --policy FILE.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, policy.MaxFileBytes+4096)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "The policy is too long: at most 256 KiB.")
	}
	text := strings.ReplaceAll(r.PostForm.Get("policy"), "\r\n", "\n")
	err := s.policy.Save([]byte(text))
	s.audit(r, "policy.save", s.policy.Status().Path+resultText(err))
	if err != nil {
		m, perr := s.policyPage()
		if perr != nil {
			return perr
		}
		m.Text, m.Err = text, err.Error()
		w.WriteHeader(http.StatusBadRequest)
		return render(w, r, views.PolicyView(m))
	}
	http.Redirect(w, r, "/admin/policy?saved="+strconv.Itoa(s.policy.Status().Rules), http.StatusSeeOther)
	return nil
}

func resultText(err error) string {
	if err != nil {
		return " (refused: " + err.Error() + ")"
	}
	return ""
}

func (s *Server) policyPage() (views.PolicyPage, error) {
	var m views.PolicyPage
	if s.policy != nil {
		st := s.policy.Status()
		m = views.PolicyPage{On: true, Path: st.Path, Text: st.Text, Rules: st.Rules, LoadErr: st.Err,
			LoadedAt: st.LoadedAt.Local().Format("2 Jan 15:04:05")}
	}
	ps, err := s.store.Prompts(db.PromptFilter{Limit: recentPolicyScan})
	if err != nil {
		return m, err
	}
	for _, p := range ps {
		if p.Policy == nil || len(m.Recent) >= 50 {
			continue
		}
		what := p.Policy.Outcome
		if p.State != db.PromptPending {
			what = hub.SettledBy(p)
		}
		if p.Policy.DryRun {
			what = "dry run: would " + p.Policy.Outcome + "; " + what
		}
		m.Recent = append(m.Recent, views.PolicyDecision{PromptID: p.ID, Node: p.Node, Tool: p.Tool, Summary: hub.PromptSummary(p),
			Rule: p.Policy.Rule, Outcome: what, When: p.CreatedAt.Local().Format("2 Jan 15:04:05")})
	}
	return m, nil
}
