package screen

import (
	"fmt"
	"strings"
)

// basic16 is the xterm default palette for colours 0–15.
var basic16 = [16]string{
	"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
	"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
}

// PaletteCSS returns the stylesheet for the classes lineHTML emits: f0–f255
// and b0–b255 for the 256-colour palette, plus the attribute classes.
func PaletteCSS() string {
	var b strings.Builder
	for i := range 256 {
		c := paletteColor(i)
		fmt.Fprintf(&b, ".t .f%d{color:%s}.t .b%d{background-color:%s}\n", i, c, i, c)
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
