package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ct-dev/ct/wire"
	"github.com/ct-dev/ct/wsdial"
)

// simWrap is one simulated ct wrap (-sim): it speaks the wire protocol to
// the hub from this process — node.hello and session.start, then pty.output
// frames carrying the same timestamped lines the writer program prints, and
// session.end — with no PTY, no child process and no spool. A hundred of
// them cost one goroutine each, so the hub keeps the machine's cores and the
// figures measure the hub, not a hundred wrap processes (issue 17, goal 4).
type simWrap struct {
	done  chan struct{}
	acked atomic.Uint64
	err   error // set before done closes
}

// startSim dials the hub for session name and writes from start for
// cfg.duration at cfg.rate, in one frame per cfg.tick.
func startSim(ctx context.Context, cfg config, wsURL, token, name string, start time.Time) *simWrap {
	s := &simWrap{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.err = s.run(ctx, cfg, wsURL, token, name, start)
	}()
	return s
}

func (s *simWrap) run(ctx context.Context, cfg config, wsURL, token, name string, start time.Time) error {
	id, resume := randomID(), randomID()
	hello := wsdial.Hello(name, "ctload-sim")
	st := wire.SessionStart{Command: "ctload-sim", Cwd: "/", Cols: 80, Rows: 24, StartedAt: time.Now().UTC(), Agent: wire.AgentPlain, Resume: resume}
	he, _ := wire.New(wire.TypeNodeHello, hello)
	se, _ := wire.New(wire.TypeSessionStart, st)
	se.SessionID = id
	c, _, err := wsdial.Dial(ctx, wsURL, token, wsdial.Handshake{Send: []wire.Envelope{he, se}, Want: wire.TypeSessionAck, What: "session"})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer c.CloseNow()
	// Acks come back while output goes out, as in the wrap's streamer.
	go func() {
		for {
			e, err := c.Read(ctx)
			if err != nil {
				return
			}
			if e.Type == wire.TypeAck {
				s.acked.Store(e.Seq)
			}
		}
	}()
	time.Sleep(time.Until(start)) // the shared start, not synchronisation
	seq, err := s.write(ctx, c.Write, cfg, id)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	seq++
	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{EndedAt: time.Now().UTC()})
	end.SessionID, end.Seq = id, seq
	if err := c.Write(ctx, end); err != nil {
		return fmt.Errorf("%s: session.end: %w", name, err)
	}
	// Like ct wrap, leave only once the hub has the whole session durable.
	for deadline := time.Now().Add(cfg.settle); s.acked.Load() < seq; {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s: the hub acked %d of %d events within -settle", name, s.acked.Load(), seq)
		}
		time.Sleep(20 * time.Millisecond) // polling the ack the read loop stores
	}
	c.Close("session over")
	return nil
}

// startSimAlone is a simulated wrap with no hub (-sim with -hub): it makes
// and marshals the same frames as startSim and throws them away, so the run
// measures what generating the load costs on its own (issue 17, goal 4). A
// closed port would only refuse the dial, and nothing would be generated.
func startSimAlone(ctx context.Context, cfg config, start time.Time) *simWrap {
	s := &simWrap{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		time.Sleep(time.Until(start)) // the shared start, not synchronisation
		_, s.err = s.write(ctx, discard, cfg, randomID())
	}()
	return s
}

// discard marshals e as a wrap's connection would, and drops it.
func discard(_ context.Context, e wire.Envelope) error {
	_, err := wire.Marshal(e)
	return err
}

// write sends the session's lines, each "T<unixnanos> <n> <pad>\r\n" (as a
// PTY turns the writer's \n), topped up to the rate every tick, at most
// 64 KiB a frame as the wrap sends; it returns the last seq used.
func (s *simWrap) write(ctx context.Context, send func(context.Context, wire.Envelope) error, cfg config, id string) (uint64, error) {
	lines := totalLines(cfg.rate, cfg.duration, cfg.line)
	pad := make([]byte, cfg.line)
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	began := time.Now()
	var seq uint64
	buf := make([]byte, 0, 64<<10)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		seq++
		e := wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: seq, TS: time.Now().UTC(), Data: buf}
		err := send(ctx, e)
		buf = buf[:0]
		return err
	}
	for written := 0; written < lines; {
		due := min(lines, int(float64(lines)*float64(time.Since(began))/float64(cfg.duration))+1)
		for ; written < due; written++ {
			if len(buf)+cfg.line+1 > cap(buf) {
				if err := flush(); err != nil {
					return seq, err
				}
			}
			n := len(buf)
			buf = append(buf, 'T')
			buf = strconv.AppendInt(buf, time.Now().UnixNano(), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(written), 10)
			buf = append(buf, ' ')
			buf = append(buf, pad[:cfg.line-(len(buf)-n)-1]...)
			buf = append(buf, '\r', '\n')
		}
		if err := flush(); err != nil {
			return seq, err
		}
		time.Sleep(cfg.tick)
	}
	return seq, nil
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
