package ptywrap

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// testSpool returns a spool bounded at max bytes, below newSpool's floor so
// overflow is cheap to reach.
func testSpool(max int) *spool {
	return &spool{max: max, wake: make(chan struct{}, 1)}
}

// take returns the next unsent event without waiting.
func take(s *spool) (wire.Envelope, bool) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return s.next(ctx)
}

// takeAll sends everything unsent.
func takeAll(s *spool) []wire.Envelope {
	var out []wire.Envelope
	for {
		e, ok := take(s)
		if !ok {
			return out
		}
		out = append(out, e)
	}
}

func dropped(t *testing.T, e wire.Envelope) wire.Dropped {
	t.Helper()
	var d wire.Dropped
	if e.Type != wire.TypePtyDropped {
		t.Fatalf("event %d is %s, want %s", e.Seq, e.Type, wire.TypePtyDropped)
	}
	if err := e.Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkSpool checks the spool's own bookkeeping.
func checkSpool(t testing.TB, s *spool) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := 0
	for i, e := range s.events {
		sum += len(e.Data)
		if len(e.Data) > maxFrame {
			t.Fatalf("event %d carries %d bytes, over maxFrame %d", e.Seq, len(e.Data), maxFrame)
		}
		if i > 0 && e.Seq <= s.events[i-1].Seq {
			t.Fatalf("seqs not strictly increasing: %d after %d", e.Seq, s.events[i-1].Seq)
		}
		if e.Seq > s.seq {
			t.Fatalf("event seq %d above the last assigned %d", e.Seq, s.seq)
		}
	}
	if sum != s.bytes {
		t.Fatalf("spool counts %d bytes, events hold %d", s.bytes, sum)
	}
	if s.sendIdx < 0 || s.sendIdx > len(s.events) {
		t.Fatalf("sendIdx %d outside 0..%d", s.sendIdx, len(s.events))
	}
}

func TestSpoolCoalesces(t *testing.T) {
	s := newSpool(DefaultSpool)
	var want []byte
	for i := range 1000 {
		p := []byte{byte(i), byte(i >> 8), 'x'}
		s.addOutput(p)
		want = append(want, p...)
	}
	evs := takeAll(s)
	if len(evs) != 1 || !bytes.Equal(evs[0].Data, want) || evs[0].Seq != 1 {
		t.Fatalf("1000 small writes while nothing was sent gave %d frames", len(evs))
	}
	// Output after the frame was sent starts a new frame; the sent one is not changed.
	s.addOutput([]byte("late"))
	if !bytes.Equal(evs[0].Data, want) {
		t.Fatal("a sent frame changed")
	}
	evs = takeAll(s)
	if len(evs) != 1 || string(evs[0].Data) != "late" || evs[0].Seq != 2 {
		t.Fatalf("after sending: %+v", evs)
	}
	checkSpool(t, s)
}

func TestSpoolFramesNeverExceedMaxFrame(t *testing.T) {
	s := newSpool(DefaultSpool)
	var want []byte
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		p := make([]byte, rnd.IntN(3*maxFrame/2))
		for i := range p {
			p[i] = byte(rnd.Uint32())
		}
		s.addOutput(p)
		want = append(want, p...)
		checkSpool(t, s)
	}
	var got []byte
	for _, e := range takeAll(s) {
		if len(e.Data) > maxFrame || len(e.Data) == 0 {
			t.Fatalf("frame %d has %d bytes", e.Seq, len(e.Data))
		}
		got = append(got, e.Data...)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("frames do not add up to the output")
	}
	// One huge read is split into maxFrame pieces.
	s.addOutput(make([]byte, 5*maxFrame+1))
	evs := takeAll(s)
	if len(evs) != 6 || len(evs[5].Data) != 1 {
		t.Fatalf("5*maxFrame+1 bytes gave %d frames", len(evs))
	}
}

