package screen_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/views"
)

var update = flag.Bool("update", false, "rewrite screen/testdata/*.golden from the current output")

// goldenCases feed a screen and compare its HTML rows with testdata/<name>.golden.
var goldenCases = []struct {
	name       string
	cols, rows int
	input      string
}{
	{"plain", 20, 3, "hello, world\r\nsecond line"},
	{"colors16", 40, 4, "\x1b[30mk\x1b[31mr\x1b[32mg\x1b[33my\x1b[34mb\x1b[35mm\x1b[36mc\x1b[37mw\x1b[0m" +
		"\x1b[90mK\x1b[91mR\x1b[92mG\x1b[93mY\x1b[94mB\x1b[95mM\x1b[96mC\x1b[97mW\x1b[0m\r\n" +
		"\x1b[40m0\x1b[41m1\x1b[42m2\x1b[43m3\x1b[44m4\x1b[45m5\x1b[46m6\x1b[47m7\x1b[0m" +
		"\x1b[100m8\x1b[101m9\x1b[102mA\x1b[103mB\x1b[104mC\x1b[105mD\x1b[106mE\x1b[107mF\x1b[0m\r\n" +
		"\x1b[33;44myellow on blue\x1b[39m default fg\x1b[49m plain"},
	{"colors256", 30, 2, "\x1b[38;5;16ma\x1b[38;5;208mb\x1b[38;5;255mc\x1b[0m \x1b[48;5;21mx\x1b[48;5;232my\x1b[0m \x1b[38;5;1;48;5;9mz"},
	{"truecolor", 30, 2, "\x1b[38;2;255;128;0morange\x1b[0m \x1b[48;2;0;0;0;38;2;1;2;3mdark\x1b[0m"},
	{"attributes", 40, 3, "\x1b[1mbold\x1b[22m \x1b[4munder\x1b[24m \x1b[3mital\x1b[23m \x1b[2mfaint\x1b[22m \x1b[9mstrike\x1b[29m\r\n\x1b[1;3;4;31mall\x1b[0m plain"},
	{"inverse", 40, 4, "\x1b[7mdefault\x1b[0m\r\n\x1b[31;44;7mred-on-blue\x1b[0m\r\n" +
		"\x1b[38;5;208;7mpal\x1b[0m \x1b[38;2;1;2;3;7mtrue-fg\x1b[0m \x1b[48;2;4;5;6;7mtrue-bg\x1b[0m\r\n" +
		"\x1b[38;2;1;2;3;48;2;4;5;6;7mboth\x1b[0m \x1b[7m   \x1b[0m<-inverse blanks"},
	{"cursor", 20, 4, "abc\x1b[3;5H"},
	{"cursor_on_text", 20, 2, "abcdef\x1b[1;3H"},
	{"cursor_hidden", 20, 2, "abc\x1b[?25l"},
	{"cursor_shown_again", 20, 2, "abc\x1b[?25l\x1b[?25h"},
	{"wide", 20, 3, "中文字\r\n😀x👍🏽y\r\n|日本|"},
	{"escaping", 30, 2, "<b>&amp;</b> \"q\" 'a'\r\n\x1b[31m<i>\x1b[0m"},
	{"trailing", 20, 3, "text   \r\n\x1b[41m  \x1b[0m\r\n\x1b[4m \x1b[0m"},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			s := New(c.cols, c.rows)
			defer s.Close()
			s.Write([]byte(c.input))
			var b strings.Builder
			fmt.Fprintf(&b, "# %dx%d input %q\n", c.cols, c.rows, c.input)
			for i, r := range rowsHTML(s.Rows()) {
				fmt.Fprintf(&b, "%d|%s\n", i, r)
			}
			b.WriteString("# text\n" + s.Text())
			checkGolden(t, c.name, b.String())
		})
	}
}

