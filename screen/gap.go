package screen

// pendingGap is output the screen skipped (a flood it could not keep up
// with) whose marker waits for the rows that were on the screen before the
// skip: they scroll off first, so the marker lands between them and the
// output after the skip, where the skipped lines were.
type pendingGap struct {
	lines int // skipped lines not yet marked
	after int // rows still to scroll off before the marker goes in
}

// Skip records that lines of output never reached the screen (the log has
// them). The rows above the cursor predate the skip; the cursor's row may
// already hold output from after it, so the marker goes in once the rows
// above the cursor have scrolled off.
func (s *Screen) Skip(lines int) {
	if lines <= 0 {
		return
	}
	if s.gap.lines == 0 {
		s.gap.after = s.emu.CursorPosition().Y
	}
	s.gap.lines += lines
	s.markGap()
}

// markGap puts a pending gap's marker into history once its rows have
// scrolled off.
func (s *Screen) markGap() {
	if s.gap.lines == 0 || s.gap.after > 0 {
		return
	}
	s.addHistory(Row{Skipped: s.gap.lines})
	s.gap = pendingGap{}
}
