package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// wsTransport adapts a WebSocket to hub.Transport: one binary message per
// envelope.
type wsTransport struct{ c *websocket.Conn }

func (t wsTransport) Read(ctx context.Context) (wire.Envelope, error) {
	typ, b, err := t.c.Read(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	if typ != websocket.MessageBinary {
		return wire.Envelope{}, errors.New("text message on the wrap socket; ct wrap sends binary frames")
	}
	return wire.Unmarshal(b)
}

func (t wsTransport) Write(ctx context.Context, e wire.Envelope) error {
	b, err := wire.Marshal(e)
	if err != nil {
		return err
	}
	return t.c.Write(ctx, websocket.MessageBinary, b)
}

func (t wsTransport) closeGoingAway() { _ = t.c.Close(websocket.StatusGoingAway, "hub shutting down") }

// handleWrapSocket is ct wrap's one outbound connection to the hub.
func (s *Server) handleWrapSocket(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil) // nil options: same-origin check on for browsers
	if err != nil {
		return // Accept has answered the request
	}
	c.SetReadLimit(wire.MaxFrame)
	t := wsTransport{c}
	if !s.streams.addWrap(t) {
		_ = c.Close(websocket.StatusGoingAway, "hub shutting down")
		return
	}
	defer s.streams.removeWrap(t)
	err = s.hub.ServeWrap(r.Context(), t)
	status := websocket.CloseStatus(err)
	switch {
	case status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway || errors.Is(err, context.Canceled):
		_ = c.Close(websocket.StatusNormalClosure, "")
	case status != -1:
		// The peer closed; nothing to send back.
	default:
		s.log.Warn("wrap connection ended", "error", err, "remote", r.RemoteAddr)
		reason := err.Error()
		if len(reason) > 120 {
			reason = reason[:120]
		}
		_ = c.Close(websocket.StatusPolicyViolation, reason)
	}
}

func (st *streams) addWrap(c closer) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	select {
	case <-st.done:
		return false
	default:
	}
	st.wraps[c] = struct{}{}
	st.wrapWG.Add(1)
	return true
}

func (st *streams) removeWrap(c closer) {
	st.mu.Lock()
	delete(st.wraps, c)
	st.mu.Unlock()
	st.wrapWG.Done()
}

// closeWraps closes every wrap socket and waits for their handlers to end,
// so the hub can flush to the store knowing no more events arrive.
func (st *streams) closeWraps() {
	st.mu.Lock()
	select {
	case <-st.done:
	default:
		close(st.done)
	}
	for c := range st.wraps {
		c.closeGoingAway()
	}
	st.mu.Unlock()
	st.wrapWG.Wait()
}
