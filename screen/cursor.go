package screen

import "strings"

// CursorLine returns the plain text of the row the cursor is on and the
// non-blank row above it: where a program that asks a question waits.
func (s *Screen) CursorLine() (line, above string) {
	y := s.emu.CursorPosition().Y
	line = strings.TrimRight(lineText(s.row(y)), " ")
	for a := y - 1; a >= 0; a-- {
		if t := strings.TrimRight(lineText(s.row(a)), " "); t != "" {
			return line, t
		}
	}
	return line, ""
}

// Lines returns every row's plain text (trailing blanks trimmed) and the
// cursor's row: what screen rules read to find a question at the live
// bottom of the screen.
func (s *Screen) Lines() (rows []string, cursorY int) {
	h := s.emu.Height()
	rows = make([]string, h)
	for y := range h {
		rows[y] = strings.TrimRight(lineText(s.row(y)), " ")
	}
	return rows, s.emu.CursorPosition().Y
}