// rowsHTML renders rows as the session page shows them (views.ScreenLine).
func rowsHTML(rows []Row) []string {
	if rows == nil {
		return nil
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		var b strings.Builder
		if err := views.ScreenLine(r).Render(context.Background(), &b); err != nil {
			panic(err)
		}
		out[i] = b.String()
	}
	return out
}

// histHTML renders History's lines.
func histHTML(lines []Row, total int) ([]string, int) { return rowsHTML(lines), total }

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./screen/ -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./screen/ -update rewrites it after review)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestGoldenSemantics checks what the golden files must say, so that an
// -update can never bless a regression of these facts silently.
func TestGoldenSemantics(t *testing.T) {
	row := func(cols, rows int, in string, y int) string {
		s := New(cols, rows)
		defer s.Close()
		s.Write([]byte(in))
		return rowsHTML(s.Rows())[y]
	}
	cases := []struct{ name, in, want string }{
		{"red fg is class f1", "\x1b[31mx", `<span class="f1">x</span>`},
		{"bright fg is f9", "\x1b[91mx", `<span class="f9">x</span>`},
		{"blue bg is b4", "\x1b[44mx", `<span class="b4">x</span>`},
		{"256 fg", "\x1b[38;5;208mx", `<span class="f208">x</span>`},
		{"true colour fg", "\x1b[38;2;255;128;0mx", `<span style="color:#ff8000;">x</span>`},
		{"true colour bg", "\x1b[48;2;0;16;255mx", `<span style="background-color:#0010ff;">x</span>`},
		{"bold", "\x1b[1mx", `<span class="bo">x</span>`},
		{"underline", "\x1b[4mx", `<span class="un">x</span>`},
		{"italic", "\x1b[3mx", `<span class="it">x</span>`},
		{"inverse default", "\x1b[7mx", `<span class="fbg bfg">x</span>`},
		{"inverse set colours", "\x1b[31;44;7mx", `<span class="f4 b1">x</span>`},
		{"inverse fg only", "\x1b[32;7mx", `<span class="fbg b2">x</span>`},
		{"inverse true fg", "\x1b[38;2;1;2;3;7mx", `<span class="fbg" style="background-color:#010203;">x</span>`},
		{"inverse true both", "\x1b[38;2;1;2;3;48;2;4;5;6;7mx", `<span style="color:#040506;background-color:#010203;">x</span>`},
		{"escaping", `<&>"`, `&lt;&amp;&gt;&#34;`},
		{"runs merge", "\x1b[31mab\x1b[31mc", `<span class="f1">abc</span>`},
	}
	for _, c := range cases {
		// A hidden cursor keeps the cursor class out of the expected HTML.
		if got := row(20, 2, "\x1b[?25l"+c.in, 0); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if got := row(20, 3, "abc\x1b[2;4H", 1); got != `   <span class="cur"> </span>` {
		t.Errorf("cursor at row 2 column 4: %q", got)
	}
	if got := row(20, 3, "abc", 0); got != `abc<span class="cur"> </span>` {
		t.Errorf("cursor after text: %q", got)
	}
	if got := row(20, 3, "abc\x1b[?25l", 0); got != `abc` {
		t.Errorf("hidden cursor still drawn: %q", got)
	}
	// A wide character is one cell of HTML, not followed by a filler space.
	if got := row(20, 3, "\x1b[?25l中x😀y", 0); got != "中x😀y" {
		t.Errorf("wide characters: %q", got)
	}
}

func TestSplitWritesMatchOneWrite(t *testing.T) {
	// Output reaches the screen in chunks cut anywhere: in the middle of a
	// UTF-8 sequence or an escape sequence. The screen must not care.
	in := "\x1b[1;31m中文\x1b[0m 😀 é\x1b[38;2;10;20;30mtrue\x1b[0m\r\nnext \x1b[4mline\x1b[0m"
	whole := New(30, 3)
	defer whole.Close()
	whole.Write([]byte(in))
	want := rowsHTML(whole.Rows())
	for cut := 1; cut < len(in); cut++ {
		s := New(30, 3)
		s.Write([]byte(in[:cut]))
		s.Write([]byte(in[cut:]))
		if got := rowsHTML(s.Rows()); !slices.Equal(got, want) {
			t.Errorf("cut at byte %d: got %q, want %q", cut, got, want)
		}
		s.Close()
	}
}

func TestHistory(t *testing.T) {
	s := New(20, 3)
	defer s.Close()
	if lines, total := histHTML(s.History(0)); lines != nil || total != 0 {
		t.Fatalf("fresh screen has history %q %d", lines, total)
	}
	for i := range 10 {
		s.Write(fmt.Appendf(nil, "line %d\r\n", i))
	}
	// Three rows: "line 8", "line 9", and the cursor's empty row; 0-7 scrolled off.
	lines, total := histHTML(s.History(0))
	want := []string{"line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 7"}
	if !slices.Equal(lines, want) || total != 8 {
		t.Fatalf("History(0) = %q, %d; want %q, 8", lines, total, want)
	}
	if lines, total := histHTML(s.History(5)); !slices.Equal(lines, want[5:]) || total != 8 {
		t.Fatalf("History(5) = %q, %d", lines, total)
	}
	if lines, total := histHTML(s.History(8)); lines != nil || total != 8 {
		t.Fatalf("History(8) = %q, %d; want nothing new", lines, total)
	}
	if lines, total := histHTML(s.History(100)); lines != nil || total != 8 {
		t.Fatalf("History(100) = %q, %d", lines, total)
	}
	if lines, _ := histHTML(s.History(-3)); !slices.Equal(lines, want) {
		t.Fatalf("History(-3) = %q", lines)
	}
	// The caller's copy is its own.
	rows, _ := s.History(0)
	rows[0] = Row{}
	if again, _ := histHTML(s.History(0)); again[0] != "line 0" {
		t.Fatalf("History returned its internal slice")
	}
	// History keeps styles.
	s.Write([]byte("\x1b[31mred\x1b[0m\r\n\r\n\r\n"))
	lines, total = histHTML(s.History(8))
	if total != 11 || len(lines) != 3 || lines[2] != `<span class="f1">red</span>` {
		t.Fatalf("after more output: %q %d", lines, total)
	}
}

func TestHistoryLimit(t *testing.T) {
	s := New(20, 2)
	defer s.Close()
	n := MaxHistory + 150
	var b strings.Builder
	for i := range n + 1 {
		fmt.Fprintf(&b, "%d\r\n", i)
	}
	// Fed in two writes of different sizes, as a real stream would be.
	all := b.String()
	s.Write([]byte(all[:1000]))
	s.Write([]byte(all[1000:]))
	lines, total := histHTML(s.History(0))
	// Rows: the last number and the empty cursor row; everything before scrolled off.
	if total != n || len(lines) != MaxHistory {
		t.Fatalf("total %d kept %d, want %d and %d", total, len(lines), n, MaxHistory)
	}
	if lines[0] != fmt.Sprint(n-MaxHistory) || lines[len(lines)-1] != fmt.Sprint(n-1) {
		t.Fatalf("kept %s..%s, want %d..%d", lines[0], lines[len(lines)-1], n-MaxHistory, n-1)
	}
	// Asking for lines that are no longer kept returns what is kept.
	if got, _ := histHTML(s.History(5)); len(got) != MaxHistory || got[0] != lines[0] {
		t.Fatalf("History(5) after trimming: %d lines from %s", len(got), got[0])
	}
	if got, _ := histHTML(s.History(n - 3)); !slices.Equal(got, lines[len(lines)-3:]) {
		t.Fatalf("History(n-3) = %q", got)
	}
}

func TestResize(t *testing.T) {
	s := New(20, 4)
	defer s.Close()
	if c, r := s.Size(); c != 20 || r != 4 {
		t.Fatalf("size %dx%d", c, r)
	}
	s.Write([]byte("a\r\nb\r\nc"))
	s.Resize(30, 6)
	if c, r := s.Size(); c != 30 || r != 6 {
		t.Fatalf("size after resize %dx%d, want 30x6", c, r)
	}
	if got := len(rowsHTML(s.Rows())); got != 6 {
		t.Fatalf("%d rows after resize, want 6", got)
	}
	if got := s.Text(); got != "a\nb\nc\n" {
		t.Fatalf("text after growing: %q", got)
	}
	// Text wider than the old width fits after growing.
	s.Write([]byte("\r\n" + strings.Repeat("w", 30)))
	if !strings.Contains(s.Text(), strings.Repeat("w", 30)+"\n") {
		t.Fatalf("30 columns not kept: %q", s.Text())
	}
	// Silly sizes fall back to 80x24 rather than crashing or allocating wildly.
	s.Resize(0, -1)
	if c, r := s.Size(); c != 80 || r != 24 {
		t.Fatalf("size after bad resize %dx%d, want 80x24", c, r)
	}
	s.Resize(100000, 100000)
	if c, r := s.Size(); c != 80 || r != 24 {
		t.Fatalf("size after huge resize %dx%d, want 80x24", c, r)
	}
	big := New(5000, 5000)
	defer big.Close()
	if c, r := big.Size(); c != 80 || r != 24 {
		t.Fatalf("New(5000, 5000) is %dx%d", c, r)
	}
}

func TestText(t *testing.T) {
	s := New(20, 6)
	defer s.Close()
	if got := s.Text(); got != "" {
		t.Fatalf("blank screen text %q", got)
	}
	s.Write([]byte("\r\n  indented   \r\n\x1b[31mred\x1b[0m \x1b[44m  \x1b[0m\r\n\r\n"))
	// Leading blank rows and leading spaces stay; trailing blanks and empty
	// rows at the bottom go; styles are gone.
	if got, want := s.Text(), "\n  indented\nred\n"; got != want {
		t.Fatalf("Text() = %q, want %q", got, want)
	}
	s.Write([]byte("中文😀x"))
	if !strings.HasSuffix(s.Text(), "red\n\n中文😀x\n") {
		t.Fatalf("wide characters in text: %q", s.Text())
	}
}

// TestQueriesDoNotBlock: programs ask the terminal where the cursor is
// (ESC[6n) and what it is (ESC[c). The emulator writes its answers into a
// pipe; unless the screen drains it, the first answer blocks Write forever.
func TestQueriesDoNotBlock(t *testing.T) {
	s := New(20, 3)
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			s.Write([]byte("\x1b[6n\x1b[c\x1b[>c\x1b[5n\x1b[18t"))
		}
		s.Write([]byte("after"))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Write blocked on a terminal query")
	}
	if got := s.Text(); got != "after\n" {
		t.Fatalf("queries left text on screen: %q", got)
	}
}

