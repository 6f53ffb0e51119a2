package claudehook

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"time"
)

// MaxPayload bounds a hook's stdin; larger payloads are not forwarded.
const MaxPayload = 1 << 20

// waits reports whether event's hook waits for its wrap's answer: Claude
// Code's PermissionRequest, Gemini CLI's BeforeTool (geminihook).
func waits(event string) bool { return event == "PermissionRequest" || event == "BeforeTool" }

// request is what `ct hook` sends its wrap: one JSON line.
type request struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// RunHook is `ct hook EVENT`, run by Claude Code. It never hangs Claude Code
// and never fails it: with no wrap, an unreadable payload or any error it
// returns at once with no output, which Claude Code reads as "no decision".
// For PermissionRequest it waits for its wrap's answer, which arrives when a
// person decides on the hub, or ends empty when the question is settled at
// the terminal, the hub goes away, or the session answers only locally.
func RunHook(ctx context.Context, event string, stdin io.Reader, stdout io.Writer, getenv func(string) string) {
	sock := getenv("CT_HOOK_SOCK")
	if sock == "" || event == "" {
		return
	}
	payload, err := io.ReadAll(io.LimitReader(stdin, MaxPayload+1))
	if err != nil || len(payload) > MaxPayload || !json.Valid(payload) {
		return
	}
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return
	}
	defer conn.Close()
	go func() { <-ctx.Done(); conn.Close() }() // Claude Code may kill us; end cleanly
	line, _ := json.Marshal(request{Event: event, Payload: payload})
	_ = conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write(append(line, '\n')); err != nil || !waits(event) {
		return
	}
	answer, err := bufio.NewReaderSize(conn, 64<<10).ReadBytes('\n')
	if err != nil || !json.Valid(answer) {
		return
	}
	_, _ = stdout.Write(answer)
}
