// Package screen owns the hub's model of a terminal: a maintained VT emulator
// (charmbracelet/x/vt) fed with a session's output, read back as rows of
// styled runs (Row) and as plain text. It renders no HTML: views does, from
// Rows, with the class names Style.Class and Style.CSS give. It is not safe
// for concurrent use; the hub serialises access. It knows nothing of
// sessions, storage or HTTP.
package screen

import (
	"io"
	"slices"
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// MaxHistory is how many scrolled-off lines a screen keeps for the page.
const MaxHistory = 2000

// Screen is one emulated terminal plus the lines that scrolled off its top.
type Screen struct {
	emu          *vt.Emulator
	cursorHidden bool
	alt          bool          // the alternate screen is on (a full-screen app)
	history      []Row         // scrolled-off lines and gap markers, oldest first
	histLines    int           // lines history stands for (a gap marker counts its Skipped)
	histTotal    int           // lines ever added to history, gaps included; numbers them for clients
	gap          pendingGap    // skipped output not yet marked in history
	drained      chan struct{} // closed when the reply drain has ended

	rows rowBuilder // scratch for building rows, reused (rows are built on every frame)
	line uv.Line    // scratch copy of one screen row, reused for the same reason
}

// New returns a blank cols×rows screen.
func New(cols, rows int) *Screen {
	cols, rows = clampSize(cols, rows)
	s := &Screen{emu: vt.NewEmulator(cols, rows), drained: make(chan struct{})}
	// The emulator's own scrollback is only a staging area: Write moves lines
	// out of it after every call, so its O(n) trim-at-capacity never runs.
	s.emu.SetScrollbackSize(vt.DefaultScrollbackSize)
	s.emu.SetCallbacks(vt.Callbacks{
		CursorVisibility: func(v bool) { s.cursorHidden = !v },
		AltScreen:        func(on bool) { s.alt = on },
	})
	s.capCounts()
	// The emulator answers queries (cursor position, device attributes) into an
	// unbuffered pipe; the real terminal on the workstation already answers
	// them, so drain and discard, or the first query would block Write forever.
	go func() {
		defer close(s.drained)
		_, _ = io.Copy(io.Discard, s.emu)
	}()
	return s
}

// capCounts caps the count of the sequences the emulator carries out one
// step per count (REP, ECH, CHT, CBT): output as short as ESC[2000000000b
// would otherwise hold the screen worker for minutes. The caps keep what the
// screen shows: ECH and the tabs never reach past one line, and REP past a
// whole screen only scrolls, so keeping its count modulo the width keeps
// where the last row ends. The handlers run before the emulator's own, clamp
// the count in place and decline, so the emulator's handler runs next.
func (s *Screen) capCounts() {
	capFirst := func(limit func(n int) int) vt.CsiHandler {
		return func(p ansi.Params) bool {
			if n, _, ok := p.Param(0, 1); ok {
				if m := limit(n); m != n {
					p[0] = ansi.Param(m)
				}
			}
			return false
		}
	}
	line := func(n int) int { return min(n, s.emu.Width()) }
	screenful := func(n int) int {
		w, cells := s.emu.Width(), s.emu.Width()*s.emu.Height()
		if n <= cells {
			return n
		}
		return cells + (n-cells)%w
	}
	s.emu.RegisterCsiHandler('b', capFirst(screenful)) // REP
	s.emu.RegisterCsiHandler('X', capFirst(line))      // ECH
	s.emu.RegisterCsiHandler('I', capFirst(line))      // CHT
	s.emu.RegisterCsiHandler('Z', capFirst(line))      // CBT
}

func clampSize(cols, rows int) (int, int) {
	if cols <= 0 || cols > 1000 {
		cols = 80
	}
	if rows <= 0 || rows > 500 {
		rows = 24
	}
	return cols, rows
}

// Close stops the emulator's reply drain.
func (s *Screen) Close() {
	// The emulator's Close sets a plain flag that its Read also checks, so it
	// must not run while the drain may still call Read: end the reply pipe
	// first and wait for the drain to see EOF.
	if pw, ok := s.emu.InputPipe().(*io.PipeWriter); ok {
		_ = pw.CloseWithError(io.EOF)
		<-s.drained
	}
	_ = s.emu.Close()
}

// Alt reports whether a full-screen app has the alternate screen on: its
// rows are the whole picture, and scrolled-off main-screen lines do not
// belong above them.
func (s *Screen) Alt() bool { return s.alt }

// Write feeds program output to the emulator.
func (s *Screen) Write(p []byte) {
	// In pieces that cannot scroll more rows than the emulator's staging
	// scrollback holds (each byte adds at most one row): a longer write
	// would lose lines there before collectHistory counts them, an
	// unmarked gap in the page's history.
	for len(p) > 0 {
		n := min(len(p), writeChunk)
		_, _ = s.emu.Write(p[:n])
		s.collectHistory()
		p = p[n:]
	}
}

// writeChunk is the most Write feeds the emulator at once: under
// vt.DefaultScrollbackSize rows (10,000), the staging area's capacity.
const writeChunk = 8 << 10

// collectHistory moves lines the emulator pushed to its scrollback into
// history and empties the emulator's buffer.
func (s *Screen) collectHistory() {
	sb := s.emu.Scrollback()
	n := sb.Len()
	if n == 0 {
		return
	}
	s.markGap()
	for i := range n {
		s.addHistory(s.rows.build(sb.Line(i), -1))
		if s.gap.lines > 0 {
			s.gap.after--
			s.markGap()
		}
	}
	if over := len(s.history) - MaxHistory; over > 0 {
		for _, r := range s.history[:over] {
			s.histLines -= r.Lines()
		}
		s.history = append(s.history[:0:0], s.history[over:]...)
	}
	sb.Clear()
}

// addHistory appends one line or gap marker to history.
func (s *Screen) addHistory(r Row) {
	s.history = append(s.history, r)
	s.histLines += r.Lines()
	s.histTotal += r.Lines()
}

// Resize changes the screen's size, as the program's PTY did.
func (s *Screen) Resize(cols, rows int) {
	cols, rows = clampSize(cols, rows)
	if cols == s.emu.Width() && rows == s.emu.Height() {
		return
	}
	s.emu.Resize(cols, rows)
	s.collectHistory()
}

// Size reports columns and rows.
func (s *Screen) Size() (cols, rows int) { return s.emu.Width(), s.emu.Height() }

// Rows returns every row of the current screen, the cursor's cell marked
// with Cursor unless the program hid the cursor.
func (s *Screen) Rows() []Row {
	h := s.emu.Height()
	out := make([]Row, h)
	cur := s.emu.CursorPosition()
	for y := range h {
		cx := -1
		if y == cur.Y && !s.cursorHidden {
			cx = cur.X
		}
		out[y] = s.rows.build(s.row(y), cx)
	}
	return out
}

// row copies row y into the scratch line; the result is valid until the
// next call.
func (s *Screen) row(y int) uv.Line {
	w := s.emu.Width()
	s.line = slices.Grow(s.line[:0], w)[:w]
	for x := range w {
		if c := s.emu.CellAt(x, y); c != nil {
			s.line[x] = *c
		} else {
			s.line[x] = uv.Cell{}
		}
	}
	return s.line
}

// Text renders the screen as plain text, trailing blanks trimmed per row and
// trailing empty rows dropped.
func (s *Screen) Text() string {
	var b strings.Builder
	h := s.emu.Height()
	rows := make([]string, h)
	last := -1
	for y := range h {
		rows[y] = strings.TrimRight(lineText(s.row(y)), " ")
		if rows[y] != "" {
			last = y
		}
	}
	for y := 0; y <= last; y++ {
		b.WriteString(rows[y])
		b.WriteByte('\n')
	}
	return b.String()
}

// History returns the kept scrolled-off lines numbered from since (lines
// before since, or older than what is kept, are left out) and the total
// count, which the caller passes as since next time.
// Lines are numbered by the output they stand for: a gap marker of 500
// skipped lines takes 500 numbers.
func (s *Screen) History(since int) (lines []Row, total int) {
	if since >= s.histTotal {
		return nil, s.histTotal
	}
	// Walk back from the newest entry until the lines since are covered.
	want, i := s.histTotal-max(since, 0), len(s.history)
	for got := 0; i > 0 && got < want; i-- {
		got += s.history[i-1].Lines()
	}
	return append([]Row(nil), s.history[i:]...), s.histTotal
}

// Missed is how many lines numbered from since are older than what history
// keeps: what History(since) leaves out.
func (s *Screen) Missed(since int) int {
	return max(0, s.histTotal-s.histLines-max(since, 0))
}

func lineText(l uv.Line) string {
	var b strings.Builder
	for i := range l {
		c := &l[i]
		if c.Width == 0 && c.Content == "" && i > 0 && l[i-1].Width > 1 {
			continue // the second half of a wide character
		}
		if c.Content == "" {
			b.WriteByte(' ')
		} else {
			b.WriteString(c.Content)
		}
	}
	return b.String()
}
