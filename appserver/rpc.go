// Package appserver runs Codex through its machine protocol, `codex
// app-server` (newline-delimited JSON-RPC on stdio, no "jsonrpc" field),
// for sessions ct node starts: no screen parsing. Run is `ct appserver`,
// the program ct node runs under the session's PTY: it starts `codex
// app-server`, turns each line typed on the PTY (the session page's input
// or an attached terminal) into turn/start, renders the conversation as
// plain text on the PTY, asks the session's hook socket (claudehook's
// Bridge in ct node, the same one `ct hook` asks) for every approval the
// server requests, and writes the server's items as wire.TranscriptEntry
// lines to a file the Bridge tails (Entries parses them). Prepare is the
// node's side: the Bridge, the runtime dir and the arguments.
package appserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ct-dev/ct/claudehook"
)

// maxMessage bounds one line from the server; a command's whole output
// rides in one item/completed, so it is generous.
const maxMessage = 16 << 20

// message is one JSON-RPC message as codex app-server writes it: a request
// (ID and Method), a notification (Method only) or a response (ID only).
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string {
	return fmt.Sprintf("codex app-server: %s (code %d)", e.Message, e.Code)
}

// conn is one client connection to the server's stdio.
type conn struct {
	// wmu serialises writes: the event loop and approval goroutines both
	// write, and one message must be one line.
	wmu sync.Mutex
	w   io.Writer

	// mu guards the calls waiting for their response.
	mu      sync.Mutex
	next    int64
	pending map[int64]chan message
	closed  bool
}

func newConn(w io.Writer) *conn { return &conn{w: w, pending: map[int64]chan message{}} }

func (c *conn) write(m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err = c.w.Write(append(b, '\n'))
	return err
}

// call sends a request and waits for its response (the read loop must be
// running); out may be nil.
func (c *conn) call(method string, params, out any) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.New("codex app-server has exited")
	}
	c.next++
	id := c.next
	ch := make(chan message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.write(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return err
	}
	m, ok := <-ch
	if !ok {
		return errors.New("codex app-server exited before answering " + method)
	}
	if m.Error != nil {
		return m.Error
	}
	if out != nil {
		return json.Unmarshal(m.Result, out)
	}
	return nil
}

func (c *conn) notify(method string, params any) error {
	m := map[string]any{"method": method}
	if params != nil {
		m["params"] = params
	}
	return c.write(m)
}

// reply answers a server request.
func (c *conn) reply(id json.RawMessage, result any) error {
	return c.write(map[string]any{"id": id, "result": result})
}

// refuse answers a server request ct does not serve, so the server goes on.
func (c *conn) refuse(id json.RawMessage, method string) error {
	return c.write(map[string]any{"id": id, "error": rpcError{Code: -32601, Message: "ct does not answer " + method}})
}

// readLoop reads the server's messages until r ends: responses complete
// their calls, everything else goes to in. It closes in at the end.
func (c *conn) readLoop(r io.Reader, in chan<- message) error {
	defer close(in)
	defer c.closeCalls()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := claudehook.ReadLine(br, maxMessage)
		if err != nil {
			return err
		}
		var m message
		if json.Unmarshal(line, &m) != nil {
			continue // not a protocol line
		}
		if m.Method == "" {
			var id int64
			if json.Unmarshal(m.ID, &id) == nil {
				c.mu.Lock()
				ch := c.pending[id]
				delete(c.pending, id)
				c.mu.Unlock()
				if ch != nil {
					ch <- m
				}
			}
			continue
		}
		in <- m
	}
}

func (c *conn) closeCalls() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}
