package ptywrap

// TerminalReply reports whether p is nothing but a terminal's automatic
// answers to a program's queries (cursor position, device attributes, mode
// reports, colour and version queries, focus events). Those arrive on the
// local input path like keystrokes, but nobody typed them: they must not
// show "typing at the terminal" on the hub, nor make the local size win,
// nor answer a question (claudehook's KeyReleases).
func TerminalReply(p []byte) bool {
	if len(p) == 0 {
		return false
	}
	for len(p) > 0 {
		n := replyLen(p)
		if n == 0 {
			return false
		}
		p = p[n:]
	}
	return true
}

// replyLen is the length of the reply sequence p starts with, 0 if none.
func replyLen(p []byte) int {
	if len(p) < 3 || p[0] != 0x1b {
		return 0
	}
	switch p[1] {
	case '[': // CSI: CPR (…R), DA (?…c, >…c), DECRPM (…$y), focus (I, O), size (…t)
		for i := 2; i < len(p); i++ {
			c := p[i]
			if c >= 0x40 && c <= 0x7e {
				switch c {
				case 'R', 'c', 'y', 't', 'n':
					if i > 2 {
						return i + 1
					}
				case 'I', 'O':
					if i == 2 {
						return i + 1
					}
				}
				return 0 // a key (arrows, F-keys, …): typed
			}
		}
	case ']', 'P', '_', '^': // OSC, DCS, APC, PM: colour, version, capability answers
		for i := 2; i < len(p); i++ {
			if p[i] == 0x07 {
				return i + 1
			}
			if p[i] == 0x1b && i+1 < len(p) && p[i+1] == '\\' {
				return i + 2
			}
		}
	}
	return 0
}
