// Package wire owns ct's one envelope: the shape of everything that crosses the
// WebSocket between a workstation (ct wrap, later ct node) and the hub, and of
// every durable event in a session's log. Both ends import it; nothing else
// encodes frames. It must not import any other ct package.
package wire

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Version is the envelope version this build speaks.
const Version = 1

// Event types: dotted nouns.verbs.
const (
	TypeNodeHello    = "node.hello"    // wrap → hub: who is connecting
	TypeSessionStart = "session.start" // wrap → hub: a session's metadata (idempotent)
	TypeSessionAck   = "session.ack"   // hub → wrap: highest durable seq, sent after start
	TypeAck          = "ack"           // hub → wrap: events up to Seq are durable
	TypeSessionEnd   = "session.end"   // wrap → hub (sequenced): the program exited
	TypePtyOutput    = "pty.output"    // wrap → hub (sequenced): output bytes in Data
	TypePtyDropped   = "pty.dropped"   // wrap → hub (sequenced): the spool overflowed
	TypePtyResize    = "pty.resize"    // both ways; sequenced when it comes from the wrap
	TypePtyInput     = "pty.input"     // hub → wrap: bytes in Data to write to the PTY
	TypeError        = "error"         // hub → wrap: a refusal the wrap should print

	// Approvals (not sequenced: a prompt lives only as long as the connection
	// that opened it; if it drops, Claude Code's own dialog is still there).
	TypePromptOpen      = "prompt.open"       // wrap → hub: an agent asks permission
	TypePromptDecide    = "prompt.decide"     // hub → wrap: a person's answer
	TypePromptResult    = "prompt.result"     // wrap → hub: whether that answer won
	TypePromptClosed    = "prompt.closed"     // wrap → hub: settled elsewhere (the terminal)
	TypePromptSync      = "prompt.sync"       // wrap → hub: the questions still open, after each connect
	TypeHookEvent       = "hook.event"        // wrap → hub: any other agent hook, for the record
	TypeSessionSettings = "session.settings"  // hub → wrap: per-session switches
	TypeSessionTail     = "session.tail"      // ct flush → hub: the program ended; this much output is still to come
	TypeSessionAgent    = "session.agent"     // hub → wrap: the session's agent credential, once
	TypeTerminalActive  = "presence.terminal" // wrap → hub: someone typed at the workstation
	TypeSessionStop     = "session.stop"      // hub → wrap: end the program (SIGTERM, SIGKILL after the grace)
)

// Limits that keep a hostile or broken peer from making either end allocate without bound.
const (
	MaxHeader = 1 << 20 // bytes of JSON header in one frame (a Write tool prompt carries a whole file)
	MaxData   = 1 << 20 // bytes of raw data in one frame
	MaxFrame  = 2 + binary.MaxVarintLen64 + MaxHeader + MaxData
)

// Envelope is the one message shape: {v, type, session_id?, node_id?, seq?, from, ts, payload}.
// Data carries raw bytes (PTY output or input) outside the JSON so a 100 MB
// stream is not base64-inflated.
type Envelope struct {
	V         int             `json:"v"`
	Type      string          `json:"type"`
	SessionID string          `json:"session_id,omitempty"`
	NodeID    string          `json:"node_id,omitempty"`
	Seq       uint64          `json:"seq,omitempty"`
	From      string          `json:"from,omitempty"`
	TS        time.Time       `json:"ts"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Data      []byte          `json:"-"`
}

// frameMagic starts every frame so a stray text message is rejected at once.
const frameMagic = 0xC7

// Marshal encodes e as one binary frame: magic, uvarint header length, JSON
// header, then Data verbatim.
func Marshal(e Envelope) ([]byte, error) { return AppendMarshal(nil, e) }

// AppendMarshal is Marshal appending the frame to dst (a buffer reused
// frame after frame: ct wrap sends a 64 KiB frame at a time in a flood).
func AppendMarshal(dst []byte, e Envelope) ([]byte, error) {
	if e.V == 0 {
		e.V = Version
	}
	if len(e.Data) > MaxData {
		return nil, fmt.Errorf("wire: data is %d bytes, limit %d", len(e.Data), MaxData)
	}
	hdr, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("wire: encode header: %w", err)
	}
	if len(hdr) > MaxHeader {
		return nil, fmt.Errorf("wire: header is %d bytes, limit %d", len(hdr), MaxHeader)
	}
	out := slices.Grow(dst, 1+binary.MaxVarintLen64+len(hdr)+len(e.Data))
	out = append(out, frameMagic)
	out = binary.AppendUvarint(out, uint64(len(hdr)))
	out = append(out, hdr...)
	return append(out, e.Data...), nil
}

// ErrFrame is returned (wrapped) for every malformed frame.
var ErrFrame = errors.New("wire: malformed frame")

// Unmarshal decodes one frame. Data aliases b; copy it if b is reused.
func Unmarshal(b []byte) (Envelope, error) {
	var e Envelope
	if len(b) == 0 || b[0] != frameMagic {
		return e, fmt.Errorf("%w: missing magic byte", ErrFrame)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 {
		return e, fmt.Errorf("%w: bad header length", ErrFrame)
	}
	if n > MaxHeader {
		return e, fmt.Errorf("%w: header length %d over limit %d", ErrFrame, n, MaxHeader)
	}
	rest := b[1+k:]
	if uint64(len(rest)) < n {
		return e, fmt.Errorf("%w: header truncated", ErrFrame)
	}
	if len(rest)-int(n) > MaxData {
		return e, fmt.Errorf("%w: data over limit %d", ErrFrame, MaxData)
	}
	if err := json.Unmarshal(rest[:n], &e); err != nil {
		return e, fmt.Errorf("%w: header: %v", ErrFrame, err)
	}
	if e.V != Version {
		return e, fmt.Errorf("%w: envelope version %d, this ct speaks %d (upgrade the older side)", ErrFrame, e.V, Version)
	}
	if e.Type == "" {
		return e, fmt.Errorf("%w: no type", ErrFrame)
	}
	if d := rest[n:]; len(d) > 0 {
		e.Data = d
	}
	return e, nil
}

// New builds an envelope of type t with payload p encoded as JSON (p may be nil).
func New(t string, p any) (Envelope, error) {
	e := Envelope{V: Version, Type: t, TS: time.Now().UTC()}
	if p != nil {
		b, err := json.Marshal(p)
		if err != nil {
			return e, fmt.Errorf("wire: encode %s payload: %w", t, err)
		}
		e.Payload = b
	}
	return e, nil
}

// Decode unmarshals e's payload into p with a clear error.
func (e Envelope) Decode(p any) error {
	if len(e.Payload) == 0 {
		return fmt.Errorf("wire: %s has no payload", e.Type)
	}
	if err := json.Unmarshal(e.Payload, p); err != nil {
		return fmt.Errorf("wire: %s payload: %w", e.Type, err)
	}
	return nil
}
