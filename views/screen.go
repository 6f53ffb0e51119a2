package views

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/ct-dev/ct/screen"
)

// spanAttrs are a styled run's class and style attributes, rendered as they
// are: Style.Class is already a clean, ordered class list and Style.CSS a
// well-formed declaration of hex colours. templ's own class={ } runs its
// value through a class-list processor (maps on every call), which on the
// output hot path (every changed row, many runs each) would cost more than
// the run itself; this costs one allocation per styled run.
type spanAttrs struct {
	class, css string
	items      [2]templ.KeyValue[string, any]
	n          int
}

// Items implements templ.Attributer; empty attributes are left out.
func (a *spanAttrs) Items() []templ.KeyValue[string, any] { return a.items[:a.n] }

func runAttrs(st screen.Style) *spanAttrs {
	a := &spanAttrs{class: st.Class(), css: st.CSS()}
	if a.class != "" {
		a.items[a.n] = templ.KeyValue[string, any]{Key: "class", Value: &a.class}
		a.n++
	}
	if a.css != "" {
		a.items[a.n] = templ.KeyValue[string, any]{Key: "style", Value: &a.css}
		a.n++
	}
	return a
}

// LogURL is where a session's full output log downloads from (the raw
// bytes, handlers' handleAPISessionLog).
func LogURL(sessionID string) string { return "/api/v1/sessions/" + sessionID + "/log" }

// Thousands writes n with comma thousands separators ("180,000"), as
// session.js's toLocaleString("en-US") does for the counts it updates.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
