package hub

import (
	"fmt"
	"strings"
	"time"

	"github.com/ct-dev/ct/wire"
)

// MaxInput bounds one input request, so a page or script cannot push
// megabytes into a program's PTY in one go.
const MaxInput = 64 << 10

// inputWait is how long input waits for room in a wrap's queue (inputQueue)
// before it is refused: a paste of many small inputs can fill the queue
// faster than the send loop is scheduled on a busy box, and that must not
// refuse it; a wrap that drains nothing for this long is not keeping up.
const inputWait = time.Second

// keyBytes maps the names of keys a phone lacks to what a terminal sends.
var keyBytes = map[string]string{
	"Enter": "\r", "Esc": "\x1b", "Tab": "\t", "Backspace": "\x7f", "Space": " ",
	"Ctrl-C": "\x03", "Ctrl-D": "\x04", "Ctrl-Z": "\x1a", "Ctrl-L": "\x0c", "Ctrl-R": "\x12",
	"Up": "\x1b[A", "Down": "\x1b[B", "Right": "\x1b[C", "Left": "\x1b[D",
	"Home": "\x1b[H", "End": "\x1b[F", "PageUp": "\x1b[5~", "PageDown": "\x1b[6~",
	"Shift-Tab": "\x1b[Z",
}

// KeyNames lists the key names Keys accepts, for error messages.
func KeyNames() []string {
	return []string{"Enter", "Esc", "Tab", "Backspace", "Space", "Ctrl-C", "Ctrl-D", "Ctrl-Z", "Ctrl-L", "Ctrl-R", "Up", "Down", "Left", "Right", "Home", "End", "PageUp", "PageDown", "Shift-Tab", "0-9", "a-z"}
}

// Keys turns key names into the bytes a terminal would send. Single
// characters (digits, letters) stand for themselves.
func Keys(names []string) ([]byte, error) {
	var b strings.Builder
	for _, k := range names {
		if v, ok := keyBytes[k]; ok {
			b.WriteString(v)
			continue
		}
		if len(k) == 1 && k[0] >= 0x20 && k[0] < 0x7f {
			b.WriteString(k)
			continue
		}
		return nil, fmt.Errorf("unknown key %q; known keys: %s", k, strings.Join(KeyNames(), ", "))
	}
	return []byte(b.String()), nil
}

// Input sends bytes to a live session's program.
func (h *Hub) Input(id string, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if len(data) > MaxInput {
		return fmt.Errorf("input is %d bytes; the limit is %d", len(data), MaxInput)
	}
	s, c, err := h.connOf(id)
	if err != nil {
		return err
	}
	e, _ := wire.New(wire.TypePtyInput, nil)
	e.SessionID, e.Data = id, data
	s.typedInput() // before it is sent: the echo may come back at once
	return c.sendInput(e)
}

// Resize asks a live session's program to take a new window size.
func (h *Hub) Resize(id string, cols, rows int) error {
	if err := checkSize(cols, rows); err != nil {
		return err
	}
	_, c, err := h.connOf(id)
	if err != nil {
		return err
	}
	e, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: cols, Rows: rows})
	e.SessionID = id
	return c.send(e)
}

// checkSize refuses a terminal size no PTY should take.
func checkSize(cols, rows int) error {
	if cols < 2 || cols > 1000 || rows < 2 || rows > 500 {
		return fmt.Errorf("size %dx%d out of range (2-1000 columns, 2-500 rows)", cols, rows)
	}
	return nil
}
