package handlers

import (
	"strconv"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// The renderer's list and status events: rendered once per distinct set of
// viewer rights (pageStreams.byViewer), since who may see what differs.

func (r *renderer) publishLobby(ids []string) {
	id := r.pages.nextID()
	for _, g := range r.pages.byViewer(ids) {
		l, err := r.s.lobbyModel(g.p)
		if err != nil {
			r.s.log.Error("lobby", "error", err)
			return
		}
		l.HubURL = g.hubURL
		r.pages.publish(g.ids, "lobby", id, renderHTML(views.LobbyList(l)))
	}
}

func (r *renderer) publishStatus(sid string, ids []string) {
	m, version, ok := r.statusModel(sid, ids)
	if !ok {
		return
	}
	ss, err := r.s.store.GetSession(sid)
	if err == nil { // the hub's copy does not carry the sums
		m.Usage = usageView(ss.Tokens)
	}
	html := renderHTML(views.SessionStatus(m))
	html = append(html, renderHTML(views.SkipNote(m))...)
	if m.Status == "ended" {
		html = append(html, renderHTML(views.SessionEndedOOB())...)
	}
	r.pages.publish(ids, "screen", []byte(strconv.FormatUint(version, 10)), html)
	if err == nil && m.Status != "live" {
		r.publishResume(ss, ids)
	}
}

// statusModel is session sid's page model for an out-of-band status
// swap, and its screen version (ok false: no pages ids, or no session).
func (r *renderer) statusModel(sid string, ids []string) (m views.Session, version uint64, ok bool) {
	if len(ids) == 0 {
		return m, 0, false
	}
	snap, err := r.s.hub.Screen(sid)
	if err != nil {
		return m, 0, false
	}
	m = sessionModel(snap, "")
	m.OOB = true
	return m, snap.Version, true
}

// publishResume sends the pages ids of an ended or offline session its
// Resume/Fork card (or takes it away), per viewer: only people who may
// drive it, and only while its machine's ct node is there to run it (as
// handleSessionShow decides on a reload).
func (r *renderer) publishResume(ss db.Session, ids []string) {
	on := r.s.resumable(ss) && r.s.hub.NodeConnected(ss.Node)
	id := r.pages.nextID()
	for _, g := range r.pages.byViewer(ids) {
		show := on && r.s.presenceModel(g.p, ss).CanDrive
		r.pages.publish(g.ids, "screen", id, renderHTML(views.ResumeSlot(ss.ID, ss.Node, show, true)))
	}
}

func (r *renderer) publishSessionPrompts(sid string, ids []string) {
	id := r.pages.nextID()
	for _, g := range r.pages.byViewer(ids) {
		ps, err := r.s.sessionPrompts(g.p, sid)
		if err != nil {
			return
		}
		r.pages.publish(g.ids, "screen", id, renderHTML(views.SessionPrompts(ps, true)))
	}
}

func (r *renderer) publishPending(ids []string) {
	id := r.pages.nextID()
	for _, g := range r.pages.byViewer(ids) {
		ps, err := r.s.pendingPrompts(g.p, "")
		if err != nil {
			return
		}
		r.pages.publish(g.ids, "prompts", id, renderHTML(views.PendingList(ps, true)))
	}
}

func (r *renderer) publishPrompt(pid string, ids []string) {
	p, err := r.s.store.GetPrompt(pid)
	if err != nil {
		return
	}
	id := r.pages.nextID()
	for _, g := range r.pages.byViewer(ids) {
		m := r.s.promptModel(p)
		m.CanAnswer = g.p.CanDrive(p.Node)
		r.pages.publish(g.ids, "prompts", id, renderHTML(views.PromptCard(m, true)))
	}
}
