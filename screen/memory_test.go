package screen

import (
	"runtime"
	"strings"
	"testing"
)

// TestHeapPerScreen bounds the live heap one screen costs after a flood of
// output: the hub keeps one per session, so this is what 100 sessions cost
// times 100. Two things made it megabytes, both fixed in third_party/vt: the
// emulator's parser allocated a 4 MiB buffer for escape-sequence payloads,
// and the emulator's scrollback kept the last write's scrolled lines (80
// cells of 112 bytes each) reachable after collectHistory had cleared it.
// The fork also allocates the alternate screen only when a program uses it.
func TestHeapPerScreen(t *testing.T) {
	const n = 16
	// 8 KiB of full, coloured 80-column lines: one writeChunk, about 100
	// lines through the emulator's scrollback.
	line := "\x1b[31m" + strings.Repeat("x", 79) + "\x1b[m\r\n"
	flood := []byte(strings.Repeat(line, writeChunk/len(line)))

	before := liveHeap()
	screens := make([]*Screen, n)
	for i := range screens {
		screens[i] = New(80, 24)
		screens[i].Write(flood)
	}
	per := (liveHeap() - before) / n
	for _, s := range screens {
		s.Close()
	}
	t.Logf("live heap per flooded 80x24 screen: %d KiB", per>>10)
	// History (the flood's rows of styled runs) is the screen's own; what
	// is left is the emulator: one 80x24 cell buffer (~210 KiB; the
	// alternate screen's is allocated on first use) and a 64 KiB parser
	// buffer.
	if limit := uint64(512 << 10); per > limit {
		t.Fatalf("a flooded screen keeps %d KiB of heap, want under %d KiB: check third_party/vt "+
			"(parser data size, Scrollback.Clear, the alternate screen allocated on first use)", per>>10, limit>>10)
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLongSequences checks what the emulator's 64 KiB payload bound means
// for the page. Payloads past it (a 1 MiB OSC 52 clipboard copy, a sixel
// image in a DCS, a kitty image in an APC, a runaway title) are cut or
// ignored — the emulator handles neither clipboard nor images, the real
// terminal on the workstation gets those bytes from the PTY — but each is
// consumed to its terminator: none of it shows on the screen, and output
// after it prints where it should. Real-world payloads the emulator does
// handle (an OSC 8 link, a title) fit whole.
func TestLongSequences(t *testing.T) {
	big := strings.Repeat("QUJD", 1<<18) // 1 MiB of base64
	s := New(40, 6)
	defer s.Close()
	var title0 string // the last title payload the emulator saw
	s.emu.RegisterOscHandler(2, func(data []byte) bool {
		title0 = string(data[len("2;"):])
		return false // the emulator's own handler runs next
	})
	s.Write([]byte("before\r\n"))
	s.Write([]byte("\x1b]52;c;" + big + "\x07"))         // clipboard
	s.Write([]byte("\x1bPq#0;2;0;0;0" + big + "\x1b\\")) // sixel
	s.Write([]byte("\x1b_Gf=100;" + big + "\x1b\\"))     // kitty graphics
	s.Write([]byte("\x1b]2;" + big + "\x07"))            // title
	s.Write([]byte("after\r\n"))
	if got, want := s.Text(), "before\nafter\n"; got != want {
		t.Fatalf("screen after long sequences = %q, want %q", got, want)
	}
	if got := len(title0); got != 64<<10-len("2;") {
		t.Errorf("a 1 MiB title left %d bytes, want it cut to the 64 KiB payload bound", got)
	}

	// An 8 KiB link (far past what browsers and terminals take in a URL)
	// and a 4 KiB title are kept whole.
	url := "https://example.com/?q=" + strings.Repeat("a", 8<<10)
	title := strings.Repeat("t", 4<<10)
	s.Write([]byte("\x1b]2;" + title + "\x07\x1b]8;;" + url + "\x07link\x1b]8;;\x07"))
	if title0 != title {
		t.Errorf("a 4 KiB title was not kept whole")
	}
	if c := s.emu.CellAt(0, s.emu.CursorPosition().Y); c == nil || c.Content != "l" || c.Link.URL != url {
		t.Errorf("the linked cell's URL is not the 8 KiB link: %+v", c)
	}
}

// TestHeapAltScreenScroll bounds what a full-screen app that scrolls (less,
// vim, htop, a TUI agent redrawing with ED 2) leaves behind. Upstream's
// emulator gave the alternate screen a scrollback of its own that nothing
// reads or clears — ct collects the main screen's — so every line a
// full-screen app scrolled off stayed in memory, up to 10,000 lines of
// cells (~90 MB at 80 columns) per session.
func TestHeapAltScreenScroll(t *testing.T) {
	line := "\x1b[32m" + strings.Repeat("y", 79) + "\x1b[m\r\n"
	flood := []byte(strings.Repeat(line, 2000))
	before := liveHeap()
	s := New(80, 24)
	defer s.Close()
	s.Write([]byte("\x1b[?1049h"))
	for range 5 {
		s.Write(flood)
		s.Write([]byte("\x1b[H\x1b[2J")) // a redraw: ED 2 clears the screen
	}
	grew := liveHeap() - before
	t.Logf("live heap of a screen after 10,000 lines on the alternate screen: %d KiB", grew>>10)
	if limit := uint64(2 << 20); grew > limit {
		t.Fatalf("the alternate screen's scrolled lines keep %d KiB alive, want under %d KiB: "+
			"check third_party/vt (the alternate screen must have no scrollback)", grew>>10, limit>>10)
	}
}
