package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
)

// usageView is a session's token usage as pages show it; nil when the agent
// has reported none.
func usageView(t *db.TokenUsage) *views.Usage {
	if t == nil || (t.Calls == 0 && len(t.Costs) == 0) {
		return nil
	}
	v := &views.Usage{
		Tokens: countsText(t.TokenCounts), Model: t.Model,
		Input: t.Input, Output: t.Output, CacheRead: t.CacheRead, CacheCreation: t.CacheCreation,
		Context: t.Context,
	}
	window := wire.ContextWindow(t.Model, t.Window)
	if window > 0 {
		v.ContextText = fmt.Sprintf("context %s of %s (%d%%)", short(t.Context), short(window), t.Context*100/window)
	} else if t.Context > 0 {
		v.ContextText = "context " + short(t.Context)
	}
	if usd, ok := t.CostUSD(); ok {
		v.Cost = fmt.Sprintf("$%.4f", usd)
	}
	return v
}

// countsText is token counts in one short line.
func countsText(c wire.TokenCounts) string {
	s := short(c.Input) + " in · " + short(c.Output) + " out"
	if c.CacheRead > 0 || c.CacheCreation > 0 {
		s += " · cache " + short(c.CacheRead) + " read, " + short(c.CacheCreation) + " written"
	}
	return s
}

// turnText is a usage entry's line in the transcript: the turn so far.
func turnText(u *wire.Usage) string {
	c := wire.TokenCounts{Input: u.Input, Output: u.Output, CacheCreation: u.CacheCreation, CacheRead: u.CacheRead}
	if u.Turn != nil {
		c = *u.Turn
	}
	return "Turn so far: " + countsText(c)
}

// short writes n with a k or M suffix above ten thousand (4,454 stays exact).
func short(n int64) string {
	switch {
	case n >= 10_000_000:
		return strconv.FormatInt(n/1_000_000, 10) + "M"
	case n >= 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + "M"
	case n >= 10_000:
		return strconv.FormatInt(n/1000, 10) + "k"
	case n >= 1000:
		return strconv.FormatInt(n/1000, 10) + "," + fmt.Sprintf("%03d", n%1000)
	}
	return strconv.FormatInt(n, 10)
}

// dayUsageViews are today's totals (UTC) per person and machine for the
// lobby, limited to the people and machines p may see.
func (s *Server) dayUsageViews(canSee func(kind, name string) bool, now time.Time) []views.DayUsage {
	days, err := s.store.UsageOfDay(now.UTC().Format(time.DateOnly))
	if err != nil {
		s.log.Error("usage of the day", "error", err)
		return nil
	}
	var out []views.DayUsage
	for _, d := range days {
		if !canSee(d.Kind, d.Name) {
			continue
		}
		v := views.DayUsage{Kind: d.Kind, Name: d.Name, Tokens: countsText(d.TokenCounts), Input: d.Input, Output: d.Output}
		if d.CostUSD > 0 {
			v.Cost = fmt.Sprintf("$%.4f", d.CostUSD)
		}
		out = append(out, v)
	}
	return out
}

// visibleOwners says which day totals p may see: a machine it can see, and
// a person owning one of those machines.
func visibleOwners(p auth.Principal, nodes []db.Node) func(kind, name string) bool {
	people := map[string]bool{}
	for _, n := range nodes {
		if p.CanSee(n.Name) {
			people[n.User] = true
		}
	}
	return func(kind, name string) bool {
		if kind == db.DayMachine {
			return p.CanSee(name)
		}
		return people[name]
	}
}

// usageChanged pushes a session's new sums to its pages' headers and
// refreshes the lobby's rows and day totals (coalesced).
func (r *renderer) usageChanged(sid string, ids []string) {
	if len(ids) > 0 {
		if ss, err := r.s.store.GetSession(sid); err == nil {
			r.pages.publish(ids, "screen", r.pages.nextID(), renderHTML(views.UsageLine(sid, usageView(ss.Tokens), true)))
		}
	}
	r.lobbySoon()
}

// agentStats are the agent peers p may see with usage, for the Team panel,
// most free context first.
func (s *Server) agentStats(p auth.Principal) ([]views.AgentStats, error) {
	peers, err := s.coord.Peers()
	if err != nil {
		return nil, err
	}
	for i := range peers {
		peers[i] = redactPeer(p, peers[i], s.sessionNode)
	}
	coord.SortPeers(peers, coord.SortHeadroom)
	var out []views.AgentStats
	for _, pr := range peers {
		st := pr.Stats
		if st == nil {
			continue
		}
		a := views.AgentStats{Name: pr.Name, Model: st.Model, Input: st.Input, Output: st.Output, Used: st.Context,
			Tokens: short(st.Input) + " in · " + short(st.Output) + " out", Context: "context " + short(st.Context)}
		if st.Free != nil {
			a.Context = fmt.Sprintf("context %s of %s, %s free", short(st.Context), short(st.Window), short(*st.Free))
		}
		out = append(out, a)
	}
	return out, nil
}

// apiTokens is a session's usage in the REST API (docs/api.md).
type apiTokens struct {
	wire.TokenCounts
	Calls   int      `json:"calls"`
	Model   string   `json:"model,omitempty"`
	Context int64    `json:"context"`
	Window  int64    `json:"window,omitempty"`   // absent when ct does not know the model's window
	CostUSD *float64 `json:"cost_usd,omitempty"` // the agent's own figure, absent when it reports none
}

func toAPITokens(t *db.TokenUsage) *apiTokens {
	if t == nil {
		return nil
	}
	a := &apiTokens{TokenCounts: t.TokenCounts, Calls: t.Calls, Model: t.Model, Context: t.Context,
		Window: wire.ContextWindow(t.Model, t.Window)}
	if usd, ok := t.CostUSD(); ok {
		a.CostUSD = &usd
	}
	return a
}
