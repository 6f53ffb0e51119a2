package screen

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// luminance is a colour's WCAG 2 relative luminance ("#rrggbb").
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		t.Fatalf("bad colour %q", hex)
	}
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Every ANSI text colour is readable on the terminal's background (WCAG AA,
// 4.5:1), and the stylesheet uses those colours for text.
func TestPaletteContrast(t *testing.T) {
	if c := contrast(t, basic16[4], TermBackground); c >= 4.5 {
		t.Fatalf("xterm blue has %.2f:1; the test no longer shows the problem it guards", c)
	}
	css := PaletteCSS()
	for i, fg := range text16 {
		if c := contrast(t, fg, TermBackground); c < 4.5 {
			t.Errorf("colour %d (%s) has contrast %.2f:1 on %s; want at least 4.5:1", i, fg, c, TermBackground)
		}
		if rule := ".t .f" + strconv.Itoa(i) + "{color:" + fg + "}"; !strings.Contains(css, rule) {
			t.Errorf("the stylesheet lacks %s", rule)
		}
	}
}
