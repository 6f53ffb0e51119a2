package ptywrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ct-dev/ct/platform"
	"github.com/ct-dev/ct/wire"
)

// attachSink writes the files the hub's composer sends into one private
// folder per session (0700, created on the first file, removed when the
// session ends), so the program can be told "@path" for each.
type attachSink struct {
	base string // where the folder is made: $XDG_RUNTIME_DIR or the temp dir

	// mu guards the folder and the files being written: chunks arrive on
	// the connection's read goroutine, the cleanup runs at the session's end.
	mu      sync.Mutex
	dir     string
	parts   map[string]*attachPart
	total   int64 // bytes written into dir this session (bounded by wire.MaxAttachTotal)
	removed bool
}

// attachPart is one file being received.
type attachPart struct {
	f    *os.File
	path string
	next int64 // the offset the next chunk must start at
}

func newAttachSink() *attachSink {
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	return &attachSink{base: base, parts: map[string]*attachPart{}}
}

// put takes one chunk; done is non-nil once the file is complete or refused.
func (a *attachSink) put(e wire.Envelope) *wire.AttachDone {
	var p wire.AttachPut
	if err := e.Decode(&p); err != nil {
		return &wire.AttachDone{Error: "bad attach.put: " + err.Error()}
	}
	path, err := a.write(p, e.Data)
	switch {
	case err != nil:
		return &wire.AttachDone{ID: p.ID, Error: err.Error()}
	case path != "":
		return &wire.AttachDone{ID: p.ID, Path: path}
	}
	return nil
}

// write appends data at p.Off and returns the file's path when it is whole.
func (a *attachSink) write(p wire.AttachPut, data []byte) (string, error) {
	if err := p.Check(len(data)); err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	part, err := a.part(p)
	if err != nil {
		return "", err
	}
	if p.Off != part.next {
		a.drop(p.ID)
		return "", fmt.Errorf("attachment %s: chunk at %d, expected %d; send it again", p.ID, p.Off, part.next)
	}
	if _, err := part.f.Write(data); err != nil {
		a.drop(p.ID)
		return "", fmt.Errorf("write the attachment on the workstation: %w", err)
	}
	part.next += int64(len(data))
	a.total += int64(len(data))
	if part.next < p.Size {
		return "", nil
	}
	delete(a.parts, p.ID)
	if err := part.f.Close(); err != nil {
		_ = os.Remove(part.path)
		return "", fmt.Errorf("write the attachment on the workstation: %w", err)
	}
	return part.path, nil
}

// part finds or starts the file for p (a first chunk is at offset 0).
func (a *attachSink) part(p wire.AttachPut) (*attachPart, error) {
	if part := a.parts[p.ID]; part != nil {
		return part, nil
	}
	if a.removed {
		return nil, errors.New("the session has ended")
	}
	if p.Off != 0 {
		return nil, fmt.Errorf("attachment %s: its first chunk is missing; send it again", p.ID)
	}
	if a.total+p.Size > wire.MaxAttachTotal {
		return nil, fmt.Errorf("this session already holds %d MB of attachments on the workstation (limit %d MB); start a new session to send more", a.total>>20, wire.MaxAttachTotal>>20)
	}
	if a.dir == "" {
		dir, err := os.MkdirTemp(a.base, "ct-attach-")
		if err != nil { // MkdirTemp makes it 0700: only this user reads the files
			return nil, fmt.Errorf("create a private folder for attachments: %w", err)
		}
		if err := platform.RestrictDir(dir); err != nil { // Windows: mode bits mean nothing there
			_ = os.RemoveAll(dir)
			return nil, err
		}
		a.dir = dir
	}
	path := filepath.Join(a.dir, p.ID+"-"+p.Name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write the attachment on the workstation: %w", err)
	}
	part := &attachPart{f: f, path: path}
	a.parts[p.ID] = part
	return part, nil
}

// drop forgets a file that cannot be finished. Called with mu held.
func (a *attachSink) drop(id string) {
	if part := a.parts[id]; part != nil {
		_ = part.f.Close()
		_ = os.Remove(part.path)
		delete(a.parts, id)
	}
}

// remove deletes the folder and everything in it: the session is over.
func (a *attachSink) remove() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id := range a.parts {
		a.drop(id)
	}
	if a.dir != "" {
		_ = os.RemoveAll(a.dir)
	}
	a.removed = true
}
