package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/coord"
)

// WaitEvents is GET /api/v1/events/wait: the events after since (0 with
// fromNow: those from now on) the hub lets this peer see, waiting up to
// timeout (the hub caps it at 60 s) for the first; types empty is every type.
func (c *Client) WaitEvents(ctx context.Context, since uint64, fromNow bool, timeout time.Duration, types []string) (coord.EventPage, error) {
	v := url.Values{}
	if !fromNow {
		v.Set("since", strconv.FormatUint(since, 10))
	}
	v.Set("timeout", strconv.Itoa(int(timeout/time.Second)))
	if len(types) > 0 {
		v.Set("types", strings.Join(types, ","))
	}
	var page coord.EventPage
	// The hub holds the call up to timeout: the deadline is on top of it.
	err := c.send(ctx, c.timeout+timeout, http.MethodGet, "/api/v1/events/wait?"+v.Encode(), "", nil, &page)
	return page, err
}

// ShareSkill is POST /api/v1/skills: k becomes the next version of its name.
func (c *Client) ShareSkill(ctx context.Context, k coord.Skill) (coord.Skill, error) {
	body := struct {
		Name         string            `json:"name"`
		Description  string            `json:"description"`
		Instructions string            `json:"instructions"`
		Files        []coord.SkillFile `json:"files,omitempty"`
	}{k.Name, k.Description, k.Instructions, k.Files}
	var out coord.Skill
	err := c.do(ctx, http.MethodPost, "/api/v1/skills", body, &out)
	return out, err
}

// ListSkills is GET /api/v1/skills: each skill's newest version, without
// instructions or files.
func (c *Client) ListSkills(ctx context.Context) ([]coord.Skill, error) {
	var list []coord.Skill
	err := c.do(ctx, http.MethodGet, "/api/v1/skills", nil, &list)
	return list, err
}

// GetSkill is GET /api/v1/skills/{name}: version 0 is the newest.
func (c *Client) GetSkill(ctx context.Context, name string, version int) (coord.Skill, error) {
	p := "/api/v1/skills/" + url.PathEscape(name)
	if version > 0 {
		p += "?version=" + strconv.Itoa(version)
	}
	var k coord.Skill
	err := c.do(ctx, http.MethodGet, p, nil, &k)
	return k, err
}

// SetRemotePeers is PUT /api/v1/peers/remote: this peer (a ct bridge)
// announces hub's peers, listed on this hub as NAME@HUB.
func (c *Client) SetRemotePeers(ctx context.Context, hub string, peers []coord.Peer) error {
	body := struct {
		Hub   string       `json:"hub"`
		Peers []coord.Peer `json:"peers"`
	}{hub, peers}
	return c.do(ctx, http.MethodPut, "/api/v1/peers/remote", body, nil)
}
