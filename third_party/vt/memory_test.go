package vt

import (
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

// TestScrollbackClearReleasesLines checks that Clear drops its references to
// the removed lines: the backing array is kept for reuse, but the lines (and
// their cells) must not stay reachable through it.
func TestScrollbackClearReleasesLines(t *testing.T) {
	sb := NewScrollback(100)
	line := make(uv.Line, 80)
	for i := range line {
		line[i] = uv.Cell{Content: "x", Width: 1}
	}
	for range 50 {
		sb.Push(line)
	}
	sb.Clear()
	if sb.Len() != 0 {
		t.Fatalf("Len after Clear = %d, want 0", sb.Len())
	}
	for i, l := range sb.lines[:cap(sb.lines)] {
		if l != nil {
			t.Fatalf("slot %d still holds a %d-cell line after Clear", i, len(l))
		}
	}
}

// TestLongStringSequenceIsCut checks what the data buffer's bound means: an
// OSC payload longer than it is cut to the buffer's size, the rest of the
// sequence is still consumed to its terminator (none of it reaches the
// screen), and output after it prints as usual.
func TestLongStringSequenceIsCut(t *testing.T) {
	const size = 64 << 10
	e := NewEmulator(20, 3)
	e.WriteString("\x1b]2;" + strings.Repeat("t", 3*size) + "\x07after")
	if got := len(e.title); got != size-len("2;") {
		t.Errorf("title is %d bytes, want the first %d", got, size-len("2;"))
	}
	if got := e.String(); !strings.HasPrefix(got, "after") {
		t.Errorf("screen = %q, want it to start with \"after\"", got)
	}
	// A title that fits is kept whole.
	title := strings.Repeat("w", size/2)
	e.WriteString("\x1b]2;" + title + "\x07")
	if e.title != title {
		t.Errorf("a %d-byte title was not kept whole (%d bytes)", len(title), len(e.title))
	}
}

// TestAltScreenKeepsNoScrollback checks that lines scrolled off the
// alternate screen are not kept: only the main screen's scrollback is
// reachable (Scrollback), so anything kept for the alternate one would be
// held until the emulator is dropped.
func TestAltScreenKeepsNoScrollback(t *testing.T) {
	e := NewEmulator(20, 3)
	e.WriteString("main\r\n\r\n\r\n\r\n")
	mainLines := e.ScrollbackLen()
	e.WriteString("\x1b[?1049h")
	for range 100 {
		e.WriteString("alt line\r\n")
	}
	e.WriteString("\x1b[2J")
	if sb := e.scrs[1].Scrollback(); sb != nil {
		t.Fatalf("the alternate screen keeps %d scrolled lines", sb.Len())
	}
	e.WriteString("\x1b[?1049l")
	if got := e.ScrollbackLen(); got != mainLines {
		t.Errorf("main scrollback has %d lines after the alternate screen, want %d", got, mainLines)
	}
}

// TestAltScreenAllocatedOnFirstUse checks that the alternate screen's cells
// are allocated only when a program switches to it, and then at the size the
// terminal has by then.
func TestAltScreenAllocatedOnFirstUse(t *testing.T) {
	e := NewEmulator(20, 4)
	if w := e.scrs[1].Width(); w != 0 {
		t.Fatalf("the alternate screen has %d columns before any program used it", w)
	}
	e.Resize(30, 5)
	if w := e.scrs[1].Width(); w != 0 {
		t.Fatalf("a resize allocated the unused alternate screen (%d columns)", w)
	}
	e.WriteString("\x1b[?1049h\x1b[5;1Hbottom")
	if w, h := e.Width(), e.Height(); w != 30 || h != 5 {
		t.Fatalf("alternate screen is %dx%d, want the terminal's 30x5", w, h)
	}
	if got := e.CellAt(0, 4); got == nil || got.Content != "b" {
		t.Fatalf("alternate screen's last row = %+v, want \"bottom\"", got)
	}
	e.Resize(25, 6)
	if w, h := e.scrs[1].Width(), e.scrs[1].Height(); w != 25 || h != 6 {
		t.Errorf("alternate screen not resized with the terminal once in use: %dx%d", w, h)
	}
	e.WriteString("\x1b[?1049l")
	if w := e.Width(); w != 25 {
		t.Errorf("main screen is %d wide after leaving the alternate screen, want 25", w)
	}
}
