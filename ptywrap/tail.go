package ptywrap

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ct-dev/ct/platform"
	"github.com/ct-dev/ct/wire"
)

// A session's tail is what its wrap could not deliver before it exited:
// the hub was down or restarting when the program ended. ct wrap must exit
// at once with the program's status, so the tail is written to a file of
// its own (0600, in the user's state directory) and delivered later by a
// detached `ct flush`, or by the next ct wrap that starts. The hub shows
// the session offline until then and ended once the tail arrives.
//
// File layout: tailMagic, then a uvarint-length-prefixed JSON tailHeader,
// then each unacknowledged event as a uvarint-length-prefixed wire frame.
// It is written to a temporary name, synced and renamed, so a crash leaves
// either no tail or a whole one.

const tailMagic = "ct-tail 1\n"

// maxTailFrame bounds one frame read back from a tail file (a spool frame
// is at most maxFrame of output plus its header).
const maxTailFrame = maxFrame + 64<<10

// tailHeader is who the tail belongs to and how to reach its hub.
type tailHeader struct {
	Hub     string            `json:"hub"`
	Session string            `json:"session"`
	Hello   wire.Hello        `json:"hello"`
	Start   wire.SessionStart `json:"start"`
	SavedAt time.Time         `json:"saved_at"`
}

// TailDir is where tails are kept: $XDG_STATE_HOME/ct/pending, else
// ~/.local/state/ct/pending.
func TailDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "ct", "pending"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory for the session's undelivered output (set XDG_STATE_HOME): %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "ct", "pending"), nil
}

// saveTail writes the spool's unacknowledged events to dir and returns the
// file's path.
func saveTail(dir string, h tailHeader, sp *spool) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if err := platform.RestrictDir(dir); err != nil { // Windows: mode bits are not an ACL
		return "", err
	}
	sp.mu.Lock()
	events := append([]wire.Envelope(nil), sp.events...)
	sp.mu.Unlock()
	path := filepath.Join(dir, h.Session+".tail")
	tmp, err := os.CreateTemp(dir, h.Session+".*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	w := bufio.NewWriter(tmp)
	hdr, _ := json.Marshal(h)
	_, _ = w.WriteString(tailMagic)
	writeChunk(w, hdr)
	for _, e := range events {
		e.SessionID = h.Session
		b, err := wire.Marshal(e)
		if err != nil {
			tmp.Close()
			return "", err
		}
		writeChunk(w, b)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

func writeChunk(w *bufio.Writer, b []byte) {
	var n [binary.MaxVarintLen64]byte
	_, _ = w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	_, _ = w.Write(b)
}

// loadTail reads a tail file back; a file cut short (a crash between
// writes cannot make one, but a full disk can) is refused whole.
func loadTail(path string) (tailHeader, *spool, error) {
	var h tailHeader
	f, err := os.Open(path)
	if err != nil {
		return h, nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(tailMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != tailMagic {
		return h, nil, fmt.Errorf("%s is not a ct session tail", path)
	}
	hdr, err := readChunk(r)
	if err != nil || json.Unmarshal(hdr, &h) != nil || h.Session == "" {
		return h, nil, fmt.Errorf("%s: bad header", path)
	}
	sp := newSpool(DefaultSpool)
	for {
		b, err := readChunk(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return h, nil, fmt.Errorf("%s: %w", path, err)
		}
		e, err := wire.Unmarshal(b)
		if err != nil {
			return h, nil, fmt.Errorf("%s: %w", path, err)
		}
		sp.events = append(sp.events, e)
		sp.bytes += len(e.Data)
		sp.seq = e.Seq
	}
	return h, sp, nil
}

func readChunk(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err // io.EOF only at a clean end between chunks
	}
	if n > maxTailFrame {
		return nil, fmt.Errorf("frame of %d bytes is over the limit", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

// TailHub reads which hub a tail is for.
func TailHub(path string) (string, error) {
	h, _, err := loadTail(path)
	return h.Hub, err
}

// PendingTails lists the tail files in dir.
func PendingTails(dir string) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tail"))
	return paths
}

// DeliverTail sends the tail at path to its hub with token, waits until the
// hub has acknowledged all of it, and removes the file. It gives up when
// ctx ends (the file stays for the next try). Only one process delivers a
// given tail at a time (an advisory lock on the file): it returns
// ErrTailBusy when another one is.
func DeliverTail(ctx context.Context, path, token string) (bytes int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	// The lock lives as long as f: a crashed deliverer frees it.
	if err := platform.TryLock(f); err != nil {
		return 0, ErrTailBusy
	}
	h, sp, err := loadTail(path)
	if err != nil {
		return 0, err
	}
	_, bytes = sp.pending()
	wsURL, err := WSURL(h.Hub)
	if err != nil {
		return bytes, err
	}
	// Input and resizes from the hub have no program to go to: dropped.
	st := newStreamer(wsURL, token, h.Session, sp, nil, nil, make(chan wire.Resize), h.Hello, h.Start)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go st.run(sctx)
	// Poll the spool: its wake channel belongs to the sender.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	told := false // the hub heard that the program ended and output is on its way
	notice, _ := wire.New(wire.TypeSessionTail, wire.SessionTail{Bytes: int64(bytes), SavedAt: h.SavedAt})
	notice.SessionID = h.Session
	for {
		if n, _ := sp.pending(); n == 0 {
			return bytes, os.Remove(path)
		}
		if !told {
			told = st.sendUrgent(notice) // only once connected
		}
		select {
		case <-ctx.Done():
			return bytes, fmt.Errorf("the hub %s did not take the session's last %d bytes yet: %w", h.Hub, bytes, ctx.Err())
		case <-tick.C:
		}
	}
}

// ErrTailBusy says another process is delivering the tail.
var ErrTailBusy = errors.New("another ct process is delivering this tail")
