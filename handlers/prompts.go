package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// pendingPrompts lists waiting prompts p may see (of one session, or all),
// oldest first.
func (s *Server) pendingPrompts(p auth.Principal, sessionID string) ([]views.Prompt, error) {
	ps, err := s.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: sessionID})
	if err != nil {
		return nil, err
	}
	out := make([]views.Prompt, 0, len(ps))
	for i := len(ps) - 1; i >= 0; i-- {
		if p.CanSee(ps[i].Node) {
			m := s.promptModel(ps[i])
			m.CanAnswer = p.CanDrive(ps[i].Node)
			out = append(out, m)
		}
	}
	return out, nil
}

// settledLinger is how long a settled prompt stays pinned on its session's
// page (until the panel next changes or the page reloads after that).
const settledLinger = 2 * time.Minute

// sessionPrompts is a session page's pinned panel: the waiting prompts, then
// those settled in the last settledLinger, newest first, so whoever answered,
// and everyone watching, sees the outcome ("Approved by mike from phone",
// "Answered at the terminal") instead of the card just vanishing.
func (s *Server) sessionPrompts(p auth.Principal, sessionID string) ([]views.Prompt, error) {
	out, err := s.pendingPrompts(p, sessionID)
	if err != nil {
		return nil, err
	}
	recent, err := s.store.Prompts(db.PromptFilter{State: "decided", SessionID: sessionID, Limit: 3})
	if err != nil {
		return nil, err
	}
	for _, q := range recent {
		if time.Since(q.DecidedAt) < settledLinger && p.CanSee(q.Node) {
			out = append(out, s.promptModel(q))
		}
	}
	return out, nil
}

func (s *Server) handleApprovalsShow(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := views.ApprovalFilter{State: q.Get("state"), Node: q.Get("node"), Tool: q.Get("tool")}
	switch f.State {
	case "", db.PromptAllowed, db.PromptDenied, db.PromptClosed:
	default:
		return errorf(http.StatusBadRequest, "Unknown outcome filter; use approved, denied or closed.")
	}
	pending, err := s.pendingPrompts(principal(r), "")
	if err != nil {
		return err
	}
	state := f.State
	if state == "" {
		state = "decided"
	}
	hist, err := s.store.Prompts(db.PromptFilter{State: state, Node: f.Node, Tool: f.Tool, Limit: 200})
	if err != nil {
		return err
	}
	a := views.Approvals{Pending: pending, Filter: f, Stream: "/events/approvals?v=" + newStreamKey()}
	for _, p := range hist {
		if principal(r).CanSee(p.Node) {
			a.History = append(a.History, s.promptModel(p))
		}
	}
	a.Nodes, a.Tools, err = s.promptFacets(principal(r))
	if err != nil {
		return err
	}
	return render(w, r, views.ApprovalsPage(a))
}

// promptFacets lists the machines and tools prompts have, for the filters.
func (s *Server) promptFacets(viewer auth.Principal) (nodes, tools []string, err error) {
	all, err := s.store.Prompts(db.PromptFilter{Limit: 2000})
	if err != nil {
		return nil, nil, err
	}
	ns, ts := map[string]bool{}, map[string]bool{}
	for _, p := range all {
		if viewer.CanSee(p.Node) {
			ns[p.Node], ts[p.Tool] = true, true
		}
	}
	for n := range ns {
		nodes = append(nodes, n)
	}
	for t := range ts {
		tools = append(tools, t)
	}
	sort.Strings(nodes)
	sort.Strings(tools)
	return nodes, tools, nil
}

func (s *Server) handlePromptShow(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	p, err := s.visiblePrompt(principal(r), id, false)
	if err != nil {
		return err
	}
	m := s.promptModel(p)
	m.CanAnswer = principal(r).CanDrive(p.Node)
	return render(w, r, views.PromptPage(m, "/events/p/"+id+"?v="+newStreamKey()))
}

// handlePromptDecide takes Approve / Deny / Deny with message / Allow for
// this session from a page, and answers with the settled card.
func (s *Server) handlePromptDecide(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "The answer is too long.")
	}
	id := chi.URLParam(r, "id")
	p, err := s.visiblePrompt(principal(r), id, true)
	if err != nil {
		return err
	}
	d, err := formDecision(p, r.PostForm)
	if err != nil {
		return err
	}
	d.By, d.Device, d.Person = who(r), deviceOf(r), principal(r).User
	p, err = s.hub.Decide(r.Context(), id, d)
	s.auditDecision(r, id, d, err)
	if err != nil {
		return badAnswer(err)
	}
	m := s.promptModel(p)
	m.CanAnswer = m.Pending // one approval of two: the next person answers here too
	return render(w, r, views.PromptCard(m, false))
}

