package ptywrap

import "io"

// ScreenPlugin is a Plugin that also reads what the program draws: Claude
// Code's adapter tells from the screen which dialog is up and which keys it
// takes, so only a key that dialog takes counts as an answer at the
// terminal. Both methods must not block: Output runs on the output path.
type ScreenPlugin interface {
	// Output receives every chunk of the program's output, after the local
	// terminal got it.
	Output(p []byte)
	// Size receives the PTY's size at start and on every change.
	Size(cols, rows int)
}

// screenOutput returns out, also feeding a ScreenPlugin p.
func screenOutput(out io.Writer, p Plugin) io.Writer {
	if sp, ok := p.(ScreenPlugin); ok {
		return screenTee{out, sp}
	}
	return out
}

// screenSize tells a ScreenPlugin p the PTY's size.
func screenSize(p Plugin, cols, rows int) {
	if sp, ok := p.(ScreenPlugin); ok {
		sp.Size(cols, rows)
	}
}

// screenTee writes to the terminal first, then to the plugin.
type screenTee struct {
	out io.Writer
	sp  ScreenPlugin
}

func (t screenTee) Write(p []byte) (int, error) {
	n, err := t.out.Write(p)
	t.sp.Output(p)
	return n, err
}
