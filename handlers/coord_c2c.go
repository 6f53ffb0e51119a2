package handlers

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/yuin/goldmark"
)

// c2cRow is m's C2C fields for the inbox, or nil when it has none (a
// message typed on the page or sent by ct msg without them).
func c2cRow(md goldmark.Markdown, m coord.Message) *views.CoordC2C {
	c := views.CoordC2C{OriginID: m.OriginID, ClaimedFrom: m.ClaimedFrom, Citation: m.Citation, CitedID: m.CitedID,
		Solution: m.Solution, Commit: m.Commit, Artifacts: m.Artifacts, Escalated: !m.EscalatedAt.IsZero()}
	if m.Timestamp != nil {
		c.Timestamp = m.Timestamp.UTC().Format(time.RFC3339)
	}
	if m.Deadline != nil {
		c.Deadline = m.Deadline.UTC().Format("2006-01-02 15:04 MST")
	}
	if x := m.Context; x != nil {
		c.Session, c.File, c.Line, c.Error = x.Session, x.File, x.Line, x.Error
	}
	if m.Solution != "" {
		c.SolutionHTML = markdownHTML(md, m.Solution)
	}
	if len(m.TestResults) > 0 {
		var b bytes.Buffer
		if json.Indent(&b, m.TestResults, "", "  ") == nil {
			c.TestResults = b.String()
		} else {
			c.TestResults = string(m.TestResults)
		}
	}
	if c.Deadline == "" && c.OriginID == "" && c.ClaimedFrom == "" && c.Timestamp == "" && c.Citation == "" && c.Session == "" &&
		c.File == "" && c.Error == "" && c.Solution == "" && c.Commit == "" && len(c.Artifacts) == 0 && c.TestResults == "" {
		return nil
	}
	return &c
}
