package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Shared files (issue 19 item 3): the hub carries a peer's request to the
// wrap of the session that shares the directory and brings its answer
// back. It never reads a workstation's disk itself and keeps nothing.

// ErrNoShares is a session that shares no directory.
var ErrNoShares = errors.New("this peer shares no files: its person can start ct wrap with --share-dir DIR")

// FileError is a request the workstation refused, with wire's reason.
type FileError struct {
	Reason string // one of wire.Reason*
	Msg    string
}

func (e *FileError) Error() string { return e.Msg }

// fileWait bounds how long a request waits for the workstation's answer:
// a 1 MiB read and its frame take well under a second on any link a
// session streams over; past this the wrap is stuck or its link is.
const fileWait = 15 * time.Second

// maxFileRequests bounds the requests waiting on one wrap at once, so
// callers cannot pile up unbounded goroutines and 1 MiB answers.
const maxFileRequests = 8

// maxShareName bounds one declared root name (a directory's base name).
const maxShareName = 255

// fileWaits matches a wrap's answers to the requests waiting for them.
type fileWaits struct {
	mu    sync.Mutex // guards m: requests start on HTTP goroutines, answers arrive on the read loop
	m     map[string]chan wire.Envelope
	gone  <-chan struct{} // closed when the connection ends
	names []string        // the roots it shares, from session.start
	// approve: the wrap asks that each read be approved (ct wrap
	// --share-approve), from session.start.
	approve bool
}

// checkShares refuses a session.start that declares more or longer roots
// than any wrap sends.
func checkShares(names []string) error {
	if len(names) > wire.MaxShares {
		return fmt.Errorf("session shares %d directories; the limit is %d", len(names), wire.MaxShares)
	}
	for _, n := range names {
		if n == "" || len(n) > maxShareName {
			return fmt.Errorf("shared root name %q is empty or over %d bytes", n, maxShareName)
		}
	}
	return nil
}

// Shares is what session id shares now: its roots' names, ErrOffline when
// its wrap is not connected, ErrNoShares when it shares nothing.
func (h *Hub) Shares(id string) ([]string, error) {
	c, err := h.fileConn(id)
	if err != nil {
		return nil, err
	}
	return append([]string(nil), c.files.names...), nil
}

func (h *Hub) fileConn(id string) (*wrapConn, error) {
	s := h.loaded(id)
	if s == nil {
		return nil, ErrOffline
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return nil, ErrOffline
	}
	if len(c.files.names) == 0 {
		return nil, ErrNoShares
	}
	return c, nil
}

// ListFiles asks session id's wrap to list shared directory path ("" for
// its roots), by is the asking peer.
func (h *Hub) ListFiles(ctx context.Context, id, path, by string) (wire.FilesListed, error) {
	var out wire.FilesListed
	e, err := h.askFiles(ctx, id, wire.TypeFilesList, path, by)
	if err != nil {
		return out, err
	}
	if err := e.Decode(&out); err != nil || e.Type != wire.TypeFilesListed {
		return out, fmt.Errorf("the workstation answered a listing with %s: %v", e.Type, err)
	}
	if out.Error != "" {
		return out, &FileError{Reason: out.Reason, Msg: out.Error}
	}
	if len(out.Entries) > wire.MaxListing {
		out.Entries, out.Truncated = out.Entries[:wire.MaxListing], true
	}
	return out, nil
}

// GetFile asks session id's wrap for shared file path's bytes.
func (h *Hub) GetFile(ctx context.Context, id, path, by string) ([]byte, error) {
	e, err := h.askFiles(ctx, id, wire.TypeFilesGet, path, by)
	if err != nil {
		return nil, err
	}
	var got wire.FilesGot
	if err := e.Decode(&got); err != nil || e.Type != wire.TypeFilesGot {
		return nil, fmt.Errorf("the workstation answered a read with %s: %v", e.Type, err)
	}
	if got.Error != "" {
		return nil, &FileError{Reason: got.Reason, Msg: got.Error}
	}
	return e.Data, nil
}

// askFiles sends one request to the wrap and waits for its answer.
func (h *Hub) askFiles(ctx context.Context, id, typ, path, by string) (wire.Envelope, error) {
	if len(path) > wire.MaxSharePath {
		return wire.Envelope{}, &FileError{Reason: wire.ReasonRefused, Msg: fmt.Sprintf("the path is %d bytes; the limit is %d", len(path), wire.MaxSharePath)}
	}
	c, err := h.fileConn(id)
	if err != nil {
		return wire.Envelope{}, err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	req := wire.FilesRequest{Request: hex.EncodeToString(b), Path: path, By: by}
	w := make(chan wire.Envelope, 1) // one answer per request; the read loop never blocks on it
	fw := &c.files
	fw.mu.Lock()
	if len(fw.m) >= maxFileRequests {
		fw.mu.Unlock()
		return wire.Envelope{}, ErrBusy
	}
	fw.m[req.Request] = w
	fw.mu.Unlock()
	defer func() {
		fw.mu.Lock()
		delete(fw.m, req.Request)
		fw.mu.Unlock()
	}()
	e, _ := wire.New(typ, req)
	e.SessionID = id
	if err := c.send(e); err != nil {
		return wire.Envelope{}, err
	}
	timer := time.NewTimer(fileWait)
	defer timer.Stop()
	select {
	case ans := <-w:
		return ans, nil
	case <-fw.gone:
		return wire.Envelope{}, ErrOffline
	case <-timer.C:
		return wire.Envelope{}, errors.New("the workstation did not answer in time; it may be overloaded or its connection dropping: ask again")
	case <-ctx.Done():
		return wire.Envelope{}, ctx.Err()
	}
}

// fileAnswer hands a wrap's files.listed / files.got to its request; an
// answer nobody waits for (timed out) is dropped.
func (c *wrapConn) fileAnswer(e wire.Envelope) {
	var r struct {
		Request string `json:"request"`
	}
	if e.Decode(&r) != nil {
		return
	}
	c.files.mu.Lock()
	w := c.files.m[r.Request]
	delete(c.files.m, r.Request)
	c.files.mu.Unlock()
	if w == nil {
		return
	}
	if e.Data != nil {
		e.Data = append([]byte(nil), e.Data...) // the transport may reuse its buffer
	}
	w <- e
}
