package client

import (
	"context"
	"net/http"
	"net/url"

	"time"

	"github.com/ct-dev/ct/coord"
)

// SendMessage is POST /api/v1/messages. When the hub is away the message
// is queued (queued=true, out empty) and a later call delivers it.
func (c *Client) SendMessage(ctx context.Context, m coord.Message) (out coord.Message, queued bool, err error) {
	queued, err = c.change(ctx, http.MethodPost, "/api/v1/messages", m, &out)
	return out, queued, err
}

// ListMessages is GET /api/v1/messages: what f matches, oldest first. With
// wait > 0 the hub holds the call up to wait (it caps it at 60 s) until a
// message matches.
func (c *Client) ListMessages(ctx context.Context, f coord.MessageFilter, wait time.Duration) ([]coord.Message, error) {
	v := f.Values()
	if wait > 0 {
		v.Set("wait", wait.String())
	}
	var list []coord.Message
	// The hub holds the call up to wait: the deadline is on top of it.
	err := c.send(ctx, c.timeout+wait, http.MethodGet, "/api/v1/messages?"+v.Encode(), "", nil, &list)
	return list, err
}

// ReadMessage is GET /api/v1/messages/{id}; it marks the message read for
// this peer.
func (c *Client) ReadMessage(ctx context.Context, id string) (coord.Message, error) {
	var m coord.Message
	err := c.do(ctx, http.MethodGet, "/api/v1/messages/"+url.PathEscape(id), nil, &m)
	return m, err
}

// AckMessage is POST /api/v1/messages/{id}/ack: tell the sender it is in hand.
func (c *Client) AckMessage(ctx context.Context, id string) (coord.Message, error) {
	var m coord.Message
	err := c.do(ctx, http.MethodPost, "/api/v1/messages/"+url.PathEscape(id)+"/ack", nil, &m)
	return m, err
}
