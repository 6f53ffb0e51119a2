package ptywrap

import "testing"

// A program's query answered by the terminal is not typing; keys are.
func TestTerminalReplyIsNotTyping(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"\x1b[12;40R", true},                        // cursor position report
		{"\x1b[?62;22c", true},                       // primary device attributes
		{"\x1b[>41;354;0c", true},                    // secondary device attributes
		{"\x1b]11;rgb:0000/0000/0000\x1b\\", true},   // background colour (OSC 11)
		{"\x1b]10;rgb:ffff/ffff/ffff\x07", true},     // foreground colour, BEL-ended
		{"\x1bP>|xterm(390)\x1b\\", true},            // XTVERSION
		{"\x1b[?2026;2$y", true},                     // DECRPM
		{"\x1b[I", true},                             // focus in
		{"\x1b[12;40R\x1b[?62c", true},               // two answers in one read
		{"a", false}, {"\r", false}, {"\x1b", false}, // keys
		{"\x1b[A", false}, {"\x1b[1;5C", false}, {"\x1b[3~", false},
		{"\x1b[12;40Rls\r", false}, // an answer and a typed line
	} {
		if got := TerminalReply([]byte(c.in)); got != c.want {
			t.Errorf("TerminalReply(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
