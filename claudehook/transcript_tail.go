package claudehook

import (
	"bytes"
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

const (
	// maxLine bounds one JSONL record ct will read; Claude Code writes some
	// huge bookkeeping records (system prompt snapshots) that are skipped.
	maxLine = 1 << 20
	// tailEvery is how often the transcript file is polled between hooks.
	// Hooks (prompt submitted, tool used, turn stopped) also poll at once,
	// so this only bounds the delay of text written between them.
	tailEvery = 300 * time.Millisecond
	// readChunk is how much one read takes from the file.
	readChunk = 64 << 10
)

// Tailer follows an agent's session transcript (the JSONL file whose path
// every hook payload carries: Claude Code's, or Codex's rollout) and emits
// each new conversation step. Safe for concurrent use.
type Tailer struct {
	emit func(wire.TranscriptEntry)

	mu      sync.Mutex // guards the fields below and serialises reads
	path    string
	off     int64  // bytes of path consumed
	partial []byte // an unfinished last line
	skip    bool   // inside an over-long line: drop bytes until its newline
	parser  LineParser

	kick chan struct{} // cap 1: poll now
	stop chan struct{}
	once sync.Once
	run  sync.Once
}

// LineParser turns one JSONL line of an agent's transcript file into
// entries: *Parser reads Claude Code's, codexhook's reads Codex's rollout.
type LineParser interface {
	Line(line []byte) []wire.TranscriptEntry
}

// NewTailer returns a tailer of Claude Code's transcript that calls emit
// (from its own goroutine, in file order) for each entry. It does nothing
// until Follow names a file.
func NewTailer(emit func(wire.TranscriptEntry)) *Tailer {
	return NewTailerWith(new(Parser), emit)
}

// NewTailerWith is NewTailer for a file that parser reads.
func NewTailerWith(parser LineParser, emit func(wire.TranscriptEntry)) *Tailer {
	return &Tailer{emit: emit, parser: parser, kick: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Follow points the tailer at path (from a hook payload) and polls it now. A
// new path (Claude Code started a new conversation, e.g. after /clear) is read
// from its beginning.
func (t *Tailer) Follow(path string) {
	if path == "" {
		return
	}
	t.mu.Lock()
	if path != t.path {
		t.path, t.off, t.partial, t.skip = path, 0, nil, false
	}
	t.mu.Unlock()
	t.run.Do(func() { go t.loop() })
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Close stops the tailer after one last read, so the final reply (written
// just before Claude Code exits) is not lost.
func (t *Tailer) Close() {
	t.once.Do(func() { close(t.stop) })
	t.Poll()
}

func (t *Tailer) loop() {
	tick := time.NewTicker(tailEvery)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		case <-t.kick:
		}
		t.Poll()
	}
}

// Poll reads what was appended to the file since the last call and emits the
// entries of every complete line.
func (t *Tailer) Poll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.path == "" {
		return
	}
	f, err := os.Open(t.path)
	if err != nil {
		return // not written yet; a later poll finds it
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < t.off {
		t.off, t.partial, t.skip = 0, nil, false // replaced or truncated: start over
	}
	buf := make([]byte, readChunk)
	for {
		n, err := f.ReadAt(buf, t.off)
		if n > 0 {
			t.off += int64(n)
			t.feed(buf[:n])
		}
		if err != nil || n == 0 {
			return // io.EOF: caught up; another error: the next poll retries
		}
	}
}

// feed splits p into lines, keeping an unfinished one for the next read.
func (t *Tailer) feed(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if !t.skip {
				t.partial = append(t.partial, p...)
				if len(t.partial) > maxLine {
					t.partial, t.skip = nil, true
				}
			}
			return
		}
		line := p[:i]
		p = p[i+1:]
		if t.skip {
			t.skip = false
			continue
		}
		if len(t.partial) > 0 {
			line = append(t.partial, line...)
			t.partial = nil
		}
		if len(line) > maxLine {
			continue
		}
		for _, e := range t.parser.Line(line) {
			t.emit(e)
		}
	}
}

// transcriptPath reads transcript_path from a hook payload.
func transcriptPath(payload json.RawMessage) string {
	var p struct {
		Path string `json:"transcript_path"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Path
}
