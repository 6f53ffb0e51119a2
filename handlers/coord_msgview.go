package handlers

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/yuin/goldmark"
)

// msgRow is a message as v reads it in the inbox and the lobby's panel:
// its body rendered from markdown (md: newMarkdown, so raw HTML is dropped
// and javascript: links are not made), and whether it still needs v's answer.
func msgRow(md goldmark.Markdown, m coord.Message, v coord.Viewer, now time.Time) views.CoordMsg {
	mine := m.From == v.Peer
	row := views.CoordMsg{ID: m.ID, From: m.From, To: m.To, Priority: m.Priority, Type: m.Type, Subject: m.Subject,
		Body: m.Body, BodyHTML: markdownHTML(md, m.Body), Re: m.Re, TS: m.TS, Late: m.Late,
		Unread: !mine && m.Receipts[v.Peer].ReadAt.IsZero()}
	if mine || !addressedToMe(m, v) {
		if mine {
			row.Receipt = receiptLabel(m)
		}
		row.NeedsAnswer = m.RequiresResponse && !anyAcked(m) // nobody answered the sender yet (an admin looking on sees the same)
	} else {
		row.NeedsAnswer = m.RequiresResponse && m.Receipts[v.Peer].AckedAt.IsZero()
		row.CanAck = row.NeedsAnswer && v.Peer != "" && addressedToMe(m, v)
	}
	row.Overdue = row.NeedsAnswer && m.Deadline != nil && now.After(*m.Deadline)
	row.C2C = c2cRow(md, m)
	return row
}

// markdownHTML renders body, or "" when goldmark fails (the page then
// shows the text as it is).
func markdownHTML(md goldmark.Markdown, body string) string {
	var b bytes.Buffer
	if md.Convert([]byte(body), &b) != nil {
		return ""
	}
	return b.String()
}

// receiptLabel is what the sender sees of a message's receipts: "read"
// once its one addressee read it, "read by N" for a group or everyone,
// "sent" before anyone did.
func receiptLabel(m coord.Message) string {
	n := 0
	for who, r := range m.Receipts {
		if !r.ReadAt.IsZero() && who != m.From {
			n++
		}
	}
	switch {
	case n == 0:
		return "sent"
	case m.To == "*" || strings.HasPrefix(m.To, "@"):
		return "read by " + strconv.Itoa(n)
	}
	return "read"
}

func anyAcked(m coord.Message) bool {
	for _, r := range m.Receipts {
		if !r.AckedAt.IsZero() {
			return true
		}
	}
	return false
}

// addressedToMe: the message is to v by name, to everyone, or to one of
// v's groups (only those may acknowledge it).
func addressedToMe(m coord.Message, v coord.Viewer) bool {
	if m.Private != "" {
		return v.Reaches(&m) // a private message: to each of its owner's peers
	}
	if m.To == "*" || m.To == v.Peer {
		return true
	}
	for _, g := range v.Groups {
		if m.To == "@"+g || m.To == g {
			return true
		}
	}
	return false
}