func TestSpoolNextAckRewind(t *testing.T) {
	s := newSpool(DefaultSpool)
	s.addOutput([]byte("a"))
	e1, _ := take(s)
	s.addOutput([]byte("b"))
	e2, _ := take(s)
	resize, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: 100, Rows: 40})
	s.add(resize)
	e3, _ := take(s)
	s.addOutput([]byte("c"))
	e4, _ := take(s)
	if e1.Seq != 1 || e2.Seq != 2 || e3.Seq != 3 || e4.Seq != 4 || e3.Type != wire.TypePtyResize {
		t.Fatalf("seqs %d %d %d %d", e1.Seq, e2.Seq, e3.Seq, e4.Seq)
	}
	if _, ok := take(s); ok {
		t.Fatal("next returned an event with nothing unsent")
	}
	if n, b := s.pending(); n != 4 || b != 3 {
		t.Fatalf("pending %d events %d bytes, want 4 and 3", n, b)
	}
	s.ack(2)
	if n, b := s.pending(); n != 2 || b != 1 {
		t.Fatalf("after ack 2: pending %d events %d bytes, want 2 and 1", n, b)
	}
	if _, ok := take(s); ok {
		t.Fatal("ack made sent events unsent")
	}
	// A new connection whose hub holds up to 3 resends from 4.
	s.rewind(3)
	evs := takeAll(s)
	if len(evs) != 1 || evs[0].Seq != 4 || string(evs[0].Data) != "c" {
		t.Fatalf("after rewind(3): %+v", evs)
	}
	// A hub that holds less (it lost its queue) gets everything unacked again.
	s.addOutput([]byte("d"))
	s.rewind(0)
	evs = takeAll(s)
	if len(evs) != 2 || evs[0].Seq != 4 || evs[1].Seq != 5 {
		t.Fatalf("after rewind(0): %+v", evs)
	}
	s.ack(5)
	if n, b := s.pending(); n != 0 || b != 0 {
		t.Fatalf("all acked, pending %d %d", n, b)
	}
	checkSpool(t, s)
}

// TestSpoolNoGrowthAfterResend: a frame sent on an earlier connection may be
// in the hub's queue though not yet acked; after a reconnect it must be
// resent unchanged, never grown, or the hub drops it as a duplicate and the
// growth is lost.
func TestSpoolNoGrowthAfterResend(t *testing.T) {
	s := newSpool(DefaultSpool)
	s.addOutput([]byte("first"))
	e, _ := take(s) // the hub received seq 1 but has not stored it yet
	s.rewind(0)     // new connection: the hub's durable log is empty
	s.addOutput([]byte("second"))
	evs := takeAll(s)
	if len(evs) != 2 || evs[0].Seq != e.Seq || string(evs[0].Data) != "first" || string(evs[1].Data) != "second" || evs[1].Seq != 2 {
		t.Fatalf("resent %+v", evs)
	}
}

func TestSpoolOverflow(t *testing.T) {
	s := testSpool(100)
	s.addOutput(bytes.Repeat([]byte("a"), 30)) // seq 1, sent
	take(s)
	// Six never-sent frames of 30 bytes (pushed directly: addOutput would
	// coalesce them into one).
	s.mu.Lock()
	for i := range 6 {
		s.push(wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, Data: bytes.Repeat([]byte{byte('b' + i)}, 30)})
	}
	s.mu.Unlock()
	s.addOutput(bytes.Repeat([]byte("z"), 30)) // grows seq 7 to 60 bytes and trims
	checkSpool(t, s)
	s.mu.Lock()
	evs := append([]wire.Envelope(nil), s.events...)
	total := s.bytes
	s.mu.Unlock()
	if total > 100+30 {
		// Only the sent seq 1 (30 bytes) may keep the spool over its bound.
		t.Fatalf("spool holds %d bytes; bound 100 plus 30 sent", total)
	}
	// seq 1 was sent: it stays (the hub may hold it). Then one notice for the
	// never-sent events dropped, then what is kept.
	if evs[0].Seq != 1 || evs[0].Type != wire.TypePtyOutput {
		t.Fatalf("first event %d %s, want the sent seq 1", evs[0].Seq, evs[0].Type)
	}
	d := dropped(t, evs[1])
	var lostBytes int64
	var lostFrames int
	for _, e := range evs[2:] {
		if e.Type == wire.TypePtyDropped {
			t.Fatalf("a second notice at seq %d", e.Seq)
		}
	}
	// Seqs 2..(first kept - 1) were dropped; each carried 30 bytes.
	firstKept := evs[2].Seq
	lostFrames = int(firstKept - 2)
	lostBytes = int64(30 * lostFrames)
	if evs[1].Seq != firstKept-1 {
		t.Fatalf("notice seq %d, want the last dropped seq %d", evs[1].Seq, firstKept-1)
	}
	if d.Bytes != lostBytes || d.Frames != lostFrames {
		t.Fatalf("notice says %d bytes in %d frames, want %d in %d", d.Bytes, d.Frames, lostBytes, lostFrames)
	}
	if s.droppedBytes() != lostBytes {
		t.Fatalf("droppedBytes %d, want %d", s.droppedBytes(), lostBytes)
	}
	// The last event (the one just grown) is always kept.
	if last := evs[len(evs)-1]; !bytes.HasSuffix(last.Data, bytes.Repeat([]byte("z"), 30)) {
		t.Fatalf("the newest output was dropped: %q", last.Data)
	}
	// Everything unsent goes out in order: seq 1 is already sent on this connection.
	sent := takeAll(s)
	if sent[0].Type != wire.TypePtyDropped || sent[0].Seq != firstKept-1 {
		t.Fatalf("first sent after overflow: %s %d", sent[0].Type, sent[0].Seq)
	}
}

