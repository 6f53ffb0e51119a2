package handlers

import (
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/r3labs/sse/v2"
)

// publishTranscript sends the whole transcript to pages of a Claude Code or
// Codex session (on connect, and when an approval is settled).
func (r *renderer) publishTranscript(sid string, ids []string) {
	if len(ids) == 0 || !r.hasTranscript(sid) {
		return
	}
	r.tx.lock()
	defer r.tx.unlock()
	r.publishTranscriptLocked(sid, ids)
}

// publishTranscriptLocked renders the list under the cursors' lock: an entry
// committed meanwhile is either in it or pushed after it, never both.
func (r *renderer) publishTranscriptLocked(sid string, ids []string) {
	entries, err := r.s.transcript(sid)
	if err != nil {
		return
	}
	var last uint64
	for _, e := range entries {
		last = max(last, e.Seq)
	}
	data := renderHTML(views.TranscriptList(withThumbs(sid, transcriptItems(r.agentOf(sid), entries))))
	for _, id := range ids {
		r.tx.sent(id, last, r.pages.tryPublish(id, txEvent(data)))
	}
}

// TranscriptAdded implements hub.Listener: a durable entry is appended to
// every page of the session that has the entries before it.
func (r *renderer) TranscriptAdded(sid string, seq uint64, en wire.TranscriptEntry) {
	ids := r.pages.following(topicSession(sid))
	if en.Kind == wire.EntryUsage {
		r.usageChanged(sid, ids)
		if en.Usage == nil {
			return // a running cost: in the header, not the list
		}
	}
	ids = append(ids, r.pages.following(topicShare(sid))...) // share pages show the list too
	if len(ids) == 0 {
		return
	}
	if en.Kind == wire.EntryToolCall && r.answered(sid, en) {
		// The approval reached the pages before the call it answers (a quick
		// answer races the wrap's log): re-render so it sits after the call.
		r.publishTranscript(sid, ids)
		return
	}
	data := renderHTML(views.TranscriptAppend(withThumbs(sid, transcriptItems(r.agentOf(sid), []txEntry{{Seq: seq, TranscriptEntry: en}}))))
	r.tx.lock()
	defer r.tx.unlock()
	var resync []string
	for _, id := range ids {
		last, ok := r.tx.at(id)
		switch {
		case !ok:
			resync = append(resync, id)
		case seq <= last:
		default:
			r.tx.sent(id, seq, r.pages.tryPublish(id, txEvent(data)))
		}
	}
	if len(resync) > 0 {
		r.publishTranscriptLocked(sid, resync)
	}
}

// hasTranscript reports whether the session's agent has a transcript view
// (Claude Code, Codex), as its wrap declared it.
func (r *renderer) hasTranscript(sid string) bool {
	a := r.agentOf(sid)
	return a == wire.AgentClaude || a == wire.AgentCodex
}

// agentOf is the agent session sid's wrap declared ("" if unknown).
func (r *renderer) agentOf(sid string) string {
	ss, err := r.s.store.GetSession(sid)
	if err != nil {
		return ""
	}
	return ss.Agent
}

// txEvent is a transcript update on a session page's stream: the page's sink
// takes "screen" events and applies their out-of-band parts.
func txEvent(data []byte) *sse.Event {
	return &sse.Event{Event: []byte("screen"), Data: data}
}

// answered reports whether a settled prompt of session sid asked about call.
func (r *renderer) answered(sid string, call wire.TranscriptEntry) bool {
	ps, err := r.s.store.Prompts(db.PromptFilter{SessionID: sid, State: "decided", Tool: call.Tool})
	if err != nil {
		return false
	}
	for _, p := range ps {
		if sameJSON(p.Input, call.Input) {
			return true
		}
	}
	return false
}
