package screen

import (
	"fmt"
	"html"
	"image/color"
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// style is the HTML form of a cell's look: CSS classes plus an inline style
// for true colours (which no class list can enumerate).
type style struct {
	class string
	css   string
}

func cellStyle(c *uv.Cell, cursor bool) style {
	fg, fgCSS := colorRef(c.Style.Fg, "f", "color")
	bg, bgCSS := colorRef(c.Style.Bg, "b", "background-color")
	attrs := c.Style.Attrs
	if attrs&uv.AttrReverse != 0 {
		// Inverse swaps the colours; a default colour swaps to the other default.
		fg, bg = swapName(bg, bgCSS, "b", "f", "fbg"), swapName(fg, fgCSS, "f", "b", "bfg")
		fgCSS, bgCSS = strings.Replace(bgCSS, "background-color", "color", 1), strings.Replace(fgCSS, "color", "background-color", 1)
	}
	var cls []string
	for _, x := range []string{fg, bg} {
		if x != "" {
			cls = append(cls, x)
		}
	}
	if attrs&uv.AttrBold != 0 {
		cls = append(cls, "bo")
	}
	if attrs&uv.AttrFaint != 0 {
		cls = append(cls, "fa")
	}
	if attrs&uv.AttrItalic != 0 {
		cls = append(cls, "it")
	}
	if c.Style.Underline != ansi.UnderlineNone {
		cls = append(cls, "un")
	}
	if attrs&uv.AttrStrikethrough != 0 {
		cls = append(cls, "st")
	}
	if attrs&uv.AttrConceal != 0 {
		cls = append(cls, "hi")
	}
	if cursor {
		cls = append(cls, "cur")
	}
	return style{class: strings.Join(cls, " "), css: fgCSS + bgCSS}
}

// swapName turns "f3" into "b3" (and so on); a default colour (no class and
// no inline css) becomes dflt, a true colour (css only) stays without a class.
func swapName(name, css, from, to, dflt string) string {
	if name == "" && css == "" {
		return dflt
	}
	if strings.HasPrefix(name, from) {
		return to + name[len(from):]
	}
	return name
}

// colorRef names c as a palette class (f0..f255 / b0..b255) or, for a true
// colour, an inline declaration.
func colorRef(c color.Color, prefix, prop string) (class, css string) {
	switch v := c.(type) {
	case nil:
		return "", ""
	case ansi.BasicColor:
		return fmt.Sprintf("%s%d", prefix, uint8(v)), ""
	case ansi.IndexedColor:
		return fmt.Sprintf("%s%d", prefix, uint8(v)), ""
	default:
		r, g, b, _ := c.RGBA()
		return "", fmt.Sprintf("%s:#%02x%02x%02x;", prop, r>>8, g>>8, b>>8)
	}
}

// lineHTML renders one line as runs of equally styled text. cursorX marks the
// cursor's cell (-1: none). Trailing default blanks are trimmed.
func lineHTML(l uv.Line, cursorX int) string {
	end := len(l)
	for end > 0 && end-1 != cursorX && blank(&l[end-1]) {
		end--
	}
	var b strings.Builder
	var cur style
	var run strings.Builder
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if cur.class == "" && cur.css == "" {
			b.WriteString(run.String())
		} else {
			b.WriteString("<span")
			if cur.class != "" {
				b.WriteString(` class="` + cur.class + `"`)
			}
			if cur.css != "" {
				b.WriteString(` style="` + cur.css + `"`)
			}
			b.WriteString(">" + run.String() + "</span>")
		}
		run.Reset()
	}
	for x := 0; x < end; x++ {
		c := &l[x]
		if c.Width == 0 && c.Content == "" && x > 0 && l[x-1].Width > 1 {
			continue // second half of a wide character
		}
		st := cellStyle(c, x == cursorX)
		if st != cur {
			flush()
			cur = st
		}
		if c.Content == "" {
			run.WriteByte(' ')
		} else {
			run.WriteString(html.EscapeString(c.Content))
		}
	}
	flush()
	return b.String()
}

func blank(c *uv.Cell) bool {
	return (c.Content == "" || c.Content == " ") && c.Style.Bg == nil && c.Style.Attrs&uv.AttrReverse == 0 && c.Style.Underline == ansi.UnderlineNone
}
