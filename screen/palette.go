package screen

import (
	"fmt"
	"strconv"
	"strings"
)

// Term is one terminal palette: the pane's background, default text and
// cursor, and colours 0–15 as text. Every text colour has a contrast of at
// least 4.5:1 (WCAG AA) on Background (palette_test.go checks each).
type Term struct {
	Background, Foreground, Cursor string
	Text16                         [16]string
}

// DarkTerm is the default palette, tuned for a dark UI: xterm's blue had
// 2.07:1 on its background and red 3.33:1.
var DarkTerm = Term{
	Background: "#0b0d10", Foreground: "#d6d6d6", Cursor: "#5a6270",
	Text16: [16]string{
		"#7d8590", "#ff6b6b", "#3fcf5f", "#e5c07b", "#6cb6ff", "#d38aea", "#39c5cf", "#d6d6d6",
		"#959da5", "#ff8a80", "#7ee787", "#ffe27a", "#9ccbff", "#f0a8ff", "#7ae8f0", "#ffffff",
	},
}

// LightTerm is the palette when the system asks for a light theme
// (prefers-color-scheme: light): "black" is the darkest text and "white"
// a mid grey, since white text on white cannot be read.
var LightTerm = Term{
	Background: "#fbfbfc", Foreground: "#24292f", Cursor: "#c8ccd1",
	Text16: [16]string{
		"#24292f", "#c41d24", "#1a7f37", "#8a5a00", "#0550ae", "#8250df", "#1b7c83", "#636c76",
		"#4e5761", "#a40e26", "#116329", "#6f4800", "#0969da", "#6639ba", "#0e6e78", "#59636e",
	},
}

// basic16 is the xterm default palette for colours 0–15: what background
// colours use (a "black" background stays black) in both themes.
var basic16 = [16]string{
	"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
	"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
}

// vars is the palette as CSS custom properties: --term-bg, --term-fg,
// --term-cursor and --t0…--t15 (colours 0–15 as text).
func (p Term) vars() string {
	var b strings.Builder
	fmt.Fprintf(&b, "--term-bg:%s;--term-fg:%s;--term-cursor:%s;", p.Background, p.Foreground, p.Cursor)
	for i, c := range p.Text16 {
		fmt.Fprintf(&b, "--t%d:%s;", i, c)
	}
	return b.String()
}

// PaletteCSS returns the stylesheet for the classes lineHTML emits: f0–f255
// and b0–b255 for the 256-colour palette, plus the attribute classes. The
// terminal's own colours and 0–15 as text are custom properties, dark
// unless the system asks for light; 16–255 are the fixed xterm cube and
// greys a program picks by number. An ended program's screen (.t.ended)
// draws no cursor.
func PaletteCSS() string {
	var b strings.Builder
	fmt.Fprintf(&b, ":root{%s}\n@media (prefers-color-scheme: light){:root{%s}}\n", DarkTerm.vars(), LightTerm.vars())
	for i := range 256 {
		c, fg := paletteColor(i), paletteColor(i)
		if i < 16 {
			fg = "var(--t" + strconv.Itoa(i) + ")"
		}
		fmt.Fprintf(&b, ".t .f%d{color:%s}.t .b%d{background-color:%s}\n", i, fg, i, c)
	}
	b.WriteString(`.t .fbg{color:var(--term-bg)}.t .bfg{background-color:var(--term-fg)}
.t .bo{font-weight:bold}.t .fa{opacity:.6}.t .it{font-style:italic}.t .un{text-decoration:underline}
.t .st{text-decoration:line-through}.t .hi{visibility:hidden}
.t:not(.ended) .cur{outline:1px solid var(--term-fg);background-color:var(--term-cursor)}
`)
	return b.String()
}

func paletteColor(i int) string {
	switch {
	case i < 16:
		return basic16[i]
	case i < 232:
		i -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + v*40
		}
		return fmt.Sprintf("#%02x%02x%02x", level(i/36), level(i/6%6), level(i%6))
	default:
		g := 8 + (i-232)*10
		return fmt.Sprintf("#%02x%02x%02x", g, g, g)
	}
}