// TestCloseWhileAnswering closes screens whose emulator is still answering
// queries, which the race detector checks for unsynchronised access.
func TestCloseWhileAnswering(t *testing.T) {
	for range 50 {
		s := New(20, 3)
		s.Write([]byte(strings.Repeat("\x1b[6n\x1b[c", 20)))
		s.Close()
	}
}

func TestPaletteCSS(t *testing.T) {
	css := PaletteCSS()
	for _, want := range []string{
		".t .f0{color:var(--t0)}", "--t0:#7d8590;", ".t .b0{background-color:#000000}", ".t .b1{background-color:#cd0000}",
		".t .f16{color:#000000}", ".t .f21{color:#0000ff}", ".t .f208{color:#ff8700}",
		".t .f231{color:#ffffff}", ".t .f232{color:#080808}", ".t .b255{background-color:#eeeeee}",
		".t .fbg{", ".t .bfg{", ".t .bo{", ".t .un{", ".t .it{", ".t:not(.ended) .cur{",
	} {
		if !strings.Contains(css, want) {
			t.Errorf("PaletteCSS lacks %s", want)
		}
	}
}

// FuzzWrite feeds arbitrary program output (the hub's screen is fed by any
// workstation) and checks the screen neither panics nor renders rows of the
// wrong count, and that cutting the output in two changes nothing.
func FuzzWrite(f *testing.F) {
	for _, c := range goldenCases {
		f.Add([]byte(c.input), uint8(c.cols), uint8(c.rows), uint16(len(c.input)/2))
	}
	f.Add([]byte("\x1b[6n\x1b[c\x1b[?1049h\x1b[2J\x1b[999;999H\x1b[?25l"), uint8(10), uint8(3), uint16(5))
	f.Add([]byte("\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[5;1r\x1bM\x1b[S\x1b[T"), uint8(7), uint8(2), uint16(9))
	f.Fuzz(func(t *testing.T, in []byte, cols, rows uint8, cut uint16) {
		if len(in) > 4096 {
			return
		}
		// A hang is a bug too (a few bytes must not stall the screen), and the
		// fuzzer keeps no input that merely never returns: crash instead.
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("screen hung on %q (%dx%d, cut %d)", in, cols, rows, cut)) })
		defer watchdog.Stop()
		c, r := int(cols%40)+1, int(rows%12)+1
		whole := New(c, r)
		defer whole.Close()
		whole.Write(in)
		k := int(cut) % (len(in) + 1)
		split := New(c, r)
		defer split.Close()
		split.Write(in[:k])
		split.Write(in[k:])
		got, want := rowsHTML(split.Rows()), rowsHTML(whole.Rows())
		if len(want) != r {
			t.Fatalf("%d rows rendered on a %d-row screen", len(want), r)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("output cut at %d renders differently:\n got %q\nwant %q", k, got, want)
		}
		_ = whole.Text()
		_, _ = whole.History(0)
		whole.Resize(c+3, r+1)
		whole.Write(in)
		_ = rowsHTML(whole.Rows())
	})
}

