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
// 4.5:1) in both themes, and the stylesheet uses those colours for text.
func TestPaletteContrast(t *testing.T) {
	if c := contrast(t, basic16[4], DarkTerm.Background); c >= 4.5 {
		t.Fatalf("xterm blue has %.2f:1; the test no longer shows the problem it guards", c)
	}
	if c := contrast(t, DarkTerm.Text16[15], LightTerm.Background); c >= 4.5 {
		t.Fatalf("the dark palette's white has %.2f:1 on the light background; the test no longer shows why a light palette is needed", c)
	}
	css := PaletteCSS()
	for _, p := range []struct {
		name string
		term Term
	}{{"dark", DarkTerm}, {"light", LightTerm}} {
		if c := contrast(t, p.term.Foreground, p.term.Background); c < 4.5 {
			t.Errorf("%s: default text %s has %.2f:1 on %s", p.name, p.term.Foreground, c, p.term.Background)
		}
		for i, fg := range p.term.Text16 {
			if c := contrast(t, fg, p.term.Background); c < 4.5 {
				t.Errorf("%s: colour %d (%s) has contrast %.2f:1 on %s; want at least 4.5:1", p.name, i, fg, c, p.term.Background)
			}
			if v := "--t" + strconv.Itoa(i) + ":" + fg + ";"; !strings.Contains(css, v) {
				t.Errorf("%s: the stylesheet lacks %s", p.name, v)
			}
		}
	}
	if !strings.Contains(css, "@media (prefers-color-scheme: light){:root{"+LightTerm.vars()+"}}") {
		t.Error("the light palette is not the stylesheet's prefers-color-scheme: light variables")
	}
	for i := range 16 {
		if rule := ".t .f" + strconv.Itoa(i) + "{color:var(--t" + strconv.Itoa(i) + ")}"; !strings.Contains(css, rule) {
			t.Errorf("the stylesheet lacks %s", rule)
		}
	}
}
