package events

import (
	"encoding/json"

	"github.com/ct-dev/ct/db"
)

// catchUp reads the kept log once at start: the last state announced for
// each session and the prompts announced opened and never settled. A
// session whose state differs now, and a prompt settled since (the
// restart closes what was pending), is announced on the first scan, so a
// reader or webhook never waits for a settlement that happened while the
// hub was down.
func (r *Recorder) catchUp() {
	last := map[string]string{}
	open := map[string]bool{}
	var after uint64
	for {
		page, _, err := r.d.Store.EventsAfter(after, 500)
		if err != nil {
			r.d.Log.Warn("events: read the log at start", "error", err)
			return
		}
		if len(page) == 0 {
			break
		}
		for _, rec := range page {
			after = rec.ID
			var e Event
			if json.Unmarshal(rec.Body, &e) != nil {
				continue
			}
			switch {
			case e.Session != nil:
				last[e.SessionID] = e.Session.State
			case e.Type == PromptOpened && e.Prompt != nil:
				open[e.Prompt.ID] = true
			case e.Type == PromptSettled && e.Prompt != nil:
				delete(open, e.Prompt.ID)
			}
		}
	}
	for id, st := range last {
		if _, known := r.states[id]; known {
			r.states[id] = st // the next scan announces any difference
		}
	}
	for id := range open {
		r.opened[id] = true
		if p, err := r.d.Store.GetPrompt(id); err == nil && p.State != db.PromptPending {
			r.PromptsChanged(p.SessionID, id) // settled while the hub was down
		} else if err != nil {
			delete(r.opened, id) // removed by retention: nothing to settle
		}
	}
	r.LobbyChanged()
}
