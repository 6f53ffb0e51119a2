package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// PairRequest is what ct login --code sends to POST /api/v1/pair.
type PairRequest struct {
	Code string `json:"code"` // as shown on the hub's /pair page; case and dashes do not matter
	Name string `json:"name"` // this machine's name on the hub
}

// PairReply is the machine token the hub made for the code's owner.
type PairReply struct {
	Token   string `json:"token"`
	ID      string `json:"id"`
	Machine string `json:"machine"`
	User    string `json:"user"`
}

// Pair trades a pairing code for a machine token. It needs no credentials:
// the code is one (single use, 10 minutes, guesses limited per address).
func (c *Client) Pair(ctx context.Context, pr PairRequest) (PairReply, error) {
	ctx, cancel := context.WithTimeout(ctx, tokenTimeout)
	defer cancel()
	var out PairReply
	err := c.do(ctx, http.MethodPost, "/api/v1/pair", pr, &out)
	var api *APIError
	switch {
	case errors.As(err, &api):
		return out, fmt.Errorf("the hub refused the code (%d): %s", api.Status, api.Msg)
	case err != nil:
		return out, fmt.Errorf("reach the hub at %s: %w", c.hub, err)
	case out.Token == "":
		return out, errors.New("the hub answered without a token; is it an older ct? log in with a password")
	}
	return out, nil
}
