package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type (
	reserveIn struct {
		Repo       string   `json:"repo" jsonschema:"the repository's name as the team agrees on it; ct guard uses the origin remote without scheme or .git, e.g. github.com/org/repo"`
		Globs      []string `json:"globs" jsonschema:"paths relative to the repository top: * and ? within a segment, ** for any depth; a directory covers what is under it"`
		TTLSeconds int      `json:"ttl_seconds,omitempty" jsonschema:"lease length; default 600; reserve again to renew"`
		Reason     string   `json:"reason,omitempty" jsonschema:"shown to whoever is refused"`
	}
	releaseIn struct {
		ID string `json:"id" jsonschema:"the reservation's id, e.g. r12"`
	}
	listReservationsIn struct {
		Repo string `json:"repo,omitempty" jsonschema:"empty for every repository"`
	}
)

// addReservationTools adds reserve_paths, release_paths and list_reservations.
func addReservationTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("reserve_paths", "Reserve paths (globs) of a repository so others' commits touching them are refused by ct guard's pre-commit hook. Fails naming the holder if another peer's reservation overlaps. Never granted while the hub is away."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in reserveIn) (*mcp.CallToolResult, any, error) {
			r, err := c.Reserve(ctx, in.Repo, in.Globs, time.Duration(in.TTLSeconds)*time.Second, in.Reason)
			if errors.Is(err, client.ErrHubAway) {
				return nil, nil, fmt.Errorf("%w: reservations are never granted while the hub is away", err)
			}
			if err != nil {
				return nil, nil, err
			}
			return text("reserved %s in %s as %s until %s", strings.Join(r.Globs, " "), r.Repo, r.ID, r.Until.Format(time.RFC3339)), nil, nil
		})
	mcp.AddTool(srv, tool("release_paths", "Release a path reservation you hold."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in releaseIn) (*mcp.CallToolResult, any, error) {
			if err := c.ReleaseReservation(ctx, in.ID, false); err != nil {
				return nil, nil, err
			}
			return text("released %s", in.ID), nil, nil
		})
	mcp.AddTool(srv, tool("list_reservations", "List live path reservations: id, repo, globs, holder, until when, reason."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in listReservationsIn) (*mcp.CallToolResult, any, error) {
			list, err := c.ListReservations(ctx, in.Repo)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(list), nil, nil
		})
}
