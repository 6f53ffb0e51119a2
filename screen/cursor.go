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
