package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Shared files (ct mcp's list_peer_files / get_peer_file, ct files): a
// peer's ct wrap --share-dir directories, read through the hub.

// FileEntry is one entry of a shared directory.
type FileEntry = wire.FileEntry

// FileListing is GET /api/v1/files's answer.
type FileListing struct {
	Peer      string      `json:"peer"`
	Session   string      `json:"session"`
	Path      string      `json:"path"`
	Entries   []FileEntry `json:"entries"`
	Truncated bool        `json:"truncated,omitempty"`
}

// SharingPeer is a peer whose live session shares directories.
type SharingPeer struct {
	Peer    string   `json:"peer"`
	Session string   `json:"session"`
	Machine string   `json:"machine"`
	Roots   []string `json:"roots"`
}

// SharingPeers is GET /api/v1/files: the peers that share files now.
func (c *Client) SharingPeers(ctx context.Context) ([]SharingPeer, error) {
	var out []SharingPeer
	err := c.do(ctx, http.MethodGet, "/api/v1/files", nil, &out)
	return out, err
}

// PeerFiles is GET /api/v1/files?peer=P&path=X: directory path of peer's
// shares ("" lists its shared roots).
func (c *Client) PeerFiles(ctx context.Context, peer, path string) (FileListing, error) {
	var out FileListing
	q := url.Values{"peer": {peer}, "path": {path}}
	err := c.do(ctx, http.MethodGet, "/api/v1/files?"+q.Encode(), nil, &out)
	return out, err
}

// PeerFile is GET /api/v1/files/content?peer=P&path=X: one shared file's
// bytes (at most 1 MiB).
func (c *Client) PeerFile(ctx context.Context, peer, path string) ([]byte, error) {
	var b []byte
	q := url.Values{"peer": {peer}, "path": {path}}
	// A peer sharing with --share-approve holds the read until its person
	// answers (the hub's --share-approve-wait, at most 5 minutes).
	err := c.send(ctx, c.timeout+5*time.Minute, http.MethodGet, "/api/v1/files/content?"+q.Encode(), "", nil, &b)
	return b, err
}
