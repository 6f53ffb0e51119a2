package ptywrap

import (
	"context"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

// maxFrame caps how much output one frame carries; reads arriving while a
// frame waits to be sent are appended to it up to this size (coalescing).
const maxFrame = 64 << 10

// DefaultSpool is the default bound on output kept for the hub until it
// acknowledges it.
const DefaultSpool = 16 << 20

// spool holds sequenced events until the hub acknowledges them as durable.
// The PTY read loop adds to it without ever blocking on the network; a
// sender takes from it. When it is over its bound, the oldest events are
// dropped and replaced by one pty.dropped notice.
type spool struct {
	mu      sync.Mutex
	max     int
	events  []wire.Envelope // unacknowledged, in seq order
	bytes   int             // sum of len(Data) in events
	seq     uint64          // last seq assigned
	sendIdx int             // events[sendIdx:] are not yet sent on this connection
	dropped int64           // total bytes dropped, for the exit message
	wake    chan struct{}   // cap 1: something was added or acked
}

func newSpool(max int) *spool {
	if max < maxFrame {
		max = maxFrame
	}
	return &spool{max: max, wake: make(chan struct{}, 1)}
}

func (s *spool) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// addOutput appends PTY output, merging it into the last frame while that
// frame is unsent and small.
func (s *spool) addOutput(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.events); n > s.sendIdx {
		last := &s.events[n-1]
		if last.Type == wire.TypePtyOutput && len(last.Data)+len(p) <= maxFrame {
			last.Data = append(last.Data, p...)
			s.bytes += len(p)
			s.trim()
			s.signal()
			return
		}
	}
	for len(p) > 0 {
		n := min(len(p), maxFrame)
		data := make([]byte, n, max(n, 4<<10))
		copy(data, p[:n])
		s.push(wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, TS: time.Now().UTC(), Data: data})
		p = p[n:]
	}
	s.trim()
	s.signal()
}

// add appends a small sequenced event (resize, end).
func (s *spool) add(e wire.Envelope) {
	s.mu.Lock()
	s.push(e)
	s.mu.Unlock()
	s.signal()
}

func (s *spool) push(e wire.Envelope) {
	s.seq++
	e.Seq = s.seq
	s.events = append(s.events, e)
	s.bytes += len(e.Data)
}

// trim drops the oldest events while over the bound. Lost bytes are those
// never sent on the current connection; sent ones reached the hub.
func (s *spool) trim() {
	if s.bytes <= s.max {
		return
	}
	var lost, fresh int64 // fresh: lost bytes not already in an absorbed notice
	var frames int
	k := 0
	for k < len(s.events)-1 && s.bytes > s.max {
		e := s.events[k]
		s.bytes -= len(e.Data)
		if e.Type == wire.TypePtyDropped && k >= s.sendIdx {
			var d wire.Dropped
			if e.Decode(&d) == nil {
				lost += d.Bytes
				frames += d.Frames
			}
		} else if e.Type != wire.TypePtyDropped && k >= s.sendIdx {
			lost += int64(len(e.Data))
			fresh += int64(len(e.Data))
			frames++
		}
		k++
	}
	if k == 0 {
		return
	}
	lastSeq := s.events[k-1].Seq
	unsentDropped := k > s.sendIdx
	s.events = s.events[k:]
	s.sendIdx = max(0, s.sendIdx-k)
	if lost > 0 && unsentDropped {
		// The notice reuses the last dropped seq, so the sequence stays dense.
		n, _ := wire.New(wire.TypePtyDropped, wire.Dropped{Bytes: lost, Frames: frames})
		n.Seq = lastSeq
		s.events = append([]wire.Envelope{n}, s.events...)
	}
	s.dropped += fresh
}

// next blocks until an unsent event exists (or ctx ends) and returns it.
func (s *spool) next(ctx context.Context) (wire.Envelope, bool) {
	for {
		s.mu.Lock()
		if s.sendIdx < len(s.events) {
			e := s.events[s.sendIdx]
			s.sendIdx++
			s.mu.Unlock()
			return e, true
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return wire.Envelope{}, false
		case <-s.wake:
		}
	}
}

// ack forgets events up to seq.
func (s *spool) ack(seq uint64) {
	s.mu.Lock()
	k := 0
	for k < len(s.events) && s.events[k].Seq <= seq {
		s.bytes -= len(s.events[k].Data)
		k++
	}
	s.events = s.events[k:]
	s.sendIdx = max(0, s.sendIdx-k)
	s.mu.Unlock()
	s.signal()
}

// rewind starts a new connection: the hub holds everything up to seq.
func (s *spool) rewind(seq uint64) {
	s.ack(seq)
	s.mu.Lock()
	s.sendIdx = 0
	s.mu.Unlock()
}

// pending reports unacknowledged events and bytes.
func (s *spool) pending() (events, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events), s.bytes
}

// droppedBytes reports the total output dropped by overflow.
func (s *spool) droppedBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}