// TestHugeCountsAreCapped: a few bytes of output asking to repeat, erase or
// tab two billion times must not hold the screen for minutes.
func TestHugeCountsAreCapped(t *testing.T) {
	for _, in := range []string{"a\x1b[2000000000b", "ab\x1b[2000000000X", "\x1b[2000000000I", "\x1b[30G\x1b[2000000000Z"} {
		s := New(20, 3)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.Write([]byte(in))
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%q held Write for 10 s", in)
		}
		s.Close()
	}
	// The caps do not change what a sane count does: REP 4, ECH 3, CHT 2
	// (to column 17), CBT 1 (back to column 17's stop, over the +).
	s := New(20, 3)
	defer s.Close()
	s.Write([]byte("a\x1b[4bZ\r\nabcdef\x1b[1G\x1b[3X|\x1b[1G\x1b[2I+\x1b[1Z-"))
	if got, want := s.Text(), "aaaaaZ\n|  def          -\n"; got != want {
		t.Fatalf("REP/ECH/CHT/CBT with small counts: %q, want %q", got, want)
	}
	// REP beyond a whole screen shows what the full count would have:
	// compare with the same run printed out in full.
	for _, n := range []int{59, 60, 61, 79, 80, 99999, 100000, 100005} {
		capped, full := New(20, 3), New(20, 3)
		capped.Write(fmt.Appendf(nil, "ab\r\ncd\r\nxy\x1b[%db", n))
		full.Write([]byte("ab\r\ncd\r\nxy" + strings.Repeat("y", n)))
		if got, want := rowsHTML(capped.Rows()), rowsHTML(full.Rows()); !slices.Equal(got, want) {
			t.Errorf("REP %d: %q, want %q", n, got, want)
		}
		capped.Close()
		full.Close()
	}
}
