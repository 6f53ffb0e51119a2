package views

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/ct-dev/ct/screen"
)

func renderString(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestScreenContracts pins the terminal pane's markup: what the page renders
// on load and what a "screen" event swaps in (the page's JS and the browser
// tests rely on #hist > div and #rows > #rN).
func TestScreenContracts(t *testing.T) {
	scr := screen.New(20, 3)
	defer scr.Close()
	scr.Write([]byte("old\r\nmid\r\n<a>\r\n\x1b[31mred\x1b[0m"))
	rows := scr.Rows()
	hist, _ := scr.History(0)
	const (
		r0 = `mid`
		r1 = `&lt;a&gt;`
		r2 = `<span class="f1">red</span><span class="cur"> </span>`
	)
	gapTpl := `<template id="gap-tpl"><div class="gap" data-n="0"><span>… <span class="n">0</span> lines skipped — </span><a href="/log" download>full log</a></div></template>`
	if got, want := renderString(t, ScreenHistory(hist, "/log", false))+renderString(t, ScreenRows(rows, false)),
		`<div id="hist" data-keep="2000"><div>old</div></div>`+gapTpl+`<div id="rows"><div id="r0">`+r0+`</div><div id="r1">`+r1+`</div><div id="r2">`+r2+`</div></div>`; got != want {
		t.Errorf("page pane:\n got %s\nwant %s", got, want)
	}
	full := ScreenPatch{Full: true, NumRows: 4, Rows: map[int]screen.Row{0: rows[0], 1: rows[1], 2: rows[2]}, HistTotal: 7}
	if got, want := renderString(t, ScreenUpdate(full)),
		`<i id="scrmode" class="main" hx-swap-oob="true" hidden></i><i id="histn" data-from="7" data-total="7" data-k="0" hx-swap-oob="true" hidden></i><div id="rows" hx-swap-oob="true"><div id="r0">`+r0+`</div><div id="r1">`+r1+`</div><div id="r2">`+r2+`</div><div id="r3"></div></div>`; got != want {
		t.Errorf("full update:\n got %s\nwant %s", got, want)
	}
	part := ScreenPatch{NumRows: 3, Rows: map[int]screen.Row{2: rows[2], 0: rows[0]}, History: append([]screen.Row{{Skipped: 180000}}, hist...), Log: "/log", HistTotal: 180011}
	if got, want := renderString(t, ScreenUpdate(part)),
		`<i id="scrmode" class="main" hx-swap-oob="true" hidden></i><i id="histn" data-from="10" data-total="180011" data-k="2" hx-swap-oob="true" hidden></i><div id="r0" hx-swap-oob="true">`+r0+`</div><div id="r2" hx-swap-oob="true">`+r2+`</div>`+
			`<div id="hist" hx-swap-oob="beforeend"><div class="gap" data-n="180000"><span>… <span class="n">180,000</span> lines skipped — </span><a href="/log" download>full log</a></div><div>old</div></div>`; got != want {
		t.Errorf("partial update:\n got %s\nwant %s", got, want)
	}
}

// TestStyleMarkup checks the span a styled run becomes, attribute by
// attribute, including runs that have only a class or only a style.
func TestStyleMarkup(t *testing.T) {
	line := func(st screen.Style) string {
		return renderString(t, ScreenLine(screen.Row{Runs: []screen.Run{{Text: `x"&`, Style: st}}}))
	}
	cases := []struct {
		st   screen.Style
		want string
	}{
		{screen.Style{}, `x&#34;&amp;`},
		{screen.Style{Fg: screen.Palette(208), Attrs: screen.Bold | screen.Underline}, `<span class="f208 bo un">x&#34;&amp;</span>`},
		{screen.Style{Bg: screen.RGB(0, 16, 255)}, `<span style="background-color:#0010ff;">x&#34;&amp;</span>`},
		{screen.Style{Fg: screen.ColorInverse, Bg: screen.RGB(1, 2, 3)}, `<span class="fbg" style="background-color:#010203;">x&#34;&amp;</span>`},
		{screen.Style{Fg: screen.RGB(4, 5, 6), Bg: screen.ColorInverse, Attrs: screen.Cursor}, `<span class="bfg cur" style="color:#040506;">x&#34;&amp;</span>`},
		{screen.Style{Attrs: screen.Faint | screen.Italic | screen.Strike | screen.Conceal}, `<span class="fa it st hi">x&#34;&amp;</span>`},
	}
	for _, c := range cases {
		if got := line(c.st); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.st, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 180000: "180,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
