package screen

import (
	"fmt"
	"strings"
)

// TermBackground is the terminal pane's background (app.css --term-bg): the
// colour every text colour is measured against.
const TermBackground = "#0b0d10"

// basic16 is the xterm default palette for colours 0–15: what background
// colours use (a "black" background stays black).
var basic16 = [16]string{
	"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
	"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
}

// text16 is colours 0–15 as text on TermBackground, tuned for a dark UI:
// each has a contrast of at least 4.5:1 (WCAG AA) there, where xterm's
// blue had 2.07:1 and red 3.33:1 (palette_test.go checks every one).
var text16 = [16]string{
	"#7d8590", "#ff6b6b", "#3fcf5f", "#e5c07b", "#6cb6ff", "#d38aea", "#39c5cf", "#d6d6d6",
	"#959da5", "#ff8a80", "#7ee787", "#ffe27a", "#9ccbff", "#f0a8ff", "#7ae8f0", "#ffffff",
}

// PaletteCSS returns the stylesheet for the classes lineHTML emits: f0–f255
// and b0–b255 for the 256-colour palette, plus the attribute classes.
func PaletteCSS() string {
	var b strings.Builder
	for i := range 256 {
		c, fg := paletteColor(i), paletteColor(i)
		if i < 16 {
			fg = text16[i]
		}
		fmt.Fprintf(&b, ".t .f%d{color:%s}.t .b%d{background-color:%s}\n", i, fg, i, c)
	}
	b.WriteString(`.t .fbg{color:var(--term-bg)}.t .bfg{background-color:var(--term-fg)}
.t .bo{font-weight:bold}.t .fa{opacity:.6}.t .it{font-style:italic}.t .un{text-decoration:underline}
.t .st{text-decoration:line-through}.t .hi{visibility:hidden}
.t .cur{outline:1px solid var(--term-fg);background-color:var(--term-cursor)}
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
