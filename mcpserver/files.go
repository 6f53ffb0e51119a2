package mcpserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"unicode/utf8"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type (
	peerFilesIn struct {
		Peer string `json:"peer,omitempty" jsonschema:"the sharing peer's name, from list_peers (or its session id); empty lists the peers that share files"`
		Path string `json:"path,omitempty" jsonschema:"a directory under one of its shared roots, e.g. src or src/pkg; empty lists the roots"`
	}
	peerFileIn struct {
		Peer string `json:"peer" jsonschema:"the sharing peer's name, from list_peers (or its session id)"`
		Path string `json:"path" jsonschema:"a file under one of its shared roots, e.g. src/main.go (at most 1 MiB)"`
	}
)

// addFileTools adds list_peer_files and get_peer_file: the directories
// another peer's ct wrap shares (--share-dir), read through the hub.
func addFileTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("list_peer_files", "List a directory another peer shares (its ct wrap --share-dir): name, type (file, dir, symlink) and size of each entry. Paths start with a shared root's name; an empty path lists the roots; no peer lists the peers that share files. Symbolic links are listed but never followed."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in peerFilesIn) (*mcp.CallToolResult, any, error) {
			if in.Peer == "" {
				list, err := c.SharingPeers(ctx)
				if err != nil {
					return nil, nil, err
				}
				return asJSON(list), nil, nil
			}
			l, err := c.PeerFiles(ctx, in.Peer, in.Path)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(l), nil, nil
		})
	mcp.AddTool(srv, tool("get_peer_file", "Read one file another peer shares (its ct wrap --share-dir), at most 1 MiB. Text comes back as is; a binary file as base64 after a one-line note."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in peerFileIn) (*mcp.CallToolResult, any, error) {
			if in.Peer == "" || in.Path == "" {
				return nil, nil, errors.New("give peer (a name from list_peers) and path (a file list_peer_files shows, e.g. src/main.go)")
			}
			b, err := c.PeerFile(ctx, in.Peer, in.Path)
			if err != nil {
				return nil, nil, err
			}
			if utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
				return text("%s", b), nil, nil
			}
			return text("binary file, %d bytes, base64:\n%s", len(b), base64.StdEncoding.EncodeToString(b)), nil, nil
		})
}