func TestSpoolRepeatedOverflowCountsExactly(t *testing.T) {
	s := testSpool(50)
	var added int64
	var hubOutput, hubDropped int64
	var lastSeq uint64
	for round := range 20 {
		// Unsent output piles up while the hub is away...
		for i := range 10 {
			p := bytes.Repeat([]byte{byte('a' + i)}, 7+round)
			s.mu.Lock()
			s.push(wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, Data: p})
			s.trim()
			s.mu.Unlock()
			added += int64(len(p))
		}
		checkSpool(t, s)
		// ... and every other round the hub comes back and takes it all.
		if round%2 == 1 {
			for _, e := range takeAll(s) {
				if e.Seq <= lastSeq {
					t.Fatalf("seq %d sent after %d", e.Seq, lastSeq)
				}
				lastSeq = e.Seq
				if e.Type == wire.TypePtyDropped {
					hubDropped += dropped(t, e).Bytes
				} else {
					hubOutput += int64(len(e.Data))
				}
				s.ack(e.Seq)
			}
		}
	}
	if hubOutput+hubDropped != added {
		t.Fatalf("hub got %d bytes and %d dropped, %d were added", hubOutput, hubDropped, added)
	}
	if s.droppedBytes() != hubDropped {
		t.Fatalf("droppedBytes %d, notices said %d", s.droppedBytes(), hubDropped)
	}
	if hubDropped == 0 {
		t.Fatal("the test never overflowed")
	}
}

// hubModel is a hub as the spool sees it: it takes events in order, drops
// every seq it has received already, and stores later.
type hubModel struct {
	recv, durable uint64
	output        []byte
	dropped       int64
}

func (h *hubModel) receive(t testing.TB, e wire.Envelope) {
	if e.Seq <= h.recv {
		return // a resend: the real hub drops it in the same way
	}
	h.recv = e.Seq
	switch e.Type {
	case wire.TypePtyOutput:
		h.output = append(h.output, e.Data...)
	case wire.TypePtyDropped:
		var d wire.Dropped
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		h.dropped += d.Bytes
	}
}

// isSubsequence reports whether sub can be made by deleting bytes of all.
func isSubsequence(sub, all []byte) bool {
	i := 0
	for _, b := range all {
		if i < len(sub) && sub[i] == b {
			i++
		}
	}
	return i == len(sub)
}

