package handlers

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/views"
	"github.com/r3labs/sse/v2"
)

// renderer is the hub's Listener for the pages: it renders each change once
// (per distinct set of viewer rights where lists differ) with the views'
// components and publishes it on the pages' streams. It keeps no page state
// beyond the transcript cursors and the lobby throttle.
type renderer struct {
	s     *Server // the view models (lobbyModel, sessionPrompts, ...)
	pages *pageStreams
	tx    txCursors  // transcript entries each session page has (render_transcript.go)
	lists *coalescer // list refreshes, at most every refreshEvery per topic (render_coalesce.go)
}

var _ hub.Listener = (*renderer)(nil)

// newPages builds the page-stream registry and the renderer that feeds it.
func newPages(s *Server) (*pageStreams, *renderer) {
	r := &renderer{s: s, lists: newCoalescer(refreshEvery, realClock())}
	r.pages = newPageStreams(s.log, s.hub, r, s.live)
	return r.pages, r
}

// renderHTML renders a component; an error leaves the event empty, which is never
// sent.
func renderHTML(c templ.Component) []byte {
	var b bytes.Buffer
	if c.Render(context.Background(), &b) != nil {
		return nil
	}
	return b.Bytes()
}

// opened sends a page whose stream (re)connected its full current state.
func (r *renderer) opened(streamID, topic string) {
	ids := []string{streamID}
	switch {
	case topic == topicLobby:
		r.publishLobby(ids)
	case topic == topicApprovals:
		r.publishPending(ids)
	case strings.HasPrefix(topic, "s:"):
		sid := strings.TrimPrefix(topic, "s:")
		r.s.hub.Watch(sid, +1) // the page needs the whole screen: it comes with the next update
		r.publishStatus(sid, ids)
		r.WheelChanged(sid) // the new page gets the presence bar
		r.publishSessionPrompts(sid, ids)
		r.publishTranscript(sid, ids)
	case strings.HasPrefix(topic, "p:"):
		r.publishPrompt(strings.TrimPrefix(topic, "p:"), ids)
	case strings.HasPrefix(topic, "v:"): // a share page: screen and transcript, nothing to act on
		sid := strings.TrimPrefix(topic, "v:")
		r.s.hub.Watch(sid, +1)
		r.publishShareStatus(sid, ids) // it may have ended since the page was rendered
		r.publishTranscript(sid, ids)
	}
}

// closed forgets a page whose stream ended.
func (r *renderer) closed(streamID, topic string) {
	r.tx.forget(streamID)
	if sid, ok := strings.CutPrefix(topic, "s:"); ok {
		r.s.hub.Watch(sid, -1)
	} else if sid, ok := strings.CutPrefix(topic, "v:"); ok {
		r.s.hub.Watch(sid, -1)
	}
}

// beat refreshes open lobbies: session states age (working becomes idle)
// without any event.
func (r *renderer) beat() {
	if ids := r.pages.following(topicLobby); len(ids) > 0 {
		r.publishLobby(ids)
	}
}

// ScreenChanged renders a screen update once and sends it to every page
// watching the session. A page whose buffer was full when it was sent
// something (or that just opened) needs the whole screen: it is skipped
// until its buffer has room again, then sent the whole screen alone, so a
// stalled page never makes the hub resend every row to everyone. Share
// pages get their own rendering, whose skipped-lines markers do not link
// the log download that needs a login (their page links its own).
func (r *renderer) ScreenChanged(sid string, u hub.ScreenUpdate) {
	r.sendScreen(sid, r.pages.following(topicSession(sid)), u, views.LogURL(sid))
	if ids := r.pages.following(topicShare(sid)); len(ids) > 0 {
		r.sendScreen(sid, ids, u, "")
	}
}