// formDecision reads a page's answer to p: Approve, Deny, Deny with
// message, Allow for this session; for AskUserQuestion "answer" with the
// chosen options; for ExitPlanMode a plan choice ("plan-default").
func formDecision(p db.Prompt, form url.Values) (hub.Decision, error) {
	d := hub.Decision{Decision: form.Get("decision"), Message: strings.TrimSpace(form.Get("message"))}
	mode, isPlan := planModeOf(d.Decision)
	switch {
	case form.Get("scope") == "session":
		d.Decision, d.Scope, d.Message = "allow", "session", ""
	case d.Decision == "answer" && p.Tool == hub.ToolAskUser:
		answers, err := formAnswers(p, form)
		if err != nil {
			return d, err
		}
		d.Decision, d.Answers, d.Message = "allow", answers, ""
	case isPlan && p.Tool == hub.ToolExitPlan:
		d.Decision, d.PlanMode, d.Message = "allow", mode, ""
	case d.Decision == "deny-message":
		d.Decision = "deny"
		if d.Message == "" {
			return d, errorf(http.StatusBadRequest, "Write the message to Claude first, then press Deny with message.")
		}
	case d.Decision == "allow":
		d.Message = ""
	case d.Decision == "deny":
		d.Message = "" // plain Deny: the message box is for "Deny with message"
	default:
		return d, errorf(http.StatusBadRequest, fmt.Sprintf(`Unknown decision %q: use "allow", "deny" or "deny-message" (with a message), or scope "session" to allow for the session.`, d.Decision))
	}
	if err := d.Validate(); err != nil {
		return d, errorf(http.StatusBadRequest, err.Error()+".")
	}
	return d, nil
}

// badAnswer makes an answer that does not fit its question a 400 that says
// why; other errors pass as they are.
func badAnswer(err error) error {
	if errors.Is(err, hub.ErrBadAnswer) {
		msg := err.Error()
		return errorf(http.StatusBadRequest, strings.ToUpper(msg[:1])+msg[1:]+".")
	}
	return err
}

// who names the person answering, and the device: "mike from phone".
func who(r *http.Request) string {
	return principal(r).User + " from " + deviceOf(r)
}

// connectorName is the API token's name (what ct connect joins as), or
// its maker's name for a token without one; never a header the caller sets.
func (s *Server) connectorName(r *http.Request) string {
	p := principal(r)
	if n := s.tokenNames.get(s, p.TokenID); n != "" {
		return n
	}
	return p.User
}

// auditDecision records an answer to a prompt and whether it won.
func (s *Server) auditDecision(r *http.Request, id string, d hub.Decision, err error) {
	what := d.Decision
	if d.Scope == "session" {
		what += " for the session"
	}
	if d.OnBehalfOf != "" {
		what += " by " + d.By // the actor stays the token's maker; this is the connector's word
	}
	if err != nil {
		what += " (refused: " + err.Error() + ")"
	}
	s.audit(r, "prompt.decide", id+" "+what)
}

// deviceOf guesses phone or desktop from the User-Agent; API calls are "api".
func deviceOf(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return "api"
	}
	ua := r.UserAgent()
	for _, m := range []string{"Mobi", "Android", "iPhone", "iPad"} {
		if strings.Contains(ua, m) {
			return "phone"
		}
	}
	return "desktop"
}