// runSpoolOps plays ops (a byte program) against a spool and a hub model and
// checks the invariants after every step and at the end.
func runSpoolOps(t testing.TB, max uint16, ops []byte) {
	s := testSpool(int(max%2000) + 1)
	h := &hubModel{}
	var added []byte
	connected := true // false: what is sent is lost in flight until a reconnect
	var sentThisConn uint64
	rnd := rand.New(rand.NewPCG(uint64(max), uint64(len(ops))))
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		arg := 0
		if i+1 < len(ops) {
			arg = int(ops[i+1])
		}
		switch op % 8 {
		case 0, 1, 2: // output of 1..256 bytes, random content
			p := make([]byte, arg+1)
			for j := range p {
				p[j] = byte(rnd.Uint32())
			}
			s.addOutput(p)
			added = append(added, p...)
			i++
		case 3: // send one event
			e, ok := take(s)
			if !ok {
				break
			}
			if e.Seq <= sentThisConn {
				t.Fatalf("seq %d sent after %d on one connection", e.Seq, sentThisConn)
			}
			sentThisConn = e.Seq
			if len(e.Data) > maxFrame {
				t.Fatalf("frame of %d bytes", len(e.Data))
			}
			if connected {
				h.receive(t, e)
			}
		case 4: // the hub makes what it received durable and acks it
			if connected {
				h.durable = h.recv
				s.ack(h.durable)
			}
		case 5: // the connection breaks
			connected = false
		case 6: // reconnect: the hub answers with its durable seq
			connected, sentThisConn = true, 0
			s.rewind(h.durable)
		case 7: // a resize (a sequenced event without data)
			r, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: 80, Rows: 24})
			s.add(r)
		}
		checkSpool(t, s)
	}
	// The hub comes back for good and takes everything.
	h.durable = h.recv
	s.rewind(h.durable)
	for {
		e, ok := take(s)
		if !ok {
			break
		}
		h.receive(t, e)
	}
	h.durable = h.recv
	s.ack(h.durable)
	if n, b := s.pending(); n != 0 || b != 0 {
		t.Fatalf("after a full drain and ack the spool holds %d events, %d bytes", n, b)
	}
	if int64(len(h.output))+h.dropped != int64(len(added)) {
		t.Fatalf("hub has %d bytes and notices of %d dropped; %d bytes were added", len(h.output), h.dropped, len(added))
	}
	if s.droppedBytes() != h.dropped {
		t.Fatalf("spool says %d bytes dropped, notices said %d", s.droppedBytes(), h.dropped)
	}
	if !isSubsequence(h.output, added) {
		t.Fatal("the hub's output is not the added output in order with pieces left out")
	}
}

func TestSpoolRandomOps(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for range 300 {
		ops := make([]byte, rnd.IntN(400))
		for i := range ops {
			ops[i] = byte(rnd.Uint32())
		}
		runSpoolOps(t, uint16(rnd.Uint32()), ops)
	}
}

func FuzzSpool(f *testing.F) {
	f.Add(uint16(100), []byte{0, 10, 3, 0, 20, 0, 30, 5, 0, 200, 6, 3, 3, 4})
	f.Add(uint16(50), []byte{0, 60, 3, 6, 0, 5, 0, 90, 0, 90, 3, 3, 4})
	f.Add(uint16(1000), binary.AppendUvarint([]byte{1, 255, 2, 255, 7, 3, 5, 3, 6, 3, 4}, 12345))
	f.Fuzz(func(t *testing.T, max uint16, ops []byte) {
		if len(ops) > 4000 {
			return
		}
		runSpoolOps(t, max, ops)
	})
}

// TestSpoolFloodFramesAllocatedOnce: in a flood each 64 KiB frame is one
// allocation, not grown from 4 KiB through four copies (issue 17.3), while
// a lone small chunk still gets a small frame.
func TestSpoolFloodFramesAllocatedOnce(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 4<<10) // what one PTY read gives
	allocs := testing.AllocsPerRun(3, func() {
		s := testSpool(64 << 20)
		for range (1 << 20) / len(chunk) {
			s.addOutput(chunk)
		}
	})
	// 1 MiB is 16 frames; the first frame still grows from 4 KiB and the
	// events slice grows a few times too: 31 in all. Growing every frame
	// from 4 KiB was 135.
	if allocs > 40 {
		t.Fatalf("%.0f allocations per MiB of flood; want about one per 64 KiB frame", allocs)
	}
	s := testSpool(64 << 20)
	s.addOutput([]byte("$ "))
	if c := cap(s.events[0].Data); c > 4<<10 {
		t.Fatalf("a 2-byte prompt holds a %d-byte frame", c)
	}
}