// sendScreen sends update u of session sid to the streams ids, its
// markers linking log.
func (r *renderer) sendScreen(sid string, ids []string, u hub.ScreenUpdate, log string) {
	if len(ids) == 0 {
		return
	}
	id := []byte(strconv.FormatUint(u.Version, 10))
	delta := &sse.Event{ID: id, Event: []byte("screen"), Data: renderHTML(views.ScreenUpdate(views.ScreenPatch{Full: u.Full, NumRows: u.NumRows, Rows: u.Rows, History: u.History, HistTotal: u.HistTotal, Alt: u.Alt, Log: log}))}
	if u.SkipGrew {
		delta.Data = append(delta.Data, skipNote(sid, u, log)...)
	}
	var whole *sse.Event // rendered once, for the pages that need it
	for _, streamID := range ids {
		if !r.pages.needsFull(streamID) || u.Full {
			if !r.pages.tryPublish(streamID, delta) {
				r.pages.setNeedsFull(streamID, true) // it missed rows
			} else if u.Full {
				r.pages.setNeedsFull(streamID, false)
			}
			continue
		}
		// A probe first: rendering every row for a page that still reads
		// nothing would cost a full render per frame.
		if !r.pages.tryPublish(streamID, &sse.Event{Comment: []byte("resync")}) {
			continue
		}
		if whole == nil {
			// No history: the page marks the lines it missed itself
			// (#histn's numbers, static/session.js).
			whole = &sse.Event{ID: id, Event: []byte("screen"), Data: renderHTML(views.ScreenUpdate(views.ScreenPatch{Full: true, NumRows: len(u.All), Rows: rowMap(u.All), HistTotal: u.HistTotal, Alt: u.Alt, Log: log}))}
			if u.Skipped > 0 { // it may have missed the update that grew it
				whole.Data = append(whole.Data, skipNote(sid, u, log)...)
			}
		}
		if r.pages.tryPublish(streamID, whole) {
			r.pages.setNeedsFull(streamID, false)
		}
	}
}

// skipNote is the session page's "skipped N bytes" note for update u of
// session sid, out of band (none for share pages, log "", which do not
// show it).
func skipNote(sid string, u hub.ScreenUpdate, log string) []byte {
	if log == "" {
		return nil
	}
	return renderHTML(views.SkipNote(views.Session{ID: sid, Skipped: u.Skipped, OOB: true}))
}

// rowMap indexes every row of a screen.
func rowMap(rows []screen.Row) map[int]screen.Row {
	m := make(map[int]screen.Row, len(rows))
	for i, row := range rows {
		m[i] = row
	}
	return m
}

// LobbyChanged refreshes every open lobby, the status bar of every
// watched session and the status badge of every open share page.
func (r *renderer) LobbyChanged() {
	r.lobbySoon()
	for _, topic := range r.pages.topicsWith("s:") {
		sid := strings.TrimPrefix(topic, "s:")
		r.publishStatus(sid, r.pages.following(topic))
	}
	for _, topic := range r.pages.topicsWith("v:") {
		sid := strings.TrimPrefix(topic, "v:")
		r.publishShareStatus(sid, r.pages.following(topic))
	}
}

// PromptsChanged refreshes everything that shows prompts: the session's
// pinned panel, the lobby's waiting count, the approvals page's pending list
// and the prompt's own page.
func (r *renderer) PromptsChanged(sessionID, promptID string) {
	if ids := r.pages.following(topicSession(sessionID)); len(ids) > 0 {
		r.lists.do("prompts:"+sessionID, func() {
			r.publishSessionPrompts(sessionID, r.pages.following(topicSession(sessionID)))
		})
		r.publishTranscript(sessionID, ids) // a settled prompt is an approval entry
	}
	if ids := r.pages.following(topicShare(sessionID)); len(ids) > 0 {
		r.publishTranscript(sessionID, ids)
	}
	r.lobbySoon()
	r.lists.do(topicApprovals, func() {
		if ids := r.pages.following(topicApprovals); len(ids) > 0 {
			r.publishPending(ids)
		}
	})
	if ids := r.pages.following(topicPrompt(promptID)); len(ids) > 0 {
		r.publishPrompt(promptID, ids)
	}
}

// WheelChanged pushes the presence bar to everyone watching the session
// (rendered per person: the buttons depend on who looks) and refreshes
// the lobby's watcher counts.
func (r *renderer) WheelChanged(sid string) {
	ss, err := r.s.store.GetSession(sid)
	if err != nil {
		return
	}
	id := r.pages.nextID()
	for _, streamID := range r.pages.following(topicSession(sid)) {
		v := r.pages.viewerOf(streamID)
		if v == nil {
			continue
		}
		m := r.s.presenceModel(v.p, ss)
		m.OOB = true
		r.pages.publish([]string{streamID}, "screen", id, renderHTML(views.PresenceBar(m)))
	}
	r.lobbySoon()
}

// lobbySoon refreshes open lobbies, coalesced: presence and prompt changes
// come in bursts when many tabs open or a wrap floods.
func (r *renderer) lobbySoon() {
	r.lists.do(topicLobby, func() {
		if ids := r.pages.following(topicLobby); len(ids) > 0 {
			r.publishLobby(ids)
		}
	})
}
