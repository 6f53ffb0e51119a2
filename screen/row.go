package screen

import (
	"image/color"
	"slices"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// Row is one line of a terminal as runs of equally styled text, left to
// right. Trailing default blanks are left out; a blank row has no runs.
// Rows are values: the hub compares them to find what changed and views
// renders them (views.ScreenLine).
type Row struct {
	Runs []Run
	// Skipped, when above 0, makes the row a gap marker in history rather
	// than a line: that many lines of output are not shown (the screen
	// skipped them to keep up with a flood, or they were never sent to the
	// page); the session's full log has them.
	Skipped int
}

// Lines is how many lines of output r stands for: a gap marker its count,
// any other row one.
func (r Row) Lines() int {
	if r.Skipped > 0 {
		return r.Skipped
	}
	return 1
}

// Run is text whose cells all look the same. Text is as the program wrote it
// (not escaped); an empty cell is a space.
type Run struct {
	Text  string
	Style Style
}

// Equal reports whether r and o look the same on screen.
func (r Row) Equal(o Row) bool { return slices.Equal(r.Runs, o.Runs) }

// Text is the row's plain text.
func (r Row) Text() string {
	switch len(r.Runs) {
	case 0:
		return ""
	case 1:
		return r.Runs[0].Text
	}
	n := 0
	for _, x := range r.Runs {
		n += len(x.Text)
	}
	b := make([]byte, 0, n)
	for _, x := range r.Runs {
		b = append(b, x.Text...)
	}
	return string(b)
}

// Style is how a run looks. Inverse video is already resolved into Fg and
// Bg (the terminal's default colours swap to ColorInverse), so two runs that
// look alike have equal styles and merge into one.
type Style struct {
	Fg, Bg Color
	Attrs  Attr
}

// Plain reports whether the run has the terminal's default look.
func (s Style) Plain() bool { return s == Style{} }

// Attr is a set of text attributes.
type Attr uint8

// Attributes a run can have. Cursor marks the cell the cursor is on.
const (
	Bold Attr = 1 << iota
	Faint
	Italic
	Underline
	Strike
	Conceal
	Cursor
)

// Color is a run's colour: the default, a palette entry (0–255), a true
// colour, or ColorInverse. The kind is in the top byte.
type Color uint32

// Colour kinds.
const (
	colorPalette Color = 1 << 24
	colorRGB     Color = 2 << 24
	// ColorInverse is the terminal's other default colour, which inverse video
	// swaps in: the default background as a foreground, or the default
	// foreground as a background.
	ColorInverse Color = 3 << 24
	kindMask     Color = 0xff << 24
)

// Palette is palette colour i.
func Palette(i uint8) Color { return colorPalette | Color(i) }

// RGB is a true colour.
func RGB(r, g, b uint8) Color { return colorRGB | Color(r)<<16 | Color(g)<<8 | Color(b) }

// Index returns the palette entry of a palette colour.
func (c Color) Index() (uint8, bool) { return uint8(c), c&kindMask == colorPalette }

// RGB returns the components of a true colour.
func (c Color) RGB() (r, g, b uint8, ok bool) {
	return uint8(c >> 16), uint8(c >> 8), uint8(c), c&kindMask == colorRGB
}

// colorOf converts an emulator colour.
func colorOf(c color.Color) Color {
	switch v := c.(type) {
	case nil:
		return 0
	case ansi.BasicColor:
		return Palette(uint8(v))
	case ansi.IndexedColor:
		return Palette(uint8(v))
	default:
		r, g, b, _ := c.RGBA()
		return RGB(uint8(r>>8), uint8(g>>8), uint8(b>>8))
	}
}

// cellStyle is how cell c looks; cursor marks the cursor's cell.
func cellStyle(c *uv.Cell, cursor bool) Style {
	st := Style{Fg: colorOf(c.Style.Fg), Bg: colorOf(c.Style.Bg)}
	a := c.Style.Attrs
	if a&uv.AttrReverse != 0 {
		// Inverse swaps the colours; a default colour swaps to the other default.
		st.Fg, st.Bg = inverse(st.Bg), inverse(st.Fg)
	}
	for _, f := range [...]struct {
		on   bool
		attr Attr
	}{
		{a&uv.AttrBold != 0, Bold}, {a&uv.AttrFaint != 0, Faint}, {a&uv.AttrItalic != 0, Italic},
		{c.Style.Underline != ansi.UnderlineNone, Underline}, {a&uv.AttrStrikethrough != 0, Strike},
		{a&uv.AttrConceal != 0, Conceal}, {cursor, Cursor},
	} {
		if f.on {
			st.Attrs |= f.attr
		}
	}
	return st
}

func inverse(c Color) Color {
	if c == 0 {
		return ColorInverse
	}
	return c
}

// rowBuilder turns emulator lines into Rows. Its buffers are reused from
// line to line (a screen renders every row on each frame), so a row costs
// two allocations: its text and its runs.
type rowBuilder struct {
	text   []byte
	styles []Style
	ends   []int
}

// build renders one line as runs of equally styled text. cursorX marks the
// cursor's cell (-1: none). Trailing default blanks are trimmed.
func (rb *rowBuilder) build(l uv.Line, cursorX int) Row {
	end := len(l)
	for end > 0 && end-1 != cursorX && blank(&l[end-1]) {
		end--
	}
	if end == 0 {
		return Row{}
	}
	rb.text, rb.styles, rb.ends = rb.text[:0], rb.styles[:0], rb.ends[:0]
	for x := 0; x < end; x++ {
		c := &l[x]
		if c.Width == 0 && c.Content == "" && x > 0 && l[x-1].Width > 1 {
			continue // second half of a wide character
		}
		st := cellStyle(c, x == cursorX)
		if n := len(rb.styles); n == 0 || rb.styles[n-1] != st {
			if n > 0 {
				rb.ends = append(rb.ends, len(rb.text))
			}
			rb.styles = append(rb.styles, st)
		}
		if c.Content == "" {
			rb.text = append(rb.text, ' ')
		} else {
			rb.text = append(rb.text, c.Content...)
		}
	}
	rb.ends = append(rb.ends, len(rb.text))
	text := string(rb.text)
	runs := make([]Run, len(rb.styles))
	start := 0
	for i, st := range rb.styles {
		runs[i] = Run{Text: text[start:rb.ends[i]], Style: st}
		start = rb.ends[i]
	}
	return Row{Runs: runs}
}

func blank(c *uv.Cell) bool {
	return (c.Content == "" || c.Content == " ") && c.Style.Bg == nil && c.Style.Attrs&uv.AttrReverse == 0 && c.Style.Underline == ansi.UnderlineNone
}
