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
// sender takes from it. When it is over its bound, the oldest events never
// sent are dropped and replaced by one pty.dropped notice. Events once sent
// stay until acknowledged, even across reconnects: a hub may hold them, so
// they can be neither counted as lost nor changed.
type spool struct {
	mu      sync.Mutex
	max     int
	events  []wire.Envelope // unacknowledged, in seq order
	bytes   int             // sum of len(Data) in events
	seq     uint64          // last seq assigned
	sendIdx int             // events[sendIdx:] are not yet sent on this connection
	sentMax uint64          // highest seq ever sent, on any connection
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
// frame was never sent and is small. (A frame sent on an earlier connection
// may be in the hub's queue: grown and resent, the hub would drop it as a
// duplicate, losing the added bytes.)
func (s *spool) addOutput(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.events); n > 0 && s.events[n-1].Seq > s.sentMax {
		last := &s.events[n-1]
		if last.Type == wire.TypePtyOutput && len(last.Data)+len(p) <= maxFrame {
			last.Data = append(last.Data, p...)
			s.bytes += len(p)
			s.trim()
			s.signal()
			return
		}
	}
	// A frame starts small (an echo, a prompt: many such may wait for acks)
	// unless the last one filled up: then it is a flood, whose frames fill
	// too, and one allocation of maxFrame saves growing it from 4 KiB through
	// four copies (issue 17.3: the wrap's CPU per byte).
	start := 4 << 10
	if n := len(s.events); n > 0 && len(s.events[n-1].Data) >= maxFrame-len(p) {
		start = maxFrame
	}
	for len(p) > 0 {
		n := min(len(p), maxFrame)
		data := make([]byte, n, max(n, start))
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

// trim drops the oldest never-sent events while over the bound, keeping the
// newest. Sent but unacknowledged events are kept: whether the hub stored
// them is unknown until it acks, so dropping them would make the count of
// lost bytes wrong. They are at most what was in flight, the only excess
// over the bound. Every dropped byte never reached any hub, so the notice
// that replaces them counts exactly.
func (s *spool) trim() {
	if s.bytes <= s.max {
		return
	}
	j := 0 // events[j:] were never sent (seqs ascend)
	for j < len(s.events) && s.events[j].Seq <= s.sentMax {
		j++
	}
	var lost, fresh int64 // fresh: lost bytes not already in an absorbed notice
	var frames int
	k := j
	for k < len(s.events)-1 && s.bytes > s.max {
		e := s.events[k]
		s.bytes -= len(e.Data)
		if e.Type == wire.TypePtyDropped {
			var d wire.Dropped
			if e.Decode(&d) == nil {
				lost += d.Bytes
				frames += d.Frames
			}
		} else {
			lost += int64(len(e.Data))
			fresh += int64(len(e.Data))
			frames++
		}
		k++
	}
	if k == j {
		return
	}
	// The notice reuses the last dropped seq, so the sequence stays dense.
	n, _ := wire.New(wire.TypePtyDropped, wire.Dropped{Bytes: lost, Frames: frames})
	n.Seq = s.events[k-1].Seq
	s.events[j] = n
	s.events = append(s.events[:j+1], s.events[k:]...)
	s.dropped += fresh
}

// next blocks until an unsent event exists (or ctx ends) and returns it.
func (s *spool) next(ctx context.Context) (wire.Envelope, bool) {
	for {
		if e, ok := s.tryNext(); ok {
			return e, true
		}
		select {
		case <-ctx.Done():
			return wire.Envelope{}, false
		case <-s.wake:
		}
	}
}

// tryNext returns the next unsent event, if any, and marks it sent.
func (s *spool) tryNext() (wire.Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendIdx < len(s.events) {
		e := s.events[s.sendIdx]
		s.sendIdx++
		s.sentMax = max(s.sentMax, e.Seq)
		return e, true
	}
	return wire.Envelope{}, false
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
