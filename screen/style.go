package screen

import "strconv"

// The HTML form of a style, for views: CSS classes for palette colours and
// attributes (the stylesheet is PaletteCSS) plus an inline declaration for
// true colours, which no class list can enumerate.

// Class is the style's class list: f0–f255 or fbg for the foreground,
// b0–b255 or bfg for the background, then bo fa it un st hi cur.
func (s Style) Class() string {
	var buf [48]byte // the longest list ("f255 b255 bo fa it un st hi cur") fits
	b := buf[:0]
	b = s.Fg.appendClass(b, 'f', "fbg")
	b = s.Bg.appendClass(b, 'b', "bfg")
	for _, a := range [...]struct {
		attr Attr
		name string
	}{{Bold, "bo"}, {Faint, "fa"}, {Italic, "it"}, {Underline, "un"}, {Strike, "st"}, {Conceal, "hi"}, {Cursor, "cur"}} {
		if s.Attrs&a.attr != 0 {
			b = appendName(b, a.name)
		}
	}
	return string(b)
}

// CSS is the style's inline declarations for true colours ("" without).
func (s Style) CSS() string {
	if s.Fg&kindMask != colorRGB && s.Bg&kindMask != colorRGB {
		return ""
	}
	var buf [64]byte
	b := s.Fg.appendCSS(buf[:0], "color")
	b = s.Bg.appendCSS(b, "background-color")
	return string(b)
}

func appendName(b []byte, name string) []byte {
	if len(b) > 0 {
		b = append(b, ' ')
	}
	return append(b, name...)
}

func (c Color) appendClass(b []byte, prefix byte, inverse string) []byte {
	switch c & kindMask {
	case colorPalette:
		if len(b) > 0 {
			b = append(b, ' ')
		}
		return strconv.AppendUint(append(b, prefix), uint64(uint8(c)), 10)
	case ColorInverse:
		return appendName(b, inverse)
	}
	return b
}

func (c Color) appendCSS(b []byte, prop string) []byte {
	r, g, bl, ok := c.RGB()
	if !ok {
		return b
	}
	const hex = "0123456789abcdef"
	b = append(append(b, prop...), ':', '#')
	for _, v := range [...]uint8{r, g, bl} {
		b = append(b, hex[v>>4], hex[v&15])
	}
	return append(b, ';')
}