func (s *Server) handleSessionSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	var on bool
	switch r.PostForm.Get("terminal_only") {
	case "on":
		on = true
	case "off":
	default:
		return errorf(http.StatusBadRequest, `terminal_only must be "on" or "off".`)
	}
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, true); err != nil {
		return err
	}
	if err := s.hub.SetTerminalOnly(id, on); err != nil {
		return err
	}
	s.audit(r, "session.terminal_only", id+" "+r.PostForm.Get("terminal_only"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiPrompt is a prompt as the JSON API shows it.
type apiPrompt struct {
	ID        string            `json:"id"`
	SessionID string            `json:"session_id"`
	Node      string            `json:"node"`
	Tool      string            `json:"tool"`
	Input     json.RawMessage   `json:"input"`
	State     string            `json:"state"` // pending | closed
	Outcome   string            `json:"outcome"`
	Decision  *string           `json:"decision"`
	Message   string            `json:"message,omitempty"`
	Scope     string            `json:"scope,omitempty"`
	DecidedBy *string           `json:"decided_by"`
	Device    string            `json:"device,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	DecidedAt *time.Time        `json:"decided_at"`
	AgentType string            `json:"agent_type,omitempty"` // the subagent that asks
	Answers   map[string]string `json:"answers,omitempty"`    // AskUserQuestion's answers
	Change    string            `json:"change,omitempty"`     // "Overwrite file", ...
	Diff      string            `json:"diff,omitempty"`       // the change, computed on the workstation
}

func toAPIPrompt(p db.Prompt) apiPrompt {
	a := apiPrompt{ID: p.ID, SessionID: p.SessionID, Node: p.Node, Tool: p.Tool, Input: p.Input, State: "closed",
		Message: p.Message, Scope: p.Scope, Device: p.Device, CreatedAt: p.CreatedAt, AgentType: p.AgentType, Answers: p.Answers}
	if p.Change != nil {
		a.Change, a.Diff = p.Change.Label, p.Change.Diff
	}
	if p.State == db.PromptPending {
		a.State = "pending"
	} else {
		a.Outcome = outcome(p)
	}
	if a.Input == nil {
		a.Input = json.RawMessage("null")
	}
	if p.Decision != "" {
		d := p.Decision
		a.Decision = &d
	}
	if p.DecidedBy != "" {
		by := p.DecidedBy
		a.DecidedBy = &by
	}
	if !p.DecidedAt.IsZero() {
		t := p.DecidedAt
		a.DecidedAt = &t
	}
	return a
}

func (s *Server) handleAPIPromptsList(w http.ResponseWriter, r *http.Request) error {
	f := db.PromptFilter{SessionID: r.URL.Query().Get("session"), Limit: 500}
	switch r.URL.Query().Get("state") {
	case "":
	case "pending":
		f.State = db.PromptPending
	case "closed":
		f.State = "decided"
	default:
		return errorf(http.StatusBadRequest, `state must be "pending" or "closed"`)
	}
	ps, err := s.store.Prompts(f)
	if err != nil {
		return err
	}
	out := make([]apiPrompt, 0, len(ps))
	for _, p := range ps {
		if principal(r).CanSee(p.Node) {
			out = append(out, toAPIPrompt(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIPromptDecide(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	var in struct {
		Decision string `json:"decision"`
		Message  string `json:"message"`
		Scope    string `json:"scope"`
		// AskUserQuestion: question text -> answer; ExitPlanMode: the mode.
		Answers  map[string]string `json:"answers"`
		PlanMode string            `json:"plan_mode"`
		// A connector's chat user, shown as "NAME via CONNECTOR".
		OnBehalfOf string `json:"on_behalf_of"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return errorf(http.StatusBadRequest, `body must be JSON like {"decision":"allow"} or {"decision":"deny","message":"..."}: `+err.Error())
	}
	d := hub.Decision{Decision: in.Decision, Message: in.Message, Scope: in.Scope, By: who(r), Device: "api",
		Answers: in.Answers, PlanMode: in.PlanMode, Person: principal(r).User, OnBehalfOf: in.OnBehalfOf}
	if err := d.Validate(); err != nil {
		return errorf(http.StatusBadRequest, err.Error())
	}
	if d.OnBehalfOf != "" {
		if principal(r).Kind != auth.KindAPI {
			return errorf(http.StatusBadRequest, "on_behalf_of is for a connector's API token (ct connect); a person answers in their own name: leave it out")
		}
		d.By = d.OnBehalfOf + " via " + s.connectorName(r)
	}
	id := chi.URLParam(r, "id")
	if _, err := s.visiblePrompt(principal(r), id, true); err != nil {
		return err
	}
	p, err := s.hub.Decide(r.Context(), id, d)
	s.auditDecision(r, id, d, err)
	if err != nil {
		return badAnswer(err)
	}
	writeJSON(w, http.StatusOK, toAPIPrompt(p))
	return nil
}
