package views

import "context"

// Nav is the app bar's state for one page view: who looks and the counts
// its links carry. Handlers put a NavFunc in the request context (WithNav);
// the layout asks for it only when it renders a page, so fragments, streams
// and API calls never pay for the counts.
type Nav struct {
	User      string
	Admin     bool
	Approvals int // prompts waiting that the viewer may see
	Unread    int // unread inbox messages (-1: no inbox for this viewer)
}

// NavFunc computes the app bar's state on demand.
type NavFunc func() Nav

type navKey struct{}

// WithNav returns ctx carrying f for the layout's app bar.
func WithNav(ctx context.Context, f NavFunc) context.Context {
	return context.WithValue(ctx, navKey{}, f)
}

// navFrom is the app bar's state, or nil when ctx has none (logged out).
func navFrom(ctx context.Context) *Nav {
	f, _ := ctx.Value(navKey{}).(NavFunc)
	if f == nil {
		return nil
	}
	n := f()
	return &n
}

// countLabel is a count as an app-bar badge shows it ("" for none).
func countLabel(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > 99:
		return "99+"
	}
	return itoa(n)
}
